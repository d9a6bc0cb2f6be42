"""``cdmbench convert-cdmv1 source=DIR out=cases.json``: the command around ``convert_cdmv1``."""

from __future__ import annotations

from pathlib import Path

from loguru import logger
from omegaconf import DictConfig

from cdmbench.cases import save_cases
from cdmbench.data_export.convert_cdmv1._convert import SOURCE, ConversionSummary, convert_cdmv1
from cdmbench.errors import ConfigError, DataSourceError

__all__ = ["run"]


def _log_summary(summary: ConversionSummary, out: Path) -> None:
    per_pathology = ", ".join(f"{p} {n}" for p, n in summary.cases_per_pathology.items())
    logger.info(
        "wrote {} cases to {} ({}); skipped without HPI: {}", summary.total, out, per_pathology, summary.skipped_no_hpi
    )
    if summary.listed_twice:
        logger.warning("{} admissions were listed under two pathologies (kept under the first)", summary.listed_twice)
    if summary.duplicate_lab_rows:
        logger.warning("dropped {} repeated lab rows (one value per itemid kept)", summary.duplicate_lab_rows)
    if summary.unmapped_lab_itemids:
        ids = summary.unmapped_lab_itemids
        shown = ", ".join(map(str, ids[:10])) + (" ..." if len(ids) > 10 else "")
        logger.warning("{} lab itemids are not in lab_test_mapping.csv (named 'itemid N'): {}", len(ids), shown)
    if summary.unmapped_imaging:
        names = ", ".join(f"{name} ({n})" for name, n in summary.unmapped_imaging.items())
        logger.warning("imaging names without a canonical counterpart, stored as None: {}", names)


def run(cfg: DictConfig) -> int:
    """Convert the PhysioNet MIMIC-IV-Ext-CDM 1.1 CSVs at ``cfg.source`` into the cases file ``cfg.out``."""
    source, out = cfg.get("source"), cfg.get("out")
    if not source or not out:
        raise ConfigError("convert-cdmv1 needs source=DIR (the MIMIC-IV-Ext-CDM files) and out=FILE (cases JSON).")
    cases, summary = convert_cdmv1(Path(str(source)))
    if not cases:
        raise DataSourceError(
            f"no admission of {source}/pathology_ids.json has a history of present illness; nothing to write. "
            "Check that source= points at the MIMIC-IV-Ext-CDM 1.1 files."
        )
    out_path = Path(str(out))
    save_cases(out_path, cases, source=SOURCE)
    _log_summary(summary, out_path)
    return 0
