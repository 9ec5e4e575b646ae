"""Genome-wide ranks, held-out recall and the int8 low-rank UMT storage (issue 12)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synleaf_desktop.bundle.format import Bundle
from synleaf_desktop.bundle.writer import lowrank_int8, lowrank_terms, umt_terms
from synleaf_desktop.scoring.calibration import (
    CALIBRATION_FILE,
    TOP_TAIL,
    Calibration,
    add_calibration,
    describe_top,
    load_calibration,
)
from synleaf_desktop.scoring.context import ContextScorer
from synleaf_desktop.scoring.engine import ScoringEngine
from tests.bundle_fixtures import make_bundle, synthetic_folds


def _all_scores(scorer: ContextScorer) -> np.ndarray:
    """Brute force: the score of every unordered pair, through the pair scorer (not blocks)."""
    G = scorer.n_genes
    i, j = np.triu_indices(G, k=1)
    return np.sort(scorer.pairs(i, j)["folds"].mean(axis=0))


@pytest.mark.parametrize(
    "strategy,dtype", [("ume", "float16"), ("umt", "float16"), ("umt", "int8-lowrank")]
)
def test_stored_rank_map_matches_exact_ranks(tmp_path, strategy, dtype):
    folder = make_bundle(
        tmp_path / "X", "X", n_genes=260, n_folds=3, strategy=strategy, dtype=dtype, seed=3
    )
    meta = add_calibration(folder, n_threads=2)
    b = Bundle.load(folder)
    assert (
        CALIBRATION_FILE in b.manifest["files"]
        and b.manifest["calibration"]["n_pairs"] == 260 * 259 // 2
    )
    scorer = ContextScorer(b)
    exact = _all_scores(scorer)
    n = len(exact)
    cal = load_calibration(folder / CALIBRATION_FILE)
    assert cal.n_pairs == n
    # at every stored score, the stored tail is the exact share of pairs scoring >= it (the block
    # kernels compute in float32, this brute force in float64: a pair or two may swap sides)
    xs = np.asarray(cal._xp)
    want = (n - np.searchsorted(exact, xs, side="left")) / n
    np.testing.assert_allclose(cal.top_fraction(xs), want, rtol=0, atol=3.0 / n)
    # everywhere: within the stated error (top 1 %: < 0.01 percentile points; elsewhere < 0.5)
    err = 100 * np.abs(
        cal.top_fraction(exact.astype(np.float64)) - (n - np.searchsorted(exact, exact, "left")) / n
    )
    top = (n - np.searchsorted(exact, exact, "left")) / n <= TOP_TAIL
    assert err[top].max() < 0.01 and err[~top].max() < 0.5
    assert meta["rank_error"]["max_top_1pct"] < 0.01 and meta["rank_error"]["max_rest"] < 0.5
    # the best pair is at the top, the worst at the bottom
    assert cal.percentile(exact[-1]) == pytest.approx(100.0, abs=200.0 / n)
    assert cal.percentile(exact[0]) == pytest.approx(0.0, abs=1e-6)
    assert np.all(np.diff(cal.percentile(exact.astype(np.float64))) >= -1e-12)  # monotone


def test_heldout_recall_uses_out_of_fold_scores(tmp_path):
    folder = make_bundle(tmp_path / "Y", "Y", n_genes=200, n_folds=3, strategy="ume", seed=5)
    add_calibration(folder, n_threads=1)
    b = Bundle.load(folder)
    scorer = ContextScorer(b)
    held = []
    for k in range(b.folds):
        t = b.split_pairs[f"fold{k}_test"]
        t = t[t[:, 2] == 1]
        held.append(scorer.pairs(t[:, 0], t[:, 1])["folds"][k])
    held = np.sort(np.concatenate(held))
    cal = load_calibration(folder / CALIBRATION_FILE)
    assert cal.n_heldout == len(held) > 0
    np.testing.assert_allclose(np.sort(cal.heldout), held, rtol=1e-6)
    u = np.unique(held)
    for s in [*((u[:-1] + u[1:]) / 2), u[0] - 1e-3, u[-1] + 1e-3]:  # between stored values
        assert cal.heldout_recall(s) == pytest.approx(np.mean(held >= s))
    assert np.isnan(cal.heldout_recall(np.nan))


def test_engine_reports_ranks_everywhere(tmp_path):
    folder = make_bundle(tmp_path / "BRCA", "BRCA", n_genes=240, n_folds=2, strategy="umt", seed=7)
    add_calibration(folder, n_threads=1)
    other = make_bundle(
        tmp_path / "OV", "OV", n_genes=240, n_folds=2, strategy="ume", seed=7
    )  # no rank map
    eng = ScoringEngine([Bundle.load(folder), Bundle.load(other)])
    g = [str(x) for x in eng.bundle("BRCA").genes[:3]]
    res = eng.score_pair(g[0], g[1]).to_dict()
    brca = res["contexts"]["BRCA"]
    assert 0 <= brca["percentile"] <= 100 and 0 < brca["top_fraction"] <= 1
    assert 0 <= brca["heldout_recall"] <= 1
    assert brca["percentile"] == pytest.approx(100 * (1 - brca["top_fraction"]), abs=1e-3)
    assert res["contexts"]["OV"]["percentile"] is None  # no map: no made-up rank
    json.dumps(res)
    df, _ = eng.score_pairs([(g[0], g[1]), (g[1], g[2])])
    for col in (
        "BRCA",
        "BRCA_sd",
        "BRCA_percentile",
        "BRCA_top_fraction",
        "BRCA_heldout_recall",
        "OV_percentile",
    ):
        assert col in df.columns
    assert df["OV_percentile"].isna().all() and df["BRCA_percentile"].notna().all()
    cc = eng.cross_context(g[0], top=10)
    assert len(cc) == 10  # --top N means N partners
    one = eng.cross_context(g[0], top=10, contexts=["BRCA"])
    assert list(one["BRCA_percentile"]) == sorted(one["BRCA_percentile"], reverse=True)
    assert cc.attrs["high_top"] == 0.01
    high = (cc["BRCA_top_fraction"] <= 0.01).astype(int) + (cc["OV"] >= 0.5).astype(int)
    assert (cc["n_contexts_high"] == high).all()
    hub = eng.cross_context(g[0], top=10, order="above_typical")
    assert np.isfinite(hub["BRCA_above_typical"]).all()
    fr = eng.partners(g[0], top=5, contexts=["BRCA"], order="above_typical")["BRCA"]
    assert list(fr["above_typical"]) == sorted(fr["above_typical"], reverse=True)


def test_lowrank_int8_round_trip_and_scores(tmp_path):
    fold = synthetic_folds(300, 1, "umt", seed=11)[0]
    a, b = umt_terms(fold)
    u, scale, v = lowrank_int8(
        a, b, rank=2 * a.shape[1]
    )  # all directions: only the int8 rounding is lost
    assert (
        u.dtype == np.int8
        and scale.dtype == np.float32
        and v.shape == (2 * a.shape[1], 2 * a.shape[1])
    )
    u1, _, _v1 = lowrank_int8(
        a[:, :8] @ np.ones((8, a.shape[1])), b[:, :8] @ np.ones((8, a.shape[1]))
    )
    assert u1.shape[1] <= 16  # a rank-16 input keeps at most 16 directions
    a2, b2 = lowrank_terms(u, scale, v)
    rel = (
        np.abs(np.concatenate([a2 - a, b2 - b], 1)).max() / np.abs(np.concatenate([a, b], 1)).max()
    )
    assert rel < 0.02  # int8: half a step of 1/127 per row, plus nothing lost to the rank
    f16 = make_bundle(tmp_path / "A", "A", n_genes=300, n_folds=2, strategy="umt", seed=11)
    i8 = make_bundle(
        tmp_path / "B", "B", n_genes=300, n_folds=2, strategy="umt", seed=11, dtype="int8-lowrank"
    )
    ba, bb = Bundle.load(f16), Bundle.load(i8)
    assert bb.manifest["format_version"] == 2 and "umt_u" in bb.arrays and "umt_a" not in bb.arrays
    # per gene: int8 coordinates instead of two float16 rows (the [R, 2H] directions are per fold)
    assert bb.arrays["umt_u"].nbytes < 0.5 * (ba.arrays["umt_a"].nbytes + ba.arrays["umt_b"].nbytes)
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, 300, 3000), rng.integers(0, 300, 3000)
    sa = ContextScorer(ba).pairs(i, j)["folds"].mean(0)
    sb_sparse = ContextScorer(bb).pairs(i, j)["folds"].mean(0)
    sc = ContextScorer(bb)
    sc.dense()
    sb_dense = sc.pairs(i, j)["folds"].mean(0)
    np.testing.assert_allclose(sb_sparse, sb_dense, atol=1e-5)
    few = (
        ContextScorer(bb).pairs(i[:10], j[:10])["folds"].mean(0)
    )  # the lookup path (all folds at once)
    np.testing.assert_allclose(few, sb_dense[:10], atol=1e-5)
    fa = ContextScorer(ba).pairs(i[:10], j[:10])["folds"].mean(0)  # float16 bundles too
    np.testing.assert_allclose(fa, sa[:10], atol=1e-6)
    assert np.abs(sa - sb_sparse).max() < 0.05
    check = bb.manifest["dtype_check"]
    assert (
        1 <= check["rank"] <= 256 and check["max_abs_diff"] < 0.05
    )  # random synthetic terms are near full rank


def test_describe_top():
    assert describe_top(0.5) == "top 50 %"
    assert describe_top(0.012) == "top 1.2 %"
    assert describe_top(0.001) == "top 0.1 %"
    assert describe_top(2.5e-6) == "top 0.00025 %"
    assert describe_top(None) == "–"
    assert describe_top(3e-9) == "top < 0.0001 %"


def test_calibration_without_heldout_pairs():
    cal = Calibration(
        {
            "rank_score": np.array([0.9, 0.5, 0.1]),
            "rank_tail": np.array([0.01, 0.5, 1.0]),
            "heldout": np.zeros(0, np.float32),
            "n_pairs": np.array([1000]),
        }
    )
    assert np.isnan(cal.heldout_recall(0.5))
    assert cal.top_fraction(0.95) == pytest.approx(1e-3)  # above every pair: the top pair
    assert cal.top_fraction(0.0) == 1.0
    assert cal.top_fraction(0.5) == pytest.approx(0.5)
