"""Context building: universe, KG restriction, omics alignment, labels, save/load.

Synthetic fixtures (a tiny graph, cohort and label table) except the last test, which
builds one real context from ../shared/data.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop.data.build import build_context, format_tables, summary_row
from synleaf_desktop.data.context import Context
from synleaf_desktop.data.kg_restrict import (
    KEEP_ALL,
    connected_genes,
    pathway_edge_mask,
    resolve_pathway_policy,
    restrict_kg,
)
from synleaf_desktop.data.universe import align_matrix, gene_universe, map_labels
from synleaf_desktop.io.kg import KnowledgeGraph
from synleaf_desktop.io.omics import OmicsMatrix

CORE = [f"G{i:02d}" for i in range(60)]
SPECIAL = ["NOUNI", "NOOMICS", "ISOL", "PWONLY", "GGIN", "GGOUT1", "GGOUT2"]
SAMPLES = np.array([f"S{i}" for i in range(6)])


class FakeResolver:
    def has_uniprot(self, symbol: str) -> bool:
        return symbol not in ("NOUNI", "GGOUT1", "GGOUT2")


def _graph() -> KnowledgeGraph:
    """Genes CORE + SPECIAL, 2 BP terms, pathways hsa05200 (generic), hsa05210 (COAD),
    hsa05214 (glioma). Relations: gene_bp, gene_pathway, gene_gene and reverses."""
    genes = CORE + SPECIAL
    others = ["BP0", "BP1", "hsa05200", "hsa05210", "hsa05214"]
    names = np.array(genes + others)
    types = np.array([0] * len(genes) + [1, 1, 2, 2, 2], dtype=np.int8)
    idx = {n: i for i, n in enumerate(names)}
    edges: list[tuple[str, str, int]] = []
    for i, g in enumerate(CORE):
        edges.append((g, f"BP{i % 2}", 0))
        if i % 3 == 0:
            edges.append((g, "hsa05200", 1))
        if i % 5 == 0:
            edges.append((g, "hsa05210", 1))
        if i % 7 == 0:
            edges.append((g, "hsa05214", 1))
    edges += [
        ("NOUNI", "BP0", 0),
        ("NOOMICS", "BP1", 0),
        ("PWONLY", "hsa05214", 1),
        ("GGIN", "BP0", 0),
        ("GGIN", "GGOUT1", 2),
        ("GGOUT1", "GGOUT2", 2),
        ("GGOUT2", "BP1", 0),
    ]
    fwd = np.array([[idx[a], idx[b]] for a, b, _ in edges]).T
    rel = np.array([r for *_, r in edges])
    ei = np.concatenate([fwd, fwd[::-1]], axis=1)
    et = np.concatenate([rel, rel + 3])
    return KnowledgeGraph(
        names,
        types,
        ["Gene", "BP", "Pathway"],
        ei,
        et,
        [
            "gene_bp",
            "gene_pathway",
            "gene_gene",
            "gene_bp_rev",
            "gene_pathway_rev",
            "gene_gene_rev",
        ],
        {"name": "tiny"},
    )


def _cohort(seed: int = 0):
    rng = np.random.default_rng(seed)
    mut_genes = np.array([*CORE, "NOUNI", "ISOL", "PWONLY", "GGIN", "XTRA"])
    cna_genes = np.array([*CORE[:50], "GGOUT1", "GGOUT2"])
    mut = OmicsMatrix(
        "mut",
        mut_genes,
        SAMPLES,
        rng.random((len(mut_genes), 6)).astype(np.float32),
        normalised=True,
    )
    cna = OmicsMatrix(
        "cna",
        cna_genes,
        SAMPLES,
        rng.normal(size=(len(cna_genes), 6)).astype(np.float32),
        normalised=True,
    )
    return SimpleNamespace(name="synthetic", samples=SAMPLES, omics={"mut": mut, "cna": cna})


def _labels(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seen: set[tuple[str, str]] = set()
    rows = []
    while len(rows) < 450:
        a, b = sorted(rng.choice(CORE, 2, replace=False).tolist())
        if (a, b) in seen:
            continue
        seen.add((a, b))
        rows.append((a, b, 1 if len(rows) < 150 else 0))
    rows += [
        ("G01", "NOUNI", 1),
        ("NOOMICS", "G02", 0),
        ("G03", "XTRA", 1),
        ("ISOL", "G04", 0),
        ("PWONLY", "G05", 1),
    ]
    return pd.DataFrame(rows, columns=["gene1", "gene2", "label"])


@pytest.fixture(scope="module")
def graph():
    return _graph()


@pytest.fixture(scope="module")
def coad(graph):
    return build_context("COAD", _cohort(), _labels(), graph, resolver=FakeResolver())


# ----------------------------------------------------------------------


def test_pathway_policy_table():
    assert resolve_pathway_policy("COAD") == "hsa05210"
    assert resolve_pathway_policy("LAML") == "hsa05221"
    assert resolve_pathway_policy("BRCA") is None and resolve_pathway_policy("OV") is None
    assert resolve_pathway_policy("pan") == KEEP_ALL
    assert resolve_pathway_policy("my_cohort") is None
    assert resolve_pathway_policy("BRCA", "hsa05214") == "hsa05214"


def test_pathway_filter_on_tiny_graph(graph):
    names = graph.entity_names

    def touching(mask, pw):
        i = int(np.flatnonzero(names == pw)[0])
        ei = graph.edge_index[:, mask]
        return int(((ei[0] == i) | (ei[1] == i)).sum())

    m, info = pathway_edge_mask(graph, "hsa05210")  # COAD
    assert touching(m, "hsa05210") == 2 * 12 and touching(m, "hsa05214") == 0
    assert touching(m, "hsa05200") == 2 * 20  # generic pathway kept
    assert info["kept_pathways"] == ["hsa05210"] and info["removed_pathways"] == ["hsa05214"]
    assert info["edges_removed"] == 2 * (9 + 1)
    m, info = pathway_edge_mask(graph, None)  # BRCA: none
    assert touching(m, "hsa05210") == touching(m, "hsa05214") == 0 and touching(m, "hsa05200") == 40
    m, info = pathway_edge_mask(graph, KEEP_ALL)  # pan
    assert m.all() and info["removed_pathways"] == []
    with pytest.raises(ValueError):
        pathway_edge_mask(graph, "hsa99999")


def test_universe_rules(graph, coad):
    genes = set(coad.genes.tolist())
    # NOUNI: no UniProt; NOOMICS: in no omics; ISOL: no edge; PWONLY: its only edge is to glioma,
    # removed for COAD; XTRA: not in the graph; GGOUT*: no UniProt
    assert genes == set(CORE) | {"GGIN"}
    assert list(coad.genes) == sorted(coad.genes)
    assert coad.meta["universe"] == {
        "kg_genes": 65,
        "uniprot_genes": 62,
        "omics_genes": 67,
        "universe": 61,
    }
    pan = build_context("pan", _cohort(), _labels(), graph, resolver=FakeResolver())
    assert "PWONLY" in pan.genes  # pan keeps every cancer pathway


def test_kg_restriction_keeps_indices_and_gene_gene_rule(graph, coad):
    kg = coad.kg
    assert kg.num_entities == graph.num_entities and kg.num_relations == 6
    np.testing.assert_array_equal(kg.entity_types, graph.entity_types)
    np.testing.assert_array_equal(graph.entity_names[kg.gene_entity], coad.genes)
    idx = {n: i for i, n in enumerate(graph.entity_names.tolist())}
    pairs = set(map(tuple, kg.edge_index.T.tolist()))
    assert (idx["GGIN"], idx["GGOUT1"]) in pairs and (
        idx["GGOUT1"],
        idx["GGIN"],
    ) in pairs  # one end in
    assert (idx["GGOUT1"], idx["GGOUT2"]) not in pairs  # both outside
    assert (idx["GGOUT2"], idx["BP1"]) not in pairs and (idx["NOUNI"], idx["BP0"]) not in pairs
    out_genes = [idx[g] for g in ("NOUNI", "NOOMICS", "PWONLY", "GGOUT2")]
    assert not np.isin(kg.edge_index, out_genes).any()
    per = coad.meta["kg"]["per_relation"]
    assert per["gene_gene"] == [2, 2, 1] and per["gene_pathway"][0] == 20 + 12 + 9 + 1
    assert per["gene_pathway"][2] == 20 + 12  # generic + COAD pathway edges of universe genes
    assert sum(v[2] for v in per.values()) == kg.edge_index.shape[1] == len(kg.edge_type)


def test_connected_genes_counts_only_kept_edges(graph):
    m, _ = pathway_edge_mask(graph, None)
    assert "PWONLY" not in connected_genes(graph, m) and "PWONLY" in connected_genes(graph)
    assert "ISOL" not in connected_genes(graph)


def test_omics_alignment(coad):
    cohort = _cohort()
    assert list(coad.omics) == ["mut", "cna"] and coad.samples.tolist() == SAMPLES.tolist()
    for k in ("mut", "cna"):
        arr = coad.omics[k]
        assert arr.dtype == np.float32 and arr.shape == (len(coad.genes), 6)
        src = cohort.omics[k]
        row = {g: i for i, g in enumerate(src.genes.tolist())}
        for gi, g in enumerate(coad.genes.tolist()):
            if g in row:
                np.testing.assert_array_equal(arr[gi], src.values[row[g]])
            else:
                assert not arr[gi].any()  # e.g. G50..G59 and GGIN have no cna row
    assert coad.meta["omics"]["genes_in_universe"] == {"mut": 61, "cna": 50}


def test_align_matrix_reorders_samples_and_zero_fills():
    vals = np.array([[1, 2, np.nan], [4, 5, 6]], dtype=np.float32)
    out = align_matrix(
        vals,
        np.array(["B", "A"]),
        np.array(["s3", "s1", "s2"]),
        np.array(["A", "B", "C"]),
        np.array(["s1", "s2", "s3", "s4"]),
    )
    np.testing.assert_array_equal(out, [[5, 6, 4, 0], [2, 0, 1, 0], [0, 0, 0, 0]])
    assert out.dtype == np.float32


def test_label_mapping_counts_and_reasons(coad):
    rep = coad.meta["labels"]
    assert rep["rows_in"] == 455 and rep["kept"] == 450 and rep["dropped"] == 5
    assert rep["dropped_positives"] == 3 and rep["positives"] == 150 and rep["negatives"] == 300
    assert rep["genes_out_names"] == ["ISOL", "NOOMICS", "NOUNI", "PWONLY", "XTRA"]
    assert rep["genes_out"] == {"not_in_kg": 3, "no_uniprot": 1, "not_in_omics": 1}
    lab = coad.labels
    assert lab.dtype == np.int64 and lab.shape == (450, 3)
    assert np.all(np.lexsort((lab[:, 1], lab[:, 0])) == np.arange(len(lab)))
    g = coad.genes
    src = _labels().iloc[:450]
    got = {(g[a], g[b], int(y)) for a, b, y in lab.tolist()}
    assert got == set(map(tuple, src.itertuples(index=False, name=None)))


def test_map_labels_merges_reversed_duplicates_as_negative():
    uni = np.array(["A", "B", "C"])
    arr, rep = map_labels(
        np.array(["A", "B", "A", "C"]), np.array(["B", "A", "C", "A"]), np.array([1, 0, 1, 1]), uni
    )
    assert rep.duplicates == 2
    assert arr.tolist() == [[0, 1, 0], [0, 2, 1]]


def test_gene_universe_intersection():
    uni, rep = gene_universe(["A", "B", "C", "D"], [["B", "C"], ["D", "E"]], lambda g: g != "C")
    assert uni.tolist() == ["B", "D"] and rep.as_dict() == {
        "kg_genes": 4,
        "uniprot_genes": 3,
        "omics_genes": 4,
        "universe": 2,
    }


def test_splits_and_meta_present(coad):
    assert sorted(coad.splits) == [(cv, k) for cv in (1, 2, 3) for k in range(1, 6)]
    row = coad.meta["summary"]
    assert row == summary_row(coad)
    assert row["positives"] == 150 and row["negatives"] == 300 and row["genes"] == 61
    assert row["cv1"]["positives"] == 150 and row["cv1"]["negatives_after"] == 150
    text = format_tables([row])
    assert "COAD" in text and "CV3" in text
    assert coad.meta["kg"]["pathways"]["kept_pathways"] == ["hsa05210"]
    assert set(coad.meta["versions"]) >= {"numpy", "pandas", "scikit-learn", "synleaf_desktop"}


def test_save_load_round_trip(coad, tmp_path):
    dest = coad.save(tmp_path)
    back = Context.load(dest)
    assert back.name == "COAD" and back.genes.tolist() == coad.genes.tolist()
    assert back.samples.tolist() == coad.samples.tolist()
    for k in coad.omics:
        np.testing.assert_array_equal(back.omics[k], coad.omics[k])
    np.testing.assert_array_equal(back.labels, coad.labels)
    np.testing.assert_array_equal(back.kg.edge_index, coad.kg.edge_index)
    np.testing.assert_array_equal(back.kg.edge_type, coad.kg.edge_type)
    np.testing.assert_array_equal(back.kg.gene_entity, coad.kg.gene_entity)
    assert (
        back.kg.relation_names == coad.kg.relation_names
        and back.kg.num_entities == coad.kg.num_entities
    )
    assert sorted(back.splits) == sorted(coad.splits)
    for key, parts in coad.splits.items():
        for part, arr in parts.items():
            np.testing.assert_array_equal(back.splits[key][part], arr)
    assert back.meta["summary"]["positives"] == 150 and back.meta["seed"] == coad.meta["seed"]
    light = Context.load(dest, omics=False)
    assert light.omics == {} and light.genes.tolist() == coad.genes.tolist()


def test_building_alone_equals_building_after_another(graph, coad):
    build_context("pan", _cohort(1), _labels(1), graph, resolver=FakeResolver())
    np.random.seed(123)  # global RNG state must not matter either
    again = build_context("COAD", _cohort(), _labels(), graph, resolver=FakeResolver())
    for key, parts in coad.splits.items():
        for part, arr in parts.items():
            np.testing.assert_array_equal(again.splits[key][part], arr)
    other = build_context("KIRC", _cohort(), _labels(), graph, resolver=FakeResolver())
    assert other.meta["seed"] != coad.meta["seed"]
    assert any(
        not np.array_equal(other.splits[k]["test"], coad.splits[k]["test"]) for k in coad.splits
    )


def test_release_cohort_frees_matrices(graph):
    cohort = _cohort()
    ctx = build_context(
        "OV", cohort, _labels(), graph, resolver=FakeResolver(), release_cohort=True
    )
    assert cohort.omics == {} and set(ctx.omics) == {"mut", "cna"}


# ----------------------------------------------------------------------
# real data


@pytest.mark.shared_data
def test_build_real_kirc(shared_data, tmp_path):
    pytest.importorskip("synleaf_desktop.io.study", reason="needs the omics study reader")
    from synleaf_desktop.data.build import build_all

    t0 = time.perf_counter()
    rows = build_all(shared_data, tmp_path, contexts=["KIRC"])
    elapsed = time.perf_counter() - t0
    (row,) = rows
    ctx = Context.load(tmp_path / "KIRC")
    assert 15000 < row["genes"] < 20000, row["genes"]
    assert set(ctx.omics_kinds) == {"mut", "cna", "exp"}
    assert 500 < len(ctx.samples) < 700
    # ELISL KIRC: 60 positives, 2,514 negatives before gene filtering
    assert 40 <= row["positives"] <= 60 and 1500 <= row["negatives"] <= 2574
    assert row["cv1"]["negatives_after"] == row["cv1"]["positives"] == row["positives"]
    assert sorted(ctx.splits) == [(cv, k) for cv in (1, 2, 3) for k in range(1, 6)]
    assert ctx.meta["kg"]["pathways"]["kept_pathways"] == ["hsa05211"]
    assert all(len(d) == 64 for d in ctx.meta["inputs"].values()) and len(ctx.meta["inputs"]) >= 5
    for k in ctx.omics_kinds:
        assert (
            ctx.omics[k].shape == (row["genes"], len(ctx.samples))
            and np.isfinite(ctx.omics[k]).all()
        )
    print(f"KIRC built in {elapsed:.1f} s")


def test_cli_show_and_errors(coad, tmp_path, capsys):
    from synleaf_desktop.cli.main import main

    dest = coad.save(tmp_path)
    assert main(["data", "show", str(dest), "--details"]) == 0
    out = capsys.readouterr().out
    assert "context COAD: 61 genes x 6 samples" in out and "CV3" in out and "gene_gene" in out
    assert "kept ['hsa05210']" in out
    assert main(["data", "show", str(tmp_path / "nothing")]) == 2
    assert "not a context folder" in capsys.readouterr().err
    assert (
        main(
            [
                "data",
                "build",
                "--data",
                str(tmp_path),
                "--out",
                str(tmp_path / "o"),
                "--contexts",
                "XX",
            ]
        )
        == 2
    )
    assert "unknown context" in capsys.readouterr().err


def test_restrict_kg_without_pathway_mask_and_bad_universe(graph):
    ckg, summary = restrict_kg(graph, np.array(CORE))
    assert summary["edges_after_pathways"] == summary["edges_full"] == graph.num_edges
    idx = {n: i for i, n in enumerate(graph.entity_names.tolist())}
    glioma = idx["hsa05214"]
    assert ((ckg.edge_index == glioma).any(axis=0)).sum() == 2 * 9  # CORE genes' glioma edges kept
    with pytest.raises(ValueError, match="not Gene entities"):
        restrict_kg(graph, np.array(["G00", "XTRA"]))


@pytest.mark.shared_data
def test_holdout_removes_target_pairs_in_either_order(shared_data):
    """The pan pretraining source for transfer must not contain any pair labelled in the
    held-out contexts, whichever gene comes first."""
    from synleaf_desktop.data import sources
    from synleaf_desktop.data.build import _remove_holdout_pairs
    from synleaf_desktop.io.genes import default_resolver
    from synleaf_desktop.io.labels import LabelTable

    resolver = default_resolver()
    cache: dict = {}
    src = sources.builtin_source(shared_data, "KIRC")
    kirc = sources._read_labels(src, resolver, cache).for_cancer("KIRC").pairs
    a, b = str(kirc["gene1"].iloc[0]), str(kirc["gene2"].iloc[0])
    c, d = str(kirc["gene1"].iloc[1]), str(kirc["gene2"].iloc[1])
    pan = LabelTable(
        pairs=pd.DataFrame(
            {
                "gene1": [b, c, "ZZZ1"],
                "gene2": [a, d, "ZZZ2"],
                "label": [1, 0, 1],
                "cancer": ["pan"] * 3,
            }
        )
    )
    kept, removed = _remove_holdout_pairs(pan, shared_data, ["KIRC"], resolver, cache)
    assert removed == 2
    assert kept.pairs[["gene1", "gene2"]].values.tolist() == [["ZZZ1", "ZZZ2"]]


def test_cli_holdout_needs_pan(tmp_path, capsys):
    from synleaf_desktop.cli.main import main

    (tmp_path / "omics").mkdir()
    args = ["data", "build", "--data", str(tmp_path), "--out", str(tmp_path / "o")]
    assert main([*args, "--contexts", "KIRC", "--holdout", "OV"]) == 2
    assert "--holdout needs --contexts pan" in capsys.readouterr().err
    assert main([*args, "--contexts", "pan", "--holdout", "pan"]) == 2
