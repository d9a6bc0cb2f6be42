"""Read the reference JSON files shipped inside the package (``cdmbench/vocabulary/data/``).

The files are copies of ``shared/reference/*.json`` (see ``data/PROVENANCE.md``); cdmbench reads them
from the installed package at run time, never from a path outside it. Each file is parsed once per
process; callers must treat the returned structures as read-only.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from cdmbench.errors import DataSourceError, UnknownNameError

__all__ = ["REFERENCE_FILES", "load_reference"]

REFERENCE_FILES: tuple[str, ...] = (
    "diagnosis.json",
    "imaging.json",
    "labs.json",
    "procedures.json",
    "treatment-rules.json",
)


@cache
def load_reference(name: str) -> dict[str, Any]:
    """Return the parsed reference file ``name`` (e.g. ``"imaging.json"``); cached, do not mutate.

    Raises:
        UnknownNameError: ``name`` is not one of ``REFERENCE_FILES``.
        DataSourceError: the file is missing or is not valid JSON (a broken installation).
    """
    if name not in REFERENCE_FILES:
        raise UnknownNameError("reference file", name, REFERENCE_FILES)
    resource = resources.files("cdmbench.vocabulary").joinpath("data").joinpath(name)
    try:
        return json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataSourceError(
            f"cannot read the packaged reference file cdmbench/vocabulary/data/{name}: {exc}. "
            "Reinstall cdmbench (uv sync) or restore the file from git."
        ) from None
