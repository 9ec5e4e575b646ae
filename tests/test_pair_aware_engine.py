"""Where a bundle's manifest chose the pair-aware score (issue 13, part 4), it *is* the context's
score: lookups, partners, genome-wide blocks and the rank map all use it (shipped bundles)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synleaf_desktop import paths
from synleaf_desktop.cli.main import main
from synleaf_desktop.scoring import ScoringEngine
from synleaf_desktop.scoring.calibration import heldout_scores
from synleaf_desktop.scoring.context import ContextScorer
from synleaf_desktop.scoring.pair_model import PairModel, pair_features
from synleaf_desktop.scoring.pair_scorer import PairAwareScorer


def _chosen() -> dict[str, bool]:
    out = {}
    for man in sorted(paths.bundled_models_dir().glob("*/manifest.json")):
        m = json.loads(man.read_text())
        out[m["name"]] = bool((m.get("pair_aware") or {}).get("chosen"))
    return out


@pytest.fixture(scope="module")
def chosen_engine():
    chosen = _chosen()
    if not any(chosen.values()):
        pytest.skip("no bundled model chose the pair-aware score")
    ctx = next(n for n, c in chosen.items() if c)
    other = next((n for n, c in chosen.items() if not c), None)
    names = [ctx] + ([other] if other else [])
    return ScoringEngine.from_registry(names=names), ctx, other


def _by_hand(engine, ctx, i, j):
    """float64 [K, n]: the stored stacker applied pair by pair to the fold models' scores."""
    b = engine.bundle(ctx)
    pm = PairModel.from_arrays(b.member_arrays("pair_model.npz"))
    terms = engine.kg_terms
    x = pair_features(np.c_[i, j], engine.evidence_store(ctx), terms, terms.rows(list(b.genes)))
    plain = ContextScorer(b)
    so_ab, sk_ab = plain._teacher(i, j)
    so_ba, sk_ba = plain._teacher(j, i)
    base = {
        "synleaf": plain.pairs(i, j)["folds"],
        "only_omics": 0.5 * (so_ab + so_ba),
        "only_kg": 0.5 * (sk_ab + sk_ba),
    }
    return pm.fold_scores(x, base), base["synleaf"].mean(axis=0)


def test_score_is_the_stacker_where_chosen(chosen_engine, capsys):
    engine, ctx, other = chosen_engine
    res = engine.score_pair("RAD51", "BRCA1", [ctx] + ([other] if other else []))
    cs = res.contexts[ctx]
    assert cs.score_kind == "pair-aware" and cs.by_order is None
    b = engine.bundle(ctx)
    i, j = np.array([b.gene_index["RAD51"]]), np.array([b.gene_index["BRCA1"]])
    folds, synleaf = _by_hand(engine, ctx, i, j)
    assert folds.shape[0] == b.folds
    assert cs.score == pytest.approx(float(folds.mean()), abs=1e-6)
    assert cs.folds == pytest.approx(folds[:, 0].tolist(), abs=1e-6)
    assert cs.synleaf_score == pytest.approx(float(synleaf[0]), abs=1e-6)
    assert cs.score != pytest.approx(cs.synleaf_score, abs=1e-4)
    # ranks describe the pair-aware score
    assert cs.percentile == pytest.approx(
        float(engine.calibration(ctx).percentile(cs.score)), abs=1e-3
    )
    if other:
        o = res.contexts[other]
        assert o.score_kind == "synleaf" and o.synleaf_score is None and o.by_order is not None
    assert engine.context_info(ctx)["score_kind"] == "pair-aware"
    # shown by the CLI, in JSON and text
    assert main(["score", "RAD51", "BRCA1", "--contexts", ctx, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["contexts"][ctx]
    assert d["score_kind"] == "pair-aware" and d["score"] == pytest.approx(cs.score)
    assert d["synleaf_score"] == pytest.approx(cs.synleaf_score)
    assert main(["score", "RAD51", "BRCA1", "--contexts", ctx]) == 0
    assert "pair-aware score" in capsys.readouterr().out


def test_partners_and_blocks_agree_with_lookups(chosen_engine):
    engine, ctx, _ = chosen_engine
    sc = engine._scorers[ctx]
    assert isinstance(sc, PairAwareScorer)
    rng = np.random.default_rng(3)
    G = sc.n_genes
    row = int(sc.index["BRCA1"])
    cols = rng.choice(G, 40, replace=False)
    cols = cols[cols != row]
    ref, _ = _by_hand(engine, ctx, np.full(len(cols), row), cols)
    np.testing.assert_allclose(sc.partner_folds(row)[:, cols], ref, atol=2e-6)
    r0 = 200
    mean, sd = sc.block(r0, r0 + 3, r0 + 1)
    jj = rng.integers(r0 + 1, G, 30)
    for k in range(3):
        ref, _ = _by_hand(engine, ctx, np.full(len(jj), r0 + k), jj)
        np.testing.assert_allclose(mean[k, jj - r0 - 1], ref.mean(axis=0), atol=2e-6)
        np.testing.assert_allclose(sd[k, jj - r0 - 1], ref.std(axis=0), atol=2e-6)


def test_rank_map_was_built_from_the_pair_aware_score(chosen_engine):
    """The manifest says so, and the stored held-out scores are the pair-aware out-of-fold
    scores of each fold's test positives, recomputed here."""
    engine, ctx, _ = chosen_engine
    b = engine.bundle(ctx)
    assert b.manifest["calibration"]["score_kind"] == "pair-aware"
    assert "computed from the pair-aware score" in b.manifest["pair_aware"]["ranks_note"]
    stored = engine.calibration(ctx).heldout
    again = heldout_scores(engine._scorers[ctx], b.split_pairs)
    np.testing.assert_allclose(stored, again, atol=1e-6)
    plain = heldout_scores(ContextScorer(b), b.split_pairs)
    assert np.abs(plain - again).max() > 1e-3  # not the fold models' own scores
