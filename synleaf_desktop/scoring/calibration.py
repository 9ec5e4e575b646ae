"""What a raw score means in its own context: genome-wide rank and held-out recall.

A raw SynLeaF score is only meaningful inside its own model (a random pair scores 0.79 in one
context and 0.11 in another). Every bundle therefore carries ``calibration.npz``, computed from
the bundle's own models and stored files when the bundle is built:

- **genome-wide rank**: every unordered pair of the context's universe (G (G - 1) / 2 pairs, about
  1.7e8 for 18k genes) is scored with the bundle's ensemble, the scores are sorted, and the score
  at each *top fraction* of a fixed grid is stored: fine in the top tail (1e-7 ... 1e-1 on a log
  grid, 40 points per decade) and every 0.25 % below. ``top_fraction(s)`` is the share of the
  universe's pairs scoring at least ``s`` (log-linear interpolation between grid points);
  ``percentile(s) = 100 (1 - top_fraction(s))`` (higher = more exceptional). The error of the
  stored map against the exact rank is measured at build time on a sample of scores and kept in
  the manifest (``calibration.rank_error``).
- **held-out recall**: the known SL pairs of each fold's *test* split, scored by that fold's model
  only (the one model of the bundle that never saw them, in training or in model selection):
  ``heldout_recall(s)`` is the share of those out-of-fold scores that are at least ``s``. It reads
  "x % of this context's known SL pairs that the model did not train on score at least this
  high". It is **not** the probability that a pair is SL: known SL pairs are a biased sample
  (well-studied genes), and an out-of-fold score comes from one fold model while a query's score
  averages all of them.

Arrays of ``calibration.npz`` (all finite, 1-D):

================  ============  ===================================================
``rank_score``    float64 [K]   scores at the grid's top fractions, descending
``rank_tail``     float64 [K]   exact share of universe pairs with score >= rank_score
``heldout``       float32 [n]   out-of-fold scores of held-out known SL pairs, ascending
``n_pairs``       int64 [1]     pairs in the universe, G (G - 1) / 2
``typical_top``   float32 [G]   each gene's median top fraction with random partners
                                (small = a "hub" that ranks high with everything)
================  ============  ===================================================

The scores are those of the context's scorer (:func:`~.pair_scorer.make_scorer`): the pair-aware
score where the manifest chose it (then ``heldout`` holds each fold's stacker scores of that fold's
test positives: the stacker of fold k was fitted on fold k's validation pairs and its pair
sub-model on fold k's training pairs, so those pairs are still out of fold), else the fold
models' own. The manifest entry records which (``calibration.score_kind``).

Numpy only (no torch): computing it needs only a loaded bundle.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ..progress import Progress, ensure
from .context import ContextScorer, single_thread_blas

CALIBRATION_FILE = "calibration.npz"
#: what a fold's test pairs are under each CV scheme (METHOD.md §1.9)
CV_NOTES = {
    "CV1": "random pairs",
    "CV2": "one gene of each pair was never in that fold's training pairs",
    "CV3": "neither gene was in that fold's training pairs",
}
#: top fractions of the stored rank map: log grid in the tail, linear below
TAIL_GRID = np.unique(
    np.concatenate(
        [
            np.logspace(-7, -1, 241),
            np.linspace(5e-5, 0.01, 200),
            np.linspace(0.01, 0.1, 91),
            np.linspace(0.1, 1.0, 361),
        ]
    )
)
#: where the "top tail" of the error statement ends
TOP_TAIL = 0.01
RANK_NOTE = (
    "percentile: share of all gene pairs of this context's universe that score lower "
    "(100 = the highest-scoring pair); top_fraction: share that score at least as high"
)
#: ``manifest["pair_aware"]["ranks_note"]`` once the rank map is computed from the pair-aware score
PAIR_AWARE_RANKS = (
    "calibration.npz (rank map, held-out recall, typical ranks) is computed from the pair-aware "
    "score, the context's score"
)
RECALL_NOTE = (
    "held-out recall: share of this context's known SL pairs that the models did not train on "
    "(each scored by the one fold model that held it out) that score at least this high; "
    "not a probability that the pair is SL"
)


class Calibration:
    """The stored score-to-rank map and held-out SL score distribution of one context.

    Args:
        arrays: the members of ``calibration.npz`` (see the module docstring).
    """

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        score = np.asarray(arrays["rank_score"], np.float64)
        tail = np.asarray(arrays["rank_tail"], np.float64)
        order = np.argsort(score, kind="stable")  # ascending score for np.interp
        self._xp = score[order]
        self._logf = np.log(np.maximum(tail[order], 1e-300))
        self.n_pairs = int(np.asarray(arrays["n_pairs"]).reshape(-1)[0])
        self.heldout = np.sort(np.asarray(arrays["heldout"], np.float64))
        self._floor = 1.0 / max(self.n_pairs, 1)
        typ = arrays.get("typical_top")
        self.typical_top = None if typ is None else np.asarray(typ, np.float64)

    @property
    def n_heldout(self) -> int:
        return len(self.heldout)

    def top_fraction(self, scores: np.ndarray | float) -> np.ndarray:
        """Share of the universe's pairs scoring at least ``scores`` (float64, same shape;
        NaN stays NaN). Above every stored score it is 1 / n_pairs ("the top pair")."""
        s = np.asarray(scores, np.float64)
        out = np.exp(np.interp(s, self._xp, self._logf, left=0.0, right=np.log(self._floor)))
        out = np.clip(out, self._floor, 1.0)
        return np.where(np.isnan(s), np.nan, out)

    def percentile(self, scores: np.ndarray | float) -> np.ndarray:
        """``100 * (1 - top_fraction)``: 0-100, higher = more exceptional in this context."""
        return 100.0 * (1.0 - self.top_fraction(scores))

    def heldout_recall(self, scores: np.ndarray | float) -> np.ndarray:
        """Share of held-out known SL pairs scoring at least ``scores`` (NaN without held-out pairs)."""
        s = np.asarray(scores, np.float64)
        n = len(self.heldout)
        if n == 0:
            return np.full(s.shape, np.nan)
        out = (n - np.searchsorted(self.heldout, s, side="left")) / n
        return np.where(np.isnan(s), np.nan, out)

    def score_at_top_fraction(self, fraction: float) -> float:
        """The score a pair needs to be in the top ``fraction`` of the universe."""
        return float(
            np.interp(np.log(max(fraction, self._floor)), self._logf[::-1], self._xp[::-1])
        )


def load_calibration(path: str | Path) -> Calibration:
    """Read ``calibration.npz`` safely (no pickle)."""
    with np.load(Path(path), allow_pickle=False) as z:
        return Calibration({k: z[k] for k in z.files})


def describe_top(fraction: float | None) -> str:
    """'top 0.1 %' style text for a top fraction (None/NaN: '–')."""
    if fraction is None or not np.isfinite(fraction):
        return "–"
    pct = 100.0 * fraction
    if pct >= 10:
        return f"top {pct:.0f} %"
    if pct >= 1:
        return f"top {pct:.1f} %".replace(".0 %", " %")
    if pct < 0.995e-4:  # below what the legend resolves ("top 0.0001 %" itself stays)
        return "top < 0.0001 %"
    return f"top {pct:.2g} %"


# ----------------------------------------------------------------------
# building


def all_pair_scores(
    scorer: ContextScorer,
    progress: Progress | None = None,
    n_threads: int | None = None,
    chunk_pairs: int = 1_200_000,
) -> np.ndarray:
    """float32 [G (G - 1) / 2]: the ensemble score of every unordered pair (i < j), row-major.

    Memory: 4 bytes per pair (0.67 GB for 18k genes)."""
    progress = ensure(progress)
    G = scorer.n_genes
    total = G * (G - 1) // 2
    out = np.empty(total, np.float32)
    rows = max(1, chunk_pairs // max(1, G))
    starts = list(range(0, max(0, G - 1), rows))
    offsets = {}
    pos = 0
    for r0 in starts:
        offsets[r0] = pos
        r1 = min(G - 1, r0 + rows)
        pos += sum(G - 1 - i for i in range(r0, r1))

    def work(r0: int) -> int:
        r1 = min(G - 1, r0 + rows)
        mean, _ = scorer.block(r0, r1, r0 + 1)
        p = offsets[r0]
        for k in range(r1 - r0):
            n = G - 1 - (r0 + k)
            out[p : p + n] = mean[k, k:]
            p += n
        return p - offsets[r0]

    n_threads = n_threads or max(1, min(8, os.cpu_count() or 1))
    done = 0
    with (
        single_thread_blas(),
        ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="synleaf-rank") as pool,
    ):
        for n in pool.map(work, starts):
            done += n
            progress.update(
                0.9 * done / max(total, 1), f"{scorer.name}: ranking {done:,} of {total:,} pairs"
            )
    return out


def heldout_scores(scorer: ContextScorer, split_pairs: Mapping[str, np.ndarray]) -> np.ndarray:
    """float64 [n]: out-of-fold scores of the held-out SL pairs, ascending.

    For each fold k the bundle's scores use, the positives of ``fold{k}_test`` are scored with
    fold k's model alone (both orders averaged)."""
    out = []
    for k in range(scorer.n_folds):
        test = split_pairs.get(f"fold{k}_test")
        if test is None or len(test) == 0:
            continue
        pos = np.asarray(test)[np.asarray(test)[:, 2] == 1]
        if len(pos) == 0:
            continue
        p = scorer.pairs(pos[:, 0].astype(np.int64), pos[:, 1].astype(np.int64))["folds"]
        out.append(p[k])
    return np.sort(np.concatenate(out)) if out else np.zeros(0)


def typical_top(
    scorer: ContextScorer, cal: Calibration, n_partners: int = 256, seed: int = 0
) -> np.ndarray:
    """float64 [G]: each gene's median top fraction against ``n_partners`` random partners
    (seeded; a gene never pairs with itself)."""
    G = scorer.n_genes
    rng = np.random.default_rng(seed)
    out = np.empty(G)
    step = max(1, 400_000 // n_partners)
    for r0 in range(0, G, step):
        rows = np.arange(r0, min(G, r0 + step))
        i = np.repeat(rows, n_partners)
        j = rng.integers(0, G - 1, len(i))
        j = j + (j >= i)  # skip the gene itself
        s = scorer.pairs(i, j)["folds"].mean(axis=0)
        out[rows] = np.median(cal.top_fraction(s).reshape(len(rows), n_partners), axis=1)
    return out


def rank_map(
    sorted_scores: np.ndarray, grid: np.ndarray = TAIL_GRID
) -> tuple[np.ndarray, np.ndarray]:
    """(rank_score descending, rank_tail exact) from all scores sorted ascending."""
    n = len(sorted_scores)
    k = np.unique(np.clip(np.ceil(grid * n).astype(np.int64), 1, n))  # top-k counts
    thr = sorted_scores[n - k].astype(np.float64)  # the k-th largest score
    thr = np.unique(thr)[::-1]  # ties collapse; descending
    tail = (n - np.searchsorted(sorted_scores, thr.astype(sorted_scores.dtype), side="left")) / n
    return thr, tail.astype(np.float64)


def rank_error(
    cal: Calibration, sorted_scores: np.ndarray, n_sample: int = 200_000, seed: int = 0
) -> dict[str, Any]:
    """Largest |percentile(map) - percentile(exact)| in percentile points, measured on a sample of
    the universe's own scores (uniform over all pairs, plus as many from the top 1 %), split into
    the top 1 % and the rest."""
    n = len(sorted_scores)
    rng = np.random.default_rng(seed)
    idx = np.concatenate(
        [rng.integers(0, n, n_sample), rng.integers(int(n * (1 - TOP_TAIL)), n, n_sample)]
    )
    x = sorted_scores[idx]
    exact = (n - np.searchsorted(sorted_scores, x, side="left")) / n
    approx = cal.top_fraction(x.astype(np.float64))
    err = 100.0 * np.abs(approx - exact)
    top = exact <= TOP_TAIL
    return {
        "sample": len(x),
        "max_top_1pct": float(err[top].max()) if top.any() else 0.0,
        "max_rest": float(err[~top].max()) if (~top).any() else 0.0,
        "mean": float(err.mean()),
        "unit": "percentile points",
    }


def build_calibration(
    scorer: ContextScorer,
    split_pairs: Mapping[str, np.ndarray] | None,
    progress: Progress | None = None,
    n_threads: int | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Compute the arrays of ``calibration.npz`` and the manifest's ``calibration`` entry."""
    progress = ensure(progress)
    t0 = time.perf_counter()
    scores = all_pair_scores(scorer, progress, n_threads=n_threads)
    t_score = time.perf_counter() - t0
    progress.update(0.9, f"{scorer.name}: sorting {len(scores):,} scores")
    scores.sort()
    thr, tail = rank_map(scores)
    held = heldout_scores(scorer, split_pairs or {})
    arrays = {
        "rank_score": thr,
        "rank_tail": tail,
        "heldout": held.astype(np.float32),
        "n_pairs": np.array([len(scores)], np.int64),
    }
    cal = Calibration(arrays)
    err = rank_error(cal, scores)
    progress.update(0.95, f"{scorer.name}: typical rank of every gene")
    arrays["typical_top"] = typical_top(scorer, cal).astype(np.float32)
    random_pair = {
        "median": float(scores[len(scores) // 2]),
        "p99": float(scores[int(0.99 * (len(scores) - 1))]),
        "share_above_0.5": float(
            (len(scores) - np.searchsorted(scores, 0.5, side="left")) / len(scores)
        ),
    }
    meta = {
        "file": CALIBRATION_FILE,
        "n_pairs": len(scores),
        "grid_points": len(thr),
        "rank_error": err,
        "heldout_n": len(held),
        "heldout_source": "positives of each shipped fold's test split, scored by that fold's model only",
        "heldout_median": float(np.median(held)) if len(held) else None,
        "all_pairs": random_pair,
        "seconds": {"score": round(t_score, 1), "total": round(time.perf_counter() - t0, 1)},
        "rank_note": RANK_NOTE,
        "recall_note": RECALL_NOTE,
    }
    del scores
    progress.update(1.0, f"{scorer.name}: ranks ready")
    return arrays, meta


def add_calibration(
    folder: str | Path, progress: Progress | None = None, n_threads: int | None = None
) -> dict[str, Any]:
    """Compute the calibration of a written bundle from its own models and split pairs, and add
    ``calibration.npz`` to it (manifest entry ``calibration``). Returns that entry."""
    from ..bundle.format import Bundle
    from ..bundle.writer import add_bundle_member, set_manifest_entry
    from .pair_scorer import make_scorer

    bundle = Bundle.load(folder, verify=False)
    try:
        scorer = make_scorer(bundle)  # the pair-aware score where the manifest chose it
        arrays, meta = build_calibration(scorer, bundle.split_pairs, progress, n_threads)
        meta["score_kind"] = scorer.score_kind
        cv = bundle.manifest.get("cv")
        if cv in CV_NOTES:
            meta["heldout_source"] += f" ({cv}: {CV_NOTES[cv]})"
        pair_aware = bundle.manifest.get("pair_aware")
    finally:
        bundle.close()
    add_bundle_member(folder, CALIBRATION_FILE, arrays, "calibration", meta)
    if isinstance(pair_aware, dict) and pair_aware.get("chosen"):
        set_manifest_entry(folder, "pair_aware", dict(pair_aware, ranks_note=PAIR_AWARE_RANKS))
    return meta


__all__ = [
    "CALIBRATION_FILE",
    "RANK_NOTE",
    "RECALL_NOTE",
    "Calibration",
    "add_calibration",
    "build_calibration",
    "describe_top",
    "heldout_scores",
    "load_calibration",
    "rank_error",
    "rank_map",
    "typical_top",
]
