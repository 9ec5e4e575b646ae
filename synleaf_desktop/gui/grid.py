"""What the heatmap and the results table show: a Qt-free grid of scores (pairs x contexts).

Rows are gene pairs (or the partners of one gene), columns are scoring contexts. Both
views read the same :class:`ScoreGrid`, so the numbers in the table are the numbers in
the picture, and the CSV export writes :meth:`ScoreGrid.to_frame` of what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

#: sort key meaning "cross-context mean"
SORT_MEAN = "mean"


@dataclass
class ScoreGrid:
    """Scores of P gene pairs in C contexts.

    Attributes:
        mode: ``"pair"`` (one pair), ``"pairs"`` (a list of pairs / a gene list) or
            ``"partners"`` (one gene against its top partners).
        query: what was asked, e.g. ``{"mode": "pair", "genes": ["RAD51", "BRCA1"]}``.
        contexts: C context names (columns), in display order.
        pairs: P pairs ``(gene_a, gene_b)`` of resolved symbols (rows).
        score: float [P, C], SL score in [0, 1]; NaN where a gene is outside the context
            (never shown as a score).
        sd: float [P, C], standard deviation of the score over the CV folds (NaN if unknown).
        known: float [P, C], known label of the pair in that context from the loaded label
            tables: 1 = SL, 0 = non-SL, NaN = unknown.
        in_training: float [P, C], 1 if the pair was in the context's training labels,
            0 if not, NaN if unknown.
        missing: ``{(row, col): [genes]}`` genes of that cell outside the context.
        unresolved: names the user typed that could not be resolved.
        context_auc: context -> headline validation AUC (NaN if unknown).
    """

    mode: str
    query: dict[str, Any]
    contexts: list[str]
    pairs: list[tuple[str, str]]
    score: np.ndarray
    sd: np.ndarray
    known: np.ndarray
    in_training: np.ndarray
    missing: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)
    context_auc: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        shape = (len(self.pairs), len(self.contexts))
        for name in ("score", "sd", "known", "in_training"):
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.size == 0:
                arr = np.full(shape, np.nan)
            if arr.shape != shape:
                raise ValueError(f"ScoreGrid.{name} has shape {arr.shape}, expected {shape}")
            setattr(self, name, arr)

    # ------------------------------------------------------------------
    @classmethod
    def empty(cls) -> "ScoreGrid":
        return cls("pairs", {}, [], [], np.zeros((0, 0)), np.zeros((0, 0)), np.zeros((0, 0)), np.zeros((0, 0)))

    @property
    def shape(self) -> tuple[int, int]:
        return self.score.shape

    @property
    def is_empty(self) -> bool:
        return self.score.size == 0

    @property
    def focus_gene(self) -> str | None:
        """The query gene in partner mode."""
        return self.query.get("gene") if self.mode == "partners" else None

    def row_label(self, row: int) -> str:
        """``"A – B"``, or just the partner in partner mode."""
        a, b = self.pairs[row]
        if self.mode == "partners":
            return b
        return f"{a} – {b}"

    def row_labels(self) -> list[str]:
        return [self.row_label(i) for i in range(len(self.pairs))]

    def mean(self) -> np.ndarray:
        """float [P]: mean score over the contexts where the pair can be scored (NaN if none)."""
        if self.score.shape[1] == 0:
            return np.full(self.score.shape[0], np.nan)
        ok = ~np.isnan(self.score)
        n = ok.sum(axis=1)
        s = np.where(ok, self.score, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, s / np.maximum(n, 1), np.nan)

    def is_na(self, row: int, col: int) -> bool:
        return bool(np.isnan(self.score[row, col]))

    # ------------------------------------------------------------------
    def take_rows(self, order: np.ndarray | list[int]) -> "ScoreGrid":
        """A grid with rows in ``order`` (indices into the current rows)."""
        order = np.asarray(order, dtype=int)
        inv = {int(old): new for new, old in enumerate(order)}
        missing = {(inv[r], c): g for (r, c), g in self.missing.items() if r in inv}
        return replace(self, pairs=[self.pairs[i] for i in order], score=self.score[order],
                       sd=self.sd[order], known=self.known[order], in_training=self.in_training[order],
                       missing=missing)

    def take_columns(self, names: list[str]) -> "ScoreGrid":
        """A grid restricted to the contexts ``names`` (those it has), in that order."""
        idx = [self.contexts.index(n) for n in names if n in self.contexts]
        inv = {old: new for new, old in enumerate(idx)}
        missing = {(r, inv[c]): g for (r, c), g in self.missing.items() if c in inv}
        return replace(self, contexts=[self.contexts[i] for i in idx], score=self.score[:, idx],
                       sd=self.sd[:, idx], known=self.known[:, idx], in_training=self.in_training[:, idx],
                       missing=missing)

    def sort_order(self, key: str, descending: bool = True) -> np.ndarray:
        """Row order sorting by a context's score, by :data:`SORT_MEAN`, or by gene name
        (``"gene_a"``, ``"gene_b"``); NaN scores last, ties kept in their current order."""
        if key in ("gene_a", "gene_b"):
            names = [p[0 if key == "gene_a" else 1].upper() for p in self.pairs]
            order = sorted(range(len(names)), key=names.__getitem__, reverse=descending)
            return np.asarray(order, dtype=int)
        if key == SORT_MEAN:
            values = self.mean()
        elif key in self.contexts:
            values = self.score[:, self.contexts.index(key)]
        else:
            return np.arange(len(self.pairs))
        v = np.where(np.isnan(values), -np.inf if descending else np.inf, values)
        order = np.argsort(-v if descending else v, kind="stable")
        return order

    def sorted_by(self, key: str, descending: bool = True) -> "ScoreGrid":
        return self.take_rows(self.sort_order(key, descending))

    # ------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The table as shown: one row per pair; per context the score, then the fold sd,
        known label and training flag; then the cross-context mean. NaN = not available."""
        cols: dict[str, Any] = {}
        cols["gene_a"] = [p[0] for p in self.pairs]
        cols["gene_b"] = [p[1] for p in self.pairs]
        for j, c in enumerate(self.contexts):
            cols[c] = self.score[:, j]
        cols["mean"] = self.mean()
        for j, c in enumerate(self.contexts):
            cols[f"{c}_sd"] = self.sd[:, j]
        for j, c in enumerate(self.contexts):
            cols[f"{c}_known_label"] = pd.array(
                [None if np.isnan(x) else int(x) for x in self.known[:, j]], dtype="Int64")
        for j, c in enumerate(self.contexts):
            cols[f"{c}_in_training"] = pd.array(
                [None if np.isnan(x) else bool(x) for x in self.in_training[:, j]], dtype="boolean")
        return pd.DataFrame(cols)
