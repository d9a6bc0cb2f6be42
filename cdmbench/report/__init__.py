"""Aggregate scores into summaries with 95% confidence intervals, and plot them.

Public API:
    ``summarize(scores, predictions) -> Summary``; ``write_summary(summary, run_dir)``;
    ``format_summary(summary) -> str``; ``summarize_run(run_dir) -> Summary`` (writes summary.json, summary.csv
    and plots/); ``read_run(run_dir) -> Summary`` (writes nothing); ``plot_summary(summary, out_dir)``;
    ``plot_runs(run_dirs, out_dir)``; ``wilson_interval``, ``bootstrap_interval``.
"""

from cdmbench.report.command import summarize_run
from cdmbench.report.compare import plot_runs
from cdmbench.report.files import read_summary, write_summary
from cdmbench.report.intervals import bootstrap_interval, wilson_interval
from cdmbench.report.plots import plot_summary
from cdmbench.report.records import MetricRow, Summary
from cdmbench.report.run_dir import read_run
from cdmbench.report.summary import summarize
from cdmbench.report.table import format_summary

__all__ = [
    "MetricRow",
    "Summary",
    "bootstrap_interval",
    "format_summary",
    "plot_runs",
    "plot_summary",
    "read_run",
    "read_summary",
    "summarize",
    "summarize_run",
    "wilson_interval",
    "write_summary",
]
