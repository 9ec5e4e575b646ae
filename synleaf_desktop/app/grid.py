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

from ..scoring.calibration import describe_top
from ..scoring.evidence import _fmt_expected, _fmt_p

#: sort key meaning "cross-context mean"
SORT_MEAN = "mean"
#: sort key meaning "mean genome-wide percentile over the contexts" (the rule of
#: ``ScoringEngine.cross_context``: the raw score x 100 stands in where a context has no rank map)
SORT_RANK = "rank"
#: colour modes of the heatmap and the gene matrix
COLOR_RANK = "rank"
COLOR_RAW = "raw"
#: the rank colour scale: -log10(top fraction) clipped to [0, RANK_DECADES], scaled to [0, 1]
RANK_DECADES = 6.0
#: the matrices of a grid (P x C), in the order they are stored
MATRICES = (
    "score",
    "sd",
    "known",
    "in_training",
    "percentile",
    "top_fraction",
    "heldout_recall",
    "typical_top",
    "above_typical",
    "both_lost",
    "expected_both",
    "coinact_p",
)
#: sort-key suffix of a context's co-inactivation column ("<ctx>:colost"): by the depletion p-value
COLOST = "colost"


def describe_colost(both: float, expected: float, p: float) -> str:
    """The co-lost cell: "0 / 1.9 exp, p 0.13" (tumours with both genes lost / expected by chance,
    one-sided depletion p); "–" without evidence."""
    if (
        both is None
        or expected is None
        or p is None
        or not (np.isfinite(both) and np.isfinite(expected) and np.isfinite(p))
    ):
        return "–"

    return f"{round(float(both))} / {_fmt_expected(float(expected))} exp, p {_fmt_p(float(p))}"


def rank_color_value(top_fraction: np.ndarray | float) -> np.ndarray:
    """Position on the colour scale (0..1) of a top fraction: ``-log10(f) / 6`` clipped, so
    "top 100 %" is 0, "top 1 %" 1/3, "top 0.0001 %" (and above) 1. NaN stays NaN."""
    f = np.asarray(top_fraction, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = -np.log10(np.clip(f, 1e-300, 1.0)) / RANK_DECADES
    return np.where(np.isnan(f), np.nan, np.clip(v, 0.0, 1.0))


def rank_ticks() -> list[tuple[float, str]]:
    """(colour-scale position, words) of the rank legend: "top 100 %" ... "top 0.0001 %"."""

    return [(k / RANK_DECADES, describe_top(10.0**-k)) for k in range(int(RANK_DECADES) + 1)]


def describe_rank(top_fraction: float, percentile: float | None = None) -> str:
    """ "top 0.3 % (percentile 99.7)" (or "–" when unknown)."""

    if top_fraction is None or not np.isfinite(top_fraction):
        return "–"
    text = describe_top(float(top_fraction))
    if percentile is not None and np.isfinite(percentile):
        text += f" (percentile {_fmt_percentile(float(percentile))})"
    return text


def _fmt_percentile(p: float) -> str:
    """Enough digits that a top-tail percentile is not rounded to 100."""
    if p >= 99.99:
        return f"{p:.5f}".rstrip("0").rstrip(".")
    if p >= 99:
        return f"{p:.2f}"
    return f"{p:.1f}"


def _not_given() -> np.ndarray:
    """Default of an optional [P, C] matrix: empty, which ``ScoreGrid.__post_init__`` fills with
    NaN in the grid's shape."""
    return np.empty((0, 0))


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
        context_auc: context -> headline test AUC (validation AUC where no test AUC is recorded;
            NaN if neither).
        percentile, top_fraction, heldout_recall: float [P, C], the score's genome-wide rank in
            its context (0-100, higher = more exceptional; share of the universe's pairs scoring at
            least as high) and held-out recall (share of held-out known SL pairs scoring at least as
            high; not a probability of SL). NaN where a context has no rank map.
        typical_top: float [P, C], partners mode: the partner's typical top fraction with random
            genes in that context (small = a "hub" that ranks high with everything); else NaN.
        above_typical: float [P, C], partners mode: decades the pair ranks above that typical rank.
        ranked: context -> True if its model has a rank map (``calibration.npz``).
        both_lost, expected_both, coinact_p: float [P, C], co-inactivation in the context's
            tumours: tumours with both genes lost, the number expected by chance, and the one-sided
            hypergeometric depletion p-value (SL pairs are rarely lost together; weak evidence on
            its own). NaN where there is no evidence.
        evidence: context -> True if its model carries cohort data (``evidence.npz``).
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
    percentile: np.ndarray = field(default_factory=_not_given)
    top_fraction: np.ndarray = field(default_factory=_not_given)
    heldout_recall: np.ndarray = field(default_factory=_not_given)
    typical_top: np.ndarray = field(default_factory=_not_given)
    above_typical: np.ndarray = field(default_factory=_not_given)
    ranked: dict[str, bool] = field(default_factory=dict)
    both_lost: np.ndarray = field(default_factory=_not_given)
    expected_both: np.ndarray = field(default_factory=_not_given)
    coinact_p: np.ndarray = field(default_factory=_not_given)
    evidence: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        shape = (len(self.pairs), len(self.contexts))
        for name in MATRICES:
            if getattr(self, name) is None:
                setattr(self, name, np.full(shape, np.nan))
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.size == 0:
                arr = np.full(shape, np.nan)
            if arr.shape != shape:
                raise ValueError(f"ScoreGrid.{name} has shape {arr.shape}, expected {shape}")
            setattr(self, name, arr)

    # ------------------------------------------------------------------
    @classmethod
    def empty(cls) -> ScoreGrid:
        return cls(
            "pairs",
            {},
            [],
            [],
            np.zeros((0, 0)),
            np.zeros((0, 0)),
            np.zeros((0, 0)),
            np.zeros((0, 0)),
        )

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

    def has_ranks(self, col: int) -> bool:
        """Whether context ``col`` has a rank map (else its colours and order use the raw score)."""
        name = self.contexts[col]
        if name in self.ranked:
            return bool(self.ranked[name])
        return bool(np.isfinite(self.top_fraction[:, col]).any())

    def any_ranks(self) -> bool:
        return any(self.has_ranks(j) for j in range(len(self.contexts)))

    def has_evidence(self, col: int) -> bool:
        """Whether context ``col``'s model carries cohort co-inactivation data."""
        name = self.contexts[col]
        if name in self.evidence:
            return bool(self.evidence[name])
        return bool(np.isfinite(self.coinact_p[:, col]).any())

    def colost_text(self, row: int, col: int) -> str:
        """:func:`describe_colost` of one cell."""
        return describe_colost(
            self.both_lost[row, col], self.expected_both[row, col], self.coinact_p[row, col]
        )

    def mean_percentile(self) -> np.ndarray:
        """float [P]: mean genome-wide percentile over the contexts that score the pair (the
        cross-context rule of ``ScoringEngine.cross_context``: 100 x the raw score stands in for a
        context without a rank map); NaN if none."""
        if self.score.shape[1] == 0:
            return np.full(self.score.shape[0], np.nan)
        ranked = np.array([self.has_ranks(j) for j in range(len(self.contexts))], dtype=bool)
        key = np.where(ranked[None, :], self.percentile, 100.0 * self.score)
        ok = ~np.isnan(key)
        n = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, np.where(ok, key, 0.0).sum(axis=1) / np.maximum(n, 1), np.nan)

    def color_values(self, mode: str = COLOR_RANK) -> np.ndarray:
        """float [P, C] in [0, 1]: the colour-scale position of every cell (NaN = n/a). In rank
        mode a context with a rank map is coloured by :func:`rank_color_value`, one without by
        its raw score (marked as such by the views); raw mode: the raw score everywhere."""
        if mode != COLOR_RANK:
            return self.score.astype(float).copy()
        out = self.score.astype(float).copy()
        for j in range(len(self.contexts)):
            if self.has_ranks(j):
                v = rank_color_value(self.top_fraction[:, j])
                out[:, j] = np.where(np.isnan(self.score[:, j]), np.nan, v)
        return out

    def typical_row(self) -> np.ndarray:
        """float [P]: a partner's typical top fraction over the contexts (geometric mean; NaN
        when unknown)."""
        t = self.typical_top
        ok = np.isfinite(t) & (t > 0)
        n = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            lg = np.where(ok, np.log10(np.where(ok, t, 1.0)), 0.0).sum(axis=1) / np.maximum(n, 1)
        return np.where(n > 0, 10.0**lg, np.nan)

    def above_typical_row(self) -> np.ndarray:
        """float [P]: mean decades above the partner's typical rank over the contexts."""
        a = self.above_typical
        ok = np.isfinite(a)
        n = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, np.where(ok, a, 0.0).sum(axis=1) / np.maximum(n, 1), np.nan)

    def is_na(self, row: int, col: int) -> bool:
        return bool(np.isnan(self.score[row, col]))

    # ------------------------------------------------------------------
    def take_rows(self, order: np.ndarray | list[int]) -> ScoreGrid:
        """A grid with rows in ``order`` (indices into the current rows)."""
        order = np.asarray(order, dtype=int)
        inv = {int(old): new for new, old in enumerate(order)}
        missing = {(inv[r], c): g for (r, c), g in self.missing.items() if r in inv}
        mats = {name: getattr(self, name)[order] for name in MATRICES}
        return replace(self, pairs=[self.pairs[i] for i in order], missing=missing, **mats)

    def take_columns(self, names: list[str]) -> ScoreGrid:
        """A grid restricted to the contexts ``names`` (those it has), in that order."""
        idx = [self.contexts.index(n) for n in names if n in self.contexts]
        inv = {old: new for new, old in enumerate(idx)}
        missing = {(r, inv[c]): g for (r, c), g in self.missing.items() if c in inv}
        mats = {name: getattr(self, name)[:, idx] for name in MATRICES}
        return replace(self, contexts=[self.contexts[i] for i in idx], missing=missing, **mats)

    def sort_order(self, key: str, descending: bool = True) -> np.ndarray:
        """Row order sorting by a context's score (the same order as its genome-wide rank), by
        :data:`SORT_MEAN`, by :data:`SORT_RANK` (:meth:`mean_percentile`), by ``"typical"`` /
        ``"above_typical"`` (partners), or by gene name (``"gene_a"``, ``"gene_b"``); NaN scores
        last, ties kept in their current order."""
        base, _, sub = key.partition(":")
        if sub in ("top", "recall") and base in self.contexts:
            key = base  # rank and held-out recall are monotone in the context's raw score
        if sub == COLOST and base in self.contexts:
            # "descending" = most depleted first: smallest p, then most tumours expected minus seen
            j = self.contexts.index(base)
            p = self.coinact_p[:, j]
            gap = self.expected_both[:, j] - self.both_lost[:, j]
            ok = np.isfinite(p)
            v = np.where(ok, p, np.inf if descending else -np.inf)
            g = np.where(np.isfinite(gap), gap, 0.0)
            order = np.lexsort((-g if descending else g, v if descending else -v))
            return np.asarray(order, dtype=int)
        if key in ("gene_a", "gene_b"):
            names = [p[0 if key == "gene_a" else 1].upper() for p in self.pairs]
            by_name = sorted(range(len(names)), key=names.__getitem__, reverse=descending)
            return np.asarray(by_name, dtype=int)
        if key == SORT_MEAN:
            values = self.mean()
        elif key == SORT_RANK:
            values = self.mean_percentile()
        elif key == "typical":  # a small typical top fraction = a hub: "descending" puts hubs first
            values = -self.typical_row()
        elif key == "above_typical":
            values = self.above_typical_row()
        elif key in self.contexts:
            values = self.score[:, self.contexts.index(key)]
        else:
            return np.arange(len(self.pairs))
        v = np.where(np.isnan(values), -np.inf if descending else np.inf, values)
        order = np.argsort(-v if descending else v, kind="stable")
        return order

    def knows_sort_key(self, key: str) -> bool:
        """Whether :meth:`sort_order` orders by ``key`` on this grid."""
        base, _, sub = key.partition(":")
        return (
            key in (SORT_MEAN, SORT_RANK, "gene_a", "gene_b", "typical", "above_typical")
            or key in self.contexts
            or (sub in ("top", "recall", COLOST) and base in self.contexts)
        )

    def sorted_by(self, key: str, descending: bool = True) -> ScoreGrid:
        return self.take_rows(self.sort_order(key, descending))

    # ------------------------------------------------------------------
    def to_frame(self, single_fold: Any = ()) -> pd.DataFrame:
        """The table as shown: one row per pair; per context the score, then the fold sd,
        known label and training flag (1/0, as the genome-wide export); then the cross-context
        mean. NaN = not available; ``<ctx>_sd`` is NaN for the contexts in ``single_fold``
        (scored by one fold model: no spread, shown as "-" by the CLI)."""
        single = set(single_fold or ())
        cols: dict[str, Any] = {}
        cols["gene_a"] = [p[0] for p in self.pairs]
        cols["gene_b"] = [p[1] for p in self.pairs]
        for j, c in enumerate(self.contexts):
            cols[c] = self.score[:, j]
        cols["mean"] = self.mean()
        for j, c in enumerate(self.contexts):
            cols[f"{c}_sd"] = np.full(len(self.pairs), np.nan) if c in single else self.sd[:, j]
        for j, c in enumerate(self.contexts):
            cols[f"{c}_known_label"] = pd.array(
                [None if np.isnan(x) else int(x) for x in self.known[:, j]], dtype="Int64"
            )
        for j, c in enumerate(self.contexts):
            cols[f"{c}_in_training"] = pd.array(
                [None if np.isnan(x) else int(x >= 0.5) for x in self.in_training[:, j]],
                dtype="Int64",
            )
        # genome-wide rank and held-out recall (empty for a context without a rank map)
        cols["mean_percentile"] = (
            self.mean_percentile() if self.any_ranks() else np.full(len(self.pairs), np.nan)
        )
        for j, c in enumerate(self.contexts):
            cols[f"{c}_percentile"] = self.percentile[:, j]
            cols[f"{c}_top_fraction"] = self.top_fraction[:, j]
            cols[f"{c}_heldout_recall"] = self.heldout_recall[:, j]
        if self.mode == "partners":
            for j, c in enumerate(self.contexts):
                cols[f"{c}_typical_top_fraction"] = self.typical_top[:, j]
                cols[f"{c}_above_typical"] = self.above_typical[:, j]
        # co-inactivation in the cohort, for the contexts whose model carries cohort data
        for j, c in enumerate(self.contexts):
            if self.has_evidence(j):
                cols[f"{c}_both_lost"] = self.both_lost[:, j]
                cols[f"{c}_expected_both"] = self.expected_both[:, j]
                cols[f"{c}_coinact_p"] = self.coinact_p[:, j]
        return pd.DataFrame(cols)
