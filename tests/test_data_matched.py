"""Generated negatives matched on annotation count (synleaf_desktop.data.matched)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop.data.balance import balance_subset, balance_whole, pair_keys
from synleaf_desktop.data.build import build_context, format_tables
from synleaf_desktop.data.matched import (
    annotation_degree,
    degree_bin_edges,
    degree_ks,
    draw_matched_negatives,
    merge_bins,
    negatives_summary,
)
from synleaf_desktop.data.splits import context_seed, make_splits

G = 1500  # G*G > balance.ENUM_LIMIT: whole-universe draws use rejection sampling


def _degree(seed: int = 0) -> np.ndarray:
    """Heavy-tailed annotation counts [G] (1 ... ~300), like GO/KEGG counts."""
    rng = np.random.default_rng(seed)
    return np.clip(np.round(rng.lognormal(2.5, 1.0, G)), 1, 300).astype(np.int64)


def _labels(degree: np.ndarray, n_pos: int, n_neg: int, seed: int = 0) -> np.ndarray:
    """Distinct pairs; positives' genes drawn with probability ~ degree^1.5 (well-studied genes),
    negatives' genes uniformly."""
    rng = np.random.default_rng(seed)
    p = degree.astype(float) ** 1.5
    p /= p.sum()
    seen: set[int] = set()
    rows = []
    while len(rows) < n_pos + n_neg:
        is_pos = len(rows) < n_pos
        a, b = (int(x) for x in rng.choice(G, 2, replace=False, p=p if is_pos else None))
        k = min(a, b) * G + max(a, b)
        if k in seen:
            continue
        seen.add(k)
        rows.append((min(a, b), max(a, b), int(is_pos)))
    return np.array(rows, dtype=np.int64)


def _keys(a: np.ndarray) -> np.ndarray:
    return pair_keys(a[:, 0], a[:, 1])


def _generated(out: np.ndarray, lab: np.ndarray) -> np.ndarray:
    return out[~np.isin(_keys(out), _keys(lab))]


@pytest.fixture(scope="module")
def data():
    deg = _degree()
    return deg, _labels(deg, 900, 100, seed=1)


def test_matched_degrees_follow_positives_much_closer_than_random(data):
    deg, lab = data
    pos = lab[lab[:, 2] == 1]
    rnd, ri = balance_whole(lab, G, np.random.default_rng(3))
    mat, mi = balance_whole(lab, G, np.random.default_rng(3), negatives="matched", degree=deg)
    assert ri.method == "sample" and mi.method == "matched-sample"
    assert ri.generated == mi.generated == 800 and mi.shortfall == 0
    ks_random = degree_ks(deg, pos[:, :2], _generated(rnd, lab)[:, :2])
    ks_matched = degree_ks(deg, pos[:, :2], _generated(mat, lab)[:, :2])
    assert ks_random > 0.3, ks_random
    assert ks_matched < 0.06, ks_matched
    med_pos = np.median(deg[pos[:, :2]])
    assert abs(np.median(deg[_generated(mat, lab)[:, :2]]) - med_pos) <= 0.15 * med_pos
    # the "annotation count only" score separates random negatives, not matched ones
    from sklearn.metrics import roc_auc_score

    def auc(arr):
        return roc_auc_score(arr[:, 2], np.log(deg[arr[:, 0]]) + np.log(deg[arr[:, 1]]))

    only_gen = lambda out: np.concatenate([pos, _generated(out, lab)])  # noqa: E731
    assert auc(only_gen(rnd)) > 0.8 and 0.4 < auc(only_gen(mat)) < 0.6


def test_quantile_bins_also_match(data):
    deg, lab = data
    pos = lab[lab[:, 2] == 1]
    drawn, method = draw_matched_negatives(
        np.arange(G),
        np.arange(G),
        800,
        _keys(lab),
        np.random.default_rng(0),
        deg,
        pos[:, :2],
        n_bins=10,
    )
    assert method == "matched-sample" and len(drawn) == 800
    assert degree_ks(deg, pos[:, :2], drawn) < 0.12
    edges = degree_bin_edges(deg[pos[:, :2]].ravel(), 10)
    assert 1 <= len(edges) <= 9 and np.all(np.diff(edges) > 0)
    exact = degree_bin_edges(np.array([1, 3, 3, 10]), None)
    np.testing.assert_array_equal(exact, [2.0, 6.5])


def test_merge_bins_groups_of_min_size():
    np.testing.assert_array_equal(
        merge_bins(np.array([3, 0, 4, 9, 1, 1, 2, 5]), 5), [0, 0, 0, 1, 2, 2, 2, 2]
    )
    np.testing.assert_array_equal(merge_bins(np.array([3, 0, 4, 9, 1, 1]), 5), [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(merge_bins(np.array([1, 1]), 5), [0, 0])
    np.testing.assert_array_equal(merge_bins(np.array([5, 5, 0]), 1), [0, 1, 1])


def test_no_collisions_with_known_pairs_either_order(data):
    deg, lab = data
    lab = lab.copy()
    lab[::2, :2] = lab[::2, 1::-1]  # half the known pairs written in reverse
    out, info = balance_whole(lab, G, np.random.default_rng(5), negatives="matched", degree=deg)
    gen = _generated(out, lab)
    assert len(gen) == info.generated == 800 and np.all(gen[:, 2] == 0)
    assert np.all(gen[:, 0] != gen[:, 1]) and gen.min() >= 0 and gen.max() < G
    assert len(np.unique(_keys(out))) == len(out)  # no duplicates in either order
    assert (out[:, 2] == 1).sum() == (out[:, 2] == 0).sum() == 900


def test_deterministic_with_the_generator(data):
    deg, lab = data
    a, _ = balance_whole(lab, G, np.random.default_rng(11), negatives="matched", degree=deg)
    b, _ = balance_whole(lab, G, np.random.default_rng(11), negatives="matched", degree=deg)
    c, _ = balance_whole(lab, G, np.random.default_rng(12), negatives="matched", degree=deg)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_default_is_random_and_unchanged(data):
    deg, lab = data
    base, bi = balance_whole(lab, G, np.random.default_rng(2))
    same, si = balance_whole(
        lab, G, np.random.default_rng(2), negatives="random", degree=deg[::-1].copy()
    )
    np.testing.assert_array_equal(base, same)
    assert bi.as_dict() == si.as_dict()
    s1, i1, _ = make_splits(lab, G, context_seed("X"))
    s2, i2, _ = make_splits(lab, G, context_seed("X"), negatives="random", degree=deg)
    assert sorted(s1) == sorted(s2) and i1 == i2
    assert all(np.array_equal(s1[k][p], s2[k][p]) for k in s1 for p in s1[k])
    s3, _, _ = make_splits(lab, G, context_seed("X"), negatives="matched", degree=deg)
    assert not np.array_equal(s1[(1, 1)]["test"], s3[(1, 1)]["test"])


def test_bad_scheme_or_missing_degree(data):
    deg, lab = data
    with pytest.raises(ValueError, match="choose from random, matched"):
        balance_whole(lab, G, np.random.default_rng(0), negatives="uniform", degree=deg)
    with pytest.raises(ValueError, match="annotation degree"):
        balance_whole(lab, G, np.random.default_rng(0), negatives="matched")


def test_enumerated_small_pools_subset_balancing(data):
    deg, lab = data
    pos = lab[lab[:, 2] == 1]
    genes = np.unique(pos[:, :2])
    pool_a, pool_b = genes[::2], genes[1::2]  # small pools: exact enumeration path
    in_a, in_b = np.isin(lab[:, 0], pool_a), np.isin(lab[:, 1], pool_b)
    sub = lab[(in_a & in_b) | (np.isin(lab[:, 1], pool_a) & np.isin(lab[:, 0], pool_b))]
    sub = sub[sub[:, 2] == 1]
    assert len(sub) > 20
    out, info = balance_subset(
        sub, pool_a, pool_b, _keys(lab), np.random.default_rng(0), negatives="matched", degree=deg
    )
    assert info.method == "matched-enumerate" and info.shortfall == 0 and info.generated == len(sub)
    gen = _generated(out, lab)
    assert len(gen) == len(sub)
    lo, hi = np.minimum(gen[:, 0], gen[:, 1]), np.maximum(gen[:, 0], gen[:, 1])
    assert np.all(
        (np.isin(lo, pool_a) & np.isin(hi, pool_b)) | (np.isin(lo, pool_b) & np.isin(hi, pool_a))
    )
    assert not np.isin(_keys(gen), _keys(lab)).any()
    rnd, _ = balance_subset(sub, pool_a, pool_b, _keys(lab), np.random.default_rng(0))
    assert degree_ks(deg, sub[:, :2], gen[:, :2]) < degree_ks(
        deg, sub[:, :2], _generated(rnd, lab)[:, :2]
    )


def test_enumeration_runs_out_like_random():
    # 6 genes, 15 unordered pairs: 12 known, 3 free; 10 needed -> 3 generated, shortfall 7
    deg = np.array([1, 2, 50, 60, 3, 70])
    keys = [
        (0, 1),
        (0, 2),
        (0, 3),
        (0, 4),
        (0, 5),
        (1, 2),
        (1, 3),
        (1, 4),
        (1, 5),
        (2, 3),
        (2, 4),
        (3, 4),
    ]
    lab = np.array([(a, b, 1 if i < 11 else 0) for i, (a, b) in enumerate(keys)], dtype=np.int64)
    out, info = balance_whole(lab, 6, np.random.default_rng(0), negatives="matched", degree=deg)
    assert info.generated == 3 and info.shortfall == 7
    assert set(map(tuple, _generated(out, lab)[:, :2].tolist())) == {(2, 5), (3, 5), (4, 5)}


def test_cv23_matched_all_subsets_balanced_and_disjoint(data):
    deg, lab = data
    lab = _labels(deg, 500, 80, seed=2)
    splits, info, _gene_sets = make_splits(
        lab, G, context_seed("T"), negatives="matched", degree=deg
    )
    assert info["cv23"]["missing"] == [] and info["cv1"]["balance"]["method"].startswith("matched")
    known = _keys(lab)
    for (cv, _k), parts in splits.items():
        for _part, arr in parts.items():
            if cv > 1:  # CV2/CV3 subsets are balanced one by one; CV1 as a whole
                assert (arr[:, 2] == 1).sum() == (arr[:, 2] == 0).sum()
            gen = arr[~np.isin(_keys(arr), known)]
            assert np.all(gen[:, 2] == 0) and np.all(gen[:, 0] != gen[:, 1])
        allk = np.concatenate([_keys(a) for a in parts.values()])
        assert len(np.unique(allk)) == len(allk)  # no pair in two subsets of a fold
        if cv == 1:
            alla = np.concatenate(list(parts.values()))
            assert (alla[:, 2] == 1).sum() == (alla[:, 2] == 0).sum() == 500


def test_annotation_degree_counts_distinct_terms_either_direction():
    # entities: 0-2 genes, 3-4 GO terms, 5 pathway; types Gene=0, BP=1, Pathway=2
    ei = np.array(
        [[0, 3, 0, 0, 1, 0, 2, 5], [3, 0, 4, 1, 5, 5, 0, 2]]
    )  # 0-3 fwd+rev, 0-4, 0-1 gene-gene, 5->2 reverse only
    kg = SimpleNamespace(
        gene_entity=np.array([0, 1, 2]),
        num_entities=6,
        edge_index=ei,
        entity_types=np.array([0, 0, 0, 1, 1, 2]),
        type_names=["Gene", "BP", "Pathway"],
    )
    np.testing.assert_array_equal(annotation_degree(kg), [3, 1, 1])


def test_summary_and_build_records_the_scheme():
    from tests.test_data_build import CORE, FakeResolver, _cohort, _graph

    rng = np.random.default_rng(0)
    rows, seen = [], set()
    while len(rows) < 200:
        a, b = sorted(rng.choice(CORE, 2, replace=False).tolist())
        if (a, b) not in seen:
            seen.add((a, b))
            rows.append((a, b, 1 if len(rows) < 150 else 0))
    labels = pd.DataFrame(rows, columns=["gene1", "gene2", "label"])
    graph = _graph()
    rnd = build_context("COAD", _cohort(), labels, graph, resolver=FakeResolver())
    mat = build_context(
        "COAD", _cohort(), labels, graph, resolver=FakeResolver(), negatives="matched"
    )
    assert (
        rnd.meta["negatives"]["scheme"] == "random"
        and rnd.meta["summary"]["negative_scheme"] == "random"
    )
    assert (
        mat.meta["negatives"]["scheme"] == "matched"
        and mat.meta["summary"]["negative_scheme"] == "matched"
    )
    assert (
        mat.meta["negatives"]["cv1"]["generated"]
        == mat.meta["splits"]["cv1"]["balance"]["generated"]
        == 100
    )
    assert "gen matched)" in format_tables([mat.meta["summary"]])
    assert "matched" not in format_tables([rnd.meta["summary"]])
    np.testing.assert_array_equal(rnd.labels, mat.labels)
    with pytest.raises(ValueError):
        build_context("COAD", _cohort(), labels, graph, resolver=FakeResolver(), negatives="nope")
    s = negatives_summary(
        rnd.labels,
        np.concatenate(list(rnd.splits[(1, 1)].values())),
        annotation_degree(rnd.kg, rnd.num_genes),
        "random",
    )
    assert s["cv1"] == rnd.meta["negatives"]["cv1"]
