"""``cdmbench synthesize``: the command-line runner (Hydra config ``configs/synthesize.yaml``)."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from cdmbench.data_export.synthetic.generator import generate
from cdmbench.errors import ConfigError

__all__ = ["run"]


def run(cfg: DictConfig) -> int:
    """Generate the synthetic data set described by ``cfg`` (out, n_admissions, seed, distractor_fraction)."""
    try:
        n_admissions = int(cfg.n_admissions)
        seed = int(cfg.seed)
        fraction = float(cfg.distractor_fraction)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"synthesize: n_admissions and seed must be integers, distractor_fraction a number ({exc})."
        ) from None
    out = str(cfg.out or "").strip()
    if not out:
        raise ConfigError("synthesize: out is empty; give an output directory, e.g. out=data/synthetic.")
    generate(Path(out), n_admissions, seed=seed, distractor_fraction=fraction)
    return 0
