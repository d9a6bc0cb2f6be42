"""The error of compiled-program bundles."""

from __future__ import annotations

from cdmbench.errors import CdmbenchError

__all__ = ["BundleError"]


class BundleError(CdmbenchError):
    """A compiled-program bundle is missing, malformed, tampered with, or made for another program or DSPy."""
