"""vLLM presets: ``configs/vllm/<preset>.yaml``, each a valid ``vllm serve --config`` file.

A preset holds only ``vllm serve`` long-form arguments (vLLM turns every key into ``--key value`` and
rejects unknown ones), so the client reads what it needs from the same keys: the served name
(``served-model-name``, else ``model``) and the context length (``max-model-len``). Nothing is
defined twice. A relative ``chat-template`` is written from the repository root
(``configs/vllm/templates/...``), so ``vllm serve --config`` works there; ``cdmbench serve`` passes the
absolute path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cdmbench.config import config_dir
from cdmbench.errors import UnknownNameError
from cdmbench.lm._errors import LMSetupError

__all__ = ["VllmPreset", "list_presets", "load_preset", "presets_dir"]


def presets_dir() -> Path:
    """``configs/vllm/`` (of a checkout, or the copy inside the wheel)."""
    return config_dir() / "vllm"


def list_presets() -> list[str]:
    """The preset names (file stems), sorted."""
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))


@dataclass(frozen=True)
class VllmPreset:
    """One ``vllm serve`` configuration and what the client derives from it."""

    name: str
    """The preset name (``configs/vllm/<name>.yaml``)."""
    path: Path
    """The YAML file, passed to ``vllm serve --config``."""
    args: dict[str, Any]
    """The ``vllm serve`` arguments, exactly as in the file."""

    @property
    def model(self) -> str:
        """The Hugging Face repository (or local path) vLLM loads."""
        return str(self.args["model"])

    @property
    def served_name(self) -> str:
        """The name clients send as ``model`` (the first ``served-model-name``, else ``model``)."""
        served = self.args.get("served-model-name") or self.args["model"]
        return str(served[0] if isinstance(served, list) else served)

    @property
    def max_model_len(self) -> int:
        """Context length in tokens (prompt plus answer)."""
        return int(self.args["max-model-len"])

    @property
    def reasoning_parser(self) -> str | None:
        """vLLM's reasoning parser for a thinking model (its thought comes back as ``reasoning_content``)."""
        parser = self.args.get("reasoning-parser")
        return str(parser) if parser else None

    @property
    def max_tokens(self) -> int | None:
        """The answer budget the preset asks for (``override-generation-config``'s ``max_new_tokens``), if any.

        Thinking models need room for the thought before the answer; a thought cut off at ``max_tokens`` makes
        that step a ``format_error``.
        """
        override = self.args.get("override-generation-config")
        if isinstance(override, str):
            try:
                override = json.loads(override)
            except ValueError:
                return None
        value = override.get("max_new_tokens") if isinstance(override, dict) else None
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def chat_template(self) -> Path | None:
        """The chat template file as an absolute path; None when the model brings its own."""
        template = self.args.get("chat-template")
        if not template:
            return None
        path = Path(str(template))
        if path.is_absolute():
            return path
        parts = path.parts[1:] if path.parts[:1] == ("configs",) else path.parts
        return config_dir().joinpath(*parts).resolve()


def load_preset(name: str) -> VllmPreset:
    """Load ``configs/vllm/<name>.yaml``.

    Raises:
        UnknownNameError: no such preset (the message lists them).
        LMSetupError: the file is not a mapping with ``model`` and ``max-model-len``.
    """
    path = presets_dir() / f"{name}.yaml"
    if "/" in name or not path.is_file():
        raise UnknownNameError(
            "vLLM preset", name, list_presets(), "Fix lm.preset / model=, or add configs/vllm/<name>.yaml."
        )
    try:
        args = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise LMSetupError(f"vLLM preset {str(path)!r} is not valid YAML: {exc}") from None
    if not isinstance(args, dict) or "model" not in args or "max-model-len" not in args:
        raise LMSetupError(f"vLLM preset {str(path)!r} needs at least `model` and `max-model-len`.")
    return VllmPreset(name=name, path=path, args=args)
