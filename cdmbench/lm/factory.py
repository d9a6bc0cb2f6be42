"""Build the DSPy LM and adapter from ``LMSettings``; ``lm_session`` runs one for a command.

This is the LM's connection layer: the only place that reads an API key from the environment.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dspy
from loguru import logger

from cdmbench.lm._errors import LMSetupError
from cdmbench.lm.adapter import SchemaJSONAdapter
from cdmbench.lm.cache import configure_cache
from cdmbench.lm.embedded import EmbeddedServer
from cdmbench.lm.guard import check_data_use
from cdmbench.lm.presets import VllmPreset, load_preset
from cdmbench.lm.probe import check_served_model
from cdmbench.lm.settings import DEFAULT_MAX_TOKENS, EMBEDDED_SERVED_NAME, LMSettings
from cdmbench.lm.transcript import TranscriptLM
from cdmbench.lm.vllm_server import VllmServer

__all__ = ["DEFAULT_VLLM_API_BASE", "LMSession", "answer_budget", "build_lm", "lm_session", "resolve_endpoint"]

DEFAULT_VLLM_API_BASE = "http://127.0.0.1:8000/v1"


def resolve_endpoint(settings: LMSettings) -> tuple[str, str | None]:
    """The served model name and API base the settings point at (the embedded one has no base yet).

    Raises:
        LMSetupError: a vLLM LM without a preset or model, an OpenAI-compatible one without model or base.
        UnknownNameError: the preset does not exist.
    """
    if settings.kind == "embedded":
        return settings.model or EMBEDDED_SERVED_NAME, None
    if settings.kind == "vllm":
        if not settings.model and not settings.preset:
            raise LMSetupError("lm=vllm needs lm.preset (a configs/vllm/ preset) or lm.model (the served name).")
        preset = load_preset(settings.preset) if settings.preset else None
        if preset is not None:
            _check_budget(settings, preset)
        served = settings.model or preset.served_name
        return served, settings.api_base or DEFAULT_VLLM_API_BASE
    if not settings.model or not settings.api_base:
        raise LMSetupError("lm=openai_compatible needs lm.model and lm.api_base.")
    return settings.model, settings.api_base


def answer_budget(settings: LMSettings) -> int:
    """The ``max_tokens`` sent with every call: ``lm.max_tokens``, or when it is null the vLLM preset's thinking
    budget (``override-generation-config``'s ``max_new_tokens``), else ``DEFAULT_MAX_TOKENS`` of the LM kind.

    Raises:
        UnknownNameError: the preset does not exist.
    """
    if settings.max_tokens is not None:
        return settings.max_tokens
    if settings.kind == "vllm" and settings.preset:
        budget = load_preset(settings.preset).max_tokens
        if budget:
            return budget
    return DEFAULT_MAX_TOKENS[settings.kind]


def _check_budget(settings: LMSettings, preset: VllmPreset) -> None:
    budget = answer_budget(settings)
    if budget >= preset.max_model_len:
        raise LMSetupError(
            f"lm.max_tokens={budget} does not fit the preset {preset.name!r} "
            f"(max-model-len {preset.max_model_len}); lower lm.max_tokens."
        )
    if preset.max_tokens and budget < preset.max_tokens:  # only an explicit lm.max_tokens can be lower
        logger.warning(
            "lm.max_tokens={} is below the thinking budget of preset {} ({}): a thought cut off at max_tokens "
            "makes its step a format_error; consider lm.max_tokens={} (or leave it null: the preset's budget)",
            budget,
            preset.name,
            preset.max_tokens,
            preset.max_tokens,
        )


def _api_key(settings: LMSettings) -> str | None:
    if not settings.api_key_env:
        return None
    key = os.environ.get(settings.api_key_env)
    if not key:
        raise LMSetupError(
            f"lm.api_key_env names {settings.api_key_env!r}, but that environment variable is empty; export it "
            "(or put it in .env) before the run."
        )
    return key


def build_lm(
    settings: LMSettings, served_name: str | None = None, api_base: str | None = None
) -> tuple[dspy.LM, dspy.Adapter]:
    """A ``dspy.LM`` and the ``SchemaJSONAdapter`` for it.

    vLLM and the embedded server are addressed as ``hosted_vllm/<served name>``: that prefix sends
    ``max_tokens`` (``openai/`` sends ``max_completion_tokens``, which llama.cpp ignores). The adapter
    sends the output schema itself, so no model capabilities need registering with DSPy or LiteLLM.

    Args:
        settings: the LM settings.
        served_name: overrides the served name from the settings (e.g. the embedded server's).
        api_base: overrides the endpoint from the settings (e.g. the embedded server's port).

    Example:
        >>> lm, adapter = build_lm(LMSettings(kind="vllm", model="qwen3-4b"))
    """
    resolved_name, resolved_base = resolve_endpoint(settings)
    served_name = served_name or resolved_name
    api_base = api_base or resolved_base
    prefix = "openai" if settings.kind == "openai_compatible" else "hosted_vllm"
    kwargs: dict[str, Any] = {"timeout": settings.timeout_s}
    if api_base:
        kwargs["api_base"] = api_base
    key = _api_key(settings)
    if key:
        kwargs["api_key"] = key
    if settings.seed is not None:
        kwargs["seed"] = settings.seed
    lm = TranscriptLM(  # a dspy.LM that records each call in the case's transcript
        f"{prefix}/{served_name}",
        temperature=settings.temperature,
        max_tokens=answer_budget(settings),
        num_retries=settings.num_retries,
        cache=settings.cache,
        **kwargs,
    )
    return lm, SchemaJSONAdapter(settings.dialect, settings.max_text_chars, max_list_items=settings.max_list_items)


def _public_url(url: str | None) -> str | None:
    """``url`` without user info, query or fragment (safe for a manifest)."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _launched_vllm(settings: LMSettings, served_name: str, log_file: str | None) -> VllmServer:
    if not settings.preset:
        raise LMSetupError("lm.launch=true starts vLLM from a preset: set lm.preset (configs/vllm/<name>.yaml).")
    return VllmServer(
        load_preset(settings.preset),
        served_name=served_name,
        extra_args=settings.launch_args,
        startup_timeout_s=settings.startup_timeout_s,
        log_file=log_file,
    )


@dataclass
class LMSession:
    """A configured LM for one run: what ``lm_session`` yields."""

    lm: dspy.LM
    """The DSPy LM (also the ``dspy.context`` LM while the session is open)."""
    adapter: dspy.Adapter
    """The schema adapter (also the ``dspy.context`` adapter)."""
    description: dict[str, Any] = field(default_factory=dict)
    """What ran, for the run manifest: kind, model string, endpoint, generation settings. No secrets."""


@contextlib.contextmanager
def lm_session(
    settings: LMSettings, data_source: str | None, probe: bool = True, log_file: str | None = None
) -> Iterator[LMSession]:
    """Start (embedded, vLLM with ``lm.launch=true``) or reach (vLLM, OpenAI-compatible) the LM, guard the data,
    configure DSPy.

    Inside the block ``dspy.context(lm=..., adapter=...)`` is active, so programs and ``dspy.Evaluate``
    use the session's LM; on exit a server it started is stopped (also on errors and Ctrl-C).

    Args:
        settings: the LM settings (``LMSettings.from_config(cfg.lm)``).
        data_source: the cases file's ``source``; anything but ``"synthetic"`` is credentialed data and
            may only go to local, private or allow-listed endpoints (see ``cdmbench.lm.guard``).
        probe: check that the endpoint answers and serves the model before the first case.
        log_file: where a server cdmbench starts (embedded, or vLLM with ``lm.launch``) writes its output
            (default: a temporary file).

    Raises:
        DataUseError: credentialed data and an endpoint outside the user's control.
        LMServerError: the server cannot be started or does not answer.
        LMSetupError: incomplete settings.

    Example:
        >>> with lm_session(settings, data_source="synthetic") as session:
        ...     prediction = program(**inputs)
    """
    served_name, api_base = resolve_endpoint(settings)
    data_is_synthetic = data_source == "synthetic"
    # check before any connection is made (the embedded server's port is not known yet: check loopback)
    check_data_use(
        api_base or "http://127.0.0.1/", data_is_synthetic, settings.allow_external_lm, settings.allowed_endpoints
    )
    with contextlib.ExitStack() as stack:
        description: dict[str, Any] = {}
        if settings.kind == "embedded":
            server = stack.enter_context(
                EmbeddedServer(
                    settings.model_file,
                    settings.n_threads,
                    settings.n_ctx,
                    settings.startup_timeout_s,
                    log_file,
                    served_name=served_name,
                )
            )
            served_name, api_base = server.served_name, server.api_base
            check_data_use(api_base, data_is_synthetic, settings.allow_external_lm, settings.allowed_endpoints)
            model_file = server.resolved_model_file
            description.update(
                model_file=model_file.name if model_file else None, n_threads=server.n_threads, n_ctx=server.n_ctx
            )
        elif settings.kind == "vllm" and settings.launch:
            server = stack.enter_context(_launched_vllm(settings, served_name, log_file))
            api_base = server.api_base
            check_data_use(api_base, data_is_synthetic, settings.allow_external_lm, settings.allowed_endpoints)
            description.update(launched=True, log_file=str(server.log_file) if log_file else None)
        elif probe:
            check_served_model(
                api_base, served_name, timeout_s=min(settings.timeout_s, 10.0), api_key=_api_key(settings)
            )
        cache_dir = configure_cache(settings, served_name, api_base)
        lm, adapter = build_lm(settings, served_name, api_base)
        stack.callback(lm.close)
        description = {
            "kind": settings.kind,
            "model": lm.model,
            "served_name": served_name,
            "preset": settings.preset,
            "api_base": _public_url(api_base),
            "temperature": settings.temperature,
            "seed": settings.seed,
            "max_tokens": answer_budget(settings),
            "num_retries": settings.num_retries,
            "schema_dialect": settings.dialect,
            "max_text_chars": settings.max_text_chars,
            "max_list_items": settings.max_list_items,
            "cache_dir": str(cache_dir) if cache_dir else None,
            "data_source": data_source,
            **description,
        }
        logger.info("LM: {} at {} (cache: {})", lm.model, description["api_base"], description["cache_dir"] or "off")
        stack.enter_context(dspy.context(lm=lm, adapter=adapter))
        yield LMSession(lm=lm, adapter=adapter, description=description)
