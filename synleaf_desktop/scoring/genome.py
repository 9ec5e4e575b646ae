"""Genome-wide scoring of one context: every unordered pair i < j, streamed in row chunks.

Memory stays bounded: a chunk of rows is scored against all later genes, then either merged
into a running top-N (partition + lexsort on a small candidate set, filtered by the current
N-th best score) or filtered by the threshold and appended to the output as it goes. Chunks
run on a small thread pool (numpy releases the GIL inside its kernels). The output file is
written atomically: a cancelled or failed run leaves nothing behind.

Output (TSV, one header line, ``\\t``-separated, floats with 6 decimals)::

    gene1  gene2  score  sd  known_label  in_training  percentile  top_fraction  heldout_recall
    both_lost  expected_both  coinact_p

- ``gene1``/``gene2``: the pair in the context's universe order (the score is order-free);
- ``score``: mean over the context's fold models of (p(gene1, gene2) + p(gene2, gene1)) / 2 (for a
  context whose score is pair-aware, of each fold's stacked score: :mod:`.pair_scorer`);
- ``sd``: population SD of that quantity over the folds;
- ``known_label``: 0/1 from the labels set on the engine, empty if none;
- ``in_training``: 1 if the pair is in the train split of one of the folds used, 0 if not,
  empty when the bundle ships no split pairs;
- ``percentile``, ``top_fraction``, ``heldout_recall``: the score's genome-wide rank in the context
  and the share of held-out known SL pairs scoring at least as high (see
  :mod:`synleaf_desktop.scoring.calibration`); empty when the bundle has no rank map;
- ``both_lost``, ``expected_both``, ``coinact_p``: tumours of the context's cohort with both genes
  inactivated, the number expected under independence and the one-sided hypergeometric
  depletion p-value (:mod:`synleaf_desktop.scoring.evidence`); empty without evidence.

Top-N mode writes rows by decreasing score (ties by gene order); threshold mode writes every
pair with ``score >= threshold`` in gene order, unsorted (the file can be huge for low thresholds).
"""

from __future__ import annotations

import collections
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ..fileio import atomic_path
from ..progress import Progress, ensure
from .calibration import Calibration
from .context import ContextScorer, single_thread_blas
from .labels import PairSet

COLUMNS = (
    "gene1",
    "gene2",
    "score",
    "sd",
    "known_label",
    "in_training",
    "percentile",
    "top_fraction",
    "heldout_recall",
    "both_lost",
    "expected_both",
    "coinact_p",
)
#: default pairs per chunk (rows x genes)
CHUNK_PAIRS_UMT = 1_200_000
CHUNK_PAIRS_UME = 4_000_000


#: selected pairs: gene rows i, j, score, sd
_Rows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _select(mean: np.ndarray, sd: np.ndarray, r0: int, c0: int, floor: float) -> _Rows:
    """Pairs of a block with score >= floor and j > i: global (i, j, score, sd)."""
    for k in range(
        mean.shape[0]
    ):  # j <= i: the lower-left triangle of the block (NaN never selects)
        end = k - (c0 - r0) + 1
        if end > 0:
            mean[k, :end] = np.nan
    hit = mean >= floor
    rr, cc = np.nonzero(hit)
    return rr + r0, cc + c0, mean[rr, cc], sd[rr, cc]


def _merge_top(state: list[np.ndarray], new: tuple[np.ndarray, ...], n: int) -> list[np.ndarray]:
    """Keep the n best of state + new: by score descending, then i, then j."""
    i = np.concatenate([state[0], new[0]])
    j = np.concatenate([state[1], new[1]])
    s = np.concatenate([state[2], new[2]])
    d = np.concatenate([state[3], new[3]])
    if len(s) > 4 * n:
        kth = np.partition(s, len(s) - n)[len(s) - n]  # the n-th largest
        keep = s >= kth
        i, j, s, d = i[keep], j[keep], s[keep], d[keep]
    order = np.lexsort((j, i, -s))[:n]
    return [i[order], j[order], s[order], d[order]]


def _format_rows(
    genes: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    s: np.ndarray,
    d: np.ndarray,
    labels: PairSet | None,
    training: PairSet | None,
    calibration: Calibration | None = None,
    evidence: Any = None,
) -> str:
    lab = labels.lookup(i, j) if labels is not None else np.full(len(i), -1, np.int8)
    trn = training.lookup(i, j) if training is not None else None
    g1 = genes[i].tolist()
    g2 = genes[j].tolist()
    if calibration is not None:
        sv = np.asarray(s, np.float64)
        pct, topf, rec = (
            calibration.percentile(sv),
            calibration.top_fraction(sv),
            calibration.heldout_recall(sv),
        )
    ev = None
    if evidence is not None and len(i):
        st = evidence.pairs(np.stack([i, j], axis=1))
        ev = (st["valid"], st["n_both"], st["expected"], st["p_depletion"])
    lines = []
    for k in range(len(i)):
        lv = "" if lab[k] < 0 else str(int(lab[k]))
        tv = "" if trn is None else ("1" if trn[k] >= 0 else "0")
        rk = (
            "\t\t\t"
            if calibration is None
            else f"\t{pct[k]:.6f}\t{topf[k]:.6g}\t" + ("" if rec[k] != rec[k] else f"{rec[k]:.4f}")
        )
        ek = (
            "\t\t\t"
            if ev is None or not ev[0][k]
            else f"\t{int(ev[1][k])}\t{ev[2][k]:.3f}\t{ev[3][k]:.4g}"
        )
        lines.append(f"{g1[k]}\t{g2[k]}\t{s[k]:.6f}\t{d[k]:.6f}\t{lv}\t{tv}{rk}{ek}\n")
    return "".join(lines)


def genome_wide(
    scorer: ContextScorer,
    out_path: str | Path,
    top: int | None = None,
    threshold: float | None = None,
    progress: Progress | None = None,
    chunk_rows: int | None = None,
    n_threads: int | None = None,
    labels: PairSet | None = None,
    training: PairSet | None = None,
    calibration: Calibration | None = None,
    evidence: Any = None,
) -> dict[str, Any]:
    """Score all unordered pairs of one context and write the top N and/or those >= threshold.

    Args:
        scorer: the context.
        out_path: the TSV to write (atomically).
        top: keep the N best pairs (sorted output).
        threshold: keep pairs with score >= threshold (streamed, unsorted when ``top`` is None).
        progress: progress and cancel (:class:`~synleaf_desktop.errors.CancelledError` on cancel).
        chunk_rows: rows per chunk (default: ~1.2 M pairs per chunk for UMT, ~4 M for UME).
        n_threads: worker threads (default: CPU count, at most 8).
        labels, training: overlays for the ``known_label`` / ``in_training`` columns.
        calibration: the context's rank map for the rank columns (empty without one).

    Returns:
        summary: context, strategy, folds, n_genes, pairs, written, top, threshold, seconds,
        pairs_per_second, min_written_score, out, columns.
    """
    if top is None and threshold is None:
        raise ValueError("give top (N best pairs) and/or threshold (pairs with score >= T)")
    if top is not None and top < 1:
        raise ValueError("top must be >= 1")
    progress = ensure(progress)
    G = scorer.n_genes
    total = G * (G - 1) // 2
    if chunk_rows is None:
        per = CHUNK_PAIRS_UMT if scorer.strategy == "umt" else CHUNK_PAIRS_UME
        chunk_rows = max(1, per // max(1, G))
    n_threads = n_threads or min(8, os.cpu_count() or 1)
    starts = list(range(0, max(0, G - 1), chunk_rows))
    genes = scorer.genes
    t0 = time.perf_counter()
    done = 0
    written = 0
    state: list[np.ndarray] = [
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.float32),
        np.zeros(0, np.float32),
    ]
    floor = -np.inf if threshold is None else float(threshold)
    min_written = np.inf

    def work(r0: int, fl: float) -> tuple[int, _Rows]:
        r1 = min(G - 1, r0 + chunk_rows)
        mean, sd = scorer.block(r0, r1, r0 + 1)
        n_pairs = sum(G - 1 - i for i in range(r0, r1))
        return n_pairs, _select(mean, sd, r0, r0 + 1, fl)

    progress.update(
        0.0, f"{scorer.name}: scoring {total:,} pairs", force=True, pairs_done=0, pairs_total=total
    )
    with (
        atomic_path(out_path) as tmp,
        open(tmp, "w", encoding="utf-8", newline="") as fh,
        single_thread_blas(),
    ):
        fh.write("\t".join(COLUMNS) + "\n")
        pool = ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="synleaf-genome")
        pending: collections.deque[Future[tuple[int, _Rows]]] = collections.deque()
        try:
            it = iter(starts)
            for r0 in it:
                pending.append(pool.submit(work, r0, floor))
                if len(pending) > n_threads:
                    break
            while pending:
                n_pairs, sel = pending.popleft().result()
                if top is not None:
                    state = _merge_top(state, sel, top)
                    if len(state[2]) >= top:
                        floor = max(floor, float(state[2][-1]))
                else:
                    if len(sel[0]):
                        fh.write(_format_rows(genes, *sel, labels, training, calibration, evidence))
                        written += len(sel[0])
                        min_written = min(min_written, float(sel[2].min()))
                done += n_pairs
                elapsed = time.perf_counter() - t0
                progress.update(
                    done / total if total else 1.0,
                    f"{scorer.name}: {done:,} of {total:,} pairs "
                    f"({done / max(elapsed, 1e-9) / 1e6:.1f} M/s)",
                    pairs_done=done,
                    pairs_total=total,
                )
                nxt = next(it, None)
                if nxt is not None:
                    pending.append(pool.submit(work, nxt, floor))
        finally:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
        if top is not None:
            i, j, s, d = state
            if threshold is not None:
                keep = s >= threshold
                i, j, s, d = i[keep], j[keep], s[keep], d[keep]
            fh.write(_format_rows(genes, i, j, s, d, labels, training, calibration, evidence))
            written = len(i)
            min_written = float(s.min()) if len(s) else np.inf
    seconds = time.perf_counter() - t0
    progress.update(
        1.0,
        f"{scorer.name}: done, {written:,} pairs written",
        force=True,
        pairs_done=done,
        pairs_total=total,
    )
    return {
        "context": scorer.name,
        "strategy": scorer.strategy,
        "folds": scorer.n_folds,
        "n_genes": G,
        "pairs": done,
        "written": written,
        "top": top,
        "threshold": threshold,
        "seconds": round(seconds, 3),
        "pairs_per_second": done / seconds if seconds > 0 else float("nan"),
        "min_written_score": None if not np.isfinite(min_written) else min_written,
        "out": str(out_path),
        "columns": list(COLUMNS),
        "threads": n_threads,
    }
