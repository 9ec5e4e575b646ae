"""Pairs of genes as int64 keys, and drawing random negative pairs (numpy only).

A pair of gene indices (a, b) is stored as one unordered key ``min * base + max``
(:func:`pair_keys`), so "exists in either order" is one membership test on int64 keys. The
label balancing (:mod:`.balance`), matched negatives (:mod:`.matched`), the splits and the
scoring layer's label sets (``scoring.labels``, base = the context's gene count) all use it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: multiplier of the unordered pair key; gene indices must be below it.
KEY_BASE = np.int64(1 << 31)

#: ordered candidate spaces up to this size are enumerated exactly instead of sampled.
ENUM_LIMIT = 1 << 20

#: batches of rejection sampling before giving up (each batch draws ~2x what is missing).
MAX_ROUNDS = 64


def pair_keys(g1: np.ndarray, g2: np.ndarray, base: int | np.int64 = KEY_BASE) -> np.ndarray:
    """Unordered pair keys.

    Args:
        g1, g2: int arrays [n] of gene indices (each < ``base``).
        base: the multiplier (default :data:`KEY_BASE`; the scoring layer uses the context's
            gene count, which keeps its keys small).

    Returns:
        int64 [n]: ``min * base + max``; equal for (a, b) and (b, a).
    """
    g1 = np.asarray(g1, dtype=np.int64)
    g2 = np.asarray(g2, dtype=np.int64)
    return np.minimum(g1, g2) * np.int64(base) + np.maximum(g1, g2)


def keys_to_pairs(keys: np.ndarray) -> np.ndarray:
    """Inverse of :func:`pair_keys`: int64 [n] -> int64 [n, 2] as (lo, hi)."""
    keys = np.asarray(keys, dtype=np.int64)
    return np.stack([keys // KEY_BASE, keys % KEY_BASE], axis=1)


def sort_pairs(pairs: np.ndarray) -> np.ndarray:
    """Sort [n, 3] pairs by (gene1, gene2) index, i.e. by gene names (stable)."""
    if len(pairs) == 0:
        return pairs.reshape(0, 3).astype(np.int64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return pairs[order]


def in_sorted(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """bool [n]: membership of ``values`` in a sorted unique array."""
    if len(sorted_unique) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_unique, values)
    pos[pos == len(sorted_unique)] = 0
    return sorted_unique[pos] == values


def first_unique(keys: np.ndarray) -> np.ndarray:
    """Distinct keys in order of first occurrence."""
    _, first = np.unique(keys, return_index=True)
    return keys[np.sort(first)]


def draw_negatives(
    pool_a: np.ndarray,
    pool_b: np.ndarray,
    need: int,
    forbidden_keys: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, str]:
    """Draw ``need`` distinct random pairs with one gene from each pool.

    Self-pairs (a, a) are never drawn. A pair whose key is in ``forbidden_keys`` (known
    pairs in either order, pairs already placed) is rejected, and so are duplicates.

    Args:
        pool_a, pool_b: int arrays of gene indices (may overlap or be equal).
        need: number of pairs wanted (>= 0).
        forbidden_keys: int64 keys (:func:`pair_keys`) that must not be produced.
        rng: the generator to draw from.

    Returns:
        (pairs int64 [m, 2] as (lo, hi), method), with ``m <= need``; ``m < need`` only
        when the allowed pairs ran out (exactly, for enumerated pools) or sampling hit its
        round limit.
    """
    pool_a = np.unique(np.asarray(pool_a, dtype=np.int64))
    pool_b = np.unique(np.asarray(pool_b, dtype=np.int64))
    if need <= 0 or len(pool_a) == 0 or len(pool_b) == 0:
        return np.empty((0, 2), dtype=np.int64), "equal" if need <= 0 else "enumerate"
    forbidden = np.unique(np.asarray(forbidden_keys, dtype=np.int64))
    if len(pool_a) * len(pool_b) <= ENUM_LIMIT:
        a = np.repeat(pool_a, len(pool_b))
        b = np.tile(pool_b, len(pool_a))
        ok = a != b
        keys = np.unique(pair_keys(a[ok], b[ok]))
        keys = keys[~in_sorted(keys, forbidden)]
        if len(keys) > need:
            keys = keys[rng.permutation(len(keys))[:need]]
        else:
            keys = keys[rng.permutation(len(keys))]
        return keys_to_pairs(keys), "enumerate"

    def draw(m: int) -> tuple[np.ndarray, np.ndarray]:
        return (
            pool_a[rng.integers(0, len(pool_a), size=m)],
            pool_b[rng.integers(0, len(pool_b), size=m)],
        )

    return keys_to_pairs(rejection_sample(draw, need, forbidden)), "sample"


def rejection_sample(
    draw: Callable[[int], tuple[np.ndarray, np.ndarray]], need: int, forbidden: np.ndarray
) -> np.ndarray:
    """Distinct allowed pair keys from batches of candidates (shared by the random and
    matched schemes).

    Args:
        draw: ``draw(m) -> (a, b)``, two int64 arrays [m] of candidate genes (it holds the RNG).
        need: keys wanted.
        forbidden: sorted unique int64 keys that must not be produced.

    Returns:
        int64 [<= need] keys in acceptance order: no self-pairs, nothing forbidden, no
        duplicates; fewer than ``need`` only after :data:`MAX_ROUNDS` batches.
    """
    accepted = np.empty(0, dtype=np.int64)
    for _ in range(MAX_ROUNDS):
        missing = need - len(accepted)
        if missing <= 0:
            break
        a, b = draw(min(2 * missing + 64, 1 << 22))
        ok = a != b
        keys = pair_keys(a[ok], b[ok])
        keys = keys[~in_sorted(keys, forbidden)]
        keys = first_unique(keys)
        if len(accepted):
            keys = keys[~np.isin(keys, accepted)]
        accepted = np.concatenate([accepted, keys[:missing]])
    return accepted


def orient(drawn: np.ndarray, reverse_fraction: float, rng: np.random.Generator) -> np.ndarray:
    """(lo, hi) pairs, a random ``reverse_fraction`` of them swapped to (hi, lo)."""
    if reverse_fraction <= 0 or len(drawn) == 0:
        return drawn
    flip = rng.random(len(drawn)) < reverse_fraction
    out = drawn.copy()
    out[flip] = drawn[flip][:, ::-1]
    return out
