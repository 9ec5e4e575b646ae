"""The bulk pair features (:mod:`synleaf_desktop.scoring.pair_index`) equal the pair-by-pair
ones (:func:`~synleaf_desktop.scoring.pair_model.pair_features`) on generated cohorts and graphs."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synleaf_desktop.data.kg_terms import build_term_index
from synleaf_desktop.io.kg import KnowledgeGraph
from synleaf_desktop.scoring.evidence import EvidenceStore, pack_bits
from synleaf_desktop.scoring.kg_evidence import TermIndex
from synleaf_desktop.scoring.pair_index import PairFeatureIndex
from synleaf_desktop.scoring.pair_model import FEATURES, pair_features


def _store(genes, rng, n_samples):
    calls = rng.random((len(genes), n_samples)) < rng.uniform(0, 0.5, (len(genes), 1))
    calls[0] = False  # never inactivated: no evidence
    types = rng.integers(0, 4, len(genes)).astype(np.uint8)
    return EvidenceStore(
        np.array(genes),
        pack_bits(calls),
        np.zeros((len(genes), 5), np.int32),
        np.full(5, n_samples, np.int32),
        types,
        np.array([f"s{i}" for i in range(n_samples)]),
    )


def _terms(genes, rng, n_terms, go_path):
    """A graph over ``genes`` plus some genes the bundle lacks: random GO BP / pathway members
    and a few direct gene-gene edges."""
    kg_genes = [*genes[1:], "EXTRA1", "EXTRA2"]  # genes[0] has no annotation at all
    names = kg_genes + [f"GO:{t}" for t in range(n_terms)] + ["hsa1", "hsa2"]
    g = len(kg_genes)
    types = [0] * g + [1] * n_terms + [4, 4]
    edges = []
    for t in range(n_terms + 2):
        size = int(rng.integers(1, g + 1))
        for m in rng.choice(g, size, replace=False):
            edges.append((int(m), g + t, 0 if t < n_terms else 1))
    for _ in range(4):
        a, b = rng.choice(g, 2, replace=False)
        edges.append((int(a), int(b), 2))
    e = np.array(edges).T
    kg = KnowledgeGraph(
        np.array(names),
        np.array(types),
        ["Gene", "BP", "MF", "CC", "Pathway"],
        e[:2],
        e[2],
        ["gene_bp", "gene_pathway", "interacts"],
    )
    with gzip.open(go_path, "wt") as fh:
        fh.write("go_id\tontology\tterm\n")
        fh.writelines(f"GO:{t}\tBP\tterm {t}\n" for t in range(n_terms))
    return TermIndex.from_arrays(build_term_index(kg, go_path))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_genes=st.integers(3, 30),
    n_samples=st.integers(1, 70),
    n_terms=st.integers(1, 12),
)
def test_bulk_features_equal_pair_by_pair(tmp_path_factory, seed, n_genes, n_samples, n_terms):
    rng = np.random.default_rng(seed)
    genes = [f"G{k}" for k in range(n_genes)]
    store = _store(genes, rng, n_samples)
    terms = _terms(genes, rng, n_terms, tmp_path_factory.mktemp("go") / "go.tsv.gz")
    idx = PairFeatureIndex(genes, store, terms)
    rows = terms.rows(genes)
    # one gene against all, and a block
    for i in range(n_genes):
        ref = pair_features(np.c_[np.full(n_genes, i), np.arange(n_genes)], store, terms, rows)
        np.testing.assert_allclose(idx.row(i), ref, rtol=1e-12, atol=1e-12)
    blk = idx.block(1, min(3, n_genes), 2)
    ii, jj = np.meshgrid(np.arange(1, min(3, n_genes)), np.arange(2, n_genes), indexing="ij")
    ref = pair_features(np.c_[ii.ravel(), jj.ravel()], store, terms, rows)
    np.testing.assert_allclose(blk.reshape(-1, len(FEATURES)), ref, rtol=1e-12, atol=1e-12)
    # many pairs (grouped) and few pairs (pair by pair)
    i = rng.integers(0, n_genes, 150)
    j = rng.integers(0, n_genes, 150)
    ref = pair_features(np.c_[i, j], store, terms, rows)
    np.testing.assert_allclose(idx.pairs(i, j), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(idx.pairs(i[:5], j[:5]), ref[:5], rtol=1e-12, atol=1e-12)


def test_without_cohort_or_terms():
    idx = PairFeatureIndex(["A", "B", "C"])
    x = idx.row(0)
    assert x.shape == (3, len(FEATURES))
    assert x[:, FEATURES.index("coinact_missing")].tolist() == [1, 1, 1]
    assert np.count_nonzero(x) == 3
    with pytest.raises(IndexError):
        idx.row(5)
