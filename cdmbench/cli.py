"""The ``cdmbench`` command line: ``cdmbench COMMAND [hydra overrides...]``.

Each command has a Hydra config ``configs/<command>.yaml`` and a runner ``function(cfg) -> int | None``
that is imported only when the command runs, so ``cdmbench --help`` stays fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from loguru import logger

from cdmbench.errors import CdmbenchError, ConfigError, UnknownNameError

if TYPE_CHECKING:
    from omegaconf import DictConfig

__all__ = ["COMMANDS", "Command", "main"]


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

USAGE = "usage: cdmbench COMMAND [hydra overrides...]   (cdmbench COMMAND --help shows its config)"


def _print(text: str) -> None:
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def _help() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = [
        "cdmbench: LLM clinical decision-making (MIMIC-CDM) as DSPy programs.",
        "",
        USAGE,
        "",
        "commands:",
    ]
    lines += [f"  {c.name:<{width}}  {c.summary}" for c in COMMANDS.values()]
    lines += ["", "Overrides are Hydra overrides, e.g. `cdmbench evaluate program=cdm_agent limit=5`."]
    return "\n".join(lines)


def _wants_debug(overrides: Sequence[str]) -> bool:
    return any(o.strip().lower() in ("debug=true", "debug=1", "+debug=true") for o in overrides)


def _check_required(name: str, cfg: DictConfig) -> None:
    """Refuse to run with mandatory settings (``???`` in the config) left unset, naming each of them."""
    from cdmbench.config import missing_settings

    missing = missing_settings(cfg)
    if missing:
        raise ConfigError(
            f"cdmbench {name} needs {', '.join(f'{key}=...' for key in missing)}: set "
            f"{'it' if len(missing) == 1 else 'them'} on the command line (`cdmbench {name} --help` shows the config)."
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cdmbench`` console script."""
    from cdmbench.logging import setup_logging

    args = list(sys.argv[1:] if argv is None else argv)
    setup_logging("INFO", import_libraries=False)
    if not args or args[0] in ("-h", "--help", "help"):
        _print(_help())
        return 0 if args else 2
    if args[0] in ("-V", "--version"):
        from importlib.metadata import version

        _print(f"cdmbench {version('cdmbench')}")
        return 0
    name, overrides = args[0], args[1:]
    if name == "inspect" and overrides and "=" not in overrides[0] and not overrides[0].startswith("-"):
        overrides = [f"source={overrides[0]}", *overrides[1:]]  # `cdmbench inspect DIR`
    if name == "db-serve" and overrides and overrides[0] in ("start", "stop", "status"):
        overrides = [f"action={overrides[0]}", *overrides[1:]]  # `cdmbench db-serve stop`
    debug = _wants_debug(overrides)
    try:
        if name not in COMMANDS:
            raise UnknownNameError("command", name, list(COMMANDS), "Run `cdmbench --help` for the list.")
        command = COMMANDS[name]
        from cdmbench.config import compose, to_yaml

        if any(o in ("-h", "--help") for o in overrides):
            cfg = compose(command.config_name, [o for o in overrides if o not in ("-h", "--help")])
            _print(f"cdmbench {name}: {command.summary}\n\nconfig (override any key with key=value):\n")
            _print(to_yaml(cfg))
            return 0
        cfg = compose(command.config_name, overrides)
        level = str(cfg.get("log_level", "INFO"))
        setup_logging(level, import_libraries=False)
        debug = debug or bool(cfg.get("debug", False))
        _check_required(name, cfg)
        runner = command.load()
        # after the command's own imports: whatever library they loaded (all of DSPy and LiteLLM for an LM command)
        # logs through loguru
        setup_logging(level, import_libraries=command.lm)
        result = runner(cfg)
        return int(result or 0)
    except CdmbenchError as exc:
        if debug:
            logger.opt(exception=exc).error("{}", exc)
        else:
            logger.error("{}", exc)
        return exc.exit_code
    except KeyboardInterrupt:
        logger.warning("interrupted; finished work has been kept")
        return 130
    except Exception as exc:
        if debug:
            raise
        logger.error(
            "unexpected error: {}: {}. This is a bug in cdmbench; rerun with debug=true for the traceback "
            "and report it.",
            type(exc).__name__,
            exc,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
