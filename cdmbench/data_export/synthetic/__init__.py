"""The synthetic MIMIC-IV generator behind ``cdmbench synthesize``.

It writes MIMIC-IV v3.1-shaped gzip CSVs (hosp/, note/) that take the same path as real MIMIC-IV
(db-load, then create-benchmark), plus ``truth.json``: the cases the export must produce under
docs/export-rules.md, built from the generator's own parts.
"""

from cdmbench.data_export.synthetic.generator import SynthesisSummary, generate, plan_admissions
from cdmbench.data_export.synthetic.mix import distractor_counts, n_distractors, pathology_counts

__all__ = ["SynthesisSummary", "distractor_counts", "generate", "n_distractors", "pathology_counts", "plan_admissions"]
