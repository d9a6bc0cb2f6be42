"""Hydra configuration: where the configs live and how a command's config is composed.

Every command has a primary config ``configs/<command>.yaml`` whose defaults pull in the groups it
needs (``db``, ``lm``, ``program``, ...). Overrides are ordinary Hydra overrides (``key=value``,
``group=option``, ``+new_key=value``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from cdmbench.errors import CdmbenchError, ConfigError

__all__ = [
    "SECRET_KEYS",
    "bool_setting",
    "compose",
    "config_dir",
    "config_error",
    "int_setting",
    "missing_settings",
    "redact",
    "redact_urls",
    "redacted_yaml",
    "register_resolvers",
    "to_yaml",
]

SECRET_KEYS = ("password", "api_key", "apikey", "secret", "dsn", "token")
_URL_USER_INFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")
_BARE_USER_INFO = re.compile(r"(?<![\w.%+-])[\w.%+-]+:[^\s/?#@'\"]+@(?=[\w\[])")  # user:secret@host, no scheme


def redact_urls(text: str) -> str:
    """``text`` with URL user info (``http://user:secret@host``, also ``user:secret@host``) replaced by ``***``."""
    if "@" not in text:
        return text
    return _BARE_USER_INFO.sub("***@", _URL_USER_INFO.sub(r"\1***@", text))


def is_secret_key(key: object) -> bool:
    """True for config keys whose values are secrets (passwords, API keys, tokens, DSNs with passwords)."""
    name = str(key).lower()
    if name.endswith(("_env", "tokens")):  # the *name* of an env var; token counts such as max_tokens
        return False
    return any(name == s or name.endswith(("_" + s, s)) for s in SECRET_KEYS)


def config_dir() -> Path:
    """The Hydra config directory: ``configs/`` of a checkout, else the copy inside the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "configs", here / "_configs"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("cannot find the cdmbench configs directory; reinstall cdmbench.")


def compose(config_name: str, overrides: Sequence[str] = ()) -> DictConfig:
    """Compose ``configs/<config_name>.yaml`` with Hydra overrides, with readable errors.

    Raises:
        ConfigError: a malformed override, an unknown group option (``program=nope``), a key that does not
            exist, or an interpolation that cannot be resolved; the message names it and says how to fix it.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    register_resolvers()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base=None):
            cfg = hydra_compose(config_name=config_name, overrides=list(overrides))
        OmegaConf.to_container(cfg, resolve=True)  # fail here, not deep inside a command, on a bad ${...}
    except Exception as exc:
        error = config_error(exc, config_name, overrides)
        if error is None:
            raise
        raise error from None
    return cfg


def register_resolvers() -> None:
    """Register cdmbench's OmegaConf resolvers (``${run_name:evaluate}``); safe to call again."""
    from cdmbench.runs.naming import register_resolver

    register_resolver()


def config_error(exc: BaseException, config_name: str, overrides: Sequence[str] = ()) -> CdmbenchError | None:
    """The readable ``ConfigError`` for an exception Hydra or OmegaConf raised while composing; None for others.

    Covers a malformed override, an unknown group option (``program=nope``), a key that does not exist and an
    interpolation that cannot be resolved; the message names it and says how to fix it.
    """
    from hydra.errors import HydraException, MissingConfigException, OverrideParseException
    from omegaconf.errors import InterpolationResolutionError, OmegaConfBaseException

    if isinstance(exc, CdmbenchError):
        return exc
    cause: BaseException | None = exc
    for _ in range(10):  # raised inside a resolver (a bad run= in ${run_name:...}), wrapped by OmegaConf
        cause = cause.__cause__ or cause.__context__ if cause is not None else None
        if isinstance(cause, CdmbenchError):
            return cause
    if isinstance(exc, OverrideParseException):
        first = str(exc).strip().splitlines()[0]
        return ConfigError(f"malformed override: {first}. Overrides look like key=value or group=option.")
    if isinstance(exc, MissingConfigException):
        return ConfigError(_missing_config_message(exc))
    if isinstance(exc, InterpolationResolutionError):
        key = getattr(exc, "full_key", None) or "a setting"
        reason = " ".join(str(getattr(exc, "msg", None) or exc).split())
        return ConfigError(f"cannot resolve the ${{...}} reference in {key}: {reason}. Fix or remove that reference.")
    if isinstance(exc, HydraException | OmegaConfBaseException):
        message = " ".join(str(exc).split())
        unknown = re.match(r"Could not override '([^']+)'\. To append to your config use", message)
        if unknown:
            key = unknown[1]
            return ConfigError(
                f"unknown setting {key!r} in {config_name}: check its spelling (`cdmbench "
                f"{config_name.replace('_', '-')} --help` lists the settings), or add a new key with +{key}=..."
            )
        return ConfigError(f"bad configuration: {message}")
    if isinstance(exc, ValueError):  # Hydra raises bare ValueErrors for some malformed overrides, e.g. '=3'
        given = " ".join(o for o in overrides if o.split("=", 1)[0].strip("+~") == "") or " ".join(overrides)
        return ConfigError(f"malformed override {given!r}: {exc}. Overrides look like key=value or group=option.")
    return None


def _missing_config_message(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    text = text.split(" Config search path")[0].split(" Available options")[0]
    options = sorted(getattr(exc, "options", None) or [])
    found = re.search(r"Could not find '(?P<group>[\w./-]+)/(?P<option>[^'/]+)'", text)
    if found and options:
        group, option = found["group"], found["option"]
        message = (
            f"unknown {group} {option!r} (there is no configs/{group}/{option}.yaml); "
            f"available: {', '.join(options)}. Use e.g. {group}={options[0]}."
        )
        if group == "hydra/launcher" and "submitit_slurm" not in options:
            message += (
                " The submitit launchers (submitit_slurm, submitit_local) need the slurm extra: uv sync --extra slurm."
            )
        return message
    if options:
        return f"{text}; available: {', '.join(options)}."
    return text


def missing_settings(cfg: DictConfig) -> list[str]:
    """The dotted keys of ``cfg`` that are still ``???`` (mandatory values nobody set)."""
    return sorted(OmegaConf.missing_keys(cfg))


def int_setting(cfg: DictConfig, key: str, *, minimum: int | None = None, optional: bool = False) -> int | None:
    """Read ``cfg[key]`` (a dotted key) as a whole number, or raise a ``ConfigError`` that names the override.

    Args:
        cfg: the composed config.
        key: a dotted key, e.g. ``"limit"`` or ``"demo.seed"``.
        minimum: the smallest allowed value.
        optional: allow ``null`` (then ``None`` is returned).

    Returns:
        The value as an ``int`` (``None`` only when ``optional`` and the value is null).

    Raises:
        ConfigError: the value is not a whole number, is below ``minimum``, or is null when it may not be.
    """
    value = OmegaConf.select(cfg, key)
    if value is None and optional:
        return None
    bound = f" >= {minimum}" if minimum is not None else ""
    hint = f"a whole number{bound}{' or null' if optional else ''}"
    if isinstance(value, bool) or value is None:
        number = None
    elif isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        number = int(text) if re.fullmatch(r"[+-]?\d+", text) else None
    if number is None or (minimum is not None and number < minimum):
        example = max(minimum or 0, 1)
        raise ConfigError(f"{key} must be {hint}, got {value!r}; e.g. {key}={example}.")
    return number


def bool_setting(cfg: DictConfig, key: str) -> bool:
    """Read ``cfg[key]`` (a dotted key) as a boolean: only true or false, never 'maybe', 'yes' or 1.

    Raises:
        ConfigError: the value is anything but a boolean (or the strings 'true'/'false').
    """
    value = OmegaConf.select(cfg, key)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ConfigError(f"{key} must be true or false, got {value!r}; e.g. {key}=true.")


def redact(value: Any) -> Any:
    """Return a plain copy of a config with secret-looking values and URL user info replaced by '***'."""
    if isinstance(value, DictConfig):
        value = OmegaConf.to_container(value, resolve=True)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if is_secret_key(key) and item not in (None, ""):
                out[key] = "***"
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_urls(value)
    return value


def to_yaml(cfg: DictConfig | dict) -> str:
    """The resolved config as YAML, secrets redacted (safe to write into a run directory)."""
    return OmegaConf.to_yaml(OmegaConf.create(redact(cfg)))


def redacted_yaml(cfg: DictConfig, *, resolve: bool = True) -> str:
    """``cfg`` as YAML with secrets redacted; unresolved (``${...}`` kept) when ``resolve`` is false."""
    if resolve:
        return to_yaml(cfg)
    return OmegaConf.to_yaml(OmegaConf.create(redact(OmegaConf.to_container(cfg, resolve=False))))
