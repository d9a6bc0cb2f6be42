"""The program registry: short names (used by ``configs/program/*.yaml``) -> ``dspy.Module`` classes.

Example:
    >>> program = get_program("full_info", order="lpi", abnormal_only=True)
    >>> program = build_program({"name": "cdm_agent", "max_iters": 10}, cases=cases)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import dspy

from cdmbench.cases import Case
from cdmbench.errors import ConfigError, UnknownNameError

__all__ = ["PROGRAMS", "build_program", "get_program", "register_program"]

PROGRAMS: dict[str, type[dspy.Module]] = {}
"""Registered programs by name."""

ProgramT = TypeVar("ProgramT", bound=type[dspy.Module])


def register_program(name: str) -> Callable[[ProgramT], ProgramT]:
    """Class decorator: register a ``dspy.Module`` under ``name`` (a duplicate name is an error)."""

    def decorate(cls: ProgramT) -> ProgramT:
        if name in PROGRAMS and PROGRAMS[name] is not cls:
            raise ValueError(f"program name {name!r} is already registered by {PROGRAMS[name].__qualname__}")
        PROGRAMS[name] = cls
        cls.program_name = name
        return cls

    return decorate


def get_program(name: str, **options: Any) -> dspy.Module:
    """Construct the program registered as ``name`` with its options.

    Raises:
        UnknownNameError: no program has that name (the message lists the known ones).
        ConfigError: an option the program does not take, or a bad option value.
    """
    if name not in PROGRAMS:
        raise UnknownNameError(
            "program",
            name,
            list(PROGRAMS),
            "Use program=<name> (configs/program/) or register it with @register_program.",
        )
    cls = PROGRAMS[name]
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ConfigError(
            f"program {name!r} has no option {', '.join(map(repr, unknown))}; its options are: "
            f"{', '.join(accepted) or '(none)'}. Fix configs/program/{name}.yaml or the override."
        )
    return cls(**options)


def build_program(
    config: Mapping[str, Any], cases: Sequence[Case] = (), protocol: Any = None, allow_mixed_protocols: bool = False
) -> dspy.Module:
    """Construct a program from its config group (``name`` plus options), e.g. ``cfg.program``.

    Programs that parse lab requests get a lab dictionary built from ``cases`` (plus the reference labels),
    so a request is understood whether or not a given patient had the test.

    Args:
        config: a mapping (or DictConfig) with ``name``, the program's options and optionally ``compiled``:
            a compiled-program bundle (directory or ``.tar.gz``, see ``cdmbench.optimize``) loaded into it.
        cases: the loaded cases (their labels extend the lab dictionary).
        protocol: the protocol (``cdmbench.protocols``; default ``cdmbench``), given to programs that take one.
        allow_mixed_protocols: load a bundle optimized under another protocol (with a warning) instead of refusing.

    Raises:
        BundleError: ``compiled`` is not a bundle of this program, or was optimized under another protocol (see
            ``cdmbench.optimize.apply_bundle``).
    """
    from omegaconf import DictConfig, OmegaConf

    options = dict(OmegaConf.to_container(config, resolve=True) if isinstance(config, DictConfig) else config)
    name = options.pop("name", None)
    compiled = options.pop("compiled", None)
    options.pop("metric", None)  # the metric `cdmbench optimize` uses (cdmbench.optimize.metrics), not an option
    if not name:
        raise ConfigError("the program config has no 'name'; choose one with program=<name> (configs/program/).")
    cls = PROGRAMS.get(str(name))
    accepted = inspect.signature(cls.__init__).parameters if cls is not None else {}
    if "protocol" in accepted and "protocol" not in options:
        options["protocol"] = protocol
    if "dictionary" in accepted and "dictionary" not in options:
        from cdmbench.protocols import get_protocol

        options["dictionary"] = get_protocol(protocol).lab_dictionary(cases)
    program = get_program(str(name), **options)
    if compiled:
        from cdmbench.optimize.bundle import apply_bundle

        apply_bundle(
            program,
            str(compiled),
            program_name=str(name),
            program_options=options,
            protocol=protocol,
            allow_mixed_protocols=allow_mixed_protocols,
        )
    return program
