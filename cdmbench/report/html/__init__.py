"""The self-contained HTML report of a run (``cdmbench report run=DIR``).

Public API:
    ``write_html_report(run_dir, cases_file=None, *, out=None) -> Path``; ``REPORT_FILE``.
"""

from cdmbench.report.html.writer import REPORT_FILE, write_html_report

__all__ = ["REPORT_FILE", "write_html_report"]
