"""The one cdmbench vocabulary: pathologies, imaging, laboratory tests and treatments.

Tools, scorers and the export all use these names, so what a tool accepts and what a scorer rewards
cannot drift apart. The facts are read from the JSON files in ``cdmbench/vocabulary/data/``
(see ``data/PROVENANCE.md``).

Public API:
    Pathologies: ``PATHOLOGIES``, ``PATHOLOGY_WORDS``, ``COHORT_PHRASES``, ``MASK``, ``check_pathology``,
    ``masking_keywords``, ``mask_pathology_words``, ``pathology_from_title``.
    Imaging: ``MODALITIES``, ``REGIONS``, ``classify_exam``, ``classify_exam_modality``, ``classify_exam_region``.
    Imaging requests: ``ImagingRequest``, ``normalize_imaging_request``, ``normalize_request_text``,
    ``report_matches``.
    Labs: ``LAB_CATEGORIES``, ``PANELS``, ``PANEL_SYNONYMS``, ``LabItem``, ``category_itemids``,
    ``required_categories``, ``neutral_itemids``, ``synonym_class``, ``synonym_classes``, ``reference_lab_items``.
    Lab requests: ``LabDictionary``, ``LabMatch``, ``LabRequest``, ``parse_lab_request``, ``split_lab_request``.
    CDMv1's own vocabulary (the ``cdmv1`` protocol): ``cdmv1_modality_region``, ``parse_cdmv1_imaging_request``,
    ``cdmv1_report_answers``, ``CDMV1_TOOL_NAMES``, ``resolve_cdmv1_tool_name``.
    Treatments: ``TREATMENTS``, ``BILIARY_KEYWORD``, ``ProcedureCodes``, ``KeywordRule``, ``check_treatment``,
    ``procedure_codes``, ``treatments_for``, ``always_required``, ``required_codes``,
    ``required_discharge_keywords``, ``requested_rule``.
"""

from cdmbench.vocabulary.cdmv1_imaging import (
    cdmv1_modality_region,
    cdmv1_report_answers,
    parse_cdmv1_imaging_request,
)
from cdmbench.vocabulary.imaging import (
    MODALITIES,
    REGIONS,
    classify_exam,
    classify_exam_modality,
    classify_exam_region,
)
from cdmbench.vocabulary.imaging_requests import (
    ImagingRequest,
    normalize_imaging_request,
    normalize_request_text,
    report_matches,
)
from cdmbench.vocabulary.lab_dictionary import LabDictionary
from cdmbench.vocabulary.lab_requests import LabMatch, LabRequest, parse_lab_request, split_lab_request
from cdmbench.vocabulary.labs import (
    LAB_CATEGORIES,
    PANEL_SYNONYMS,
    PANELS,
    LabItem,
    category_itemids,
    neutral_itemids,
    reference_lab_items,
    required_categories,
    synonym_class,
    synonym_classes,
)
from cdmbench.vocabulary.pathologies import (
    COHORT_PHRASES,
    MASK,
    PATHOLOGIES,
    PATHOLOGY_WORDS,
    check_pathology,
    mask_pathology_words,
    masking_keywords,
    pathology_from_title,
)
from cdmbench.vocabulary.tool_names import CDMV1_TOOL_NAMES, resolve_cdmv1_tool_name
from cdmbench.vocabulary.treatments import (
    BILIARY_KEYWORD,
    TREATMENTS,
    KeywordRule,
    ProcedureCodes,
    always_required,
    check_treatment,
    procedure_codes,
    requested_rule,
    required_codes,
    required_discharge_keywords,
    treatments_for,
)

__all__ = [
    "BILIARY_KEYWORD",
    "CDMV1_TOOL_NAMES",
    "COHORT_PHRASES",
    "LAB_CATEGORIES",
    "MASK",
    "MODALITIES",
    "PANELS",
    "PANEL_SYNONYMS",
    "PATHOLOGIES",
    "PATHOLOGY_WORDS",
    "REGIONS",
    "TREATMENTS",
    "ImagingRequest",
    "KeywordRule",
    "LabDictionary",
    "LabItem",
    "LabMatch",
    "LabRequest",
    "ProcedureCodes",
    "always_required",
    "category_itemids",
    "cdmv1_modality_region",
    "cdmv1_report_answers",
    "check_pathology",
    "check_treatment",
    "classify_exam",
    "classify_exam_modality",
    "classify_exam_region",
    "mask_pathology_words",
    "masking_keywords",
    "neutral_itemids",
    "normalize_imaging_request",
    "normalize_request_text",
    "parse_cdmv1_imaging_request",
    "parse_lab_request",
    "pathology_from_title",
    "procedure_codes",
    "reference_lab_items",
    "report_matches",
    "requested_rule",
    "required_categories",
    "required_codes",
    "required_discharge_keywords",
    "resolve_cdmv1_tool_name",
    "split_lab_request",
    "synonym_class",
    "synonym_classes",
    "treatments_for",
]
