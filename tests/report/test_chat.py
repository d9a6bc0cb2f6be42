"""The case card shows the chat transcript, reasoning and unreadable steps (all text escaped)."""

from __future__ import annotations

from cdmbench.report.html.cards import render_card
from cdmbench.report.html.transcript import CaseView

PREDICTION = {
    "hadm_id": 1,
    "status": "ok",
    "diagnosis": "Acute appendicitis",
    "tool_calls": [{"name": "physical_examination", "args": {}}, {"name": "unreadable_step", "args": {}}],
    "trajectory": {
        "thought_0": "examine first",
        "tool_name_0": "physical_examination",
        "tool_args_0": {},
        "observation_0": "RLQ tenderness",
        "thought_1": "",
        "tool_name_1": "unreadable_step",
        "tool_args_1": {},
        "observation_1": "Your last answer was cut off before it was complete, so no action was taken.",
    },
    "steps": [
        {"index": 0, "status": "ok", "tool": "physical_examination", "reasoning_content": "pain <b>migrated</b>"},
        {"index": 1, "status": "format_error", "reason": "truncated", "raw": '{"next_thought": "lab'},
    ],
    "transcript": [
        {
            "signature": "next_thought, next_tool_name, next_tool_args",
            "messages": [{"role": "system", "content": "You are an Agent."}, {"role": "user", "content": "history"}],
            "completion": '{"next_thought": "examine first"}',
            "reasoning_content": "pain <b>migrated</b>",
            "finish_reason": "stop",
            "usage": {"prompt_tokens": 10, "completion_tokens": 5},
            "latency_s": 0.1,
        },
        {
            "signature": "next_thought, next_tool_name, next_tool_args",
            "completion": '{"next',
            "finish_reason": "length",
        },
    ],
}


def test_the_card_shows_the_transcript_reasoning_and_unreadable_steps():
    card = render_card(CaseView(hadm_id=1, prediction=PREDICTION, score=None, info=None))
    assert "LM transcript (2 calls)" in card and "You are an Agent." in card and "finish: length" in card
    assert "cut off" in card and "unreadable step (truncated)" in card and "&quot;next_thought&quot;: &quot;lab" in card
    assert "pain &lt;b&gt;migrated&lt;/b&gt;" in card and "<b>migrated</b>" not in card
    assert "Other recorded fields" not in card  # steps and transcript have their own sections


def test_a_repeated_system_prompt_is_shown_once_per_case():
    system = {"role": "system", "content": "You are an Agent with a long prompt."}
    calls = [{"messages": [system, {"role": "user", "content": f"step {i}"}], "completion": "{}"} for i in range(3)]
    card = render_card(CaseView(hadm_id=1, prediction={"hadm_id": 1, "transcript": calls}, score=None, info=None))
    assert card.count("You are an Agent with a long prompt.") == 1 and card.count("as in call 1") == 2
