"""Hydra configuration: where the configs live and how a command's config is composed.

Every command has a primary config ``configs/<command>.yaml`` whose defaults pull in the groups it
needs (``db``, ``lm``, ``program``, ...). Overrides are ordinary Hydra overrides (``key=value``,
``group=option``, ``+new_key=value``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from cdmbench.errors import ConfigError

__all__ = ["SECRET_KEYS", "compose", "config_dir", "redact", "to_yaml"]

SECRET_KEYS = ("password", "api_key", "apikey", "token", "secret", "dsn")


def config_dir() -> Path:
    """The Hydra config directory: ``configs/`` of a checkout, else the copy inside the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "configs", here / "_configs"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("cannot find the cdmbench configs directory; reinstall cdmbench.")


def compose(config_name: str, overrides: Sequence[str] = ()) -> DictConfig:
    """Compose ``configs/<config_name>.yaml`` with Hydra overrides, with readable errors."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException, MissingConfigException, OverrideParseException
    from omegaconf.errors import OmegaConfBaseException

    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base=None):
            cfg = hydra_compose(config_name=config_name, overrides=list(overrides))
    except OverrideParseException as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError(f"malformed override: {first}. Overrides look like key=value or group=option.") from None
    except MissingConfigException as exc:
        raise ConfigError(_missing_config_message(exc)) from None
    except (HydraException, OmegaConfBaseException) as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(f"bad configuration: {message}") from None
    return cfg


def _missing_config_message(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    text = text.split(" Config search path")[0].split(" Available options")[0]
    options = getattr(exc, "options", None)
    if options:
        return f"{text}; available: {', '.join(sorted(options))}."
    return text


def redact(value: Any) -> Any:
    """Return a plain copy of a config with secret-looking values replaced by '***'."""
    if isinstance(value, DictConfig):
        value = OmegaConf.to_container(value, resolve=True)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if any(s in str(key).lower() for s in SECRET_KEYS) and item not in (None, ""):
                out[key] = "***"
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def to_yaml(cfg: DictConfig | dict) -> str:
    """The resolved config as YAML, secrets redacted (safe to write into a run directory)."""
    return OmegaConf.to_yaml(OmegaConf.create(redact(cfg)))
