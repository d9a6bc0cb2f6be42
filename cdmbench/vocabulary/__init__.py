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
    "MASK",
    "MODALITIES",
    "PATHOLOGIES",
    "PATHOLOGY_WORDS",
    "REGIONS",
    "ImagingRequest",
    "check_pathology",
    "classify_exam",
    "classify_exam_modality",
    "classify_exam_region",
    "mask_pathology_words",
    "masking_keywords",
    "normalize_imaging_request",
    "normalize_request_text",
    "pathology_from_title",
    "report_matches",
]
