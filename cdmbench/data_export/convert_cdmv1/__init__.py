"""``cdmbench convert-cdmv1``: MIMIC-IV-Ext-CDM 1.1 (PhysioNet) CSVs -> a cdmbench cases file.

Field mapping (one Case per hadm_id listed in ``pathology_ids.json`` that has an HPI; ordered by hadm_id):

- ``pathology``: the key of ``pathology_ids.json`` listing the admission; ``demographics``: None (not in the files).
- ``patient_history`` = ``hpi``; ``physical_exam_text`` = ``pe`` (empty when missing).
- ``lab_results``: ``laboratory_tests.csv`` joined on itemid with ``lab_test_mapping.csv`` (a row's own itemid
  first, then its ``corresponding_ids``): ``test_name`` = label, ``fluid``, ``category`` (when the column exists),
  ``value`` = ``valuestr``, reference ranges as floats. One value per itemid (the first row), file order.
  An itemid missing from the mapping keeps ``test_name`` 'itemid N' and is reported in the summary.
- ``microbiology_events``: ``test_itemid``; ``comments`` = ``valuestr`` (CDMv1's whole result text, which may
  name organisms, so it is kept whole rather than guessed into ``organism_name``, which stays None);
  ``test_name`` and ``spec_type_desc`` = the labels of ``test_itemid`` and ``spec_itemid`` in the mapping when
  it has them (else None). The Case model has no field for the raw ``spec_itemid``.
- ``radiology_reports``: note_id, exam_name, text; CDMv1's modality/region names mapped to the canonical
  vocabulary of ``cdmbench.vocabulary.imaging`` (a name without a counterpart, e.g. 'Drainage', falls back to
  ``classify_exam(exam_name)``; what still has none stays None and is counted in the summary).
- ``ground_truth``: ``primary_diagnosis`` = the lines of ``discharge_diagnosis`` (bullets and heading lines
  removed), ``icd_diagnoses`` = ``icd_diagnosis`` rows, ``treatments`` = ``icd_procedures`` (``is_coded`` True,
  codes without dots, ICD-9 zero-padded to 4) then ``discharge_procedures`` (``is_coded`` False, 'None' dropped).
- The file is marked ``source: "mimic-iv-ext-cdm"`` (credentialed).

No times exist in these files: every ``charttime`` is None; ``sequence_num`` is the row's position in its list.
"""

from cdmbench.data_export.convert_cdmv1._command import run
from cdmbench.data_export.convert_cdmv1._convert import SOURCE, ConversionSummary, convert_cdmv1
from cdmbench.data_export.convert_cdmv1._layout import TABLES

__all__ = ["SOURCE", "TABLES", "ConversionSummary", "convert_cdmv1", "run"]
