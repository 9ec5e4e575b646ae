"""A bundle whose manifest chose the pair-aware score, end to end on a small generated bundle:
``bundle finish`` ranks the pair-aware score (exactly, against all pairs scored one by one),
keeps the bundle's evidence, and the engine's lookups, partners and genome-wide export all give
the pair-aware score (issue 13, part 4)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synleaf_desktop.app.bundles import finish_bundle
from synleaf_desktop.bundle.format import Bundle
from synleaf_desktop.bundle.pair_member import add_pair_model
from synleaf_desktop.bundle.validate import validate_bundle
from synleaf_desktop.bundle.writer import add_bundle_member
from synleaf_desktop.scoring.context import ContextScorer
from synleaf_desktop.scoring.engine import ScoringEngine
from synleaf_desktop.scoring.evidence import pack_bits
from synleaf_desktop.scoring.pair_model import FEATURES, PairModel
from synleaf_desktop.scoring.pair_scorer import PairAwareScorer
from tests.bundle_fixtures import make_bundle

K = 2
INPUTS = ["pair", "synleaf", "only_omics", "only_kg"]


def _pair_model_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    F, S = len(FEATURES), len(INPUTS)
    coef = np.zeros((K, F))
    coef[:, FEATURES.index("coinact_depletion")] = 1.5  # depleted pairs score higher
    coef[:, FEATURES.index("terms_sum")] = 0.4
    return {
        "sub_mean": rng.normal(0, 0.1, (K, F)),
        "sub_scale": np.ones((K, F)),
        "sub_coef": coef,
        "sub_intercept": np.array([-0.2, 0.1]),
        "stack_mean": np.zeros((K, S)),
        "stack_scale": np.ones((K, S)),
        "stack_coef": np.array([[0.5, 0.15, 0.05, 0.05], [0.6, 0.1, 0.05, 0.1]]),
        "stack_intercept": np.array([0.05, -0.1]),
        "meta_json": np.array(json.dumps({"features": list(FEATURES), "stack_inputs": INPUTS})),
    }


@pytest.fixture()
def folder(tmp_path):
    folder = make_bundle(tmp_path / "PA", "PA", n_genes=60, n_folds=K, strategy="umt", seed=4)
    genes = [str(g) for g in Bundle.load(folder).genes]
    rng = np.random.default_rng(1)
    calls = rng.random((len(genes), 40)) < 0.2
    arrays = {
        "inact_bits": pack_bits(calls),
        "profile_counts": np.zeros((len(genes), 5), np.int32),
        "profiled": np.full(5, 40, np.int32),
        "gene_types": np.full(len(genes), 3, np.uint8),
        "samples": np.array([f"T{k}" for k in range(40)]),
        "meta_json": np.array(json.dumps({"description": "generated"})),
    }
    add_bundle_member(folder, "evidence.npz", arrays, "evidence", {"file": "evidence.npz"})
    add_pair_model(folder, _pair_model_arrays(), {"variant": "pa_all", "rule": "test"})
    finish_bundle(folder, n_threads=2)
    return folder


def test_finish_ranks_the_pair_aware_score(folder):
    validate_bundle(folder)
    m = json.loads((folder / "manifest.json").read_text())
    assert m["calibration"]["score_kind"] == "pair-aware"
    assert m["evidence"]["file"] == "evidence.npz"  # a finish without --data keeps it
    assert "computed from the pair-aware score" in m["pair_aware"]["ranks_note"]
    assert "computed from the pair-aware score" in (folder / "MODEL_CARD.md").read_text()
    eng = ScoringEngine([Bundle.load(folder)])
    sc = eng._scorers["PA"]
    assert isinstance(sc, PairAwareScorer)
    G = sc.n_genes
    i, j = np.triu_indices(G, 1)
    every = sc.pairs(i, j)["folds"].mean(axis=0)  # all pairs, scored one by one
    plain = ContextScorer(sc.bundle).pairs(i, j)["folds"].mean(axis=0)
    assert np.abs(every - plain).max() > 0.05  # a different score from the fold models'
    cal = eng.calibration("PA")
    assert cal.n_pairs == len(every)
    exact = (every[None, :] >= every[:, None]).mean(axis=1)  # share scoring at least as high
    np.testing.assert_allclose(cal.top_fraction(every), exact, atol=2e-3)


def test_engine_uses_the_pair_aware_score_everywhere(folder, tmp_path):
    b = Bundle.load(folder)
    eng = ScoringEngine([b])
    genes = [str(g) for g in b.genes]
    pm = PairModel.from_arrays(b.member_arrays("pair_model.npz"))
    # lookup == stacker of the pair's features and fold scores
    res = eng.score_pair(genes[3], genes[7]).contexts["PA"]
    sc = eng._scorers["PA"]
    x = sc.features.pairs(np.array([3]), np.array([7]))
    plain = ContextScorer(b)
    so_ab, sk_ab = plain._teacher(np.array([3]), np.array([7]))
    so_ba, sk_ba = plain._teacher(np.array([7]), np.array([3]))
    base = {
        "synleaf": plain.pairs(np.array([3]), np.array([7]))["folds"],
        "only_omics": 0.5 * (so_ab + so_ba),
        "only_kg": 0.5 * (sk_ab + sk_ba),
    }
    assert res.score == pytest.approx(float(pm.score(x, base)[0]), abs=1e-6)
    assert res.synleaf_score == pytest.approx(float(base["synleaf"].mean()), abs=1e-6)
    # partners of gene 3 and the genome-wide top list carry the same numbers
    part = eng.partners(genes[3], top=G_ALL, contexts=["PA"])["PA"]
    row = part.set_index("partner").loc[genes[7]]
    assert float(row["score"]) == pytest.approx(res.score, abs=1e-5)
    out = tmp_path / "top.tsv"
    eng.genome_wide("PA", out, top=5)
    import pandas as pd

    top = pd.read_csv(out, sep="\t")
    i = np.array([genes.index(g) for g in top["gene1"]])
    j = np.array([genes.index(g) for g in top["gene2"]])
    np.testing.assert_allclose(top["score"], sc.pairs(i, j)["folds"].mean(axis=0), atol=2e-6)
    ii, jj = np.triu_indices(len(genes), 1)
    best = np.sort(sc.pairs(ii, jj)["folds"].mean(axis=0))[::-1][:5]
    np.testing.assert_allclose(top["score"], best, atol=2e-6)


G_ALL = 100
