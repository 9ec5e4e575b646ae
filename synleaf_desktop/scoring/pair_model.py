"""Pair-aware scores (issue 13, part 4): pair evidence features and the stored stacker (numpy only).

Two pieces, both numpy-only so the scoring layer can apply them without scikit-learn:

- :func:`pair_features`: the per-pair evidence features of a context, from its cohort
  co-inactivation store (:class:`~synleaf_desktop.scoring.evidence.EvidenceStore`, the bundle
  member ``evidence.npz``) and the shared annotation terms
  (:class:`~synleaf_desktop.scoring.kg_evidence.TermIndex`, ``resources/kg_terms/terms.npz``).
  Only *pair* quantities: no gene degree, no count of a gene's labelled partners (those make a
  model rank genes, not pairs). Columns (:data:`FEATURES`):

  ====================== ==========================================================
  coinact_depletion      ``log10 P(X>=k) - log10 P(X<=k)`` (> 0: fewer co-inactivated
                         tumours than chance); 0 without evidence
  coinact_neg_log_or     ``-log odds ratio`` (0.5 pseudo-count); 0 without evidence
  coinact_log_obs_exp    ``ln((k + 0.5) / (E + 0.5))``, k tumours with both inactivated,
                         E expected; 0 without evidence
  coinact_missing        1 when a gene is never inactivated / not profiled (no evidence)
  terms_log_shared       ``ln(1 + shared GO BP / KEGG terms)``
  terms_jaccard          shared terms / terms of either gene (0 when neither has terms)
  terms_best             ``-ln(n / N)`` of the most specific shared term (0: none shared)
  terms_sum              sum of ``-ln(n / N)`` over shared terms
  kg_direct_edge         1 when the graph has a direct gene-gene edge (never in the shipped
                         GO/KEGG graph; a user's SLKG-like graph may have them)
  ====================== ==========================================================

- :class:`PairModel`: the fitted stacker of a bundle (member ``pair_model.npz``, written by
  :func:`synleaf_desktop.train.pair_aware.to_arrays`). Per fold k (K folds), a linear
  *pair-feature sub-model* (fitted on fold k's training pairs) gives a pair logit; a linear
  *stacker* (fitted on fold k's validation pairs) combines it with the logits of the fold's
  base scores (``synleaf``: the bundle strategy's fold-k probability; optionally
  ``only_omics`` / ``only_kg``: fold k's teacher probabilities; ``lr`` is never stored: bundles
  do not carry the baseline). ``meta["stack_inputs"]`` names them in order.
  The pair-aware score is the mean over folds of the stacker probabilities.

What a caller (the scoring engine) does for pairs ``(i, j)`` of bundle rows::

    pm = PairModel.from_arrays(bundle.member_arrays("pair_model.npz"))
    x = pair_features(np.c_[i, j], evidence_store, term_index, term_index.rows(bundle.genes))
    p = scorer.pairs(i, j)                       # "folds": float [K, n], the strategy's fold scores
    so_ab, sk_ab = scorer._teacher(i, j)         # per-fold teacher scores [K, n], both orders:
    so_ba, sk_ba = scorer._teacher(j, i)
    base = {"synleaf": p["folds"], "only_omics": 0.5 * (so_ab + so_ba),
            "only_kg": 0.5 * (sk_ab + sk_ba)}   # only the names in pm.stack_inputs are read
    score = pm.score(x, base)                    # float [n]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FEATURES: tuple[str, ...] = (
    "coinact_depletion",
    "coinact_neg_log_or",
    "coinact_log_obs_exp",
    "coinact_missing",
    "terms_log_shared",
    "terms_jaccard",
    "terms_best",
    "terms_sum",
    "kg_direct_edge",
)

#: probabilities are clipped to [EPS, 1 - EPS] before the logit
EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    """float64 logit of probabilities (clipped to [EPS, 1 - EPS]); same shape."""
    p = np.clip(np.asarray(p, np.float64), EPS, 1.0 - EPS)
    return np.log(p) - np.log1p(-p)


def sigmoid(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def term_features(terms: Any, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """float64 [n, 5]: the ``terms_*`` and ``kg_direct_edge`` columns for TermIndex rows
    ``rows_a``, ``rows_b`` [n] (-1 = gene absent: all 0)."""
    rows_a = np.asarray(rows_a, np.int64)
    rows_b = np.asarray(rows_b, np.int64)
    out = np.zeros((len(rows_a), 5))
    if terms is None:
        return out
    ptr, gt, w = terms.gene_ptr, terms.gene_terms, terms.weight
    eptr, epart = terms.edge_ptr, terms.edge_partner
    has_edges = len(epart) > 0
    for n, (i, j) in enumerate(zip(rows_a.tolist(), rows_b.tolist(), strict=False)):
        if i < 0 or j < 0:
            continue
        ta, tb = gt[ptr[i] : ptr[i + 1]], gt[ptr[j] : ptr[j + 1]]
        s = np.intersect1d(ta, tb, assume_unique=True)
        union = len(ta) + len(tb) - len(s)
        if len(s):
            ws = w[s]
            out[n, 0] = np.log1p(len(s))
            out[n, 1] = len(s) / union
            out[n, 2] = ws.max()
            out[n, 3] = ws.sum()
        if has_edges and np.any(epart[eptr[i] : eptr[i + 1]] == j):
            out[n, 4] = 1.0
    return out


def coinact_features(store: Any, pairs: np.ndarray) -> np.ndarray:
    """float64 [n, 4]: the ``coinact_*`` columns for row pairs [n, 2] of the store's genes
    (``store`` None: no evidence for any pair)."""
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    out = np.zeros((len(pairs), 4))
    if store is None or len(pairs) == 0:
        out[:, 3] = 1.0
        return out
    ev = store.pairs(pairs)
    valid = np.asarray(ev["valid"], bool)
    out[:, 0] = np.where(valid, ev["score"], 0.0)
    out[:, 1] = np.where(valid, -np.nan_to_num(ev["log_or"], nan=0.0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.log((ev["n_both"] + 0.5) / (np.nan_to_num(ev["expected"], nan=0.0) + 0.5))
    out[:, 2] = np.where(valid, ratio, 0.0)
    out[:, 3] = (~valid).astype(np.float64)
    return out


def pair_features(
    pairs: np.ndarray, store: Any = None, terms: Any = None, term_rows: np.ndarray | None = None
) -> np.ndarray:
    """The :data:`FEATURES` of pairs: float64 [n, 9].

    Args:
        pairs: int [n, >=2] gene rows of the bundle / context (extra columns ignored).
        store: the context's ``EvidenceStore`` (rows = the same genes) or None.
        terms: a ``TermIndex`` or None. term_rows: int [G] TermIndex row of each gene
            (``terms.rows(genes)``), required with ``terms``.
    """
    p = np.asarray(pairs, np.int64)
    p = p.reshape(-1, p.shape[-1] if p.ndim == 2 else 2)[:, :2]
    co = coinact_features(store, p)
    if terms is None:
        tf = np.zeros((len(p), 5))
    else:
        tr = np.asarray(term_rows, np.int64)
        tf = term_features(terms, tr[p[:, 0]], tr[p[:, 1]])
    return np.concatenate([co, tf], axis=1)


def linear_logit(
    x: np.ndarray, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float
) -> np.ndarray:
    """``((x - mean) / scale) @ coef + intercept``: x float [n, d] -> float64 [n]."""
    z = (np.asarray(x, np.float64) - mean) / scale
    return z @ np.asarray(coef, np.float64) + float(intercept)


@dataclass
class PairModel:
    """A bundle's pair-aware stacker (``pair_model.npz``); K folds, F features, S stack inputs.

    Arrays: ``sub_mean``, ``sub_scale``, ``sub_coef`` float [K, F], ``sub_intercept`` [K];
    ``stack_mean``, ``stack_scale``, ``stack_coef`` float [K, S], ``stack_intercept`` [K];
    ``meta_json``: ``{"features": [F names], "stack_inputs": ["pair", "synleaf", ...], ...}``.
    """

    sub_mean: np.ndarray
    sub_scale: np.ndarray
    sub_coef: np.ndarray
    sub_intercept: np.ndarray
    stack_mean: np.ndarray
    stack_scale: np.ndarray
    stack_coef: np.ndarray
    stack_intercept: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    ARRAYS = (
        "sub_mean",
        "sub_scale",
        "sub_coef",
        "sub_intercept",
        "stack_mean",
        "stack_scale",
        "stack_coef",
        "stack_intercept",
    )

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> PairModel:
        meta = json.loads(str(np.asarray(arrays["meta_json"])[()]))
        kw = {k: np.asarray(arrays[k], np.float64) for k in cls.ARRAYS}
        m = cls(**kw, meta=meta)
        m.check()
        return m

    def check(self) -> None:
        """Raise ValueError on inconsistent shapes or non-finite values."""
        k, f = self.sub_coef.shape
        s = self.stack_coef.shape[1] if self.stack_coef.ndim == 2 else -1
        for name in ("sub_mean", "sub_scale"):
            if getattr(self, name).shape != (k, f):
                raise ValueError(f"{name}: shape {getattr(self, name).shape}, expected {(k, f)}")
        for name in ("stack_mean", "stack_scale", "stack_coef"):
            if getattr(self, name).shape != (k, s):
                raise ValueError(f"{name}: shape {getattr(self, name).shape}, expected {(k, s)}")
        for name in ("sub_intercept", "stack_intercept"):
            if getattr(self, name).shape != (k,):
                raise ValueError(f"{name}: shape {getattr(self, name).shape}, expected {(k,)}")
        if f != len(self.features) or s != len(self.stack_inputs):
            raise ValueError("pair model: feature / stack-input names do not match the arrays")
        for name in self.ARRAYS:
            if not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"{name}: non-finite values")
        if np.any(self.sub_scale <= 0) or np.any(self.stack_scale <= 0):
            raise ValueError("pair model: scales must be > 0")

    @property
    def folds(self) -> int:
        return int(self.sub_coef.shape[0])

    @property
    def features(self) -> list[str]:
        return list(self.meta.get("features", FEATURES))

    @property
    def stack_inputs(self) -> list[str]:
        return list(self.meta.get("stack_inputs", ["pair", "synleaf"]))

    def pair_logits(self, x: np.ndarray) -> np.ndarray:
        """float64 [K, n]: each fold's pair-feature sub-model logit for features x [n, F]."""
        return np.stack(
            [
                linear_logit(
                    x, self.sub_mean[k], self.sub_scale[k], self.sub_coef[k], self.sub_intercept[k]
                )
                for k in range(self.folds)
            ]
        )

    def fold_scores(self, x: np.ndarray, base: Mapping[str, np.ndarray]) -> np.ndarray:
        """float64 [K, n] per-fold pair-aware probabilities.

        Args:
            x: float [n, F] :func:`pair_features`.
            base: per stack input other than ``"pair"``, the fold probabilities float [K, n]
                (e.g. ``{"synleaf": scorer.pairs(i, j)["folds"]}``); a [n] array is used
                for every fold.
        """
        pl = self.pair_logits(x)
        out = np.empty_like(pl)
        for k in range(self.folds):
            cols = []
            for name in self.stack_inputs:
                if name == "pair":
                    cols.append(pl[k])
                else:
                    b = np.asarray(base[name], np.float64)
                    cols.append(logit(b[k] if b.ndim == 2 else b))
            z = np.stack(cols, axis=1)
            out[k] = sigmoid(
                linear_logit(
                    z,
                    self.stack_mean[k],
                    self.stack_scale[k],
                    self.stack_coef[k],
                    self.stack_intercept[k],
                )
            )
        return out

    def score(self, x: np.ndarray, base: Mapping[str, np.ndarray]) -> np.ndarray:
        """float64 [n]: the pair-aware score (mean over folds of :meth:`fold_scores`)."""
        return self.fold_scores(x, base).mean(axis=0)
