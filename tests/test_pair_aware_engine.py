"""The scoring engine applies a bundle's pair-aware stacker where the manifest chose it
(issue 13, part 4), on the shipped bundles."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synleaf_desktop import paths
from synleaf_desktop.cli.main import main
from synleaf_desktop.scoring import ScoringEngine
from synleaf_desktop.scoring.pair_model import PairModel, pair_features


def _chosen() -> dict[str, bool]:
    out = {}
    for man in sorted(paths.bundled_models_dir().glob("*/manifest.json")):
        m = json.loads(man.read_text())
        out[m["name"]] = bool((m.get("pair_aware") or {}).get("chosen"))
    return out


def test_pair_aware_only_where_chosen_and_matches_the_stacker(capsys):
    chosen = _chosen()
    if not any(chosen.values()):
        pytest.skip("no bundled model chose the pair-aware score")
    ctx = next(n for n, c in chosen.items() if c)
    other = next((n for n, c in chosen.items() if not c), None)
    names = [ctx] + ([other] if other else [])
    engine = ScoringEngine.from_registry(names=names)
    res = engine.score_pair("RAD51", "BRCA1", names)
    pa = res.contexts[ctx].pair_aware
    assert pa is not None and 0.0 < pa < 1.0
    if other:
        assert res.contexts[other].pair_aware is None
    # the same number from the stored stacker applied by hand, fold by fold
    b = engine.bundle(ctx)
    pm = PairModel.from_arrays(b.member_arrays("pair_model.npz"))
    i, j = np.array([b.gene_index["RAD51"]]), np.array([b.gene_index["BRCA1"]])
    terms = engine.kg_terms
    x = pair_features(np.c_[i, j], engine.evidence_store(ctx), terms, terms.rows(list(b.genes)))
    sc = engine._scorers[ctx]
    so_ab, sk_ab = sc._teacher(i, j)
    so_ba, sk_ba = sc._teacher(j, i)
    folds = pm.fold_scores(
        x,
        {
            "synleaf": sc.pairs(i, j)["folds"],
            "only_omics": 0.5 * (so_ab + so_ba),
            "only_kg": 0.5 * (sk_ab + sk_ba),
        },
    )
    assert folds.shape[0] == b.folds
    assert pa == pytest.approx(float(folds.mean()), abs=1e-5)
    # shown by the CLI, in JSON and text
    assert main(["score", "RAD51", "BRCA1", "--contexts", ctx, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["contexts"][ctx]["pair_aware"] == pytest.approx(pa)
    assert main(["score", "RAD51", "BRCA1", "--contexts", ctx]) == 0
    assert "pair-aware score" in capsys.readouterr().out
