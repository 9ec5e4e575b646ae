"""train layer: two-stage SynLeaF training (teachers, UMT, UME), selection, metrics,
checkpoints, export for bundles, baselines, the paper's grid and its report.

Main entry points::

    run_fold(context, cv, fold, out_root, config=None, device="auto", progress=None,
             init_from=None, tensors=None) -> dict            # train.fold
    fold_arrays(fold_dir, context, tensors=None) -> dict       # train.export
    run_grid(contexts_dir, out, scenarios, folds, config, device, baselines) -> list
    write_report(runs_dir, out_dir) -> (EVALUATION.md, evaluation.csv)
"""

from .config import TrainConfig
from .device import configure_threads, resolve_device
from .export import fold_arrays
from .fold import load_fold_models, run_fold
from .metrics import pair_metrics
from .selection import scenario_selection, select_strategy

__all__ = [
    "TrainConfig",
    "configure_threads",
    "fold_arrays",
    "load_fold_models",
    "pair_metrics",
    "resolve_device",
    "run_fold",
    "scenario_selection",
    "select_strategy",
]
