"""DSPy's and LiteLLM's log lines go through loguru, and never carry case text."""

from __future__ import annotations

import logging
import sys

from loguru import logger

from cdmbench.logging import library_message, setup_logging

HISTORY = "67 year old woman with two days of migrating right lower quadrant pain"


def test_library_logs_are_routed_into_loguru_without_case_text():
    lines: list[str] = []
    try:
        setup_logging("INFO")
        sink = logger.add(lines.append, level="DEBUG", format="{message}")
        example = f"Example({{'case': {{'patient_history': '{HISTORY}'}}}})"
        logging.getLogger("dspy.utils.parallelizer").error(f"Error for {example}: ValueError: bad answer\nTraceback")
        logging.getLogger("LiteLLM").warning(f"retrying\n{HISTORY}")
        logger.remove(sink)
    finally:
        logger.remove()
        logger.add(sys.stderr)
        logging.basicConfig(force=True)
    text = "".join(lines)
    assert "dspy.utils.parallelizer" in text and "ValueError" in text and "LiteLLM: retrying" in text
    assert HISTORY not in text and "Traceback" not in text
    assert not logging.getLogger("dspy").handlers and logging.getLogger("dspy").propagate


def test_library_messages_keep_one_short_line():
    assert library_message("dspy.predict", "x" * 1000).endswith(" ...")
    assert library_message("cdmbench.runs", f"two\nlines {HISTORY}") == f"two\nlines {HISTORY}"  # not a library
