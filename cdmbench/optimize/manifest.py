"""``manifest.json`` of a compiled-program bundle: what was compiled, how, on what data, and how well."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BUNDLE_FORMAT_VERSION",
    "BundleManifest",
    "CostEstimate",
    "DataInfo",
    "LMInfo",
    "LMUsage",
    "Lift",
    "OptimizerInfo",
    "PredictorInfo",
    "Score",
]

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


class Lift(_Model):
    """The paired change after - before on the same cases, with its 95% bootstrap interval."""

    mean: float
    """Mean per-case difference (after - before)."""
    ci_low: float | None
    """Lower end of the 95% percentile bootstrap interval of the mean difference."""
    ci_high: float | None
    """Upper end of that interval."""
    n: int
    """Cases (pairs)."""


class CostEstimate(_Model):
    """What the optimization was expected to cost before it started (``cdmbench.optimize.budget``)."""

    program_runs: int
    """Program runs: the optimizer's (from DSPy's own budget rules) plus the before/after scoring."""
    optimizer_runs: int
    """Of those, the optimizer's own."""
    calls_per_run: float
    """Task-LM calls of one program run, measured on one training case."""
    lm_calls: int
    """Estimated LM calls in all (task-LM calls of the runs plus the proposer's or reflection LM's)."""
    max_lm_calls: int
    """The limit it was checked against (``max_lm_calls``)."""


class LMUsage(_Model):
    """What one LM did during the optimize command (all phases: estimate, scoring, compile)."""

    calls: int = 0
    """LM calls DSPy made (cache hits included)."""
    requests: int = 0
    """Of those, the ones answered by the server (not from the cache)."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    """Summed wall time of the calls (parallel calls overlap)."""


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
    provenance_sha256: str | None = None
    """``provenance.provenance_hash`` of the train/dev ``source`` marks and the demos (null in older bundles)."""
    dspy_version: str
    """DSPy version that compiled the program (loading needs the same major and the same or a newer minor)."""
    signature_scheme: str = "full-v1"
    """How ``PredictorInfo.signature_sha256`` was computed (``compat``): ``declared-v2`` covers only the
    signatures cdmbench declares; ``full-v1`` (bundles before it) every field's text."""
    cdmbench_version: str
    """cdmbench version that compiled it."""
    git_commit: str | None = None
    """The cdmbench checkout's commit, when run from git."""
    created_at: str
    """UTC time the bundle was written (ISO 8601)."""
    optimizer: OptimizerInfo
    """The optimizer and its settings."""
    protocol: str = "cdmbench"
    """The protocol the program ran and was scored under while optimized (``cdmv1`` or ``cdmbench``; bundles made
    before protocols existed were optimized under cdmbench's rules). ``evaluate`` refuses it under another one."""
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
    """LMs used: ``task`` and, where the optimizer used one, ``prompt``, ``reflection`` or ``teacher``."""
    dev_score_selection_biased: bool | None = None
    """True when the optimizer selected on dev: then the dev scores above flatter it; trust ``val_lift``."""
    val: DataInfo | None = None
    """The held-out cases (disjoint from train and dev; the optimizer never saw them)."""
    val_score_before: Score | None = None
    """Val score of the unoptimized program."""
    val_score_after: Score | None = None
    """Val score of the compiled program."""
    val_lift: Lift | None = None
    """Paired val lift (after - before) with its 95% interval: the honest estimate of what optimizing gained."""
    estimate: CostEstimate | None = None
    """The cost estimated before the optimizer started."""
    usage: dict[str, LMUsage] | None = None
    """LM calls, tokens and time per LM role (task, prompt, reflection, teacher) over the whole command."""
    wall_seconds: float | None = None
    """Wall time of the whole optimize command."""
    demo_pathologies: dict[str, list[str | None]] | None = None
    """Per predictor, the pathology of each demo's training case (None where it cannot be told)."""
