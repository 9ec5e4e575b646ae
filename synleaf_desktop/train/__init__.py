"""train layer: two-stage SynLeaF training (teachers, UMT, UME), selection, metrics,
checkpoints, export for bundles, baselines, the paper's grid and its report.

Main entry points::

    run_fold(context, cv, fold, out_root, config=None, device="auto", progress=None,
             init_from=None, tensors=None) -> dict            # train.fold
    fold_arrays(fold_dir, context, tensors=None) -> dict       # train.export
    run_grid(contexts_dir, out, scenarios, folds, config, device, baselines) -> list
    write_report(runs_dir, out_dir) -> (EVALUATION.md, evaluation.csv)

The names below are loaded on first use (most import torch), so that the training settings
(``train.config``) can be read without loading torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "TrainConfig": "config",
    "configure_threads": "device",
    "resolve_device": "device",
    "fold_arrays": "export",
    "load_fold_models": "fold",
    "run_fold": "fold",
    "pair_metrics": "metrics",
    "scenario_selection": "selection",
    "select_strategy": "selection",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
