"""``CaseReAct``: ``dspy.ReAct`` whose steps are events: a step that cannot be read is recorded, and the loop goes on.

Each step is one LM call that names a tool and its arguments (``next_tool_args`` is sent as one schema branch
per tool, see ``tool_arguments_schema``). What can happen at a step, and what is recorded in ``steps``:

- a tool call: it goes to the case environment, which records it (valid or invalid) and answers;
- ``finish``: the loop ends (``finish`` takes no arguments; stray ones are kept in the step, never passed on); a
  free-text name the protocol reads as finishing (``cdmv1``: "Final Diagnosis", see ``Protocol.is_finish``) is
  recorded as ``finish`` with ``requested_name``;
- a step the adapter cannot parse (malformed, empty, cut off at ``max_tokens``, a field missing): a format
  failure. The raw text is kept in the step, the environment records an invalid action (CDMv1 counted a broken
  action as an invalid one), the model is told in one plain sentence, and the loop goes on;
- a tool that fails: the environment records an invalid action (``"failed": true`` in ``tool_calls``; it is
  scored as invalid, and the tool as not used) and the model reads a short message (never an exception name, a
  traceback or a file path);
- the context window full even after truncating the trajectory: the loop ends.

Anything else (the LM unreachable after retries) propagates: the case fails as an ``lm_error``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dspy
from dspy.utils.exceptions import ContextWindowExceededError
from loguru import logger

from cdmbench.lm.failures import FormatFailure, format_failure, is_format_error
from cdmbench.lm.transcript import current_transcript, last_call
from cdmbench.programs.tools import StepArguments, current_environment, tool_tables

__all__ = ["UNREADABLE_STEP", "CaseReAct"]

UNREADABLE_STEP = "unreadable_step"
"""The tool name an unreadable step is recorded under (not a tool: it counts as an invalid action)."""

_FINISH = "finish"

_UNREADABLE_MESSAGE = {
    "truncated": "Your last answer was cut off before it was complete, so no action was taken.",
    "empty": "Your last answer was empty, so no action was taken.",
    "malformed": "Your last answer could not be read as an action, so no action was taken.",
}


class CaseReAct(dspy.ReAct):
    """``dspy.ReAct`` that sends every call through the case environment and survives unreadable steps.

    By default ``next_tool_name`` is, as in stock ReAct, a Literal of the tool names (and ``finish``): a server that
    enforces the JSON schema (vLLM, the embedded llama.cpp server) then only produces valid names. With
    ``free_tool_names=True`` the name is free text, as in CDMv1's text parser: an unknown name reaches
    ``CaseEnvironment.call``, is recorded as an invalid tool call, and the observation lists the valid tools.

    The prediction holds ``findings`` (the signature's output), ``trajectory`` (ReAct's dict, as the model saw
    it) and ``steps``: per step its ``status`` (``ok``, ``format_error``, ``tool_error``, ``context_window``),
    tool, arguments, ``reasoning_content``, ``finish_reason``, the transcript index of its LM call and, for an
    unreadable step, ``reason`` and ``raw`` (the text the model produced).
    """

    def __init__(
        self,
        signature: type[dspy.Signature],
        tools: Sequence[dspy.Tool],
        max_iters: int = 10,
        free_tool_names: bool = False,
    ) -> None:
        super().__init__(signature, list(tools), max_iters=max_iters)
        finish = self.tools[_FINISH]
        self.tools = tool_tables(tool for name, tool in self.tools.items() if name != _FINISH)
        self.tools[_FINISH] = finish
        self.react.signature = self.react.signature.with_updated_fields("next_tool_args", type_=StepArguments)
        if free_tool_names:
            self.react.signature = self.react.signature.with_updated_fields("next_tool_name", type_=str)

    def forward(self, **input_args: Any) -> dspy.Prediction:
        trajectory: dict[str, Any] = {}
        steps: list[dict[str, Any]] = []
        max_iters = input_args.pop("max_iters", self.max_iters)
        for idx in range(max_iters):
            try:
                pred = self._call_with_potential_trajectory_truncation(self.react, trajectory, **input_args)
            except ContextWindowExceededError:
                logger.warning("the agent's trajectory no longer fits the context window; ending it")
                steps.append(_step(idx, "context_window"))
                break
            except Exception as err:
                if not is_format_error(err):
                    raise
                self._unreadable(idx, format_failure(err), trajectory, steps)
                continue
            name, args = str(pred.next_tool_name), dict(pred.next_tool_args or {})
            trajectory[f"thought_{idx}"] = pred.next_thought
            trajectory[f"tool_name_{idx}"] = name
            trajectory[f"tool_args_{idx}"] = args
            if name != _FINISH and _ends_episode(name):  # cdmv1: "Final Diagnosis" ends it, as CDMv1's parser did
                step = _step(idx, "ok", tool=_FINISH, args=args, requested_name=name)
            else:
                step = _step(idx, "ok", tool=name, args=args)
            steps.append(step)
            if step["tool"] == _FINISH:
                trajectory[f"observation_{idx}"] = "Completed."
                break
            trajectory[f"observation_{idx}"] = self._run_tool(name, args, step)
        findings = self._extract(trajectory, input_args)
        return dspy.Prediction(trajectory=trajectory, steps=steps, findings=findings)

    def _run_tool(self, name: str, args: dict[str, Any], step: dict[str, Any]) -> str:
        try:
            return str(self.tools[name](**args))
        except Exception as err:  # the model reads a clinical message, the record keeps the kind
            logger.warning("tool {} failed ({}); recorded as an invalid action", name, type(err).__name__)
            step["status"] = "tool_error"
            step["reason"] = type(err).__name__
            message = f"The {name} request could not be carried out."
            return current_environment().reject(name, args, message, failed=True)

    def _unreadable(
        self, idx: int, failure: FormatFailure, trajectory: dict[str, Any], steps: list[dict[str, Any]]
    ) -> None:
        observation = current_environment().reject(UNREADABLE_STEP, {}, _UNREADABLE_MESSAGE[failure.kind])
        trajectory[f"thought_{idx}"] = ""
        trajectory[f"tool_name_{idx}"] = UNREADABLE_STEP
        trajectory[f"tool_args_{idx}"] = {}
        trajectory[f"observation_{idx}"] = observation
        steps.append(_step(idx, "format_error", tool=UNREADABLE_STEP, reason=failure.kind, raw=failure.raw))

    def _extract(self, trajectory: dict[str, Any], input_args: dict[str, Any]) -> str:
        try:
            extract = self._call_with_potential_trajectory_truncation(self.extract, trajectory, **input_args)
            return str(extract.findings)
        except Exception as err:
            if not is_format_error(err) and not isinstance(err, ContextWindowExceededError):
                raise
            # the model could not summarize: the findings are what the tools answered
            return "\n\n".join(str(v) for k, v in trajectory.items() if k.startswith("observation_"))

    async def aforward(self, **input_args: Any) -> dspy.Prediction:
        raise NotImplementedError("CaseReAct runs synchronously (its tools dispatch through a ContextVar)")


def _ends_episode(name: str) -> bool:
    """The protocol reads the step's tool name as ``finish`` (``cdmbench``: only ``finish`` itself)."""
    try:
        protocol = current_environment().protocol
    except RuntimeError:  # no case environment: only the exact name
        return False
    return protocol.is_finish(name)


def _step(index: int, status: str, **fields: Any) -> dict[str, Any]:
    call = last_call()
    transcript = current_transcript()
    step: dict[str, Any] = {"index": index, "status": status, **{k: v for k, v in fields.items() if v is not None}}
    if call is not None:
        step["finish_reason"] = call.finish_reason
        if call.reasoning_content:
            step["reasoning_content"] = call.reasoning_content
        if transcript is not None:
            found = [i for i, recorded in enumerate(transcript.calls) if recorded is call]
            if found:
                step["lm_call"] = found[0]
    return step
