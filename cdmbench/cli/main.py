"""The ``cdmbench`` command line: ``cdmbench COMMAND [overrides...] [Hydra flags]``.

Each command is a Hydra application over ``configs/<command>.yaml`` (see ``cdmbench.cli.app``); its runner
``function(cfg) -> int | None`` is imported only when it runs, so ``cdmbench --help`` stays fast. A mistake a
user can fix is one ERROR line and exit 2 (``debug=true`` adds the traceback), in a sweep too.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from loguru import logger

from cdmbench.cli.commands import COMMANDS, Command
from cdmbench.config import redact_urls
from cdmbench.errors import CdmbenchError, ConfigError, UnknownNameError

__all__ = ["main"]

USAGE = "usage: cdmbench COMMAND [overrides...] [-m] [--cfg job]   (cdmbench COMMAND --help shows its config)"


def _print(text: str) -> None:
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def _help() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = ["cdmbench: LLM clinical decision-making (MIMIC-CDM) as DSPy programs.", "", USAGE, "", "commands:"]
    lines += [f"  {c.name:<{width}}  {c.summary}" for c in COMMANDS.values()]
    lines += [
        "",
        "Overrides are Hydra overrides, e.g. `cdmbench evaluate program=cdm_agent limit=5`; every command is a Hydra",
        "application: `-m program=cdm_agent,full_info` sweeps, `--cfg job` prints the config, `--info` explains it.",
    ]
    return "\n".join(lines)


def _wants_debug(overrides: Sequence[str]) -> bool:
    return any(o.strip().lower() in ("debug=true", "debug=1", "+debug=true") for o in overrides)


def _check_required(name: str, cfg: Any) -> None:
    """Refuse to run with mandatory settings (``???`` in the config) left unset, naming each of them."""
    from cdmbench.config import missing_settings

    missing = missing_settings(cfg)
    if missing:
        raise ConfigError(
            f"cdmbench {name} needs {', '.join(f'{key}=...' for key in missing)}: set "
            f"{'it' if len(missing) == 1 else 'them'} on the command line (`cdmbench {name} --help` shows the config)."
        )


def _report(exc: BaseException, debug: bool) -> int:
    """Log a failure the way the command line does; return the exit status."""
    if isinstance(exc, CdmbenchError):
        if debug:
            logger.opt(exception=exc).error("{}", exc)
        else:
            logger.error("{}", exc)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        logger.warning("interrupted; finished work has been kept")
        return 130
    if debug:
        logger.opt(exception=exc).error("unexpected error: {}: {}", type(exc).__name__, exc)
    else:
        logger.error(
            "unexpected error: {}: {}. This is a bug in cdmbench; rerun with debug=true for the traceback "
            "and report it.",
            type(exc).__name__,
            exc,
        )
    return 1


class Task:
    """The Hydra task of one command: check the config, import the runner, run it, turn errors into an exit status.

    A plain class (not a closure) so that launchers that pickle the task (submitit) can send it to a job.
    """

    def __init__(self, command_name: str, debug: bool) -> None:
        self.command_name = command_name
        self.debug = debug

    def __call__(self, cfg: Any) -> int:
        from cdmbench.logging import setup_logging

        command = COMMANDS[self.command_name]
        level = str(cfg.get("log_level", "INFO"))
        debug = self.debug or bool(cfg.get("debug", False))
        try:
            setup_logging(level, import_libraries=False)
            _announce_job()
            _check_resolvable(command, cfg)
            _check_required(command.name, cfg)
            runner = command.load()
            # after the command's own imports: whatever library they loaded (all of DSPy and LiteLLM for an LM
            # command) logs through loguru
            setup_logging(level, import_libraries=command.lm)
            return int(runner(cfg) or 0)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            _remove_empty_job_dir()
            if debug and not isinstance(exc, CdmbenchError):
                exc.__cdmbench_task__ = True  # type: ignore[attr-defined]  # a bug in the command: keep its traceback
                raise
            return _report(exc, debug)


def _check_resolvable(command: Command, cfg: Any) -> None:
    """Fail here, not deep inside a command, on a ``${...}`` reference that cannot be resolved."""
    from omegaconf import OmegaConf

    from cdmbench.config import config_error

    try:
        OmegaConf.to_container(cfg, resolve=True)
    except Exception as exc:
        error = config_error(exc, command.config_name)
        if error is None:
            raise
        raise error from None


def _announce_job() -> None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN:
        job = HydraConfig.get().job
        overrides = redact_urls(" ".join(HydraConfig.get().overrides.task)) or "(defaults)"
        logger.info("sweep job #{}: {}", job.get("num"), overrides)


def _remove_empty_job_dir() -> None:
    """A sweep job that failed before writing leaves no empty directory (Hydra creates each job's directory)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
        return
    job_dir = Path(str(HydraConfig.get().runtime.output_dir))
    if job_dir.resolve() not in (Path.cwd().resolve(), Path(str(HydraConfig.get().sweep.dir)).resolve()):
        with contextlib.suppress(OSError):
            job_dir.rmdir()  # only when empty


def _rewrite(name: str, overrides: list[str]) -> list[str]:
    """Positional shorthands: ``cdmbench inspect DIR``, ``cdmbench db-serve stop``, ``shards=N`` in a sweep."""
    if name == "inspect" and overrides and "=" not in overrides[0] and not overrides[0].startswith("-"):
        overrides = [f"source={overrides[0]}", *overrides[1:]]
    if name == "db-serve" and overrides and overrides[0] in ("start", "stop", "status"):
        overrides = [f"action={overrides[0]}", *overrides[1:]]
    shards = [o for o in overrides if o.split("=", 1)[0] == "shards"]
    if shards and name == "evaluate":
        value = shards[-1].split("=", 1)[1].strip()
        if value not in ("", "null"):
            if not value.isdigit() or int(value) < 1:
                raise ConfigError(f"shards must be a whole number >= 1, got {value!r}; e.g. -m shards=8.")
            if "-m" not in overrides and "--multirun" not in overrides:
                raise ConfigError(f"shards={value} runs the shards as a sweep: add -m (or use shard=i/{value}).")
            n = int(value)
            overrides = [o for o in overrides if o not in shards]
            overrides.append("shard=" + ",".join(f"{i}/{n}" for i in range(n)))
    return overrides


def _sweep_status(jobs: list[Any]) -> int:
    """One summary line for the sweep (an ERROR naming the failed jobs); the first failure's exit status."""
    from hydra.core.utils import JobStatus

    codes = []
    for job in jobs:
        failed = job.status == JobStatus.FAILED
        codes.append(_report(job._return_value, debug=True) if failed else int(job._return_value or 0))
    failed_jobs = [f"#{i} (exit {code})" for i, code in enumerate(codes) if code]
    summary = f"sweep: {len(codes)} job(s), {len(codes) - len(failed_jobs)} succeeded, {len(failed_jobs)} failed"
    if failed_jobs:
        logger.error("{}: {}", summary, ", ".join(failed_jobs))
        return next(code for code in codes if code)
    logger.info("{}", summary)
    return 0


def _run(command: Command, args: list[str], debug: bool) -> int:
    from cdmbench.cli.app import clear, hydra_app, parse_hydra_args
    from cdmbench.config import config_dir, config_error

    wants_help = any(a in ("-h", "--help") for a in args)
    parsed = parse_hydra_args([a for a in args if a not in ("-h", "--help")])
    config_name = parsed.config_name or command.config_name
    overrides = list(parsed.overrides)
    try:
        app = hydra_app(command.config_name, parsed)
        if wants_help:
            from cdmbench.cli.config_help import render_help

            dirs = [Path(parsed.config_dir).expanduser().absolute()] if parsed.config_dir else []
            _print(render_help(app, command, config_name, overrides, [*dirs, config_dir()]))
            return 0
        if parsed.cfg:
            _print(app.show_cfg(config_name, overrides, parsed))
            return 0
        if parsed.info:
            text = app.show_info(config_name, overrides, parsed.info)
            if text:
                _print(text)
            return 0
        task = Task(command.name, debug)
        if parsed.multirun:
            return _sweep_status(app.multirun(config_name, overrides, task))
        return app.run(config_name, overrides, task)
    except CdmbenchError:
        raise
    except Exception as exc:
        if getattr(exc, "__cdmbench_task__", False):  # raised by the command itself (debug=true): not a config error
            raise
        error = config_error(exc, config_name, overrides)
        if error is None:
            raise
        raise error from None
    finally:
        clear()


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
    name, rest = args[0], args[1:]
    debug = _wants_debug(rest)
    try:
        if name not in COMMANDS:
            raise UnknownNameError("command", name, list(COMMANDS), "Run `cdmbench --help` for the list.")
        return _run(COMMANDS[name], _rewrite(name, rest), debug)
    except Exception as exc:
        if debug and not isinstance(exc, CdmbenchError):
            raise
        return _report(exc, debug)
    except KeyboardInterrupt as exc:
        return _report(exc, debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
