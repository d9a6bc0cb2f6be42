"""``SchemaLM``: a DummyLM that answers any ChatAdapter prompt with valid values for the fields it asks for.

Optimizers call their own signatures (instruction proposals, reflections, rules) besides the program's, in
an order no scripted answer list can follow. This LM reads the requested output fields (and their types) from
the prompt and answers them deterministically; the ReAct agent's tool choice follows the trajectory so far
(physical examination, labs, imaging, finish). A raw prompt without fields (GEPA's reflection) gets a new
instruction in a code block.
"""

from __future__ import annotations

import json
import re
from typing import Any

from dspy.clients.engines.dummy_engine import AsyncDummyEngine, DummyEngine
from dspy.lm15 import Message, Response, TextPart, Usage
from dspy.utils.dummies import DummyLM

__all__ = ["IMPROVED", "SchemaLM"]

_REQUEST = re.compile(r"`\[\[ ## (\w+) ## \]\]`(?: \(must be formatted as a valid Python ([^`]*?)\))?(?=,|$| and)")
_JSON_REQUEST = re.compile(r"`(\w+)`(?: \(must be formatted as a valid Python ([^`]*?)\))?(?=,|\.$| then|$)")
_TOOLS = (
    ("physical_examination", {}),
    ("laboratory_tests", {"tests": ["CBC", "Lipase"]}),
    ("imaging", {"region": "Abdomen", "modality": "CT"}),
    ("finish", {}),
)
IMPROVED = "Examine the patient first, then order the tests the findings call for."
"""The instruction this LM proposes (GEPA, MIPROv2, SIMBA); it also changes how the LM answers."""
_ALL_TREATMENTS = [
    "Laparoscopic appendectomy",
    "Laparoscopic cholecystectomy",
    "ERCP",
    "Colectomy",
    "Percutaneous drainage",
    "Colonoscopy",
    "IV antibiotics",
    "IV fluids and analgesia",
]
_VALUES: dict[str, Any] = {
    "diagnosis": "Acute appendicitis",
    "differential": ["Acute cholecystitis"],
    "treatments": ["Laparoscopic appendectomy", "IV antibiotics", "IV fluids and analgesia"],
    "summary": "Adult with right lower quadrant pain, fever and leukocytosis.",
    "findings": "Tender right lower quadrant; WBC raised; CT shows an inflamed appendix.",
    "interpretation": "normal",
    "proposed_instruction": IMPROVED,
    "module_advice": {},
    "new_instruction": IMPROVED,
}


class _SchemaEngine(DummyEngine):
    def _complete_messages(self, messages):
        owner = self.owner
        prompt = messages[-1]["content"]
        owner.prompts.append(prompt)
        answer = owner.answer(prompt, system=messages[0]["content"] if messages[0]["role"] == "system" else "")
        if isinstance(answer, str):
            text = answer
        elif "Respond with a JSON object" in prompt:
            text = json.dumps(answer)
        else:
            text = owner._format_answer_fields(answer)
        return Response(
            id=None,
            model="dummy",
            message=Message.assistant([TextPart(text)]),
            finish_reason="stop",
            usage=Usage(input_tokens=0, output_tokens=0, total_tokens=0),
        )


class SchemaLM(DummyLM):
    """A deterministic schema-following dummy LM (ChatAdapter format).

    Args:
        diagnosis: the diagnosis it always gives.
    """

    def __init__(self, diagnosis: str = "Acute appendicitis") -> None:
        super().__init__(answers=[], adapter=None)
        self.diagnosis = diagnosis
        self.prompts: list[str] = []
        self._engine_spec = _SchemaEngine(self)
        self._async_engine_spec = AsyncDummyEngine(self._engine_spec)

    def copy(self, **kwargs):
        copied = super().copy(**kwargs)
        copied.prompts = []
        copied._engine_spec = _SchemaEngine(copied)
        copied._async_engine_spec = AsyncDummyEngine(copied._engine_spec)
        return copied

    def answer(self, prompt: str, system: str = "") -> dict[str, Any] | str:
        """The answer fields for one prompt (its last message), for the ChatAdapter or the JSONAdapter.

        Under a rewritten instruction (the system message holds ``IMPROVED``, the text this LM proposes as a new
        instruction) the treatment plan lists every treatment, so an optimizer that adopts the new
        instruction sees a better score.
        """
        if "Respond with a JSON object" in prompt:
            requested = _JSON_REQUEST.findall(prompt[prompt.rfind("Respond with a JSON object") :])
        elif "Respond with the corresponding output fields" in prompt:
            requested = _REQUEST.findall(prompt[prompt.rfind("Respond with the corresponding output fields") :])
        else:
            requested = []
        if not requested:
            return f"```\n{IMPROVED}\n```"
        step = min(prompt.count("[[ ## tool_name_"), len(_TOOLS) - 1)
        tool, args = _TOOLS[step]
        answer: dict[str, Any] = {}
        for name, type_name in requested:
            if name == "completed":
                continue
            if name == "next_tool_name":
                answer[name] = tool
            elif name == "next_tool_args":
                answer[name] = args
            elif name == "treatments" and IMPROVED in system:
                answer[name] = _ALL_TREATMENTS
            elif name == "diagnosis":
                answer[name] = self.diagnosis
            elif name in _VALUES:
                answer[name] = _VALUES[name]
            elif type_name.startswith("list"):
                answer[name] = [f"{name} item"]
            elif type_name.startswith("dict"):
                answer[name] = {}
            elif type_name == "bool":
                answer[name] = True
            elif type_name in ("int", "float"):
                answer[name] = 1
            else:
                answer[name] = f"Some {name.replace('_', ' ')}."
        return answer
