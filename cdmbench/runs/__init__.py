"""Runs: executing a program over cases and keeping the durable record (the run directory)."""

from cdmbench.runs.records import PredictionRecord
from cdmbench.runs.run_dir import RunDirectory

__all__ = ["PredictionRecord", "RunDirectory"]
