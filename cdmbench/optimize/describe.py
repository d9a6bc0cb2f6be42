"""``cdmbench inspect``: a bundle's compiled instructions and demos, per predictor, as readable text."""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

from omegaconf import DictConfig

from cdmbench.optimize.bundle import Bundle, read_bundle
from cdmbench.optimize.manifest import Score

__all__ = ["format_bundle", "run"]


def _clip(text: str, max_chars: int | None) -> str:
    if max_chars is None or len(text) <= max_chars:
        return text
    return text[:max_chars].rstrip() + f" [... {len(text) - max_chars} more characters]"


def _value(value: Any, max_chars: int | None) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _clip(text, max_chars)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _score(score: Score) -> str:
    if score.ci_low is None or score.ci_high is None:
        return f"{score.mean:.3f} (n={score.n})"
    return f"{score.mean:.3f} [95% CI {score.ci_low:.3f}-{score.ci_high:.3f}] (n={score.n})"


def _header(bundle: Bundle) -> list[str]:
    m = bundle.manifest
    intact = hashlib.sha256(bundle.program_bytes).hexdigest() == m.program_sha256
    settings = ", ".join(f"{k}={v}" for k, v in m.optimizer.settings.items())
    lms = "; ".join(
        f"{role}: {info.model or info.served_name} @ {info.api_host or 'local'}" for role, info in m.lms.items()
    )
    return [
        f"Compiled program {m.program!r} ({m.program_class}) from {bundle.source}",
        f"  optimizer    {m.optimizer.name} ({settings}; seed {m.optimizer.seed}, {m.optimizer.seconds:.0f} s)",
        f"  protocol     {m.protocol} (environment and scoring; evaluate it with protocol={m.protocol})",
        f"  data         train {m.train.file} ({m.train.n} cases, {m.train.source}); "
        f"dev {m.dev.file} ({m.dev.n} cases, {m.dev.source})",
        f"  dev score    before {_score(m.dev_score_before)} -> after {_score(m.dev_score_after)}",
        f"  LMs          {lms}",
        f"  made with    dspy {m.dspy_version}, cdmbench {m.cdmbench_version}, commit {m.git_commit or '-'}, "
        f"{m.created_at}",
        f"  program.json {'intact' if intact else 'MODIFIED after it was written (SHA-256 mismatch)'}",
    ]


def _instructions_before(bundle: Bundle) -> dict[str, str]:
    """The registered program's instructions per predictor (what the optimizer started from)."""
    from cdmbench.programs import get_program

    options = {k: v for k, v in bundle.manifest.program_options.items() if k not in ("compiled", "metric")}
    try:
        program = get_program(bundle.manifest.program, **options)
    except Exception:  # another cdmbench's program: the instructions before are unknown
        return {}
    return {name: predictor.signature.instructions for name, predictor in program.named_predictors()}


def _evaluation(bundle: Bundle) -> list[str]:
    m = bundle.manifest
    lines = [f"  metric       {m.metric.get('name', 'cdm_score')} (threshold {m.metric.get('threshold')})"]
    if m.val is not None and m.val_lift is not None and m.val_score_before and m.val_score_after:
        lift = m.val_lift
        interval = "" if lift.ci_low is None else f" [95% CI {lift.ci_low:+.3f} to {lift.ci_high:+.3f}]"
        lines.append(
            f"  val (held out, {m.val.n} cases) before {_score(m.val_score_before)} -> after "
            f"{_score(m.val_score_after)}; lift {lift.mean:+.3f}{interval}"
        )
    if m.dev_score_selection_biased:
        lines.append("  dev score    selection-biased (the optimizer chose on dev): trust the val lift")
    if m.usage:
        used = "; ".join(
            f"{role}: {u.calls} calls, {u.prompt_tokens}+{u.completion_tokens} tokens" for role, u in m.usage.items()
        )
        estimate = f" (estimated {m.estimate.lm_calls} calls)" if m.estimate else ""
        lines.append(f"  cost         {used}{estimate}; {m.wall_seconds or 0:.0f} s")
    return lines


def format_bundle(bundle: Bundle, max_field_chars: int | None = 600) -> str:
    """Render a bundle: the manifest summary, then per predictor its instructions (before and after), its
    fields and its demos with the pathology of the training case each came from.

    Args:
        bundle: from ``read_bundle``.
        max_field_chars: longer demo values are cut (None: never).
    """
    lines = _header(bundle) + _evaluation(bundle)
    before = _instructions_before(bundle)
    pathologies = bundle.manifest.demo_pathologies or {}
    for name, info in bundle.manifest.predictors.items():
        state = bundle.state.get(name, {})
        signature = state.get("signature", {})
        demos = state.get("demos", [])
        changed = "instructions rewritten" if info.instructions_changed else "instructions as written"
        lines += ["", f"== {name} ({len(demos)} demos, {changed}) =="]
        if info.instructions_changed and name in before:
            lines += ["  Instructions before:", _indent(before[name])]
            lines += ["  Instructions after:", _indent(str(signature.get("instructions", "")))]
        else:
            lines += ["  Instructions:", _indent(str(signature.get("instructions", "")))]
        prefixes = [str(f.get("prefix", "")).rstrip(":") for f in signature.get("fields", [])]
        lines.append(f"  Fields: {', '.join(prefixes)}")
        sources = pathologies.get(name, [])
        for i, demo in enumerate(demos, start=1):
            source = sources[i - 1] if i - 1 < len(sources) and sources[i - 1] else "pathology unknown"
            lines.append(f"  Demo {i} ({source}):")
            for key, value in demo.items():
                lines.append(_indent(f"{key}: {_value(value, max_field_chars)}", "    "))
    return "\n".join(lines) + "\n"


def run(cfg: DictConfig) -> int:
    """Print the bundle ``cfg.source`` (a directory or .tar.gz) to standard output."""
    max_chars = cfg.get("max_field_chars")
    bundle = read_bundle(str(cfg.source))
    sys.stdout.write(format_bundle(bundle, None if max_chars is None else int(max_chars)))
    return 0
