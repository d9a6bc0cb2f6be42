"""The three case tools as ``dspy.Tool`` objects and the schema of their arguments in a ReAct step.

The tools are built once, when a program is constructed, and dispatch to the environment of the case being
run, held in a ``ContextVar`` that the program's ``forward`` sets (``use_environment``). ReAct calls its tools
in the thread that runs ``forward``, so one program object serves many cases and threads at once.

Every call, including one with an unknown tool name or unusable arguments, goes to
``CaseEnvironment.call`` and is recorded there: the environment's record, not the trajectory text, is the
program's ``tool_calls``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Annotated, Any

import dspy
from dspy.utils.callback import with_callbacks
from pydantic import ConfigDict, WithJsonSchema
from typing_extensions import TypedDict

from cdmbench.cases import Case
from cdmbench.environment import TOOL_NAMES, CaseEnvironment
from cdmbench.vocabulary.lab_dictionary import LabDictionary

__all__ = [
    "EnvironmentTool",
    "StepArguments",
    "ToolArguments",
    "case_tools",
    "current_environment",
    "lab_dictionary",
    "tool_arguments_schema",
    "tool_tables",
    "use_environment",
]

_ENVIRONMENT: ContextVar[CaseEnvironment | None] = ContextVar("cdmbench_case_environment", default=None)

_DESCRIPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "physical_examination": ("Examine the patient: returns the admission physical examination.", {}),
    "laboratory_tests": (
        "Order laboratory tests: returns the patient's results for the requested tests (with reference ranges), "
        "then the tests the patient has no result for and the names that were not recognized.",
        {
            "tests": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "description": "test names or panels (e.g. 'CBC', 'Sodium'), or MIMIC-IV itemids",
            }
        },
    ),
    "imaging": (
        "Order an imaging study: returns the radiology report of the requested region and modality, if one exists.",
        {
            "region": {"type": "string", "description": "body region, e.g. 'Head', 'Chest', 'Abdomen', 'Spine'"},
            "modality": {"type": "string", "description": "modality, e.g. 'Ultrasound', 'CT', 'MRI', 'Radiograph'"},
        },
    ),
}


def current_environment() -> CaseEnvironment:
    """The environment of the case being run in this context.

    Raises:
        RuntimeError: a tool was called outside a program's ``forward``.
    """
    environment = _ENVIRONMENT.get()
    if environment is None:
        raise RuntimeError("a case tool was called outside a program's forward(case); no case environment is set")
    return environment


@contextlib.contextmanager
def use_environment(environment: CaseEnvironment) -> Iterator[CaseEnvironment]:
    """Make ``environment`` the one the case tools dispatch to, for the duration of the block."""
    token = _ENVIRONMENT.set(environment)
    try:
        yield environment
    finally:
        _ENVIRONMENT.reset(token)


def _unused(**kwargs: Any) -> str:  # the real dispatch is EnvironmentTool.__call__
    raise NotImplementedError


class EnvironmentTool(dspy.Tool):
    """A tool that hands its name and raw arguments to the current case environment (which records them)."""

    @with_callbacks
    def __call__(self, **kwargs: Any) -> str:
        return current_environment().call(self.name, kwargs)

    @with_callbacks
    async def acall(self, **kwargs: Any) -> str:
        return current_environment().call(self.name, kwargs)


def _tool(name: str) -> EnvironmentTool:
    desc, args = _DESCRIPTIONS.get(name, (f"Not a tool of this environment: {name}.", {}))
    return EnvironmentTool(_unused, name=name, desc=desc, args=args, arg_types={})


def case_tools() -> list[EnvironmentTool]:
    """The three case tools, in the order ``physical_examination``, ``laboratory_tests``, ``imaging``."""
    return [_tool(name) for name in TOOL_NAMES]


class _ToolTable(dict):
    """ReAct's name -> tool table; an unknown name yields a tool that the environment records as invalid."""

    def __missing__(self, name: str) -> EnvironmentTool:
        return _tool(str(name))


def tool_tables(tools: Sequence[dspy.Tool]) -> dict[str, dspy.Tool]:
    """The name -> tool table of ``tools`` (unknown names give a tool the environment records as invalid)."""
    return _ToolTable({tool.name: tool for tool in tools})


class ToolArguments(TypedDict, total=False):
    """The arguments of the case tools (each tool reads its own; the environment records the rest as given)."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]  # other keys are kept and recorded

    tests: list[str | int]
    region: str
    modality: str


def _arguments_object(args: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": dict(args), "additionalProperties": False}
    if args:
        schema["required"] = list(args)
    return schema


def tool_arguments_schema() -> dict[str, Any]:
    """The JSON schema of ``next_tool_args``: one ``anyOf`` branch per argument set of the tools.

    ``{}`` (the physical examination, ``finish``), ``{"tests": [...]}`` (labs) or ``{"region", "modality"}``
    (imaging), each closed: a decoder that produces exactly the required properties (vLLM's structured outputs,
    llama.cpp's grammars) can then call every tool with its own arguments and nothing else.
    """
    branches: list[dict[str, Any]] = []
    for _, args in _DESCRIPTIONS.values():
        branch = _arguments_object(args)
        if branch not in branches:
            branches.append(branch)
    return {"anyOf": branches, "description": "the arguments of the chosen tool; {} for a tool without arguments"}


StepArguments = Annotated[ToolArguments, WithJsonSchema(tool_arguments_schema())]
"""The type of ``next_tool_args``: parsed leniently (stray keys are kept and recorded), sent as per-tool branches."""

# the schema DSPy writes into the prompt for next_tool_args is the one the decoder enforces (not the open TypedDict)
ToolArguments.__get_pydantic_json_schema__ = classmethod(lambda cls, core_schema, handler: tool_arguments_schema())  # type: ignore[attr-defined]


def lab_dictionary(cases: Sequence[Case] = ()) -> LabDictionary:
    """The lab label dictionary for the tools: the reference labels and panels plus the labels of ``cases``."""
    if not cases:
        return _reference_dictionary()
    return LabDictionary.build(cases=list(cases))


@functools.cache
def _reference_dictionary() -> LabDictionary:
    return LabDictionary.build()
