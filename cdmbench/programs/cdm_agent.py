"""``cdm_agent``: a ReAct agent gathers information with the three tools -> synthesize -> diagnose -> treat."""

from __future__ import annotations

from typing import Any

import dspy

from cdmbench.cases import Case
from cdmbench.environment import CaseEnvironment
from cdmbench.io import jsonable
from cdmbench.programs.answer import attempt, diagnose_and_plan, keep_partial
from cdmbench.programs.case_react import CaseReAct
from cdmbench.programs.registry import register_program
from cdmbench.programs.tools import case_tools, use_environment
from cdmbench.signatures import Diagnose, GatherInformation, PlanTreatment, SynthesizeFindings
from cdmbench.vocabulary.lab_dictionary import LabDictionary

__all__ = ["CdmAgent"]


@register_program("cdm_agent")
class CdmAgent(dspy.Module):
    """The clinical decision-making agent of CDMv1 as a DSPy program.

    Args:
        max_iters: the most tool calls the agent may make (ReAct steps).
        free_tool_names: let the model name any tool (CDMv1's free-text setting: unknown names are recorded as
            invalid tool calls) instead of choosing among the tools (the default, enforced by structured outputs).
        dictionary: the lab label dictionary the lab tool parses requests with (default: reference labels
            only; ``build_program`` passes one built from all loaded cases).
        protocol: the environment and its rules (``cdmbench.protocols``; ``build_program`` passes the configured
            one). ``cdmv1`` names tools in free text (read with CDMv1's fuzzy matching) and, like CDMv1's agent
            stopped by LangChain, gives no diagnosis when all ``max_iters`` steps pass without ``finish``.
    """

    def __init__(
        self,
        max_iters: int = 10,
        free_tool_names: bool = False,
        dictionary: LabDictionary | None = None,
        protocol: Any = None,
    ) -> None:
        super().__init__()
        from cdmbench.protocols import get_protocol

        self.protocol = get_protocol(protocol)
        self.dictionary = dictionary if dictionary is not None else self.protocol.lab_dictionary()
        self.max_iters = int(max_iters)
        free = bool(free_tool_names) or self.protocol.free_tool_names
        self.gather = CaseReAct(GatherInformation, case_tools(), max_iters=self.max_iters, free_tool_names=free)
        self.synthesize = dspy.Predict(SynthesizeFindings)
        self.diagnose = dspy.ChainOfThought(Diagnose)
        self.treat = dspy.ChainOfThought(PlanTreatment)

    def forward(self, case: Case) -> dspy.Prediction:
        """Run on a case without ground truth (see ``program_input``)."""
        environment = CaseEnvironment(case, self.dictionary, self.protocol)
        gathered = None
        try:
            with use_environment(environment):
                gathered = self.gather(patient_history=case.patient_history)
            if self.protocol.max_iters_is_miss and _ran_out(gathered.steps, self.max_iters):
                return _no_final_answer(environment, gathered)
            synthesized, _ = attempt(self.synthesize, patient_history=case.patient_history, findings=gathered.findings)
            summary = str(synthesized.summary) if synthesized is not None else str(gathered.findings)
            steps = list(gathered.steps)
            record = {
                "findings": gathered.findings,
                "summary": summary,
                "tool_calls": environment.tool_calls_record(),
                "observations": [call.observation for call in environment.calls],
                "trajectory": jsonable(gathered.trajectory),
                "steps": jsonable(steps),
            }
            failed_steps = sum(step["status"] == "format_error" for step in steps)
            return diagnose_and_plan(self.diagnose, self.treat, summary, record, action_failures=failed_steps)
        except Exception as exc:  # the LM failed: keep what the agent gathered
            keep_partial(
                exc,
                tool_calls=environment.tool_calls_record(),
                observations=[call.observation for call in environment.calls],
                steps=jsonable(list(gathered.steps)) if gathered is not None else [],
            )
            raise


def _ran_out(steps: list[dict[str, Any]], max_iters: int) -> bool:
    """All steps were used without ``finish`` (and the context window did not end the loop)."""
    ended = any(step.get("tool") == "finish" or step.get("status") == "context_window" for step in steps)
    return not ended and len(steps) >= max_iters


def _no_final_answer(environment: CaseEnvironment, gathered: dspy.Prediction) -> dspy.Prediction:
    """CDMv1's agent stopped at its iteration limit: no diagnosis, no treatment (the case scores as a miss)."""
    steps = list(gathered.steps)
    return dspy.Prediction(
        findings=gathered.findings,
        summary="",
        tool_calls=environment.tool_calls_record(),
        observations=[call.observation for call in environment.calls],
        trajectory=jsonable(gathered.trajectory),
        steps=jsonable(steps),
        diagnosis="",
        differential=[],
        treatments=[],
        parsing={"action": sum(step["status"] == "format_error" for step in steps), "diagnosis": 0, "treatment": 0},
        stopped="max_iters",
    )
