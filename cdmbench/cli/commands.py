"""The registry of ``cdmbench`` commands: name, one-line summary, config and runner."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["COMMANDS", "Command"]


@dataclass(frozen=True)
class Command:
    """A sub-command: its one-line summary and the runner that takes the composed config."""

    name: str
    summary: str
    target: str  # "module:function"
    lm: bool = True
    """The command can call an LM or load DSPy programs: DSPy and LiteLLM are imported (and their logs routed
    through loguru) before it runs. False for the data and report commands, which skip those imports (seconds)."""

    @property
    def config_name(self) -> str:
        return self.name.replace("-", "_")

    def load(self):
        module_name, func = self.target.split(":")
        return getattr(importlib.import_module(module_name), func)


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            "evaluate",
            "run a DSPy program over cases with an LM and write a run directory",
            "cdmbench.runs.evaluate:run",
        ),
        Command(
            "synthesize",
            "generate a synthetic MIMIC-IV data set (gzip CSVs in the v3.1 layout)",
            "cdmbench.data_export.synthetic.command:run",
            lm=False,
        ),
        Command(
            "db-serve",
            "run a local PostgreSQL (embedded, nothing to install) until Ctrl-C; `db-serve stop` stops it",
            "cdmbench.data_export.db_serve:run",
            lm=False,
        ),
        Command(
            "db-load",
            "load MIMIC-IV (real or synthetic) CSVs into PostgreSQL",
            "cdmbench.data_export.load:run",
            lm=False,
        ),
        Command(
            "create-benchmark",
            "extract benchmark cases from PostgreSQL with CDMv1's rules",
            "cdmbench.data_export.export:run",
            lm=False,
        ),
        Command(
            "convert-cdmv1",
            "convert MIMIC-IV-Ext-CDM 1.1 (PhysioNet) CSVs into a cases file",
            "cdmbench.data_export.convert_cdmv1:run",
            lm=False,
        ),
        Command(
            "split",
            "split a cases file into train/dev/test (stratified, seeded)",
            "cdmbench.data_export.splits:run",
            lm=False,
        ),
        Command(
            "score",
            "score a predictions file with CDMv1's rules into scores.jsonl",
            "cdmbench.metrics.command:run",
            lm=False,
        ),
        Command(
            "optimize",
            "compile a program with a DSPy optimizer on train/dev into a compiled-program bundle",
            "cdmbench.optimize.command:run",
        ),
        Command(
            "inspect",
            "print a bundle's compiled instructions and demos per predictor",
            "cdmbench.optimize.describe:run",
        ),
        Command("export", "pack a compiled-program bundle into a reproducible .tar.gz", "cdmbench.optimize.export:run"),
        Command(
            "report",
            "write a run's self-contained report.html (summary, plots, one transcript per case)",
            "cdmbench.report.html.command:run",
            lm=False,
        ),
        Command(
            "compare",
            "compare two runs on their shared cases: paired bootstrap CIs and McNemar's test",
            "cdmbench.report.paired_command:run",
            lm=False,
        ),
        Command(
            "merge", "combine shard runs of one evaluation into one run directory", "cdmbench.runs.merge:run", lm=False
        ),
        Command("plot", "draw plots comparing several runs side by side", "cdmbench.report.command:run", lm=False),
        Command(
            "leaderboard",
            "one sortable page and a CSV over many runs (runs=outputs/*), grouped by data set",
            "cdmbench.report.leaderboard:run",
            lm=False,
        ),
        Command(
            "serve",
            "start a vLLM server from a preset in configs/vllm/ (needs the vllm extra)",
            "cdmbench.lm.serve:run",
        ),
    )
}
