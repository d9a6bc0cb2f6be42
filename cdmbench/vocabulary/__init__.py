"""The one cdmbench vocabulary: pathologies, imaging modalities and regions (more to come).

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
"""

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

__all__ = [
    "COHORT_PHRASES",
    "LAB_CATEGORIES",
    "MASK",
    "MODALITIES",
    "PANELS",
    "PANEL_SYNONYMS",
    "PATHOLOGIES",
    "PATHOLOGY_WORDS",
    "REGIONS",
    "ImagingRequest",
    "LabDictionary",
    "LabItem",
    "LabMatch",
    "LabRequest",
    "category_itemids",
    "check_pathology",
    "classify_exam",
    "classify_exam_modality",
    "classify_exam_region",
    "mask_pathology_words",
    "masking_keywords",
    "neutral_itemids",
    "normalize_imaging_request",
    "normalize_request_text",
    "parse_lab_request",
    "pathology_from_title",
    "reference_lab_items",
    "report_matches",
    "required_categories",
    "split_lab_request",
    "synonym_class",
    "synonym_classes",
]
