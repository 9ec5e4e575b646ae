"""Knowledge graphs (synleaf_desktop.io.kg): importers, save/load, the shipped annotation graph."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop.errors import InputError
from synleaf_desktop.io.genes import GeneResolver, default_resolver
from synleaf_desktop.io.kg import (
    ANNOTATION_RELATIONS,
    ANNOTATION_TYPES,
    SYNLETHKG_TYPES,
    KnowledgeGraph,
    build_annotation_kg,
    read_kg,
    read_slkg_export,
    read_synlethkg_partial,
    read_triples,
)


@pytest.fixture(scope="module")
def resolver() -> GeneResolver:
    genes = pd.DataFrame(
        {
            "entrez_id": [672, 675, 7157, 142, 54715, 3845],
            "symbol": ["BRCA1", "BRCA2", "TP53", "PARP1", "RBFOX1", "KRAS"],
            "gene_type": ["protein-coding"] * 6,
            "chromosome": ["1"] * 6,
            "has_uniprot": [1] * 6,
        }
    )
    return GeneResolver(genes, pd.DataFrame({"alias": ["A2BP1"], "entrez_id": [54715]}))


def _write(path, text: str, gz: bool = False):
    data = text.encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _edges(g: KnowledgeGraph) -> set[tuple[str, str, str]]:
    n, r = g.entity_names, g.relation_names
    return {
        (n[s], r[t], n[d])
        for s, d, t in zip(g.edge_index[0], g.edge_index[1], g.edge_type, strict=True)
    }


def _check_invariants(g: KnowledgeGraph) -> None:
    assert (
        g.edge_index.dtype == np.int64
        and g.edge_type.dtype == np.int64
        and g.entity_types.dtype == np.int8
    )
    assert g.entity_names.dtype.kind == "U"
    key = pd.DataFrame({"s": g.edge_index[0], "d": g.edge_index[1], "t": g.edge_type})
    assert not key.duplicated().any()
    assert not (g.edge_index[0] == g.edge_index[1]).any()


# ----------------------------------------------------------------------
# generic triples


def test_triples_untyped(tmp_path, resolver):
    f = _write(
        tmp_path / "kg.csv",
        "\n".join(
            [
                "head,relation,tail",
                "BRCA1,interacts,TP53",
                "brca1,interacts,TP53",  # same edge after resolution -> deduplicated
                "A2BP1,member_of,complexX",  # alias -> RBFOX1 (Gene); complexX -> Entity
                "TP53,interacts,TP53",  # self-loop dropped
                "KRAS,binds,drugY",
                "drugY,binds_rev,KRAS",  # reverse already present: no extra reverse for binds
            ]
        )
        + "\n",
    )
    g = read_triples(f, resolver=resolver)
    _check_invariants(g)
    assert g.type_names == ["Gene", "Entity"]
    assert g.entity_names.tolist() == ["BRCA1", "KRAS", "RBFOX1", "TP53", "complexX", "drugY"]
    assert g.entity_types.tolist() == [0, 0, 0, 0, 1, 1]
    assert g.relation_names == [
        "binds",
        "binds_rev",
        "interacts",
        "member_of",
        "interacts_rev",
        "member_of_rev",
    ]
    assert _edges(g) == {
        ("BRCA1", "interacts", "TP53"),
        ("TP53", "interacts_rev", "BRCA1"),
        ("RBFOX1", "member_of", "complexX"),
        ("complexX", "member_of_rev", "RBFOX1"),
        ("KRAS", "binds", "drugY"),
        ("drugY", "binds_rev", "KRAS"),
    }
    assert (
        g.meta["counts"]["self_loops_dropped"] == 1
        and g.meta["counts"]["duplicate_edges_dropped"] == 1
    )
    assert g.gene_symbols().tolist() == ["BRCA1", "KRAS", "RBFOX1", "TP53"]
    assert g.gene_entity_index(["TP53", "complexX", "BRCA1", "nope"]).tolist() == [3, -1, 0, -1]


def test_triples_typed_tsv_gz(tmp_path, resolver):
    f = _write(
        tmp_path / "kg.tsv.gz",
        "\n".join(
            [
                "h\tr\tt\thead_type\ttail_type",
                "BRCA1\tparticipates\tGO:1\tgene\tBP",
                "PARP1\tparticipates\tGO:1\tGene\tBP",
                "OLDGENE\tparticipates\tGO:2\tGene\tBP",  # unresolved gene: kept as written, counted
                "GO:1\tisa\tGO:2\tBP\tBP",
            ]
        )
        + "\n",
        gz=True,
    )
    g = read_triples(f, resolver=resolver)
    _check_invariants(g)
    assert g.type_names == ["Gene", "BP"]
    assert g.entity_names.tolist() == ["BRCA1", "OLDGENE", "PARP1", "GO:1", "GO:2"]
    assert g.num_relations == 4 and g.num_edges == 8
    assert g.meta["unresolved_genes"] == ["OLDGENE"] and g.meta["typed"] is True


# ----------------------------------------------------------------------
# SLKG Neo4j export


SLKG = """_id,_labels,name,_start,_end,_type
5,:Gene,BRCA1,,,
2,:Gene,BRCA1,,,
7,:Gene,A2BP1,,,
9,:Gene,PARP1,,,
11,:Compound,olaparib,,,
13,:Disease,"breast cancer, familial",,,
20,:Gene,TP53,,,
,,,5,9,SL_GsG
,,,2,9,NONSL_GnsG
,,,7,20,SR_GsrG
,,,5,7,REGULATES_GrG
,,,7,2,REGULATES_GrG
,,,11,9,BINDS_CbG
,,,13,5,ASSOCIATES_DaG
,,,13,2,ASSOCIATES_DaG
"""


def test_slkg_export(tmp_path, resolver):
    f = _write(tmp_path / "sldb_complete.csv", SLKG)
    g = read_slkg_export(f, resolver=resolver)
    _check_invariants(g)
    assert g.meta["dropped_label_edges"] == {"SL_GsG": 1, "NONSL_GnsG": 1, "SR_GsrG": 1}
    assert g.meta["counts"]["gene_ids_merged"] == 1
    # TP53 (20) only had a label edge: not an entity. Order = ascending node id: 2, 7, 9, 11, 13
    assert g.entity_names.tolist() == [
        "BRCA1",
        "RBFOX1",
        "PARP1",
        "olaparib",
        "breast cancer, familial",
    ]
    assert [g.type_names[t] for t in g.entity_types] == [
        "Gene",
        "Gene",
        "Gene",
        "Compound",
        "Disease",
    ]
    # relations grouped by (head type, relation, tail type), sorted; no reverse for REGULATES_GrG
    assert g.relation_names == [
        "BINDS_CbG",
        "ASSOCIATES_DaG",
        "REGULATES_GrG",
        "BINDS_CbG_rev",
        "ASSOCIATES_DaG_rev",
    ]
    assert _edges(g) == {
        ("olaparib", "BINDS_CbG", "PARP1"),
        ("PARP1", "BINDS_CbG_rev", "olaparib"),
        (
            "breast cancer, familial",
            "ASSOCIATES_DaG",
            "BRCA1",
        ),  # two edges merged into one via id 2
        ("BRCA1", "ASSOCIATES_DaG_rev", "breast cancer, familial"),
        ("BRCA1", "REGULATES_GrG", "RBFOX1"),
        ("RBFOX1", "REGULATES_GrG", "BRCA1"),
    }
    assert g.meta["counts"]["duplicate_edges_dropped"] == 1
    assert read_kg(f, resolver=resolver).checksum() == g.checksum()


def test_slkg_export_missing_columns(tmp_path, resolver):
    f = _write(tmp_path / "x.csv", "_id,_labels,name\n1,:Gene,BRCA1\n")
    with pytest.raises(InputError, match=r"missing columns \['_start', '_end', '_type'\]"):
        read_slkg_export(f, resolver=resolver)


# ----------------------------------------------------------------------
# SynLethKG partial layout


def _partial(tmp_path):
    root = tmp_path / "synlethkg_partial"
    (root / "XX").mkdir(parents=True)
    (root / "YY").mkdir()
    _write(root / "YY" / "entity2id.txt", "a\tb\n0.0\t0\n")  # entity2id only (like COAD)
    # SynLethDB ids 100 (BRCA1 gene), 101 (A2BP1 gene), 102 (GO term), 103 (drug)
    _write(root / "XX" / "entity2id.txt", "a\tb\n102.0\t2\n100.0\t0\n101.0\t1\n103.0\t3\n")
    _write(
        root / "XX" / "kg2id.txt",
        "0.0\t0\t2.0\n1.0\t0\t2.0\n0.0\t1\t1.0\n3.0\t2\t0.0\n3.0\t2\t0.0\n",
    )
    _write(
        root / "dbid2name.csv",
        ',_id,name\n100,100,BRCA1\n101,101,A2BP1\n102,102,"DNA repair, x"\n103,103,drugZ\n',
    )
    _write(root / "dbid2kgid.txt", "a\tb\n100\t0\n101\t1\n102\t2\n103\t3\n")
    _write(root / "entity.txt", "2\n2\n3\n4\n")
    rows = [
        "cancer\tlocal_relation_id\trelation_type\tsynlethkg_relation_id\tn_triples\thead_entity_type\t"
        "tail_entity_type\tstatus",
        "XX\t0\tPARTICIPATES_GpBP\t2\t2\tGene\tBiological process\tverified",
        "XX\t1\tREGULATES_GrG\t4\t1\tGene\tGene\tverified",
        "XX\t2\tBINDS_CbG\t12\t1\tCompound\tGene\tverified",
    ]
    _write(root / "relation_map_by_cancer.tsv.gz", "\n".join(rows) + "\n", gz=True)
    return root


def test_synlethkg_partial_tiny(tmp_path, resolver):
    root = _partial(tmp_path)
    g = read_synlethkg_partial(root, "XX", resolver=resolver)
    _check_invariants(g)
    assert g.type_names == list(SYNLETHKG_TYPES)
    assert g.entity_names.tolist() == ["BRCA1", "RBFOX1", "DNA repair, x", "drugZ"]
    assert [g.type_names[t] for t in g.entity_types] == [
        "Gene",
        "Gene",
        "Biological process",
        "Compound",
    ]
    assert g.relation_names == [
        "PARTICIPATES_GpBP",
        "REGULATES_GrG",
        "BINDS_CbG",
        "PARTICIPATES_GpBP_rev",
        "BINDS_CbG_rev",
    ]
    assert g.num_edges == 4 + 1 + 2 and g.meta["counts"]["duplicate_edges_dropped"] == 1
    assert ("drugZ", "BINDS_CbG", "BRCA1") in _edges(g) and (
        "BRCA1",
        "BINDS_CbG_rev",
        "drugZ",
    ) in _edges(g)
    assert read_kg(root / "XX", resolver=resolver).checksum() == g.checksum()
    assert read_kg(root, resolver=resolver, cancer="XX").checksum() == g.checksum()
    with pytest.raises(InputError, match=r"available: \['XX'\]"):
        read_synlethkg_partial(root, "YY", resolver=resolver)
    with pytest.raises(InputError, match="choose one of"):
        read_kg(root, resolver=resolver)


# ----------------------------------------------------------------------
# save / load


def test_save_load_round_trip(tmp_path, resolver):
    f = _write(
        tmp_path / "kg.csv", "head,relation,tail\nBRCA1,r1,TP53\nTP53,r2,thing\nKRAS,r1,BRCA1\n"
    )
    g = read_triples(f, resolver=resolver)
    dest = g.save(tmp_path / "graph")
    assert sorted(p.name for p in dest.iterdir()) == ["graph.json", "graph.npz"]
    back = KnowledgeGraph.load(dest)
    for name in ("entity_names", "entity_types", "edge_index", "edge_type"):
        a, b = getattr(g, name), getattr(back, name)
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    assert back.type_names == g.type_names and back.relation_names == g.relation_names
    assert (
        back.kg_id == g.kg_id
        and back.kg_id.startswith("kg@")
        and len(back.kg_id) == len("kg@") + 12
    )
    assert back.summary() == g.summary()
    assert back.meta["inputs"] == g.meta["inputs"]
    assert read_kg(dest).kg_id == g.kg_id and read_kg(dest / "graph.npz").kg_id == g.kg_id
    with np.load(dest / "graph.npz", allow_pickle=False) as z:
        assert z["edge_index"].dtype == np.int32
    # a changed checksum is detected
    info = json.loads((dest / "graph.json").read_text())
    info["sha256"] = "0" * 64
    (dest / "graph.json").write_text(json.dumps(info))
    with pytest.raises(InputError, match="do not match"):
        KnowledgeGraph.load(dest)
    with pytest.raises(InputError, match=r"graph.npz is missing"):
        KnowledgeGraph.load(tmp_path)


# ----------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("", "empty"),
        ("head relation tail\nBRCA1 r TP53\n", "only one column"),
        ("a,b,c\nBRCA1,r,TP53\n", "missing columns: expected head, relation, tail"),
        ("head,relation,tail\n", "no triples"),
        ("head,relation,tail\nfoo,r,bar\nbar,r,baz\n", "no Gene entities"),
    ],
)
def test_bad_triples(tmp_path, resolver, text, pattern):
    f = _write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError, match=pattern):
        read_triples(f, resolver=resolver)


def test_truncated_gzip_triples(tmp_path, resolver):
    data = gzip.compress(("head,relation,tail\n" + "BRCA1,r,TP53\n" * 30000).encode())
    f = tmp_path / "kg.csv.gz"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        read_triples(f, resolver=resolver)
    with pytest.raises(InputError, match="truncated or corrupt"):
        read_kg(f, resolver=resolver)


# ----------------------------------------------------------------------
# real data


@pytest.fixture(scope="module")
def annotation_kg(request):
    shared = request.getfixturevalue("shared_data")
    return shared, build_annotation_kg(shared / "kg")


def test_annotation_kg_counts(annotation_kg):
    shared, g = annotation_kg
    kg = shared / "kg"
    terms = pd.read_csv(kg / "go_terms.tsv.gz", sep="\t", usecols=["ontology"])[
        "ontology"
    ].value_counts()
    s = g.summary()
    assert g.type_names == list(ANNOTATION_TYPES)
    assert g.num_relations == 18 and g.relation_names[:9] == list(ANNOTATION_RELATIONS)
    assert g.relation_names[9:] == [r + "_rev" for r in ANNOTATION_RELATIONS]
    for ont in ("BP", "MF", "CC"):
        assert s["entities"][ont] == terms[ont]
    assert sum(s["entities"][o] for o in ("BP", "MF", "CC")) == 43558  # data README
    assert s["entities"]["Pathway"] == 229  # data README
    assert 20000 < s["entities"]["Gene"] < 21000
    e = s["edges"]
    # data README: GO parent links per relationship type; KEGG 16,312 rows (no duplicates)
    assert [e[r] for r in ANNOTATION_RELATIONS[4:]] == [70058, 6997, 3184, 2742, 2732]
    assert e["gene_pathway"] == 16312
    gene_go = pd.read_csv(
        kg / "gene_go.tsv.gz", sep="\t", usecols=["entrez_id", "go_id"]
    ).drop_duplicates()
    assert e["gene_bp"] + e["gene_mf"] + e["gene_cc"] == len(gene_go)
    for r in ANNOTATION_RELATIONS:
        assert e[r + "_rev"] == e[r]
    assert g.num_edges == 2 * sum(e[r] for r in ANNOTATION_RELATIONS)
    _check_invariants(g)
    # entity order: type then name
    df = pd.DataFrame({"t": g.entity_types, "n": g.entity_names})
    assert df.equals(df.sort_values(["t", "n"]).reset_index(drop=True))
    assert g.entity_names[g.entity_types == 4][:2].tolist() == ["hsa00010", "hsa00020"]
    # every gene entity is a current symbol
    genes = g.gene_symbols()
    res = default_resolver().resolve_many(genes.tolist())
    assert (res.symbols == genes.astype(object)).all()
    assert g.meta["versions"] == {"org.Hs.eg.db": "3.16.0", "GO.db": "3.16.0"}
    assert len(g.meta["inputs"]) == 5
    idx = g.gene_entity_index(["BRCA1", "TP53", "NOT_A_GENE"])
    assert idx[2] == -1 and g.entity_names[idx[:2]].tolist() == ["BRCA1", "TP53"]


def test_annotation_kg_save_load_and_shipped(annotation_kg, tmp_path):
    from synleaf_desktop import paths

    _, g = annotation_kg
    back = KnowledgeGraph.load(g.save(tmp_path / "kg"))
    assert back.kg_id == g.kg_id
    assert np.array_equal(back.edge_index, g.edge_index) and np.array_equal(
        back.entity_names, g.entity_names
    )
    shipped = paths.resources_dir() / "kg"
    if (shipped / "graph.npz").exists():  # the shipped graph is the one built from this data
        assert KnowledgeGraph.load(shipped).kg_id == g.kg_id


def test_synlethkg_partial_ov(shared_data):
    g = read_synlethkg_partial(shared_data / "kg" / "synlethkg_partial", "OV")
    s = g.summary()
    assert s["num_entities"] == 6893  # data README: OV entity2id rows
    assert s["entities"]["Gene"] == 38  # synlethkg_partial README
    assert g.num_relations == 21 + 20  # 21 types; REGULATES_GrG not reversed
    fwd = sum(n for r, n in s["edges"].items() if not r.endswith("_rev"))
    assert fwd == 34062  # data README: OV kg2id rows (no duplicates)
    _check_invariants(g)
    assert (
        g.gene_entity_index(["SRC", "BRCA1"]).tolist()[1] == -1
        and g.gene_entity_index(["SRC"])[0] >= 0
    )
