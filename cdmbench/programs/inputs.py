"""What a program may see of a case."""

from __future__ import annotations

from cdmbench.cases import Case

__all__ = ["program_input"]


def program_input(case: Case) -> Case:
    """A copy of ``case`` without ``ground_truth`` and ``pathology`` (what every program's forward gets)."""
    return case.model_copy(update={"ground_truth": None, "pathology": None}, deep=True)
