"""Tool names as CDMv1's parser read a free-text ``Action:`` (``agents/DiagnosisWorkflowParser.py``).

CDMv1's rules, in order (``parse_action`` and ``interpret_action``):

1. Text after a dash is the start of the action input ("Imaging - CT abdomen" -> action "Imaging", input
   "CT abdomen").
2. Shortcuts: an action containing "labs" or "blood work" is Laboratory Tests.
3. Fuzzy match (thefuzz ``process.extractOne``: ``WRatio`` after lower-casing and stripping punctuation, rounded)
   against the tool names; a score above 80 is that tool. cdmbench's names (``laboratory_tests``) are read with
   their underscores as spaces, so both spellings match.
4. Otherwise CDMv1 guessed from the words: imaging or lab-test words making up more than a quarter of the
   action's nouns and adjectives (NLTK's tagger) made it an Imaging or Laboratory Tests request with the action
   as its input. Without NLTK's tagger this reads an action that names both an imaging modality and a region
   in CDMv1's dictionaries ("Abdominal Ultrasound") as an Imaging request; lab names given as the action are not
   guessed (an invalid action).

Example:
    >>> resolve_cdmv1_tool_name("Laboratory Test")
    ('laboratory_tests', '')
    >>> resolve_cdmv1_tool_name("Imaging - CT abdomen")
    ('imaging', 'CT abdomen')
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType

from rapidfuzz import fuzz, process, utils

from cdmbench.vocabulary.cdmv1_imaging import cdmv1_modality_region

__all__ = ["CDMV1_TOOL_NAMES", "TOOL_NAME_THRESHOLD", "resolve_cdmv1_tool_name"]

CDMV1_TOOL_NAMES: MappingProxyType[str, str] = MappingProxyType(
    {"Physical Examination": "physical_examination", "Laboratory Tests": "laboratory_tests", "Imaging": "imaging"}
)
"""CDMv1's tool names -> cdmbench's."""

TOOL_NAME_THRESHOLD = 80
"""A name must score strictly above this to be a tool (CDMv1's ``match_score > 80``)."""

_SHORTCUTS: tuple[tuple[str, str], ...] = (("labs", "laboratory_tests"), ("blood work", "laboratory_tests"))


@lru_cache(maxsize=1024)
def resolve_cdmv1_tool_name(name: str) -> tuple[str | None, str]:
    """The cdmbench tool a free-text action names, by CDMv1's rules, and the input text it carried.

    Returns:
        ``(tool, prepended_input)``: ``tool`` is one of the three tool names or None (an invalid action);
        ``prepended_input`` is the text after a dash (or the whole action when it was read as an imaging
        request), else ``""``.
    """
    action = str(name).strip()
    prepended = ""
    if "-" in action:
        action, prepended = (part.strip() for part in action.split("-", 2)[:2])
    lowered = action.lower()
    for word, tool in _SHORTCUTS:
        if word in lowered:
            return tool, prepended
    query = action.replace("_", " ")
    found = process.extractOne(query, list(CDMV1_TOOL_NAMES), scorer=fuzz.WRatio, processor=utils.default_process)
    if found is not None and round(found[1]) > TOOL_NAME_THRESHOLD:
        return CDMV1_TOOL_NAMES[found[0]], prepended
    modality, region = cdmv1_modality_region(action)
    if modality is not None and region is not None:
        return "imaging", " ".join(part for part in (action, prepended) if part)
    return None, prepended
