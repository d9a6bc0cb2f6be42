"""Optimize programs with DSPy optimizers, and keep and reuse the compiled programs as bundles.

Public API:
    Commands: ``cdmbench optimize`` (``command.run``), ``cdmbench inspect`` (``describe.run``),
    ``cdmbench export`` (``export.run``).
    Bundles: ``save_bundle``, ``read_bundle``, ``check_bundle``, ``apply_bundle``, ``load_bundle``, ``Bundle``,
    ``BundleManifest``, ``BundleError``, ``format_bundle``, ``export_bundle``.
    Optimizers: ``OPTIMIZERS``, ``prepare_optimizer``, ``compile_program``, ``OptimizerResources``,
    ``GroundTruthFewShot``.
    Metrics: ``METRICS``, ``build_metric``, ``register_metric``, ``ProgramMetric`` (one per program, by name).
    Data and scores: ``to_example``, ``to_examples``, ``with_gold``, ``with_feedback_gold``, ``score_program``,
    ``check_not_test``, ``paired_lift``.
"""

from cdmbench.optimize.bundle import Bundle, apply_bundle, check_bundle, load_bundle, read_bundle, save_bundle
from cdmbench.optimize.describe import format_bundle
from cdmbench.optimize.errors import BundleError
from cdmbench.optimize.examples import to_example, to_examples, with_feedback_gold, with_gold
from cdmbench.optimize.export import export_bundle
from cdmbench.optimize.holdout import paired_lift
from cdmbench.optimize.labeled import GroundTruthFewShot
from cdmbench.optimize.manifest import BundleManifest
from cdmbench.optimize.metrics import METRICS, ProgramMetric, build_metric, register_metric
from cdmbench.optimize.optimizers import OPTIMIZERS, OptimizerResources, compile_program, prepare_optimizer
from cdmbench.optimize.scoring import score_program
from cdmbench.optimize.split_guard import check_not_test

__all__ = [
    "METRICS",
    "OPTIMIZERS",
    "Bundle",
    "BundleError",
    "BundleManifest",
    "GroundTruthFewShot",
    "OptimizerResources",
    "ProgramMetric",
    "apply_bundle",
    "build_metric",
    "check_bundle",
    "check_not_test",
    "compile_program",
    "export_bundle",
    "format_bundle",
    "load_bundle",
    "paired_lift",
    "prepare_optimizer",
    "read_bundle",
    "register_metric",
    "save_bundle",
    "score_program",
    "to_example",
    "to_examples",
    "with_feedback_gold",
    "with_gold",
]
