"""Cohort co-inactivation and shared annotations through the engine, CLI tables and exports
(issue 13, parts 2-3): a bundle with a hand-made ``evidence.npz``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop.bundle.format import Bundle
from synleaf_desktop.bundle.writer import add_bundle_member
from synleaf_desktop.scoring.engine import ScoringEngine
from synleaf_desktop.scoring.evidence import pack_bits
from tests.bundle_fixtures import make_bundle

N_TUMOURS = 20


@pytest.fixture()
def engine(tmp_path):
    folder = make_bundle(tmp_path / "BRCA", "BRCA", n_genes=120, n_folds=2, strategy="ume", seed=2)
    genes = [str(g) for g in Bundle.load(folder).genes]
    calls = np.zeros((len(genes), N_TUMOURS), bool)
    calls[0, :6] = True  # gene 0 lost in tumours 0-5
    calls[1, 6:10] = True  # gene 1 in 6-9: never together with gene 0
    calls[2, 3:9] = True  # gene 2 overlaps both
    counts = np.stack([calls.sum(1)] * 5, axis=1).astype(np.int32)
    types = np.zeros(len(genes), np.uint8)
    types[:3] = 3
    types[3] = 1  # profiled, never inactivated
    arrays = {
        "inact_bits": pack_bits(calls),
        "profile_counts": counts,
        "profiled": np.full(5, N_TUMOURS, np.int32),
        "gene_types": types,
        "samples": np.array([f"T{k}" for k in range(N_TUMOURS)]),
        "meta_json": np.array(
            json.dumps(
                {
                    "profile_columns": [
                        "mutated",
                        "damaging",
                        "deep_deletion",
                        "amplification",
                        "inactivated",
                    ],
                    "description": "hand-made",
                }
            )
        ),
    }
    add_bundle_member(folder, "evidence.npz", arrays, "evidence", {"tumours": N_TUMOURS})
    return ScoringEngine([Bundle.load(folder)]), genes


def test_pair_evidence_in_score_pair(engine):
    eng, g = engine
    res = eng.score_pair(g[0], g[1])
    ev = res.contexts["BRCA"].evidence
    # 6 and 4 of 20 tumours, none together: expected 6 * 4 / 20 = 1.2;
    # P(X <= 0) = C(14, 4) / C(20, 4) = 1001 / 4845
    assert (ev["n_a"], ev["n_b"], ev["n_both"]) == (6, 4, 0)
    assert ev["expected"] == pytest.approx(1.2)
    assert ev["p_depletion"] == pytest.approx(1001 / 4845)
    assert ev["sentence"].startswith(
        f"{g[0]} lost in 6 tumours, {g[1]} in 4, both in 0; 1.2 expected; p = 0.21"
    )
    prof = res.contexts["BRCA"].profiles[g[0]]
    assert prof["mutated"]["n"] == 6 and prof["mutated"]["pct"] == pytest.approx(30.0)
    d = res.to_dict()
    json.dumps(d)
    assert d["contexts"]["BRCA"]["evidence"]["n_both"] == 0
    # a gene never inactivated: no evidence, said in words, no number
    none = eng.score_pair(g[0], g[3]).contexts["BRCA"].evidence
    assert none.get("no_evidence") and "p_depletion" not in none
    assert "not inactivated in any tumour" in none["sentence"]


def test_evidence_columns_in_tables_and_partners(engine, tmp_path):
    eng, g = engine
    df, _ = eng.score_pairs([(g[0], g[1]), (g[0], g[2]), (g[0], g[3])])
    assert list(df["BRCA_both_lost"][:2]) == [0, 3] and np.isnan(df["BRCA_both_lost"][2])
    assert df["BRCA_coinact_p"][0] == pytest.approx(1001 / 4845)
    fr = eng.partners(g[0], top=None, contexts=["BRCA"])["BRCA"].set_index("partner")
    assert fr.loc[g[1], "both_lost"] == 0 and fr.loc[g[2], "both_lost"] == 3
    assert np.isnan(fr.loc[g[3], "coinact_p"])
    cc = eng.cross_context(g[0], top=None).set_index("partner")
    assert cc.loc[g[1], "BRCA_coinact_p"] == pytest.approx(1001 / 4845)
    out = tmp_path / "gw.tsv"
    eng.genome_wide("BRCA", out, threshold=0.0)
    gw = pd.read_csv(out, sep="\t", comment="#")
    row = gw[(gw["gene1"].isin([g[0], g[1]])) & (gw["gene2"].isin([g[0], g[1]]))].iloc[0]
    assert row["both_lost"] == 0 and row["expected_both"] == pytest.approx(1.2, abs=1e-3)
