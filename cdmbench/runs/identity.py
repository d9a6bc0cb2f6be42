"""What a run is: where its directory is (always inside ``output_dir``) and what must match to resume it.

A run resumes only with the same program (a compiled bundle by its content hash, not its path: a bundle
replaced at the same path is another program), the same answering LM and the same cases.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from cdmbench.cases import Case, cases_hash
from cdmbench.config import redact
from cdmbench.errors import ConfigError
from cdmbench.runs.run_dir import lm_identity

__all__ = ["bundle_digest", "check_run_name", "run_identity", "run_root", "safe_run_name"]

_RUN_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+=@,:-]*$")


def safe_run_name(name: str) -> str:
    """A default run name made from data, program and LM names: characters outside a run name become '_'."""
    return re.sub(r"[^A-Za-z0-9_.+=@,:-]", "_", name).lstrip(".")[:200] or "run"


def check_run_name(run_name: str) -> str:
    """``run_name`` when it is a plain name that stays inside ``output_dir``.

    Raises:
        ConfigError: the name is empty, has a path separator, starts with a dot or is over 200 characters.
    """
    if not _RUN_NAME.match(run_name) or len(run_name) > 200:
        raise ConfigError(
            f"run={run_name!r} is not a run name: use letters, digits and _ . + = @ , : - (no '/', no '..', not "
            "starting with '.'), at most 200 characters; the run directory is always inside output_dir "
            "(hydra.run.dir=DIR chooses a directory anywhere)."
        )
    return run_name


def run_root(output_dir: str, run_name: str) -> Path:
    """``output_dir/run_name``, refusing a name that would leave ``output_dir`` (``..``, ``/``, absolute paths).

    Raises:
        ConfigError: the name is empty, has a path separator or starts with a dot.
    """
    root = Path(output_dir) / check_run_name(run_name)
    if root.resolve().parent != Path(output_dir).resolve():
        raise ConfigError(f"run={run_name!r} would leave output_dir {output_dir!r}; choose a plain run name.")
    return root


def bundle_digest(source: str) -> str:
    """SHA-256 over a compiled-program bundle's manifest.json and program.json (directory or archive).

    Raises:
        BundleError: the bundle cannot be read.
    """
    from cdmbench.optimize.bundle import BUNDLE_FILES, _read_files

    files = _read_files(Path(source).expanduser())
    digest = hashlib.sha256()
    for name in BUNDLE_FILES:
        digest.update(name.encode("ascii") + b"\0" + hashlib.sha256(files[name]).hexdigest().encode("ascii"))
    return digest.hexdigest()


def run_identity(cfg: DictConfig, cases: list[Case]) -> dict[str, Any]:
    """The identity recorded in manifest.json and compared when a run resumes."""
    program = OmegaConf.to_container(cfg.program, resolve=True)
    if isinstance(program, dict) and program.get("compiled"):
        program["compiled"] = {"sha256": bundle_digest(str(program["compiled"]))}
    lm = redact(cfg.lm)
    if isinstance(lm, dict) and lm.get("max_tokens") is None:  # what is sent: a run made with it spelled out resumes
        from cdmbench.lm import LMSettings, answer_budget

        lm["max_tokens"] = answer_budget(LMSettings.from_config(cfg.lm))
    return {"program": program, "lm": lm_identity(lm), "data_hash": cases_hash(cases)}
