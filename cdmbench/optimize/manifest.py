"""``manifest.json`` of a compiled-program bundle: what was compiled, how, on what data, and how well."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BUNDLE_FORMAT_VERSION", "BundleManifest", "DataInfo", "LMInfo", "OptimizerInfo", "PredictorInfo", "Score"]

BUNDLE_FORMAT_VERSION = 1
"""Version of the bundle layout; a loader refuses a newer one."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PredictorInfo(_Model):
    """One predictor of the program."""

    signature_sha256: str
    """``fingerprint.signature_hash`` of the registered program's signature before optimization."""
    state_sha256: str
    """``fingerprint.state_hash`` of its compiled state in program.json (instructions, fields, demos)."""
    n_demos: int
    """Demos attached by the optimizer."""
    instructions_changed: bool
    """Whether the optimizer rewrote the instructions."""


class OptimizerInfo(_Model):
    """The optimizer and the settings it ran with."""

    name: str
    """Registered name (``configs/optimizer/<name>.yaml``)."""
    settings: dict[str, Any]
    """The effective settings (after fitting to the data, e.g. SIMBA's batch size)."""
    seed: int
    """The seed given to the optimizer."""
    seconds: float
    """Wall time of the compile step."""


class DataInfo(_Model):
    """A data set the optimizer used."""

    file: str | None
    """The cases file's name (no directory)."""
    source: str | None
    """The cases file's ``source`` mark; anything but 'synthetic' is credentialed data."""
    n: int
    """Cases used."""
    cases_hash: str
    """``cdmbench.cases.cases_hash`` of those cases."""


class Score(_Model):
    """A mean metric score over cases with its 95% bootstrap interval."""

    mean: float
    """Mean of the per-case metric (0..1)."""
    ci_low: float | None
    """Lower end of the 95% percentile bootstrap interval over cases."""
    ci_high: float | None
    """Upper end of that interval."""
    n: int
    """Cases scored."""


class LMInfo(_Model):
    """An LM the optimization used: names and host only, never keys or full URLs."""

    kind: str | None = None
    """embedded, vllm or openai_compatible."""
    model: str | None = None
    """The DSPy model string, e.g. ``hosted_vllm/qwen3-4b``."""
    served_name: str | None = None
    """The name the server answers to."""
    preset: str | None = None
    """vLLM preset, if any."""
    api_host: str | None = None
    """Host (and port) of the endpoint."""
    temperature: float | None = None
    max_tokens: int | None = None


class BundleManifest(_Model):
    """``manifest.json``: the compiled program's identity, provenance and dev scores."""

    format_version: int = BUNDLE_FORMAT_VERSION
    """Bundle layout version."""
    program: str
    """Registered program name (``configs/program/<name>.yaml``)."""
    program_class: str
    """Module path of the program class."""
    program_options: dict[str, Any] = Field(default_factory=dict)
    """The program's options when it was compiled (e.g. ``max_iters``)."""
    predictors: dict[str, PredictorInfo]
    """Every predictor, by its name in program.json."""
    program_sha256: str
    """SHA-256 of program.json's bytes."""
    dspy_version: str
    """DSPy version that compiled the program (loading needs the same major.minor)."""
    cdmbench_version: str
    """cdmbench version that compiled it."""
    git_commit: str | None = None
    """The cdmbench checkout's commit, when run from git."""
    created_at: str
    """UTC time the bundle was written (ISO 8601)."""
    optimizer: OptimizerInfo
    """The optimizer and its settings."""
    metric: dict[str, Any]
    """The metric's weights and threshold."""
    train: DataInfo
    """The training cases."""
    dev: DataInfo
    """The dev cases (selection and the scores below)."""
    dev_score_before: Score
    """Dev score of the unoptimized program."""
    dev_score_after: Score
    """Dev score of the compiled program."""
    lms: dict[str, LMInfo]
    """LMs used: ``task`` and, where the optimizer used one, ``prompt`` or ``reflection``."""
