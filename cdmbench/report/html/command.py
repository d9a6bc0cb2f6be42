"""``cdmbench report run=DIR [cases=FILE] [out=FILE]``: write a run's self-contained ``report.html``."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from cdmbench.errors import ConfigError
from cdmbench.report.html.writer import write_html_report

__all__ = ["run"]


def run(cfg: DictConfig) -> int:
    """Write ``<run>/report.html`` (or ``cfg.out``) from the run directory ``cfg.run`` (see ``configs/report.yaml``)."""
    run_dir = cfg.get("run")
    if not run_dir:
        raise ConfigError("no run directory; pass run=DIR (e.g. run=outputs/demo-cdm_agent-embedded).")
    cases = cfg.get("cases")
    out = cfg.get("out")
    write_html_report(
        Path(str(run_dir)),
        Path(str(cases)) if cases else None,
        out=Path(str(out)) if out else None,
    )
    return 0
