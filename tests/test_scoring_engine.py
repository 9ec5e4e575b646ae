"""Pair scoring: equality with a direct reference from the exported arrays, gene names, overlays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop.bundle.format import Bundle
from synleaf_desktop.bundle.registry import Registry
from synleaf_desktop.io.genes import default_resolver
from synleaf_desktop.scoring import NoModelsError, ScoringEngine, UnresolvedGeneError
from tests.bundle_fixtures import make_bundle, symbol_pool


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def reference(folds, strategy, a, b):
    """Direct float64 computation from the exported arrays (METHOD.md 2.3-2.5), both orders."""

    def single(f, mod, x, y):
        e = f[f"{mod}_teacher_emb"].astype(np.float64)
        return sig(
            np.concatenate([e[x], e[y]]) @ f[f"{mod}_head_w"].astype(np.float64)
            + f[f"{mod}_head_b"][0]
        )

    def umt(f, x, y):
        o, k = f["omics_student_emb"].astype(np.float64), f["kg_student_emb"].astype(np.float64)
        h = np.maximum(
            f["umt_w1"].astype(np.float64) @ np.concatenate([o[x], o[y], k[x], k[y]]) + f["umt_b1"],
            0,
        )
        return sig(h @ f["umt_w2"].astype(np.float64) + f["umt_b2"][0])

    if strategy == "umt":
        ab = [umt(f, a, b) for f in folds]
        ba = [umt(f, b, a) for f in folds]
    else:
        ab = [0.5 * (single(f, "omics", a, b) + single(f, "kg", a, b)) for f in folds]
        ba = [0.5 * (single(f, "omics", b, a) + single(f, "kg", b, a)) for f in folds]
    per = [0.5 * (x + y) for x, y in zip(ab, ba, strict=True)]
    om = np.mean([0.5 * (single(f, "omics", a, b) + single(f, "omics", b, a)) for f in folds])
    kg = np.mean([0.5 * (single(f, "kg", a, b) + single(f, "kg", b, a)) for f in folds])
    return {
        "folds": per,
        "score": np.mean(per),
        "sd": np.std(per),
        "ab": np.mean(ab),
        "ba": np.mean(ba),
        "omics": om,
        "kg": kg,
    }


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("ctx")
    pool = symbol_pool(150, seed=11)
    ume = make_bundle(
        d / "CESC", "CESC", genes=pool, strategy="ume", seed=21, dtype="float32", return_arrays=True
    )
    no_rad51 = [g for g in pool if g != "RAD51"]
    umt = make_bundle(
        d / "OV", "OV", genes=no_rad51, strategy="umt", seed=22, dtype="float32", return_arrays=True
    )
    engine = ScoringEngine([Bundle.load(ume[0]), Bundle.load(umt[0])])
    return engine, {"CESC": ume, "OV": umt}


@pytest.mark.parametrize("ctx,strategy", [("CESC", "ume"), ("OV", "umt")])
def test_pair_equals_reference_both_orders(setup, ctx, strategy):
    engine, arrays = setup
    _, genes, folds, _ = arrays[ctx]
    for a, b in [("BRCA1", "TP53"), ("PARP1", "ATM"), (genes[7], genes[40])]:
        ia, ib = genes.index(a), genes.index(b)
        ref = reference(folds, strategy, ia, ib)
        cs = engine.score_pair(a, b).contexts[ctx]
        assert cs.in_context and cs.strategy == strategy
        assert cs.score == pytest.approx(ref["score"], abs=2e-6)
        assert cs.sd == pytest.approx(ref["sd"], abs=2e-6)
        np.testing.assert_allclose(cs.folds, ref["folds"], atol=2e-6)
        assert cs.by_order == pytest.approx((ref["ab"], ref["ba"]), abs=2e-6)
        assert cs.modality["omics"] == pytest.approx(ref["omics"], abs=2e-6)
        assert cs.modality["kg"] == pytest.approx(ref["kg"], abs=2e-6)
        # symmetric by construction, while the two orders really differ
        rev = engine.score_pair(b, a).contexts[ctx]
        assert rev.score == pytest.approx(cs.score, abs=1e-9)
        assert rev.by_order == pytest.approx(cs.by_order[::-1], abs=1e-9)
    assert abs(cs.by_order[0] - cs.by_order[1]) > 1e-4


def test_not_in_this_context(setup):
    engine, _ = setup
    res = engine.score_pair("BRCA1", "RAD51")
    ov, cesc = res.contexts["OV"], res.contexts["CESC"]
    assert ov.score is None and ov.sd is None and ov.folds == [] and not ov.in_context
    assert ov.missing == ["RAD51"]
    assert cesc.in_context and cesc.score is not None
    d = res.to_dict()
    assert d["contexts"]["OV"]["score"] is None and d["contexts"]["OV"]["in_context"] is False


def test_names_aliases_entrez_case(setup):
    engine, _ = setup
    r = default_resolver()
    assert r.resolve("RNF53") == "BRCA1" and r.resolve("RAD51A") == "RAD51"
    base = engine.score_pair("BRCA1", "TP53").contexts["CESC"].score
    for a, b in [("brca1", "tp53"), ("672", "7157"), ("RNF53", "P53"), (672, "TP53")]:
        res = engine.score_pair(a, b)
        assert res.genes == ("BRCA1", "TP53") and res.unresolved == []
        assert res.contexts["CESC"].score == base


def test_unresolved_names_are_reported(setup):
    engine, _ = setup
    res = engine.score_pair("BRCA1", "NOTAGENE_XYZ")
    assert res.genes is None and res.unresolved == ["NOTAGENE_XYZ"]
    assert all(c.score is None and not c.in_context for c in res.contexts.values())
    with pytest.raises(UnresolvedGeneError, match="NOTAGENE_XYZ"):
        engine.partners("NOTAGENE_XYZ")
    df, unresolved = engine.score_pairs(
        [("BRCA1", "TP53"), ("NOTAGENE_XYZ", "TP53"), ("ATM", "qqqq_zz")]
    )
    assert unresolved == ["NOTAGENE_XYZ", "qqqq_zz"]
    assert df["CESC"].notna().tolist() == [True, False, False]


def test_score_pairs_matches_score_pair(setup):
    engine, arrays = setup
    genes = arrays["OV"][1]
    rng = np.random.default_rng(0)
    pairs = [(genes[i], genes[j]) for i, j in rng.integers(0, len(genes), (30, 2))] + [
        ("BRCA1", "RAD51")
    ]
    df, unresolved = engine.score_pairs(pd.DataFrame(pairs, columns=["Gene1", "GENE2"]))
    assert unresolved == []
    # issue 12 appended the rank columns; the earlier columns keep their order
    assert list(df.columns) == [
        "gene1",
        "gene2",
        "symbol1",
        "symbol2",
        "CESC",
        "OV",
        "CESC_sd",
        "OV_sd",
    ] + [
        f"{c}_{k}" for c in ("CESC", "OV") for k in ("percentile", "top_fraction", "heldout_recall")
    ] + ["shared_terms_score", "shared_terms_n"]  # issue 13: annotations the two genes share
    for k, (a, b) in enumerate(pairs):
        res = engine.score_pair(a, b)
        for ctx in ("CESC", "OV"):
            cs = res.contexts[ctx]
            if cs.score is None:
                assert np.isnan(df.loc[k, ctx])
            else:
                assert df.loc[k, ctx] == pytest.approx(cs.score, abs=2e-6)
                assert df.loc[k, f"{ctx}_sd"] == pytest.approx(cs.sd, abs=2e-6)
    assert np.isnan(df.iloc[-1]["OV"])  # RAD51 is not in OV
    # the dense (materialised float32) UMT path gives the same numbers as the direct one
    sc = engine._scorers["OV"]
    i, j = np.triu_indices(len(genes), 1)
    direct = sc.pairs(i[:500], j[:500])["folds"]
    sc.dense()
    np.testing.assert_allclose(sc.pairs(i[:500], j[:500])["folds"], direct, atol=1e-5)
    sc.release()


def test_gene_list_all_unordered_pairs(setup):
    engine, _ = setup
    df = engine.gene_list(["BRCA1", "tp53", "672", "RAD51", "NOTAGENE_XYZ"], contexts="cesc")
    assert df.attrs["unresolved"] == ["NOTAGENE_XYZ"] and df.attrs["genes"] == [
        "BRCA1",
        "TP53",
        "RAD51",
    ]
    assert list(zip(df["gene1"], df["gene2"], strict=True)) == [
        ("BRCA1", "TP53"),
        ("BRCA1", "RAD51"),
        ("TP53", "RAD51"),
    ]
    assert list(df.columns[4:6]) == ["CESC", "CESC_sd"]  # then the rank columns (issue 12)
    assert df["CESC"].iloc[0] == pytest.approx(
        engine.score_pair("BRCA1", "TP53").contexts["CESC"].score, abs=2e-6
    )


def test_context_selection_and_info(setup):
    engine, _ = setup
    assert engine.contexts == ["CESC", "OV"]
    assert engine.select("ov, cesc") == ["OV", "CESC"]
    with pytest.raises(Exception, match="unknown context 'BRCA'"):
        engine.select(["BRCA"])
    info = engine.context_info("ov")
    assert info["strategy"] == "umt" and info["folds"] == 5 and info["n_genes"] == 149
    assert 0.5 < info["val_auc"] < 1 and info["has_splits"]
    assert set(engine.score_pair("BRCA1", "TP53", contexts=["OV"]).contexts) == {"OV"}


def _own_label(arrays, ctx, g1, g2):
    """The label of a pair in a bundle's own split pairs (any fold, any part), or None."""
    _, genes, _, splits = arrays[ctx]
    idx = {g: k for k, g in enumerate(list(genes))}
    if g1 not in idx or g2 not in idx:
        return None
    key = tuple(sorted((idx[g1], idx[g2])))
    labs = {
        int(r[2])
        for f in splits
        for part in f.values()
        for r in part.tolist()
        if tuple(sorted(r[:2])) == key
    }
    return min(labs) if labs else None


def test_labels_and_training_overlay(setup):
    engine, arrays = setup
    _, genes, _, splits = arrays["CESC"]
    tr = splits[0]["train"][0]
    te = splits[0]["test"][0]
    # in_training: the train part of any fold used (fold 1 trains on fold 0's test part)
    in_any_train = {tuple(sorted(r[:2])) for f in range(5) for r in splits[f]["train"].tolist()}
    a, b = genes[tr[0]], genes[tr[1]]
    assert engine.score_pair(b, a).contexts["CESC"].in_training is True
    free = next(
        (i, j)
        for i in range(len(genes))
        for j in range(i + 1, len(genes))
        if (i, j) not in in_any_train
    )
    assert engine.score_pair(genes[free[0]], genes[free[1]]).contexts["CESC"].in_training is False
    # issue 16: without label tables, a pair of the model's own data shows its label from the bundle
    cs = engine.score_pair(a, b).contexts["CESC"]
    assert cs.known_label == int(tr[2]) and cs.label_source == "model"
    labels = pd.DataFrame(
        {
            "gene1": [a, genes[te[0]], "BRCA1", "BRCA1", "NOTAGENE_XYZ"],
            "gene2": [b, genes[te[1]], "TP53", "TP53", "TP53"],
            "label": [1, 0, 1, 0, 1],
            "cancer": ["cesc", "OV", "", "CESC", "CESC"],
        }
    )
    rep = engine.set_labels(labels)
    assert rep["unresolved"] == ["NOTAGENE_XYZ"] and rep["usable"] == 4
    assert engine.score_pair(b, a).contexts["CESC"].known_label == 1
    assert engine.score_pair(b, a).contexts["CESC"].label_source == "labels"
    # that row is for CESC only: OV shows at most its own model's label
    assert engine.score_pair(b, a).contexts["OV"].known_label == _own_label(arrays, "OV", a, b)
    te_pair = engine.score_pair(genes[te[0]], genes[te[1]])
    assert te_pair.contexts["CESC"].known_label == int(
        te[2]
    )  # the OV row does not apply; the model's own label
    if te_pair.contexts["OV"].in_context:
        assert te_pair.contexts["OV"].known_label == 0
    # BRCA1-TP53 is labelled 1 (any cancer) and 0 (CESC): a conflict counts as 0 in CESC; OV only sees the 1
    res = engine.score_pair("TP53", "BRCA1")
    assert res.contexts["CESC"].known_label == 0 and res.contexts["OV"].known_label == 1
    df, _ = engine.score_pairs([("BRCA1", "TP53"), (a, b)], with_labels=True)
    assert df["CESC_label"].tolist() == [0, 1] and df["CESC_in_training"].tolist()[1] is True
    engine.set_labels(None)
    assert engine.score_pair("TP53", "BRCA1").contexts["CESC"].known_label is None


def test_no_models_message(tmp_path):
    with pytest.raises(
        NoModelsError, match=r"synleaf bundle build --data ../shared/data --out bundled_models"
    ):
        ScoringEngine.from_registry(Registry(tmp_path / "none", tmp_path / "user"))


def test_from_registry_loads_everything(tmp_path):
    make_bundle(tmp_path / "bm" / "pan", "pan", n_genes=40, n_folds=2, strategy="ume", seed=1)
    make_bundle(tmp_path / "user" / "mine", "mine", n_genes=40, n_folds=2, strategy="umt", seed=2)
    engine = ScoringEngine.from_registry(Registry(tmp_path / "bm", tmp_path / "user"))
    assert engine.contexts == ["pan", "mine"]
    assert (
        engine.context_info("mine")["kind"] == "user"
        and engine.context_info("pan")["kind"] == "bundled"
    )


def test_exact_symbols_skip_the_resolver(setup):
    """A first lookup by exact symbols must not wait for the resolver table; other names use it."""
    engine, _ = setup

    class NoResolver:
        def resolve_many(self, names):
            raise AssertionError(f"resolver used for {names}")

    quick = ScoringEngine([engine.bundle("CESC"), engine.bundle("OV")], resolver=NoResolver())
    res = quick.score_pair("BRCA1", "TP53")
    assert res.genes == ("BRCA1", "TP53")
    assert res.contexts["CESC"].score == engine.score_pair("BRCA1", "TP53").contexts["CESC"].score
    with pytest.raises(AssertionError, match="resolver used"):
        quick.score_pair("brca1", "TP53")
