"""``max_error_rate``: a run whose share of failed cases is above it exits non-zero (after writing everything)."""

from __future__ import annotations

from loguru import logger
from omegaconf import DictConfig, OmegaConf

from cdmbench.errors import ConfigError

__all__ = ["ERROR_RATE_EXIT_CODE", "error_rate_exit_code", "error_rate_setting"]

ERROR_RATE_EXIT_CODE = 3
"""The exit code of a run with too many failed cases (2 is a bad input, 1 an unexpected error)."""


def error_rate_setting(cfg: DictConfig, key: str = "max_error_rate") -> float:
    """Read ``cfg[key]`` as a share in [0, 1] (default 0.5 when the key is absent).

    Raises:
        ConfigError: the value is not a number in [0, 1].
    """
    value = OmegaConf.select(cfg, key, default=0.5)
    try:
        rate = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        rate = None
    if rate is None or not 0.0 <= rate <= 1.0:
        raise ConfigError(f"{key} must be a number from 0 to 1, got {value!r}; e.g. {key}=0.5.")
    return rate


def error_rate_exit_code(summary, max_error_rate: float) -> int:
    """0, or ``ERROR_RATE_EXIT_CODE`` when more than ``max_error_rate`` of the summary's cases failed."""
    n_cases = max(int(summary.n_cases), 0)
    if n_cases == 0:
        return 0
    rate = summary.errors / n_cases
    if rate <= max_error_rate:
        return 0
    kinds = ", ".join(f"{k} {v}" for k, v in (getattr(summary, "error_kinds", {}) or {}).items() if v)
    logger.error(
        "{} of {} cases failed ({:.0%}{}), above max_error_rate={}; everything is written, the run's numbers are "
        "over all cases (failed ones count 0). Fix the LM or the program, then rerun with retry_errors=true.",
        summary.errors,
        n_cases,
        rate,
        f": {kinds}" if kinds else "",
        max_error_rate,
    )
    return ERROR_RATE_EXIT_CODE
