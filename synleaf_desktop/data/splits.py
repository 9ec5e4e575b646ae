"""Five-fold train/validation/test splits (METHOD §1.9), vectorised and seeded per context.

* **CV1** (random pairs): the labels are balanced once (:func:`balance.balance_whole`),
  ``KFold(5, shuffle)`` gives the test fold, and the first split of ``KFold(8, shuffle)``
  of the remaining 80 % gives train / val: 7 : 1 : 2.
* **CV2 / CV3** (gene-disjoint), one procedure producing both: ``KFold(5)`` over the sorted
  SL genes gives training genes and test genes ``T``; ``KFold(8)`` over the training genes
  gives ``A`` (training genes) and ``V`` (validation genes). Pairs are assigned by where
  their genes fall:

  ======== =========================== =========== ====================
  subset   genes                        pool        saved as
  ======== =========================== =========== ====================
  train    both in A                    A x A       cv2 & cv3 train
  val CV2  one in A, one in V           A x V       cv2 val
  val CV3  both in V                    V x V       cv3 val
  test CV2 one in A, one in T           A x T       cv2 test
  test CV3 both in T                    T x T       cv3 test
  ======== =========================== =========== ====================

  Other pairs (V x T, ...) are discarded. Each subset is balanced separately, in that
  order (:func:`balance.balance_subset`). If a subset would be empty (no positive pair)
  the next inner split is tried; if all 8 fail, the fold is queued and retried with a
  new outer partition (``cycle`` 1, 2, ..., at most ``max_cycles``), taking the first
  outer split that works, as the original does. A retried fold's test genes come from a
  different partition, so such folds may overlap; this is recorded.

Seeds: one integer per context (:func:`context_seed`, a stable hash of its name); each
(cv, fold, cycle, attempt) gets its own :class:`numpy.random.Generator` and each KFold its
own ``random_state``, both derived from it with :class:`numpy.random.SeedSequence`.
Nothing depends on other contexts or on global RNG state.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from ..errors import SynleafError
from .balance import balance_subset, balance_whole, pair_keys

N_FOLDS = 5
N_INNER = 8
MAX_CYCLES = 100

#: the five CV2/CV3 subsets in balancing order: (name, pool for gene 1, pool for gene 2)
SUBSETS = (
    ("train", "A", "A"),
    ("val2", "A", "V"),
    ("val3", "V", "V"),
    ("test2", "A", "T"),
    ("test3", "T", "T"),
)

Splits = dict[tuple[int, int], dict[str, np.ndarray]]


def context_seed(name: str) -> int:
    """A stable 32-bit seed for a context name (first 4 bytes of its SHA-256, little endian).

    The original uses ``str2num(name) mod 2**32 + 2025``; that keeps only the last ~4.5
    characters of a name, so user contexts such as ``"myBRCA"`` and ``"oldBRCA"`` would
    share a seed. A hash keeps distinct names apart and is stable across processes.
    """
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "little")


def _seq(seed: int, *parts: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(seed), *[int(p) for p in parts]])


def fold_rng(seed: int, *parts: int) -> np.random.Generator:
    """The generator for one (cv, fold, ...) of a context seeded with ``seed``."""
    return np.random.default_rng(_seq(seed, *parts))


def random_state(seed: int, *parts: int) -> int:
    """An sklearn ``random_state`` (uint32) for one (cv, fold, ...) of a context."""
    return int(_seq(seed, 1_000_003, *parts).generate_state(1, np.uint32)[0])


def reverse_fraction(labels: np.ndarray) -> float:
    """Share of labelled pairs written in reverse gene-name order (gene1_idx > gene2_idx);
    generated negatives copy it so that pair orientation says nothing about the label."""
    labels = np.asarray(labels).reshape(-1, 3)
    return float(np.mean(labels[:, 0] > labels[:, 1])) if len(labels) else 0.0


def _subset_counts(arr: np.ndarray) -> dict[str, int]:
    pos = int((arr[:, 2] == 1).sum())
    return {"n": len(arr), "pos": pos, "neg": int(len(arr) - pos)}


# ----------------------------------------------------------------------
# CV1


def make_cv1(
    labels: np.ndarray,
    num_genes: int,
    seed: int,
    n_folds: int = N_FOLDS,
    negatives: str = "random",
    degree: np.ndarray | None = None,
) -> tuple[Splits, dict[str, Any]]:
    """CV1 folds: balance the whole label set once, then split pairs 7 : 1 : 2.

    Args:
        labels: int64 [N, 3] (gene1_idx, gene2_idx, label), unbalanced, no duplicate pairs.
        num_genes: G, universe size (random negatives are drawn from all G genes).
        seed: the context seed.
        negatives: ``"random"`` (default) or ``"matched"`` generated negatives
            (:func:`balance.balance_whole`); ``degree``: int [G] annotation degree, needed
            for ``"matched"``.

    Returns:
        (``{(1, k): {"train", "val", "test": int64 [n, 3]}}`` for k = 1..n_folds, info)
        where info holds the balancing counts and per-split sizes.
    """
    balanced, binfo = balance_whole(
        labels, num_genes, fold_rng(seed, 1, 0), reverse_fraction(labels), negatives, degree
    )
    min_pairs = -(-N_INNER * n_folds // (n_folds - 1))  # the inner KFold(8) needs >= 8 rows
    if len(balanced) < min_pairs or binfo.positives < 2:
        raise SynleafError(
            f"too few labelled pairs for {n_folds}-fold CV1 after balancing "
            f"({binfo.positives} positives, {len(balanced)} pairs); "
            "use a label table with more pairs in this gene universe"
        )
    splits: Splits = {}
    sizes: dict[str, Any] = {}
    outer = KFold(n_splits=n_folds, shuffle=True, random_state=random_state(seed, 1, 0))
    for k, (rest, test) in enumerate(outer.split(balanced), 1):
        inner = KFold(n_splits=N_INNER, shuffle=True, random_state=random_state(seed, 1, k))
        tr, va = next(inner.split(rest))
        parts = {"train": balanced[rest[tr]], "val": balanced[rest[va]], "test": balanced[test]}
        parts = {p: _sorted(a) for p, a in parts.items()}
        splits[(1, k)] = parts
        sizes[str(k)] = {p: _subset_counts(a) for p, a in parts.items()}
    return splits, {"balance": binfo.as_dict(), "folds": sizes}


def _sorted(arr: np.ndarray) -> np.ndarray:
    order = np.lexsort((arr[:, 1], arr[:, 0]))
    return np.ascontiguousarray(arr[order])


# ----------------------------------------------------------------------
# CV2 / CV3


def _assign(
    labels: np.ndarray, num_genes: int, A: np.ndarray, V: np.ndarray, T: np.ndarray
) -> dict[str, np.ndarray]:
    """bool masks [N] of the five subsets (see module docstring)."""

    def member(genes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = np.zeros(num_genes, dtype=bool)
        m[genes] = True
        return m[labels[:, 0]], m[labels[:, 1]]

    a1, a2 = member(A)
    v1, v2 = member(V)
    t1, t2 = member(T)
    return {
        "train": a1 & a2,
        "val2": (a1 & v2) | (v1 & a2),
        "val3": v1 & v2,
        "test2": (a1 & t2) | (t1 & a2),
        "test3": t1 & t2,
    }


def _try_fold(
    labels: np.ndarray,
    known: np.ndarray,
    num_genes: int,
    genes: np.ndarray,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    seed: int,
    fold: int,
    cycle: int,
    negatives: str = "random",
    degree: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """Try the inner splits of one outer split; the first whose five subsets all have a
    positive pair is balanced and returned, else ``None``."""
    train_genes, T = genes[train_idx], genes[test_idx]
    inner = KFold(n_splits=N_INNER, shuffle=True, random_state=random_state(seed, 2, fold, cycle))
    is_pos = labels[:, 2] == 1
    for attempt, (ai, vi) in enumerate(inner.split(train_genes)):
        pools = {"A": train_genes[ai], "V": train_genes[vi], "T": T}
        masks = _assign(labels, num_genes, pools["A"], pools["V"], T)
        if not all(bool((m & is_pos).any()) for m in masks.values()):
            continue  # a subset would be empty after balancing (no positives)
        rng = fold_rng(seed, 2, fold, cycle, attempt)
        flip = reverse_fraction(labels)
        placed = [known]
        out: dict[str, np.ndarray] = {}
        infos: dict[str, Any] = {}
        for name, pa, pb in SUBSETS:
            arr, info = balance_subset(
                labels[masks[name]],
                pools[pa],
                pools[pb],
                np.concatenate(placed),
                rng,
                flip,
                negatives,
                degree,
            )
            placed.append(pair_keys(arr[:, 0], arr[:, 1]))
            out[name] = arr
            infos[name] = info.as_dict()
        meta = {
            "cycle": cycle,
            "inner_attempt": attempt,
            "genes": {k: len(v) for k, v in pools.items()},
            "balance": infos,
            "pools": pools,
        }
        return out, meta
    return None


def make_cv23(
    labels: np.ndarray,
    num_genes: int,
    seed: int,
    n_folds: int = N_FOLDS,
    max_cycles: int = MAX_CYCLES,
    negatives: str = "random",
    degree: np.ndarray | None = None,
) -> tuple[Splits, dict[str, Any]]:
    """CV2 and CV3 folds (gene-disjoint), sharing one train set per fold.

    Args:
        labels: int64 [N, 3], unbalanced, no duplicate pairs.
        num_genes: G, universe size (gene indices are < G).
        seed: the context seed.
        max_cycles: bound on re-partitioning for folds whose subsets come out empty.
        negatives, degree: generated-negative scheme, as :func:`make_cv1`.

    Returns:
        (splits with keys (2, k) and (3, k) for every fold that succeeded, info). ``info``
        has per-fold balancing counts, the cycle that produced each fold (0 = first
        partition), ``"missing"``: folds that failed after ``max_cycles``, and
        ``"gene_sets"``: ``{fold: {"A", "V", "T": int64 gene indices}}`` (arrays, not JSON;
        :func:`make_splits` moves them out of the info).
    """
    labels = np.asarray(labels, dtype=np.int64).reshape(-1, 3)
    genes = np.unique(labels[:, :2])
    if len(genes) < n_folds * 2 or len(genes) * (n_folds - 1) // n_folds < N_INNER:
        raise SynleafError(
            f"too few labelled genes ({len(genes)}) for gene-disjoint CV2/CV3; "
            "use a label table with more genes in this gene universe"
        )
    known = pair_keys(labels[:, 0], labels[:, 1])
    results: dict[int, tuple[dict[str, np.ndarray], dict[str, Any]]] = {}
    queue: list[int] = []
    outer = KFold(n_splits=n_folds, shuffle=True, random_state=random_state(seed, 2, 0, 0))
    for k, (tr, te) in enumerate(outer.split(genes), 1):
        res = _try_fold(labels, known, num_genes, genes, tr, te, seed, k, 0, negatives, degree)
        if res is None:
            queue.append(k)
        else:
            results[k] = res
    cycle = 0
    while queue and cycle < max_cycles:
        cycle += 1
        k = queue.pop(0)
        outer = KFold(n_splits=n_folds, shuffle=True, random_state=random_state(seed, 2, 0, cycle))
        for tr, te in outer.split(genes):
            res = _try_fold(
                labels, known, num_genes, genes, tr, te, seed, k, cycle, negatives, degree
            )
            if res is not None:
                results[k] = res
                break
        else:
            queue.append(k)
    splits: Splits = {}
    folds: dict[str, Any] = {}
    gene_sets: dict[int, dict[str, np.ndarray]] = {}
    for k in sorted(results):
        out, meta = results[k]
        splits[(2, k)] = {"train": out["train"], "val": out["val2"], "test": out["test2"]}
        splits[(3, k)] = {"train": out["train"], "val": out["val3"], "test": out["test3"]}
        gene_sets[k] = meta.pop("pools")
        folds[str(k)] = meta
    info = {
        "folds": folds,
        "cycles_used": cycle,
        "missing": sorted(queue),
        "retried": sorted(k for k in results if results[k][1]["cycle"] > 0),
        "gene_sets": gene_sets,
    }
    return splits, info


# ----------------------------------------------------------------------


def make_splits(
    labels: np.ndarray,
    num_genes: int,
    seed: int,
    negatives: str = "random",
    degree: np.ndarray | None = None,
) -> tuple[Splits, dict[str, Any], dict[int, dict[str, np.ndarray]]]:
    """All splits of a context: CV1, CV2 and CV3, folds 1..5.

    ``negatives`` (``"random"``, default, or ``"matched"``) and ``degree`` (int [G]
    annotation degree, needed for ``"matched"``) choose how generated negatives are drawn
    (:mod:`.matched`).

    Returns:
        (splits ``{(cv, fold): {"train"|"val"|"test": int64 [n, 3]}}``, JSON-able info with
        ``"cv1"``, ``"cv23"`` and ``"sizes"`` (per cv/fold/part: n, pos, neg), CV2/CV3 gene
        sets ``{fold: {"A", "V", "T": int64 gene indices}}``).
    """
    splits, info1 = make_cv1(labels, num_genes, seed, negatives=negatives, degree=degree)
    s23, info23 = make_cv23(labels, num_genes, seed, negatives=negatives, degree=degree)
    gene_sets = info23.pop("gene_sets")
    splits.update(s23)
    sizes = {
        f"cv{cv}_fold{k}": {p: _subset_counts(a) for p, a in parts.items()}
        for (cv, k), parts in sorted(splits.items())
    }
    return splits, {"seed": int(seed), "cv1": info1, "cv23": info23, "sizes": sizes}, gene_sets
