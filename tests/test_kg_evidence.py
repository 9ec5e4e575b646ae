"""Knowledge-graph pair evidence: shared terms ranked by specificity, direct edges, pair score."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pytest

from synleaf_desktop.data.kg_terms import build_term_index
from synleaf_desktop.io.kg import KnowledgeGraph
from synleaf_desktop.scoring.kg_evidence import TermIndex


@pytest.fixture
def toy(tmp_path):
    # genes A B C D; BP terms GO:1 (A, B, C), GO:2 (A, B); pathway hsa01 (A, B, C, D); MF GO:9 (A, B)
    names = ["A", "B", "C", "D", "GO:1", "GO:2", "GO:9", "hsa01"]
    types = [0, 0, 0, 0, 1, 1, 2, 4]
    rel = ["gene_bp", "gene_mf", "gene_pathway", "interacts", "gene_bp_rev"]
    edges = [
        (0, 4, 0),
        (1, 4, 0),
        (2, 4, 0),
        (0, 5, 0),
        (1, 5, 0),
        (5, 0, 4),  # GO:2 -> A reverse duplicate
        (0, 6, 1),
        (1, 6, 1),
        (0, 7, 2),
        (1, 7, 2),
        (2, 7, 2),
        (3, 7, 2),
        (0, 2, 3),
    ]  # a direct A - C edge
    e = np.array(edges).T
    kg = KnowledgeGraph(
        np.array(names), np.array(types), ["Gene", "BP", "MF", "CC", "Pathway"], e[:2], e[2], rel
    )
    go = tmp_path / "go_terms.tsv.gz"
    with gzip.open(go, "wt") as fh:
        fh.write(
            "go_id\tontology\tterm\nGO:1\tBP\tbig process\nGO:2\tBP\tsmall process\nGO:9\tMF\tsome function\n"
        )
    arrays = build_term_index(kg, go)
    return TermIndex.from_arrays(arrays)


def test_shared_terms_ranked_by_specificity(toy):
    res = toy.shared_terms("A", "B")
    assert [t["id"] for t in res["terms"]] == [
        "GO:2",
        "GO:1",
        "hsa01",
    ]  # 2, 3, 4 genes; MF not indexed
    assert [t["n_genes"] for t in res["terms"]] == [2, 3, 4]
    assert res["terms"][0]["name"] == "small process" and res["terms"][2]["name"] == "hsa01"
    assert res["by_type"] == {"BP": 2, "Pathway": 1}
    n = 4  # every gene has a BP or pathway term
    assert res["score"] == pytest.approx(-math.log(2 / n) - math.log(3 / n) - math.log(4 / n))
    assert res["best"] == pytest.approx(math.log(2))
    assert res["edges"] == []


def test_direct_edges_and_nothing_shared(toy):
    assert toy.direct_edges("A", "C") == ["interacts"] and toy.direct_edges("C", "A") == [
        "interacts"
    ]
    res = toy.shared_terms("C", "D")
    assert [t["id"] for t in res["terms"]] == ["hsa01"]
    assert toy.shared_terms("A", "UNKNOWN")["n_shared"] == 0
    assert toy.shared_terms("A", "UNKNOWN")["score"] == 0.0


def test_vectorised_scores_and_roundtrip(toy, tmp_path):
    rows = toy.rows(["A", "A", "C", "X"])
    other = toy.rows(["B", "C", "D", "A"])
    s = toy.pair_scores(rows, other)
    assert s[0] == pytest.approx(toy.shared_terms("A", "B")["score"])
    assert s[2] == pytest.approx(0.0) and s[3] == 0.0  # hsa01 covers all 4 genes: -ln(4/4) = 0
    np.savez(tmp_path / "t.npz", **toy.to_arrays())
    again = TermIndex.load(tmp_path / "t.npz")
    assert again.shared_terms("A", "B") == toy.shared_terms("A", "B")
    assert toy.pair_scores(rows, other, types=["Pathway"]).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_shipped_index(shared_data):
    from synleaf_desktop import paths

    path = paths.resources_dir() / "kg_terms" / "terms.npz"
    if not path.exists():
        pytest.skip("resources/kg_terms/terms.npz not built")
    idx = TermIndex.load(path)
    res = idx.shared_terms("RAD51", "BRCA1")
    assert res["n_shared"] > 0
    names = [t["name"] for t in res["terms"]]
    assert "double-strand break repair via homologous recombination" in names
    assert [t["n_genes"] for t in res["terms"]] == sorted(t["n_genes"] for t in res["terms"])
