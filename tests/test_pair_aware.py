"""Pair-aware stacking (issue 13, part 4): features on hand-checked inputs, fitting rules, export."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pytest

from synleaf_desktop.data.controls import repaired_controls
from synleaf_desktop.data.kg_terms import build_term_index
from synleaf_desktop.io.kg import KnowledgeGraph
from synleaf_desktop.scoring.evidence import EvidenceStore, pack_bits
from synleaf_desktop.scoring.kg_evidence import TermIndex
from synleaf_desktop.scoring.pair_model import FEATURES, PairModel, pair_features
from synleaf_desktop.train import pair_aware as PA


# ---------------------------------------------------------------- features, hand-checked
@pytest.fixture
def store():
    # 8 tumours; A: 0-3, B: 4-7 (never together), C: 0-1 (both with A), D: not profiled
    calls = np.zeros((4, 8), bool)
    calls[0, :4] = True
    calls[1, 4:] = True
    calls[2, :2] = True
    return EvidenceStore(
        np.array(["A", "B", "C", "D"]),
        pack_bits(calls),
        np.zeros((4, 5), np.int32),
        np.full(5, 8, np.int32),
        np.array([1, 1, 1, 0], np.uint8),
        np.array([f"s{i}" for i in range(8)]),
    )


@pytest.fixture
def terms(tmp_path):
    # GO:1 (A, B, C), GO:2 (A, B), pathway hsa01 (A, B, C, D); a direct A - C edge
    names = ["A", "B", "C", "D", "GO:1", "GO:2", "hsa01"]
    types = [0, 0, 0, 0, 1, 1, 4]
    rel = ["gene_bp", "gene_pathway", "interacts"]
    edges = [(0, 4, 0), (1, 4, 0), (2, 4, 0), (0, 5, 0), (1, 5, 0)]
    edges += [(g, 6, 1) for g in range(4)] + [(0, 2, 2)]
    e = np.array(edges).T
    kg = KnowledgeGraph(
        np.array(names), np.array(types), ["Gene", "BP", "MF", "CC", "Pathway"], e[:2], e[2], rel
    )
    go = tmp_path / "go_terms.tsv.gz"
    with gzip.open(go, "wt") as fh:
        fh.write("go_id\tontology\tterm\nGO:1\tBP\tbig\nGO:2\tBP\tsmall\n")
    return TermIndex.from_arrays(build_term_index(kg, go))


def test_features_hand_checked(store, terms):
    genes = ["A", "B", "C", "D"]
    x = pair_features(np.array([[0, 1], [0, 2], [0, 3], [2, 3]]), store, terms, terms.rows(genes))
    assert x.shape == (4, len(FEATURES))
    col = {f: i for i, f in enumerate(FEATURES)}
    # A x B: k=0, expected 4*4/8 = 2 -> ln(0.5 / 2.5); depleted (score > 0); OR < 1
    assert x[0, col["coinact_log_obs_exp"]] == pytest.approx(math.log(0.5 / 2.5))
    assert x[0, col["coinact_depletion"]] > 0 and x[0, col["coinact_neg_log_or"]] > 0
    assert x[0, col["coinact_missing"]] == 0
    # A x C: k=2, expected 4*2/8 = 1 -> ln(2.5 / 1.5); co-occurring (score < 0)
    assert x[1, col["coinact_log_obs_exp"]] == pytest.approx(math.log(2.5 / 1.5))
    assert x[1, col["coinact_depletion"]] < 0
    # D is not profiled: no evidence, all co-inactivation columns 0 but the flag
    assert x[2, :3].tolist() == [0, 0, 0] and x[2, col["coinact_missing"]] == 1
    # terms: N = 4 annotated genes; A x B share GO:1 (3 genes), GO:2 (2), hsa01 (4)
    n = 4
    w = [-math.log(3 / n), -math.log(2 / n), -math.log(4 / n)]
    assert x[0, col["terms_log_shared"]] == pytest.approx(math.log(4))
    assert x[0, col["terms_jaccard"]] == pytest.approx(1.0)
    assert x[0, col["terms_best"]] == pytest.approx(max(w))
    assert x[0, col["terms_sum"]] == pytest.approx(sum(w))
    # A x C: GO:1 and hsa01 of A's 3 terms; the direct edge
    assert x[1, col["terms_jaccard"]] == pytest.approx(2 / 3)
    assert x[1, col["kg_direct_edge"]] == 1 and x[0, col["kg_direct_edge"]] == 0
    # C x D: hsa01 only (weight 0: every gene has it)
    assert x[3, col["terms_log_shared"]] == pytest.approx(math.log(2))
    assert x[3, col["terms_best"]] == pytest.approx(0.0)


def test_features_without_sources():
    x = pair_features(np.array([[0, 1], [1, 2]]))
    assert x.shape == (2, len(FEATURES))
    assert x[:, FEATURES.index("coinact_missing")].tolist() == [1, 1]
    assert np.count_nonzero(x) == 2
    assert pair_features(np.zeros((0, 2), np.int64)).shape == (0, len(FEATURES))
    assert pair_features(np.zeros(0, np.int64)).shape == (0, len(FEATURES))


# ---------------------------------------------------------------- fitting rules
def _toy(seed=0, n=400):
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(int)
    x = rng.normal(size=(n, 3)) + 0.8 * y[:, None] * np.array([1.0, 0.0, 0.0])
    base = np.clip(0.5 + 0.2 * (y - 0.5) + 0.15 * rng.normal(size=n), 0.01, 0.99)
    return x, y, base


def test_stacker_never_sees_test_pairs(monkeypatch):
    """The sub-model is fitted on training rows only, the stacker on validation rows only;
    test rows (marked by a feature value no other row has) reach no fit."""
    x_tr, y_tr, _ = _toy(0)
    x_va, y_va, b_va = _toy(1)
    x_te, _y_te, b_te = _toy(2)
    x_te[:, 2] = 1e6  # the mark
    seen = []
    real = PA.fit_linear

    def spy(x, y, C=1.0, sample_weight=None):
        seen.append(np.asarray(x).copy())
        return real(x, y, C, sample_weight)

    monkeypatch.setattr(PA, "fit_linear", spy)
    m = PA.fit_fold(x_tr, y_tr, x_va, y_va, {"synleaf": b_va})
    m.predict(x_te, {"synleaf": b_te})
    PA.cv_val_auc(m.sub, x_va, y_va, {"synleaf": b_va})
    assert len(seen) == 2 + 5
    assert np.array_equal(seen[0], x_tr)  # sub-model: the training pairs, nothing else
    stack_rows = len(y_va)
    assert seen[1].shape == (stack_rows, 2)  # stacker: the validation pairs, nothing else
    assert all(len(s) < stack_rows for s in seen[2:])  # cross-validation: parts of validation
    assert not any(np.any(np.abs(s) > 1e5) for s in seen)


def test_deterministic():
    x_tr, y_tr, _ = _toy(0)
    x_va, y_va, b_va = _toy(1)
    a = PA.fit_fold(x_tr, y_tr, x_va, y_va, {"synleaf": b_va})
    b = PA.fit_fold(x_tr, y_tr, x_va, y_va, {"synleaf": b_va})
    assert np.array_equal(a.stack.coef, b.stack.coef) and a.sub.intercept == b.sub.intercept
    v1 = PA.cv_val_auc(a.sub, x_va, y_va, {"synleaf": b_va}, seed=3)
    v2 = PA.cv_val_auc(a.sub, x_va, y_va, {"synleaf": b_va}, seed=3)
    assert v1 == v2 and 0.5 < v1 <= 1.0


def test_single_class_gives_prior_model():
    m = PA.fit_linear(np.ones((5, 2)), np.zeros(5, int))
    assert np.all(m.coef == 0) and m.proba(np.zeros((1, 2)))[0] < 0.01


def test_pair_feature_beats_repaired_controls():
    """Genes are 'popular' (the base score knows only the gene), but a pair feature marks the
    true pairs: the stacked score ranks positives above their re-paired controls (AUC ~1),
    where the base score alone gives ~0.5."""
    rng = np.random.default_rng(0)
    n_genes = 200
    pop = rng.uniform(size=n_genes)  # gene-level 'SL popularity'
    true = set()

    def draw(n, offset):
        g = rng.permutation(np.arange(offset, offset + 2 * n))
        return np.stack([g[:n], g[n:]], axis=1)

    pos = {part: draw(n, o) for part, n, o in (("tr", 30, 0), ("va", 20, 60), ("te", 25, 100))}
    for p in pos.values():
        true.update(map(tuple, np.sort(p, axis=1).tolist()))

    def feat(p):
        mark = np.array([tuple(sorted(r)) in true for r in p.tolist()], float)
        return np.c_[mark + 0.1 * rng.normal(size=len(p)), rng.normal(size=len(p))]

    def base(p):
        return 0.5 * (pop[p[:, 0]] + pop[p[:, 1]])

    neg = {k: draw(len(v), 150)[:, ::-1] % n_genes for k, v in pos.items()}  # other genes
    xs, ys = {}, {}
    for k in pos:
        p = np.r_[pos[k], neg[k]]
        xs[k], ys[k] = p, np.r_[np.ones(len(pos[k]), int), np.zeros(len(neg[k]), int)]
    m = PA.fit_fold(feat(xs["tr"]), ys["tr"], feat(xs["va"]), ys["va"], {"synleaf": base(xs["va"])})
    ctl = repaired_controls(pos["te"], exclude=np.r_[pos["tr"], pos["va"]], n_draws=1, seed=1)[0]
    assert len(ctl) >= 20
    s_pos = m.predict(feat(pos["te"]), {"synleaf": base(pos["te"])})
    s_ctl = m.predict(feat(ctl), {"synleaf": base(ctl)})
    from synleaf_desktop.data.controls import auc

    assert auc(s_pos, s_ctl) > 0.95
    assert abs(auc(base(pos["te"]), base(ctl)) - 0.5) < 0.25


def test_choose_rule():
    assert PA.choose([0.8, 0.7, np.nan], [0.75, 0.7, 0.9])["pair_aware"]  # NaN fold skipped
    assert not PA.choose([0.7, 0.7], [0.7, 0.7])["pair_aware"]  # ties keep the current strategy
    assert not PA.choose([np.nan], [0.7])["pair_aware"]


# ---------------------------------------------------------------- export and numpy scoring
def test_export_round_trip():
    folds = []
    for k in range(3):
        x_tr, y_tr, _ = _toy(10 + k)
        x_va, y_va, b_va = _toy(20 + k)
        folds.append(PA.fit_fold(x_tr, y_tr, x_va, y_va, {"synleaf": b_va}))
    arrays = PA.to_arrays(folds, ["f0", "f1", "f2"], {"context": "toy"})
    pm = PairModel.from_arrays(arrays)
    assert pm.folds == 3 and pm.stack_inputs == ["pair", "synleaf"]
    x, _, b = _toy(99, n=50)
    base = np.stack([b, b * 0.9, b * 0.8])  # [K, n] per-fold base scores
    want = np.mean([f.predict(x, {"synleaf": base[k]}) for k, f in enumerate(folds)], axis=0)
    np.testing.assert_allclose(pm.score(x, {"synleaf": base}), want, rtol=1e-12)
    bad = dict(arrays, stack_coef=arrays["stack_coef"][:, :1])
    with pytest.raises(ValueError):
        PairModel.from_arrays(bad)
    bad = dict(arrays, sub_scale=-arrays["sub_scale"])
    with pytest.raises(ValueError):
        PairModel.from_arrays(bad)


# ---------------------------------------------------------------- bundle member and card
def _arrays():
    folds = []
    for k in range(2):
        x_tr, y_tr, _ = _toy(30 + k)
        x_va, y_va, b_va = _toy(40 + k)
        folds.append(PA.fit_fold(x_tr, y_tr, x_va, y_va, {"synleaf": b_va}))
    return PA.to_arrays(folds, ["f0", "f1", "f2"])


def test_validator_checks_pair_model(tmp_path):
    from synleaf_desktop.bundle.format import BundleError
    from synleaf_desktop.bundle.validate import MEMBERS, check_pair_model

    assert "pair_model.npz" in MEMBERS and not MEMBERS["pair_model.npz"].required
    a = _arrays()
    check_pair_model(tmp_path / "pair_model.npz", a, n_genes=100)
    headers = {k: (v.dtype, v.shape) for k, v in a.items()}
    check_pair_model(tmp_path / "pair_model.npz", headers, n_genes=100)
    for bad in (
        dict(a, sub_coef=a["sub_coef"][:, :2]),
        dict(a, stack_scale=np.zeros_like(a["stack_scale"])),
        dict(a, sub_intercept=np.array([np.nan, 0.0])),
        dict(a, meta_json=np.array("{not json")),
        {k: v for k, v in a.items() if k != "stack_coef"},
        dict(a, extra=np.zeros(3)),
    ):
        with pytest.raises(BundleError):
            check_pair_model(tmp_path / "pair_model.npz", bad, n_genes=100)


def test_card_pair_aware_section():
    from synleaf_desktop.bundle.card import render_model_card

    base = {"name": "X", "strategy": "umt"}
    assert "Pair-aware" not in render_model_card(base)  # old bundles: unchanged card
    m = dict(
        base,
        pair_aware={
            "chosen": True,
            "file": "pair_model.npz",
            "variant": "pa",
            "rule": "validation prefers it, higher CV2 test AUC, re-paired AUC not lower",
            "figures": {
                "test_auc_selected": 0.7,
                "test_auc_pair_aware": 0.72,
                "fold_wins_test_auc": 4,
            },
            "ranks_note": "not recomputed",
        },
    )
    text = render_model_card(m)
    assert "## Pair-aware score" in text and "0.7200" in text and "4 of 5" in text


def test_add_pair_model_to_bundle(small_bundle):
    """The member joins a real bundle: it validates, loads, scores like the fitted folds, the
    manifest records the choice and the card shows it; model.npz is untouched."""
    import hashlib

    from synleaf_desktop.bundle.format import Bundle
    from synleaf_desktop.bundle.pair_member import add_pair_model
    from synleaf_desktop.bundle.validate import validate_bundle

    folder = small_bundle("PAIR", n_folds=2)
    before = hashlib.sha256((folder / "model.npz").read_bytes()).hexdigest()
    arrays = _arrays()
    add_pair_model(
        folder, arrays, {"variant": "pa", "rule": "r", "figures": {"test_auc_pair_aware": 0.8}}
    )
    validate_bundle(folder)
    b = Bundle.load(folder)
    assert (
        b.manifest["pair_aware"]["chosen"] and b.manifest["pair_aware"]["file"] == "pair_model.npz"
    )
    pm = PairModel.from_arrays(b.member_arrays("pair_model.npz"))
    x = np.random.default_rng(0).normal(size=(4, 3))
    base = np.full((2, 4), 0.6)
    np.testing.assert_allclose(
        pm.score(x, {"synleaf": base}), PairModel.from_arrays(arrays).score(x, {"synleaf": base})
    )
    assert "## Pair-aware score" in (folder / "MODEL_CARD.md").read_text()
    assert hashlib.sha256((folder / "model.npz").read_bytes()).hexdigest() == before


# ---------------------------------------------------------------- EVALUATION.md section
def _summary_row(ctx, cv, method, test, rep, val, **wins):
    return {
        "context": ctx,
        "cv": cv,
        "method": method,
        "folds": 5,
        "test_auc": test,
        "test_aupr": test,
        "repaired_auc": rep,
        "val_auc": val,
        **{f"wins_vs_{k}": v for k, v in wins.items()},
    }


def test_report_lists_retrained_cv1_scenarios():
    """A CV1 scenario with the SynLeaF score gets its own table: the variant picked on
    validation (ties in order), the CV2 rule applied to it, and only scenarios that have it."""
    from synleaf_desktop.train import report_pair_aware as R

    rows = [
        _summary_row("OV", 1, "selected", 0.90, 0.40, 0.95),
        _summary_row("OV", 1, "lr", 0.97, 0.34, 0.96),
        _summary_row("OV", 1, "rf", 0.85, 0.41, 0.90),
        _summary_row("OV", 1, "pa", 0.91, 0.41, 0.93),
        _summary_row("OV", 1, "pa_rc", 0.92, 0.39, 0.94),
        _summary_row("OV", 1, "pa_all", 0.93, 0.42, 0.94),
        _summary_row("OV", 1, "pa_best", 0.92, 0.39, 0.94, selected=4, lr=0, rf=5),
        _summary_row("OV", 1, "pn", 0.97, 0.35, 0.96, lr=3, rf=5),
        _summary_row("BRCA", 1, "pn", 0.96, 0.59, 0.96, lr=4, rf=5),
    ]
    s = {(r["context"], r["cv"], r["method"]): r for r in rows}
    # pa_rc and pa_all tie on validation: the earlier one (pa_rc) is picked
    assert R.picked_variant(s, "OV", 1) == "pa_rc"
    # test AUC up (0.92 > 0.90) but re-paired AUC down (0.39 < 0.40): the rule is not met
    assert R.rule_met(s, "OV", 1) == "no"
    s[("OV", 1, "pa_best")] = dict(s[("OV", 1, "pa_best")], repaired_auc=0.40)
    assert R.rule_met(s, "OV", 1) == "yes"
    assert R.rule_met(s, "BRCA", 1) == "–"
    text = R.render_pair_aware({"summary": s, "choice": {}}, [("BRCA", 1), ("OV", 1), ("OV", 2)])
    section = text.split("### CV1 / CV3 with the SynLeaF score")[1].split("### All 19")[0]
    assert "1 of the 2 CV1 / CV3 scenarios" in section
    lines = [ln for ln in section.splitlines() if ln.startswith("| OV")]
    assert lines == [
        "| OV | 1 | pa_rc | 0.900 / 0.900 / 0.400 | 0.920 / 0.920 / 0.400 | 0.970 / 0.970 / 0.340 "
        "| 0.850 / 0.850 / 0.410 | 4/5 / 0/5 / 5/5 | yes |"
    ]
    assert "| BRCA |" not in section
    # OV CV1: rule met (after the edit above); 0.92 < LR's 0.97, so not at or above the baselines
    assert (
        "Rule met in **1 of 1**; pair-aware test AUC at or above the better of LR and RF in **0 of 1**"
        in section
    )
    assert "only where listed" in text
    # every CV1 / CV3 scenario covered: the text says so and the count follows
    s[("BRCA", 1, "pa_best")] = dict(s[("OV", 1, "pa_best")], context="BRCA", test_auc=0.97)
    s[("BRCA", 1, "selected")] = dict(s[("OV", 1, "selected")], context="BRCA")
    s[("BRCA", 1, "lr")] = dict(s[("OV", 1, "lr")], context="BRCA")
    full = R.render_pair_aware({"summary": s, "choice": {}}, [("BRCA", 1), ("OV", 1), ("OV", 2)])
    section = full.split("### CV1 / CV3 with the SynLeaF score")[1].split("### All 19")[0]
    assert "All 2 CV1 / CV3 scenarios." in section and "not retrained" not in section
    assert "Rule met in **2 of 2**" in section and "in **1 of 2**" in section
    assert "only where listed" not in full
    # without retrained scenarios the table is absent
    del s[("OV", 1, "pa_best")]
    assert "### CV1 / CV3 with" not in R.render_pair_aware(
        {"summary": s, "choice": {}}, [("OV", 1)]
    )
