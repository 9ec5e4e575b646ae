"""Re-paired controls: does a score rank pairs, or only genes?

The controls of a fold are its test positives with their genes re-paired among themselves:
every gene keeps its number of appearances (its degree among the test positives), so a
score that only knows which genes are "SL-popular" gives the controls the same scores as
the positives, and its AUC positives-vs-controls is 0.5. An AUC well above 0.5 means the
score knows something about the *pair*.

Re-pairing is stub matching: the 2n gene stubs of n positive pairs are shuffled and paired
off; a pair is rejected if it is a self-pair, a duplicate within the draw, or a known pair
(any SL or non-SL label of any table or context, and the test positives themselves). The
stubs of rejected pairs are then repaired by double-edge swaps with random accepted pairs
((a, b), (c, d) -> (a, c), (b, d) or (a, d), (b, c), both new pairs valid) for up to
``max_tries`` random partners each, then by reshuffling the remaining rejected stubs among
themselves. **Stubs still unmatched after that are dropped and counted** (returned with
``return_dropped=True``); a gene present in more than half of the positives cannot be fully
re-paired, so controls can be slightly fewer than positives. Each draw uses its own
``numpy.random.Generator`` from ``SeedSequence([seed, draw])``: deterministic per seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np


def _keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    return np.minimum(a, b) * n + np.maximum(a, b)


def _exclude_keys(exclude: Any, n: int) -> np.ndarray:
    if exclude is None:
        return np.zeros(0, np.int64)
    if isinstance(exclude, (set, frozenset, list, tuple)):
        arr = (
            np.array(list(exclude), dtype=np.int64).reshape(-1, 2)
            if len(exclude)
            else np.zeros((0, 2), np.int64)
        )
    else:
        arr = np.asarray(exclude, np.int64).reshape(-1, np.asarray(exclude).shape[-1])[:, :2]
    arr = arr[(arr >= 0).all(axis=1) & (arr < n).all(axis=1)]
    return np.unique(_keys(arr[:, 0], arr[:, 1], n))


def repaired_controls(
    test_pos: np.ndarray,
    exclude: Any = None,
    n_draws: int = 3,
    seed: int = 0,
    max_tries: int = 200,
    return_dropped: bool = False,
) -> list[np.ndarray] | tuple[list[np.ndarray], list[int]]:
    """Degree-preserving re-pairings of the test positives.

    Args:
        test_pos: int [n, 2] (extra columns, e.g. a label, are ignored) gene indices of the
            fold's test positives.
        exclude: known pairs never to use as controls: a set/list of (i, j) tuples or an
            int array [m, >=2] (order-free; pairs with an index outside the genes of
            ``test_pos`` cannot occur and are ignored). The test positives are always excluded.
        n_draws: independent draws. seed: base seed.
        max_tries: random swap partners tried per rejected pair.
        return_dropped: also return the number of stubs dropped per draw.

    Returns:
        list of ``n_draws`` int64 arrays [m, 2], m <= n (``m = n - dropped / 2``), rows
        ``(min, max)`` sorted; with ``return_dropped``, ``(draws, dropped stubs per draw)``.
    """
    pos = np.asarray(test_pos, np.int64).reshape(len(test_pos), -1)[:, :2]
    if len(pos) == 0:
        out: list[np.ndarray] = [np.zeros((0, 2), np.int64) for _ in range(n_draws)]
        return (out, [0] * n_draws) if return_dropped else out
    n = int(pos.max()) + 1
    banned = np.union1d(_exclude_keys(exclude, n), _keys(pos[:, 0], pos[:, 1], n))
    draws, dropped = [], []
    for d in range(n_draws):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), d]))
        pairs, lost = _one_draw(pos.ravel(), banned, n, rng, max_tries)
        draws.append(pairs)
        dropped.append(lost)
    return (draws, dropped) if return_dropped else draws


def _one_draw(
    stubs: np.ndarray, banned: np.ndarray, n: int, rng: np.random.Generator, max_tries: int
) -> tuple[np.ndarray, int]:
    s = rng.permutation(stubs)
    a, b = s[0::2].copy(), s[1::2].copy()
    keys = _keys(a, b, n)
    ok = (a != b) & ~np.isin(keys, banned)
    # duplicates within the draw: keep the first occurrence
    _, first = np.unique(np.where(ok, keys, -1 - np.arange(len(keys))), return_index=True)
    dup = np.ones(len(keys), bool)
    dup[first] = False
    ok &= ~dup
    used = set(keys[ok].tolist())
    banned_set = set(banned.tolist())

    def valid(x: int, y: int) -> bool:
        if x == y:
            return False
        k = min(x, y) * n + max(x, y)
        return k not in used and k not in banned_set

    bad = [int(i) for i in np.flatnonzero(~ok)]
    good = [int(i) for i in np.flatnonzero(ok)]
    left: list[int] = []
    for i in bad:
        x, y = int(a[i]), int(b[i])
        fixed = False
        if good:
            for j in rng.integers(0, len(good), size=min(max_tries, len(good) * 2)).tolist():
                g = good[j]
                c, e = int(a[g]), int(b[g])
                old = min(c, e) * n + max(c, e)
                used.discard(old)
                for p, q, r, t in ((x, c, y, e), (x, e, y, c)):
                    if (
                        valid(p, q)
                        and (min(p, q), max(p, q)) != (min(r, t), max(r, t))
                        and valid(r, t)
                    ):
                        a[i], b[i], a[g], b[g] = p, q, r, t
                        used.add(min(p, q) * n + max(p, q))
                        used.add(min(r, t) * n + max(r, t))
                        good.append(i)
                        fixed = True
                        break
                if fixed:
                    break
                used.add(old)
        if not fixed:
            left.append(i)
    # last resort: reshuffle the leftover stubs among themselves, a few rounds
    rest = np.array([v for i in left for v in (a[i], b[i])], dtype=np.int64)
    extra: list[tuple[int, int]] = []
    for _ in range(20):
        if len(rest) < 2:
            break
        rest = rng.permutation(rest)
        keep = np.ones(len(rest), bool)
        for k in range(0, len(rest) - 1, 2):
            x, y = int(rest[k]), int(rest[k + 1])
            if valid(x, y):
                used.add(min(x, y) * n + max(x, y))
                extra.append((x, y))
                keep[k] = keep[k + 1] = False
        rest = rest[keep]
    pairs = np.array([(a[i], b[i]) for i in good] + extra, dtype=np.int64).reshape(-1, 2)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return pairs, len(rest)


def auc(pos_scores: np.ndarray, neg_scores: np.ndarray) -> float:
    """ROC AUC of positives vs negatives (ties count 1/2); NaN if either side is empty."""
    from sklearn.metrics import roc_auc_score

    pos_scores, neg_scores = np.asarray(pos_scores, float), np.asarray(neg_scores, float)
    if len(pos_scores) == 0 or len(neg_scores) == 0:
        return float("nan")
    y = np.r_[np.ones(len(pos_scores)), np.zeros(len(neg_scores))]
    return float(roc_auc_score(y, np.r_[pos_scores, neg_scores]))


def repaired_auc(
    score: Callable[[np.ndarray], np.ndarray] | np.ndarray,
    test_pos: np.ndarray,
    controls: Sequence[np.ndarray],
    control_scores: Iterable[np.ndarray] | None = None,
) -> dict[str, Any]:
    """AUC of the test positives against each control draw (sklearn ``roc_auc_score``).

    Args:
        score: a function ``pairs int [n, 2] -> float [n]``, or the positives' scores [n]
            (then pass ``control_scores``, one array per draw).
        test_pos: int [n, 2] positives. controls: the draws of :func:`repaired_controls`.

    Returns:
        ``{"mean", "sd" (ddof 0), "aucs": [per draw], "n_pos", "n_controls": [per draw]}``.
    """
    pos = np.asarray(test_pos, np.int64)[:, :2]
    if callable(score):
        s_pos = np.asarray(score(pos), float)
        s_ctl = [np.asarray(score(c), float) for c in controls]
    else:
        s_pos = np.asarray(score, float)
        if control_scores is None:
            raise ValueError("pass control_scores with precomputed positive scores")
        s_ctl = [np.asarray(c, float) for c in control_scores]
    aucs = [auc(s_pos, c) for c in s_ctl]
    ok = [
        a for a in aucs if not np.isnan(a)
    ]  # a draw with no control (all stubs dropped) gives NaN
    return {
        "mean": float(np.mean(ok)) if ok else float("nan"),
        "sd": float(np.std(ok)) if ok else float("nan"),
        "aucs": aucs,
        "n_pos": len(pos),
        "n_controls": [len(c) for c in controls],
    }
