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

from cdmbench.config import redacted_yaml
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

        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(sweep_dir / SWEEP_RECORD, redacted_yaml(self.config, resolve=False))

        returns: list[Any] = []
        first_job = 0
        for batch in batches:
            returns.append(self.launcher.launch(batch, initial_job_idx=first_job))
            first_job += len(batch)
        return returns
