"""The LM layer: vLLM presets and client, the embedded CPU server, the schema adapter, the data-use guard.

Commands call ``lm_session(LMSettings.from_config(cfg.lm), data_source=...)`` once; inside it DSPy's
LM and adapter are set. See ``docs``/README for the choice between ``lm=embedded`` and ``lm=vllm``.
"""

from __future__ import annotations

import os

# Never fetch LiteLLM's or DSPy's model price map from the network (offline clusters, privacy).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from cdmbench.lm._errors import DataUseError, LMServerError, LMSetupError
from cdmbench.lm.adapter import SchemaJSONAdapter, output_json_schema, response_format_for
from cdmbench.lm.cache import configure_cache
from cdmbench.lm.embedded import EmbeddedServer, find_model_file
from cdmbench.lm.factory import LMSession, answer_budget, build_lm, lm_session, resolve_endpoint
from cdmbench.lm.guard import check_data_use, is_local_endpoint
from cdmbench.lm.presets import VllmPreset, list_presets, load_preset
from cdmbench.lm.settings import LMSettings, cache_dir_for

__all__ = [
    "DataUseError",
    "EmbeddedServer",
    "LMServerError",
    "LMSession",
    "LMSettings",
    "LMSetupError",
    "SchemaJSONAdapter",
    "VllmPreset",
    "answer_budget",
    "build_lm",
    "cache_dir_for",
    "check_data_use",
    "configure_cache",
    "find_model_file",
    "is_local_endpoint",
    "list_presets",
    "lm_session",
    "load_preset",
    "output_json_schema",
    "resolve_endpoint",
    "response_format_for",
]
