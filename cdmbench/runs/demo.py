"""Demo cases for a bare ``cdmbench evaluate``: synthetic cases generated on the fly."""

from __future__ import annotations

import tempfile
from pathlib import Path

from cdmbench.cases import Case, CasesFile, load_cases_file

__all__ = ["demo_cases"]


def demo_cases(n_admissions: int = 8, seed: int = 0) -> CasesFile:
    """Generate a small synthetic data set and return its benchmark cases, pathologies interleaved.

    The cases are the generator's ``truth.json`` (exactly what ``create-benchmark`` would export),
    so no database is needed. They are marked ``source: "synthetic"``.
    """
    from cdmbench.data_export.synthetic import generate

    with tempfile.TemporaryDirectory(prefix="cdmbench-demo-") as tmp:
        generate(Path(tmp), n_admissions=n_admissions, seed=seed, distractor_fraction=0.0)
        truth = load_cases_file(Path(tmp) / "truth.json")
    by_pathology: dict[str | None, list[Case]] = {}
    for case in truth.cases:
        by_pathology.setdefault(case.pathology, []).append(case)
    interleaved: list[Case] = []
    queues = [by_pathology[k] for k in sorted(by_pathology, key=str)]
    while any(queues):
        for queue in queues:
            if queue:
                interleaved.append(queue.pop(0))
    return CasesFile(source="synthetic", cases=interleaved)
