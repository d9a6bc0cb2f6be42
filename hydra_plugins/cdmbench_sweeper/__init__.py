"""cdmbench's Hydra sweeper: Hydra's basic sweeper, writing its record of the sweep (``multirun.yaml``) with secrets redacted.

Hydra's own sweeper saves the whole config, a ``db.password=...`` override included, into the sweep directory;
this one saves what ``cdmbench COMMAND --cfg all`` would print. Selected by ``configs/hydra_settings.yaml``
(``hydra/sweeper=cdmbench``); everything else (the grid over comma lists, batches, the launcher) is Hydra's. It lives here because Hydra
loads sweepers only from the ``hydra_plugins`` namespace package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import open_dict

from cdmbench.config import redacted_yaml
from cdmbench.errors import ConfigError
from cdmbench.io import atomic_write_text

__all__ = ["RedactingSweeper"]

SWEEP_RECORD = "multirun.yaml"


class RedactingSweeper(BasicSweeper):
    """``BasicSweeper`` whose ``multirun.yaml`` has passwords, keys and URL credentials replaced by ``***``."""

    def sweep(self, arguments: list[str]) -> Any:
        assert self.config is not None and self.launcher is not None and self.hydra_context is not None
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        overrides = parser.parse_overrides([*self._parse_config(), *arguments])
        self.overrides = self.split_arguments(overrides, self.max_batch_size)

        batches = []
        while not self.is_done():
            batch = self.get_job_batch()
            self.validate_batch_is_legal(batch)  # every job composes before anything is written or started
            batches.append(batch)
        self._check_job_directories([list(job) for batch in batches for job in batch])

        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(sweep_dir / SWEEP_RECORD, redacted_yaml(self.config, resolve=False))

        returns: list[Any] = []
        first_job = 0
        for batch in batches:
            returns.append(self.launcher.launch(batch, initial_job_idx=first_job))
            first_job += len(batch)
        return returns

    def _check_job_directories(self, jobs: list[list[str]]) -> None:
        """Refuse a sweep two of whose jobs would share a run directory: a key left out of run names (an
        operational one such as ``num_threads``) cannot tell runs apart, and two jobs would write one run."""
        assert self.config is not None and self.hydra_context is not None
        seen: dict[str, list[str]] = {}
        for num, overrides in enumerate(jobs):
            cfg = self.hydra_context.config_loader.load_sweep_config(self.config, overrides)
            with open_dict(cfg):
                cfg.hydra.job.num = num  # as the launcher sets it, for a subdir that uses ${hydra.job.num}
            directory = str(Path(str(cfg.hydra.sweep.dir)) / str(cfg.hydra.sweep.subdir))
            if directory in seen:
                first = " ".join(o for o in seen[directory] if o not in overrides) or "(no overrides)"
                second = " ".join(o for o in overrides if o not in seen[directory]) or "(no overrides)"
                raise ConfigError(
                    f"jobs '{first}' and '{second}' of this "
                    f"sweep would write the same run directory {directory}: the keys that differ are left out of "
                    "run names (hydra.job.config.override_dirname.exclude_keys). Sweep them in separate commands "
                    "with run=NAME, or give each job its own directory: hydra.sweep.subdir='${run_name:COMMAND}-"
                    "${hydra.job.num}'."
                )
            seen[directory] = overrides
