"""The errors the LM layer raises; all are ``CdmbenchError``s (one line, no traceback, at the CLI)."""

from __future__ import annotations

from cdmbench.errors import CdmbenchError, ConfigError

__all__ = ["DataUseError", "LMServerError", "LMSetupError"]


class DataUseError(CdmbenchError):
    """Credentialed cases would be sent to an LM endpoint outside the user's control."""


class LMSetupError(ConfigError):
    """The LM settings are incomplete or inconsistent (a missing key variable, a bad preset, ...)."""


class LMServerError(CdmbenchError):
    """An LM server cannot be started or does not answer (missing package, model file, crash)."""
