"""The three case tools as ``dspy.Tool`` objects, and ``CaseReAct``, a ReAct that records every call.

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
from typing import Any

import dspy
from dspy.utils.callback import with_callbacks
from pydantic import ConfigDict
from typing_extensions import TypedDict

from cdmbench.cases import Case
from cdmbench.environment import TOOL_NAMES, CaseEnvironment
from cdmbench.vocabulary.lab_dictionary import LabDictionary

__all__ = ["CaseReAct", "EnvironmentTool", "case_tools", "current_environment", "lab_dictionary", "use_environment"]

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


class CaseReAct(dspy.ReAct):
    """``dspy.ReAct`` that sends every call through the case environment, which records it.

    By default ``next_tool_name`` is, as in stock ReAct, a Literal of the tool names (and ``finish``): a server that
    enforces the JSON schema (vLLM, the embedded llama.cpp server) then only produces valid names. With
    ``free_tool_names=True`` the name is free text, as in CDMv1's text parser: an unknown name reaches
    ``CaseEnvironment.call``, is recorded as an invalid tool call, and the observation lists the valid tools.
    """

    def __init__(
        self,
        signature: type[dspy.Signature],
        tools: Sequence[dspy.Tool],
        max_iters: int = 10,
        free_tool_names: bool = False,
    ) -> None:
        super().__init__(signature, list(tools), max_iters=max_iters)
        self.tools = _ToolTable(self.tools)
        # the arguments of all three tools as one typed object: a structured-output server then constrains them
        self.react.signature = self.react.signature.with_updated_fields("next_tool_args", type_=ToolArguments)
        if free_tool_names:
            self.react.signature = self.react.signature.with_updated_fields("next_tool_name", type_=str)


class ToolArguments(TypedDict, total=False):
    """The arguments of the case tools (each tool reads its own; the environment records the rest as given)."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]  # other keys are kept and recorded

    tests: list[str | int]
    region: str
    modality: str


def lab_dictionary(cases: Sequence[Case] = ()) -> LabDictionary:
    """The lab label dictionary for the tools: the reference labels and panels plus the labels of ``cases``."""
    if not cases:
        return _reference_dictionary()
    return LabDictionary.build(cases=list(cases))


@functools.cache
def _reference_dictionary() -> LabDictionary:
    return LabDictionary.build()
