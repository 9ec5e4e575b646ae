"""Pair-classification metrics (METHOD §3.3), with scikit-learn.

* ``auc``: ``roc_auc_score``; ``aupr``: ``average_precision_score``.
* ``f1_best``: the maximum F1 over all thresholds of the precision-recall curve of the set
  being scored (the paper's F1; the threshold is tuned on that set, so it is optimistic).
* ``f1_at_0.5``: F1 of the calls ``p >= 0.5``.

Sets with one class only give NaN for AUC/AUPR/F1-best.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score

METRIC_NAMES = ("auc", "aupr", "f1_best", "f1_at_0.5")


def best_f1(y: np.ndarray, p: np.ndarray) -> float:
    """Max F1 over the thresholds of ``precision_recall_curve``."""
    prec, rec, _ = precision_recall_curve(y, p)
    denom = prec + rec
    f1 = np.divide(2 * prec * rec, denom, out=np.zeros_like(denom), where=denom > 0)
    return float(f1.max())


def pair_metrics(y, p) -> dict[str, float]:
    """y: [n] labels in {0, 1}; p: [n] scores (probabilities) -> dict of :data:`METRIC_NAMES`."""
    y = np.asarray(y).astype(int).ravel()
    p = np.asarray(p, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError("labels and scores differ in length")
    out: dict[str, float] = {"n": len(y), "positives": int(y.sum())}
    if len(np.unique(y)) < 2:
        out.update({"auc": math.nan, "aupr": math.nan, "f1_best": math.nan})
    else:
        out.update(
            {
                "auc": float(roc_auc_score(y, p)),
                "aupr": float(average_precision_score(y, p)),
                "f1_best": best_f1(y, p),
            }
        )
    out["f1_at_0.5"] = (
        float(f1_score(y, (p >= 0.5).astype(int), zero_division=0.0)) if len(y) else math.nan
    )
    return out


def clean_json(obj):
    """Recursively replace NaN/inf floats by None so the JSON written is standard."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_json(v) for v in obj]
    return obj
