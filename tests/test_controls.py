"""Re-paired controls: degree-preserving, never a known pair, deterministic per seed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synleaf_desktop.data.controls import auc, repaired_auc, repaired_controls


def _random_pairs(rng, n_genes, n_pairs, hub_weight=3.0):
    w = rng.random(n_genes) ** hub_weight  # a few popular genes, as in SL labels
    w /= w.sum()
    seen, out = set(), []
    while len(out) < n_pairs:
        a, b = rng.choice(n_genes, 2, replace=False, p=w)
        k = (min(a, b), max(a, b))
        if k not in seen:
            seen.add(k)
            out.append(k)
    return np.array(out, dtype=np.int64)


def _check(pos, exclude, draws, dropped):
    banned = {tuple(sorted(p)) for p in pos.tolist()} | {
        tuple(sorted(p)) for p in np.asarray(exclude).tolist()
    }
    deg = np.bincount(pos.ravel(), minlength=pos.max() + 1)
    for d, lost in zip(draws, dropped, strict=True):
        keys = [tuple(p) for p in d.tolist()]
        assert all(a < b for a, b in keys), "self-pair or unsorted row"
        assert len(set(keys)) == len(keys), "duplicate control"
        assert not (set(keys) & banned), "a control is a known pair"
        got = np.bincount(d.ravel(), minlength=len(deg))
        assert (got <= deg).all()
        assert int((deg - got).sum()) == lost  # degree kept except for the dropped stubs
        assert len(d) == len(pos) - lost // 2


@settings(max_examples=40, deadline=None, database=None)
@given(st.integers(0, 2**31 - 1), st.integers(10, 60), st.integers(5, 120))
def test_degree_preserving_and_excludes_known(seed, n_genes, n_pairs):
    rng = np.random.default_rng(seed)
    n_pairs = min(n_pairs, n_genes * (n_genes - 1) // 4)
    pos = _random_pairs(rng, n_genes, n_pairs)
    exclude = _random_pairs(rng, n_genes, n_pairs // 2 + 1)
    draws, dropped = repaired_controls(pos, exclude, n_draws=3, seed=seed, return_dropped=True)
    assert len(draws) == 3
    _check(pos, exclude, draws, dropped)


def test_exact_degree_on_an_easy_case():
    rng = np.random.default_rng(1)
    pos = _random_pairs(rng, 500, 300, hub_weight=1.0)
    draws, dropped = repaired_controls(
        pos, {(0, 1), (2, 3)}, n_draws=3, seed=5, return_dropped=True
    )
    assert dropped == [0, 0, 0]
    deg = np.bincount(pos.ravel(), minlength=500)
    for d in draws:
        assert np.array_equal(np.bincount(d.ravel(), minlength=500), deg)


def test_hub_stubs_are_dropped_and_counted():
    # gene 0 is in 5 of 6 pairs: at most one of its stubs can pair with a non-0 stub per
    # other pair, and every (0, x) already is a positive -> most of its stubs are dropped
    pos = np.array([[0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [6, 7]])
    draws, dropped = repaired_controls(pos, None, n_draws=2, seed=0, return_dropped=True)
    _check(pos, np.zeros((0, 2), np.int64), draws, dropped)
    assert all(x > 0 for x in dropped)


def test_deterministic_per_seed():
    pos = _random_pairs(np.random.default_rng(3), 200, 150)
    a = repaired_controls(pos, None, n_draws=3, seed=11)
    b = repaired_controls(pos, None, n_draws=3, seed=11)
    c = repaired_controls(pos, None, n_draws=3, seed=12)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c, strict=True))
    assert not np.array_equal(a[0], a[1])  # draws differ


def test_repaired_auc_gene_score_is_half():
    rng = np.random.default_rng(0)
    pos = _random_pairs(rng, 300, 400)
    gene_value = rng.random(300)
    draws = repaired_controls(pos, None, n_draws=3, seed=0)

    def gene_only(p):  # symmetric in the genes: knows nothing of the pair
        return gene_value[p[:, 0]] + gene_value[p[:, 1]]

    res = repaired_auc(gene_only, pos, draws)
    assert res["mean"] == pytest.approx(0.5, abs=0.05)
    assert len(res["aucs"]) == 3 and res["n_pos"] == 400

    known = {tuple(p) for p in pos.tolist()}

    def oracle(p):
        return np.array([1.0 if (min(a, b), max(a, b)) in known else 0.0 for a, b in p.tolist()])

    assert repaired_auc(oracle, pos, draws)["mean"] == 1.0
    s_pos = oracle(pos)
    res2 = repaired_auc(s_pos, pos, draws, control_scores=[oracle(d) for d in draws])
    assert res2["aucs"] == [1.0, 1.0, 1.0]


def test_auc_by_hand():
    # pairs (pos, neg): 3 > 1, 3 > 2, 2 > 1, 2 = 2 (half) -> 3.5 / 4
    assert auc([3, 2], [1, 2]) == pytest.approx(3.5 / 4)
