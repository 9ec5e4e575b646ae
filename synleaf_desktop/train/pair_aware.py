"""Pair-aware stacking (issue 13, part 4): fit, validate and export (numpy + scikit-learn).

A fold's pair-aware model has two linear parts, each an L2 logistic regression on
standardised inputs:

1. a **pair-feature sub-model** fitted on the fold's *training* pairs: features float [n, F]
   (cohort co-inactivation and shared annotation terms, computed by
   ``synleaf_desktop.scoring.pair_model.pair_features``; no gene-degree feature) -> pair logit;
2. a **stacker** fitted on the fold's *validation* pairs only: ``[pair logit, logit(base
   score), ...]`` -> probability. Base scores are the fold's SynLeaF strategy probability
   (memorised on its own training pairs, hence never stacked on them) and/or the LR
   baseline's. The test pairs are never seen by either part.

Whether a context uses it is decided on validation pairs too: :func:`cv_val_auc` gives the
stacker's out-of-fold AUC within the validation pairs (stratified K-fold; the sub-model stays
fixed, it never saw validation pairs), to compare with the current strategy's validation AUC
averaged over the 5 folds (:func:`choose`).

Optionally (``extra_neg``) the fits also get *re-paired controls* of the same part's
positives as additional negatives (the part's own genes re-paired among themselves, see
``synleaf_desktop.data.controls``), which tells the model that a pair of two popular SL genes
is not SL by itself: it trades some test AUC for pair specificity.

The export (:func:`to_arrays`) is read, numpy-only, by
``synleaf_desktop.scoring.pair_model.PairModel``. This module imports no scoring code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

EPS = 1e-6
#: the stacked variants a bundle can ship (every input is in the bundle), in tie order:
#: ``pa`` pair + SynLeaF; ``pa_rc`` the same with re-paired controls as extra negatives;
#: ``pa_all`` pair + SynLeaF + the fold's only-omics and only-KG teachers
VARIANT_INPUTS: dict[str, tuple[str, ...]] = {
    "pa": ("pair", "synleaf"),
    "pa_rc": ("pair", "synleaf"),
    "pa_all": ("pair", "synleaf", "only_omics", "only_kg"),
}
#: the default rule, as recorded in manifests (see :func:`rule_met`)
RULE = (
    "pair-aware (the variant with the best out-of-fold validation AUC) is the default where its mean CV2 "
    "test AUC over the 5 folds is above the selected strategy's and its mean re-paired-control AUC is not lower"
)
#: inverse L2 strength of both logistic regressions (inputs standardised)
C_SUB = 1.0
C_STACK = 1.0


def logit(p: np.ndarray) -> np.ndarray:
    """float64 logit of probabilities clipped to [EPS, 1 - EPS] (same as scoring.pair_model)."""
    p = np.clip(np.asarray(p, np.float64), EPS, 1.0 - EPS)
    return np.log(p) - np.log1p(-p)


@dataclass
class Linear:
    """Standardised linear logit: ``((x - mean) / scale) @ coef + intercept``; d inputs."""

    mean: np.ndarray  # float64 [d]
    scale: np.ndarray  # float64 [d] (> 0; 1 for a constant column)
    coef: np.ndarray  # float64 [d]
    intercept: float

    def logit(self, x: np.ndarray) -> np.ndarray:
        """float [n, d] -> float64 [n]."""
        return ((np.asarray(x, np.float64) - self.mean) / self.scale) @ self.coef + self.intercept

    def proba(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * (1.0 + np.tanh(0.5 * self.logit(x)))


def fit_linear(
    x: np.ndarray, y: np.ndarray, C: float = 1.0, sample_weight: np.ndarray | None = None
) -> Linear:
    """L2 logistic regression (liblinear, deterministic) on standardised x float [n, d], y {0,1} [n].

    Classes are weighted to balance (labelled sets here are roughly balanced; control-augmented
    ones are not). A single-class y gives a zero-coefficient model at the class prior."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(x, np.float64)
    y = np.asarray(y).astype(int)
    mean = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])
    sd = x.std(axis=0) if len(x) else np.ones(x.shape[1])
    scale = np.where(sd > 1e-12, sd, 1.0)
    if len(np.unique(y)) < 2:
        prior = float(np.clip(y.mean() if len(y) else 0.5, EPS, 1 - EPS))
        return Linear(mean, scale, np.zeros(x.shape[1]), float(np.log(prior / (1 - prior))))
    m = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", max_iter=1000)
    m.fit((x - mean) / scale, y, sample_weight=sample_weight)
    return Linear(mean, scale, m.coef_[0].astype(np.float64), float(m.intercept_[0]))


def stack_matrix(
    pair_logit: np.ndarray, base: Mapping[str, np.ndarray], inputs: Sequence[str]
) -> np.ndarray:
    """float64 [n, S]: the stacker inputs in order ``inputs`` ("pair" = the sub-model logit,
    other names = logit of ``base[name]`` probabilities [n])."""
    cols = [pair_logit if name == "pair" else logit(base[name]) for name in inputs]
    return np.stack([np.asarray(c, np.float64) for c in cols], axis=1)


@dataclass
class PairAwareFold:
    """One fold's fitted pair-aware model (sub-model on train pairs, stacker on val pairs)."""

    sub: Linear
    stack: Linear
    inputs: list[str] = field(default_factory=lambda: ["pair", "synleaf"])

    def predict(self, x: np.ndarray, base: Mapping[str, np.ndarray]) -> np.ndarray:
        """float64 [n] probabilities for features x [n, F] and base probabilities {name: [n]}."""
        return self.stack.proba(stack_matrix(self.sub.logit(x), base, self.inputs))


def _augment(x, y, base, extra):
    if extra is None:
        return x, y, base
    xe, be = extra
    x2 = np.concatenate([x, xe])
    y2 = np.r_[y, np.zeros(len(xe), int)]
    b2 = {k: np.r_[np.asarray(base[k], float), np.asarray(be[k], float)] for k in base}
    return x2, y2, b2


def fit_fold(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    base_val: Mapping[str, np.ndarray],
    inputs: Sequence[str] = ("pair", "synleaf"),
    extra_neg_train: np.ndarray | None = None,
    extra_neg_val: tuple[np.ndarray, Mapping[str, np.ndarray]] | None = None,
    C_sub: float = C_SUB,
    C_stack: float = C_STACK,
) -> PairAwareFold:
    """Fit one fold.

    Args:
        x_train: float [n, F] pair features of the fold's training pairs; y_train int [n].
        x_val: float [m, F] of the validation pairs; y_val int [m]; base_val: {name: float [m]}
            the base probabilities of the validation pairs (every ``inputs`` name but "pair").
        extra_neg_train: optional float [a, F] features of extra negatives for the sub-model
            (re-paired controls of the training positives).
        extra_neg_val: optional (features [b, F], {name: [b]}) extra negatives for the stacker
            (re-paired controls of the validation positives).
    """
    xt = np.asarray(x_train, np.float64)
    yt = np.asarray(y_train).astype(int)
    if extra_neg_train is not None and len(extra_neg_train):
        xt = np.concatenate([xt, np.asarray(extra_neg_train, np.float64)])
        yt = np.r_[yt, np.zeros(len(extra_neg_train), int)]
    sub = fit_linear(xt, yt, C_sub)
    xv, yv, bv = _augment(
        np.asarray(x_val, np.float64), np.asarray(y_val).astype(int), base_val, extra_neg_val
    )
    z = stack_matrix(sub.logit(xv), bv, inputs)
    stack = fit_linear(z, yv, C_stack)
    return PairAwareFold(sub, stack, list(inputs))


def auc(y: np.ndarray, s: np.ndarray) -> float:
    """ROC AUC of scores ``s`` [n] for labels ``y`` [n]; NaN when ``y`` has one class."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y).astype(int)
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, s))


def cv_val_auc(
    sub: Linear,
    x_val: np.ndarray,
    y_val: np.ndarray,
    base_val: Mapping[str, np.ndarray],
    inputs: Sequence[str] = ("pair", "synleaf"),
    n_splits: int = 5,
    seed: int = 0,
    extra_neg_val: tuple[np.ndarray, Mapping[str, np.ndarray]] | None = None,
    C_stack: float = C_STACK,
) -> float:
    """Out-of-fold AUC of the stacker within the validation pairs (pooled over a stratified
    ``n_splits``-fold split, seeded): an estimate of the pair-aware model's validation AUC
    that never scores a pair the stacker was fitted on. The fixed sub-model ``sub`` was fitted
    on training pairs. Extra negatives (controls) join the fitting parts only, never the
    scored part. NaN if y_val has one class."""
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y_val).astype(int)
    n_pos = int(y.sum())
    k = min(n_splits, n_pos, len(y) - n_pos)
    if k < 2:
        return float("nan")
    pl = sub.logit(x_val)
    z = stack_matrix(pl, base_val, inputs)
    if extra_neg_val is not None:
        ze = stack_matrix(sub.logit(extra_neg_val[0]), extra_neg_val[1], inputs)
    oof = np.zeros(len(y))
    for fit_idx, held in StratifiedKFold(k, shuffle=True, random_state=seed).split(z, y):
        zf, yf = z[fit_idx], y[fit_idx]
        if extra_neg_val is not None and len(ze):
            zf = np.concatenate([zf, ze])
            yf = np.r_[yf, np.zeros(len(ze), int)]
        oof[held] = fit_linear(zf, yf, C_stack).logit(z[held])
    return auc(y, oof)


def rule_met(test_pa: float, test_sel: float, rep_pa: float, rep_sel: float) -> bool:
    """:data:`RULE` on mean figures: test AUC strictly higher, re-paired-control AUC not lower
    (not compared where either is undefined: no controls could be drawn)."""
    if not (math.isfinite(test_pa) and math.isfinite(test_sel) and test_pa > test_sel):
        return False
    return rep_pa >= rep_sel if math.isfinite(rep_pa) and math.isfinite(rep_sel) else True


def choose(val_pair_aware: Sequence[float], val_current: Sequence[float]) -> dict[str, Any]:
    """Per-context choice on validation AUC: pair-aware if its mean over the folds (NaN folds
    skipped) is strictly greater than the current strategy's mean over the same folds."""
    a = np.asarray(val_pair_aware, float)
    b = np.asarray(val_current, float)
    ok = np.isfinite(a) & np.isfinite(b)
    ma = float(a[ok].mean()) if ok.any() else float("nan")
    mb = float(b[ok].mean()) if ok.any() else float("nan")
    return {
        "pair_aware": bool(ok.any() and ma > mb),
        "val_auc_pair_aware": ma,
        "val_auc_current": mb,
        "folds": int(ok.sum()),
    }


def to_arrays(
    folds: Sequence[PairAwareFold], features: Sequence[str], meta: Mapping[str, Any] | None = None
) -> dict[str, np.ndarray]:
    """The ``pair_model.npz`` arrays of K fitted folds (see scoring.pair_model.PairModel):
    ``sub_*`` float64 [K, F] / [K], ``stack_*`` [K, S] / [K], ``meta_json``."""
    if not folds:
        raise ValueError("no folds")
    inputs = list(folds[0].inputs)
    if any(list(f.inputs) != inputs for f in folds):
        raise ValueError("folds have different stack inputs")
    out = {
        "sub_mean": np.stack([f.sub.mean for f in folds]),
        "sub_scale": np.stack([f.sub.scale for f in folds]),
        "sub_coef": np.stack([f.sub.coef for f in folds]),
        "sub_intercept": np.array([f.sub.intercept for f in folds]),
        "stack_mean": np.stack([f.stack.mean for f in folds]),
        "stack_scale": np.stack([f.stack.scale for f in folds]),
        "stack_coef": np.stack([f.stack.coef for f in folds]),
        "stack_intercept": np.array([f.stack.intercept for f in folds]),
    }
    out = {k: np.asarray(v, np.float64) for k, v in out.items()}
    m = dict(meta or {}, features=list(features), stack_inputs=inputs, format=1)
    out["meta_json"] = np.array(json.dumps(m, sort_keys=True))
    return out
