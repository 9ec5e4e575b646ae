"""1:1 balancing and random negatives (synleaf_desktop.data.balance)."""

from __future__ import annotations

import numpy as np
import pytest

from synleaf_desktop.data import pairs
from synleaf_desktop.data.balance import (
    balance_subset,
    balance_whole,
    draw_negatives,
    keys_to_pairs,
    pair_keys,
)


def _labels(n_pos: int, n_neg: int, genes: int, seed: int = 0) -> np.ndarray:
    """Distinct unordered pairs over ``genes`` genes, random orientation."""
    rng = np.random.default_rng(seed)
    seen: set[tuple[int, int]] = set()
    rows = []
    while len(rows) < n_pos + n_neg:
        a, b = (int(x) for x in rng.choice(genes, 2, replace=False))
        if (min(a, b), max(a, b)) in seen:
            continue
        seen.add((min(a, b), max(a, b)))
        rows.append((a, b, 1 if len(rows) < n_pos else 0))
    return np.array(rows, dtype=np.int64)


def _keys(arr: np.ndarray) -> np.ndarray:
    return pair_keys(arr[:, 0], arr[:, 1])


def test_pair_keys_unordered_and_invertible():
    a = np.array([3, 7, 0, 12])
    b = np.array([7, 3, 12, 0])
    k = pair_keys(a, b)
    assert k[0] == k[1] and k[2] == k[3] and k[0] != k[2]
    np.testing.assert_array_equal(
        keys_to_pairs(k), np.column_stack([np.minimum(a, b), np.maximum(a, b)])
    )


def test_undersample_keeps_all_positives_and_a_subset_of_negatives():
    lab = _labels(20, 90, 60)
    out, info = balance_whole(lab, 60, np.random.default_rng(1))
    assert info.positives == 20 and info.negatives_after == 20 and info.undersampled == 70
    assert info.generated == 0 and info.shortfall == 0 and info.method == "undersample"
    assert (out[:, 2] == 1).sum() == 20 and (out[:, 2] == 0).sum() == 20
    assert set(map(tuple, out.tolist())) <= set(map(tuple, lab.tolist()))
    assert set(map(tuple, lab[lab[:, 2] == 1].tolist())) <= set(map(tuple, out.tolist()))
    # sorted by (gene1, gene2)
    assert np.all(np.lexsort((out[:, 1], out[:, 0])) == np.arange(len(out)))


def test_generate_negatives_never_collide_in_either_order():
    lab = _labels(300, 40, 50, seed=3)
    lab[::2, :2] = lab[::2, 1::-1]  # half the pairs reversed
    out, info = balance_whole(lab, 50, np.random.default_rng(7))
    assert info.generated == 260 and info.shortfall == 0
    assert (out[:, 2] == 1).sum() == (out[:, 2] == 0).sum() == 300
    gen = out[~np.isin(_keys(out), _keys(lab))]
    assert len(gen) == 260 and np.all(gen[:, 2] == 0)
    assert np.all(gen[:, 0] != gen[:, 1])
    assert np.all(gen[:, 0] < gen[:, 1])  # written in name order
    assert len(np.unique(_keys(out))) == len(out)  # no duplicates, either order
    assert gen.min() >= 0 and gen.max() < 50


def test_generate_with_rejection_sampling_path():
    lab = _labels(3000, 100, 2000, seed=4)  # 2000^2 > ENUM_LIMIT: sampled, not enumerated
    out, info = balance_whole(lab, 2000, np.random.default_rng(0))
    assert info.method == "sample" and info.generated == 2900 and info.shortfall == 0
    assert len(np.unique(_keys(out))) == len(out)
    new = ~np.isin(_keys(out), _keys(lab))
    assert new.sum() == 2900 and np.all(out[new, 2] == 0)


def test_shortfall_when_the_universe_is_too_small():
    # 5 genes: 10 unordered pairs; 8 positives + 1 negative leave 1 free pair, 7 needed
    lab = _labels(8, 1, 5, seed=1)
    out, info = balance_whole(lab, 5, np.random.default_rng(0))
    assert info.generated == 1 and info.shortfall == 6
    assert (out[:, 2] == 0).sum() == 2


def test_same_generator_seed_same_result_and_no_global_rng():
    lab = _labels(200, 30, 80, seed=2)
    np.random.seed(1)
    a, _ = balance_whole(lab, 80, np.random.default_rng(11))
    np.random.seed(2)
    b, _ = balance_whole(lab, 80, np.random.default_rng(11))
    c, _ = balance_whole(lab, 80, np.random.default_rng(12))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_balance_subset_pools_forbidden_and_no_self_pairs():
    A = np.arange(0, 30)
    V = np.arange(30, 36)
    pos = np.array(
        [[a, v, 1] for a, v in zip(range(0, 24), [30, 31, 32, 33, 34, 35] * 4, strict=True)],
        dtype=np.int64,
    )
    forbidden = pair_keys(np.array([35, 1]), np.array([0, 31]))  # known pairs elsewhere
    out, info = balance_subset(pos, A, V, forbidden, np.random.default_rng(5))
    neg = out[out[:, 2] == 0]
    assert info.generated == 24 and info.shortfall == 0 and len(neg) == 24
    lo, hi = neg[:, 0], neg[:, 1]
    assert np.all(np.isin(lo, A) & np.isin(hi, V))  # one gene from each pool
    assert not np.isin(_keys(neg), np.concatenate([forbidden, _keys(pos)])).any()
    # same pool: never a self-pair
    out2, _info2 = balance_subset(
        pos[:5], np.arange(4), np.arange(4), np.empty(0, np.int64), np.random.default_rng(0)
    )
    neg2 = out2[out2[:, 2] == 0]
    assert np.all(neg2[:, 0] != neg2[:, 1]) and np.all(np.isin(neg2[:, :2], np.arange(4)))


def test_balance_subset_shortfall_with_tiny_pools():
    pos = np.array([[0, 1, 1], [0, 2, 1], [1, 2, 1]], dtype=np.int64)
    # pools {0} x {0}: only the self-pair, which is never drawn
    out, info = balance_subset(
        pos, np.array([0]), np.array([0]), _keys(pos), np.random.default_rng(0)
    )
    assert info.generated == 0 and info.shortfall == 3 and len(out) == 3
    # pools {0,1,2,3} x same: 6 pairs, 3 known -> 3 free, exactly enough
    out, info = balance_subset(
        pos, np.arange(4), np.arange(4), _keys(pos), np.random.default_rng(0)
    )
    assert info.generated == 3 and info.shortfall == 0
    assert set(map(tuple, out[out[:, 2] == 0, :2].tolist())) == {(0, 3), (1, 3), (2, 3)}


def test_rejection_sampling_gives_up_instead_of_looping(monkeypatch):
    monkeypatch.setattr(pairs, "ENUM_LIMIT", 0)  # force sampling on a tiny pool
    got, method = draw_negatives(
        np.arange(3), np.arange(3), 10, np.empty(0, np.int64), np.random.default_rng(0)
    )
    assert method == "sample" and len(got) == 3  # only 3 distinct pairs exist


@pytest.mark.parametrize("n_pos,n_neg", [(0, 5), (4, 4), (0, 0)])
def test_edge_counts(n_pos, n_neg):
    lab = _labels(n_pos, n_neg, 20)
    out, info = balance_whole(lab, 20, np.random.default_rng(0))
    assert (out[:, 2] == 1).sum() == n_pos and (out[:, 2] == 0).sum() == n_pos
    assert len(out) == 2 * n_pos and info.shortfall == 0 and info.generated == 0


def test_generated_orientation_follows_reverse_fraction():
    lab = _labels(2000, 10, 400, seed=6)
    out0, _ = balance_whole(lab, 400, np.random.default_rng(0))
    out5, info = balance_whole(lab, 400, np.random.default_rng(0), reverse_fraction=0.3)
    gen = out5[~np.isin(_keys(out5), _keys(lab))]
    assert len(gen) == info.generated == 1990
    assert 0.25 < np.mean(gen[:, 0] > gen[:, 1]) < 0.35
    gen0 = out0[~np.isin(_keys(out0), _keys(lab))]
    assert np.all(gen0[:, 0] < gen0[:, 1])
    # the same unordered pairs whatever the orientation
    assert set(_keys(gen).tolist()) == set(_keys(gen0).tolist())
