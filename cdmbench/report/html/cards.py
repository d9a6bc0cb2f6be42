"""One collapsible card per case: history, tool calls with observations, synthesis, diagnosis, treatment, scores.

Every piece of text from the run files or the cases file goes through ``html.escape``; nothing from them is
ever placed into the page unescaped (the page's own markup is the only markup).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from cdmbench.environment.records import TOOL_NAMES
from cdmbench.report._reference import max_lab_score
from cdmbench.report.html.chat import render_chat
from cdmbench.report.html.transcript import FINISH, KNOWN_FIELDS, CaseView, Step, transcript_steps

__all__ = ["render_card"]

_MISSING = '<p class="missing">{}</p>'


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


def _inline_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _text_block(value: Any, empty: str) -> str:
    if value is None or (isinstance(value, str | list | dict) and not value):
        return _MISSING.format(escape(empty))
    text = value if isinstance(value, str) else _json(value)
    return f'<div class="text">{escape(text)}</div>'


def _chips(view: CaseView) -> str:
    scores = (view.score or {}).get("scores") or {}
    chips = []
    if "physical_examination" in scores:
        chips.append("exam first" if scores["physical_examination"] else "exam not first")
    if scores.get("laboratory_tests") is not None:
        top = max_lab_score(view.pathology)
        chips.append(f"labs {scores['laboratory_tests']:g}" + (f"/{top}" if top else ""))
    if scores.get("imaging") is not None:
        chips.append(f"imaging {scores['imaging']:g}/2")
    if scores.get("rounds") is not None:
        chips.append(f"{scores['rounds']:g} calls")
    if scores.get("invalid_tools"):
        chips.append(f"{scores['invalid_tools']:g} invalid")
    return "".join(f'<span class="chip">{escape(c)}</span>' for c in chips)


def _summary_line(view: CaseView) -> str:
    prediction = view.prediction or {}
    diagnosis = prediction.get("diagnosis") or ((view.score or {}).get("answers") or {}).get("diagnosis") or ""
    shown = f"Dx: {diagnosis}" if diagnosis else "no diagnosis"
    outcome = view.outcome
    return (
        f'<summary><span class="id">{view.hadm_id}</span>'
        f'<span class="badge">{escape(view.pathology)}</span>'
        f'<span class="badge {escape(outcome)}">{escape(outcome)}</span>'
        f'<span class="dx" title="{escape(str(diagnosis))}">{escape(str(shown))}</span>'
        f'<span class="chips">{_chips(view)}</span></summary>'
    )


def _patient(view: CaseView) -> str:
    info = view.info
    if info is None:
        return "<h3>Patient history</h3>" + _MISSING.format(
            "Not in this report: the run has no cases file (pass cases=FILE to show the history)."
        )
    facts = [f"{info.age} years" if info.age is not None else "", info.gender or ""]
    line = ", ".join(f for f in facts if f)
    head = f'<p class="note">{escape(line)}</p>' if line else ""
    return "<h3>Patient history</h3>" + head + _text_block(info.history, "No history recorded.")


def _step(number: int, step: Step) -> str:
    parts = [f'<li><div class="note">step {number}</div>']
    if step.reasoning:
        parts.append(f'<p class="thought">reasoning: {escape(step.reasoning)}</p>')
    if step.thought:
        parts.append(f'<p class="thought">{escape(step.thought)}</p>')
    if step.status == "format_error":
        parts.append(f'<span class="badge invalid">unreadable step ({escape(step.reason or "format")})</span>')
        if step.raw:
            parts.append(f"<pre>{escape(step.raw)}</pre>")
    if step.tool is not None:
        args = "" if step.args in (None, {}, []) else _inline_json(step.args)
        flag = ""
        if step.tool == FINISH:
            flag = ' <span class="badge">end of gathering</span>'
        elif step.tool not in TOOL_NAMES:
            flag = ' <span class="badge invalid">invalid tool</span>'
        parts.append(f'<div class="call"><span class="name">{escape(step.tool)}</span>({escape(args)}){flag}</div>')
        if step.tool != FINISH:
            parts.append(
                f"<pre>{escape(step.observation)}</pre>"
                if step.observation is not None
                else _MISSING.format("(no observation recorded)")
            )
    parts.append("</li>")
    return "".join(parts)


def _gathering(prediction: dict[str, Any]) -> str:
    steps = transcript_steps(prediction)
    html = "<h3>Information gathering</h3>"
    if not steps:
        agent = "steps" in prediction  # the agent records its steps (even none); the other programs have none
        html += _MISSING.format(
            "The agent made no tool call."
            if agent
            else "No tool calls: this program is given the case's information without asking for it."
        )
    else:
        html += '<ol class="steps">' + "".join(_step(i, s) for i, s in enumerate(steps, start=1)) + "</ol>"
    if prediction.get("findings"):
        html += "<h3>Findings gathered</h3>" + _text_block(prediction["findings"], "")
    return html


def _decision(prediction: dict[str, Any], view: CaseView) -> str:
    html = "<h3>Synthesis</h3>" + _text_block(prediction.get("summary"), "No synthesis recorded.")
    html += "<h3>Diagnosis</h3>" + _text_block(prediction.get("diagnosis"), "No diagnosis.")
    differential = prediction.get("differential")
    if differential:
        items = differential if isinstance(differential, list) else [differential]
        html += '<p class="note">Differential:</p><ul class="plain">'
        html += "".join(f"<li>{escape(str(d))}</li>" for d in items) + "</ul>"
    if view.info is not None and view.info.reference_diagnosis:
        reference = "; ".join(view.info.reference_diagnosis)
        html += f'<p class="note">Reference (ground truth): {escape(reference)}</p>'
    treatments = prediction.get("treatments")
    html += "<h3>Treatment plan</h3>"
    if isinstance(treatments, list) and treatments:
        html += '<ul class="plain">' + "".join(f"<li>{escape(str(t))}</li>" for t in treatments) + "</ul>"
    else:
        html += _text_block(treatments, "No treatment plan.")
    return html


def _value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "-" if value is None else str(value)


def _scores(score: dict[str, Any] | None) -> str:
    if score is None:
        return "<h3>Scores</h3>" + _MISSING.format("Not scored.")
    scores = score.get("scores") or {}
    explanations = dict(score.get("explanations") or {})
    rows = []
    for metric, value in scores.items():
        explanation = explanations.pop(metric, "")
        if metric == "gracious_diagnosis" and not explanation:
            explanation = "see diagnosis"
        rows.append((metric, _value(value), explanation))
    rows += [(metric, "", text) for metric, text in explanations.items()]
    body = "".join(
        f'<tr><td>{escape(m)}</td><td class="num">{escape(v)}</td><td>{escape(str(t))}</td></tr>' for m, v, t in rows
    )
    html = (
        '<h3>Scores</h3><div class="table-wrap"><table><thead><tr><th>metric</th><th class="num">value</th>'
        f"<th>why</th></tr></thead><tbody>{body}</tbody></table></div>"
    )
    answers = score.get("answers") or {}
    required, requested = answers.get("treatment_required") or {}, answers.get("treatment_requested") or {}
    keys = list(dict.fromkeys([*required, *requested]))
    if keys:
        mark = {True: "yes", False: "no", None: "-"}
        body = "".join(
            f'<tr><td>{escape(k)}</td><td class="num">{mark[required.get(k)]}</td>'
            f'<td class="num">{mark[requested.get(k)]}</td></tr>'
            for k in keys
        )
        html += (
            '<h3>Treatment: required vs requested</h3><div class="table-wrap"><table><thead><tr><th>treatment</th>'
            f'<th class="num">required</th><th class="num">requested</th></tr></thead><tbody>{body}</tbody></table></div>'
        )
    return html


def _extra(prediction: dict[str, Any]) -> str:
    extra = {k: v for k, v in prediction.items() if k not in KNOWN_FIELDS}
    usage = prediction.get("usage")
    facts = []
    if prediction.get("latency_s") is not None:
        facts.append(f"{prediction['latency_s']} s")
    if usage:
        facts.append(f"usage {_inline_json(usage)}")
    html = f'<p class="note">{escape(" · ".join(facts))}</p>' if facts else ""
    if extra:
        html += f"<h3>Other recorded fields</h3><pre>{escape(_json(extra))}</pre>"
    return html


def render_card(view: CaseView) -> str:
    """The ``<details>`` card of one case, closed, carrying its pathology and outcome for the filters.

    Args:
        view: the case's predictions line, scores line and case (any may be missing).

    Returns:
        One HTML fragment; all run and case text escaped.
    """
    prediction = view.prediction or {}
    search = f"{view.hadm_id} {prediction.get('diagnosis') or ''}".lower()
    error = prediction.get("error") or (view.score or {}).get("error")
    left = _patient(view) + (
        _gathering(prediction) if view.prediction is not None else _MISSING.format("No predictions line.")
    )
    right = _decision(prediction, view) + _scores(view.score) + _extra(prediction) + render_chat(prediction)
    kind = prediction.get("error_kind") or (view.score or {}).get("error_kind")
    label = f"Error ({kind})" if kind else "Error"
    error_html = f'<div class="errorbox"><b>{escape(label)}:</b> {escape(str(error))}</div>' if error else ""
    return (
        f'<details class="case {escape(view.outcome)}" id="case-{view.hadm_id}" '
        f'data-pathology="{escape(view.pathology)}" data-outcome="{escape(view.outcome)}" '
        f'data-search="{escape(search)}">'
        f'{_summary_line(view)}<div class="body">{error_html}<div class="cols"><div>{left}</div>'
        f"<div>{right}</div></div></div></details>\n"
    )
