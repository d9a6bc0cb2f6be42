"""The exceptions cdmbench raises for problems a user can fix.

Every error a user can cause (a bad file, a wrong name, a database that does not answer) is a
``CdmbenchError``: the command line prints its message in one line, without a traceback, and exits
non-zero. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "CaseFormatError",
    "CdmbenchError",
    "ConfigError",
    "DataSourceError",
    "DatabaseError",
    "OutputError",
    "UnknownNameError",
]


class CdmbenchError(Exception):
    """A problem the user can fix; the message says what and how."""

    exit_code = 2


class ConfigError(CdmbenchError):
    """A configuration value or command-line override is missing or wrong."""


class UnknownNameError(ConfigError, LookupError):
    """A registry name (program, lm, preset, command, ...) is not known."""

    def __init__(self, kind: str, name: str, known: list[str] | tuple[str, ...], hint: str = "") -> None:
        message = f"unknown {kind} {name!r}; known: {', '.join(sorted(known)) or '(none)'}."
        if hint:
            message += f" {hint}"
        super().__init__(message)
        self.kind = kind
        self.name = name
        self.known = sorted(known)


class CaseFormatError(CdmbenchError, ValueError):
    """A cases file (or one case in it) does not have the cdmbench Case format."""


class DataSourceError(CdmbenchError):
    """An input directory or file is missing, unreadable or not in the expected layout."""


class DatabaseError(CdmbenchError):
    """PostgreSQL cannot be reached, refuses the login, or lacks a table the command needs."""


class OutputError(CdmbenchError):
    """An output file or directory cannot be written."""
