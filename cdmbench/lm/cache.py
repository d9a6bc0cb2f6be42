"""DSPy's answer cache, one directory per served model.

DSPy's cache key leaves out ``api_base``, so two servers that answer to the same model string would
share answers. cdmbench therefore points the (process-wide) DSPy cache at a directory named after the
LM kind, the served name and the endpoint host: ``<cache_dir>/<kind>--<served name>--<host>``.

DSPy caches an answer before the adapter parses it; ``forget_answer`` takes one that could not be parsed back out
(memory and disk), so a rerun asks the server again instead of replaying the same unusable answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dspy

from cdmbench.io import ensure_dir
from cdmbench.lm.settings import LMSettings, cache_dir_for

__all__ = ["configure_cache", "forget_answer"]


def configure_cache(settings: LMSettings, served_name: str, api_base: str | None) -> Path | None:
    """Point DSPy's cache at this model's directory (created if needed); turn it off if ``cache=false``.

    Returns:
        The cache directory, or None when caching is off.
    """
    if not settings.cache:
        dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
        return None
    directory = ensure_dir(cache_dir_for(settings, served_name, api_base))
    # Native answers are plain data: restricted unpickling costs nothing and refuses code in a cache file.
    dspy.configure_cache(
        enable_disk_cache=True, enable_memory_cache=True, disk_cache_dir=str(directory), restrict_pickle=True
    )
    return directory


def forget_answer(request: dict[str, Any]) -> bool:
    """Remove the answer DSPy's cache holds for ``request`` (an LM call's cache request), from memory and disk.

    Returns:
        True when an answer was removed.
    """
    from dspy.clients.execution import IGNORED_CACHE_KEYS

    cache = dspy.cache
    if not (cache.enable_memory_cache or cache.enable_disk_cache):
        return False
    try:
        key = cache.cache_key(request, IGNORED_CACHE_KEYS)
    except Exception:  # DSPy could not key it either, so it cached nothing under it
        return False
    removed = False
    if cache.enable_memory_cache:
        with cache._lock:
            removed = cache.memory_cache.pop(key, None) is not None
    if cache.enable_disk_cache:
        removed = bool(cache.disk_cache.delete(key)) or removed
    return removed
