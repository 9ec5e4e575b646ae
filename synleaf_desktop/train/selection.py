"""Adaptive choice between UMT and UME (METHOD §2.6).

Per scenario (context, cv), over its folds: UMT is chosen only if its mean validation AUC
(each fold at its best epoch) is strictly greater than UME's; a tie goes to UME.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def select_strategy(
    umt_val_aucs: Sequence[float | None], ume_val_aucs: Sequence[float | None]
) -> str:
    """ "umt" or "ume" from per-fold validation AUCs (None/NaN folds are left out of the means)."""
    a = _mean(umt_val_aucs)
    b = _mean(ume_val_aucs)
    if math.isnan(a):
        return "ume"
    if math.isnan(b):
        return "umt"
    return "umt" if a > b else "ume"


def _mean(values) -> float:
    v = np.array([np.nan if x is None else float(x) for x in values], dtype=float)
    return float(np.nanmean(v)) if np.isfinite(v).any() else math.nan


def scenario_selection(fold_metrics: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """From the metrics.json dicts of one scenario's folds: {"selected", "umt_val_auc",
    "ume_val_auc", "folds"}."""
    umt = [m["val"]["umt"]["auc"] for m in fold_metrics]
    ume = [m["val"]["ume"]["auc"] for m in fold_metrics]
    return {
        "selected": select_strategy(umt, ume),
        "umt_val_auc": _mean(umt),
        "ume_val_auc": _mean(ume),
        "folds": [m["fold"] for m in fold_metrics],
    }
