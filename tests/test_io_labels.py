"""SL label readers (synleaf_desktop.io.labels): formats, METHOD §1.3 rules, bad input, real files."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop.errors import InputError
from synleaf_desktop.io.genes import GeneResolver
from synleaf_desktop.io.labels import (
    LabelReport,
    _read_raw,
    apply_label_rules,
    read_delimited,
    read_label_files,
    read_labels,
)


@pytest.fixture(scope="module")
def resolver() -> GeneResolver:
    """Tiny resolver: 8 genes, alias A2BP1 -> RBFOX1."""
    genes = pd.DataFrame(
        {
            "entrez_id": [672, 675, 7157, 142, 54715, 3845, 472, 5290],
            "symbol": ["BRCA1", "BRCA2", "TP53", "PARP1", "RBFOX1", "KRAS", "ATM", "PIK3CA"],
            "gene_type": ["protein-coding"] * 8,
            "chromosome": ["1"] * 8,
            "has_uniprot": [1] * 8,
        }
    )
    aliases = pd.DataFrame({"alias": ["A2BP1", "P53"], "entrez_id": [54715, 7157]})
    return GeneResolver(genes, aliases)


def _write(path, text: str, *, gz: bool = False, bom: bool = False):
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _rows(table) -> list[tuple]:
    return [
        tuple(r) for r in table.pairs[["gene1", "gene2", "label", "cancer"]].itertuples(index=False)
    ]


# ----------------------------------------------------------------------
# formats


def test_elisl_rules_by_hand(tmp_path, resolver):
    f = _write(
        tmp_path / "train_pairs.csv",
        "\n".join(
            [
                "gene1,gene2,class,cancer",
                "BRCA1,PARP1,1,BRCA",  # kept
                "PARP1,BRCA1,1,BRCA",  # reversed duplicate -> removed
                "BRCA1,PARP1,1,BRCA",  # exact duplicate -> removed
                "TP53,TP53,1,BRCA",  # self-pair -> label 0
                "KRAS,ATM,1,BRCA",  # conflict with next -> both 0, then one kept
                "ATM,KRAS,0,BRCA",
                "KRAS,ATM,1,OV",  # same pair, other cancer: no conflict
                "A2BP1,BRCA2,0,OV",  # alias -> RBFOX1
                "NOTAGENE,BRCA2,1,OV",  # unknown gene -> dropped
                "BRCA2,NOTAGENE,0,OV",  # unknown again
                "",
            ]
        ),
    )
    t = read_labels(f, resolver=resolver)
    assert t.report.files[0]["format"] == "elisl"
    assert _rows(t) == [
        ("BRCA1", "PARP1", 1, "BRCA"),
        ("TP53", "TP53", 0, "BRCA"),
        ("KRAS", "ATM", 0, "BRCA"),
        ("KRAS", "ATM", 1, "OV"),
        ("RBFOX1", "BRCA2", 0, "OV"),
    ]
    r = t.report
    assert r.n_rows == 10
    assert (
        r.rows_unknown_gene == 2
        and r.unresolved == ["NOTAGENE"]
        and r.unresolved_counts == {"NOTAGENE": 2}
    )
    assert (r.self_pairs, r.self_pairs_set_negative) == (1, 1)
    assert (r.conflict_pairs, r.conflicts_set_negative) == (1, 1)
    assert r.duplicates_removed == 3
    assert r.per_cancer["BRCA"] == {
        "positive": 1,
        "negative": 2,
        "rows_read": 6,
        "rows_unknown_gene": 0,
        "self_pairs": 1,
        "self_pairs_set_negative": 1,
        "conflict_pairs": 1,
        "conflicts_set_negative": 1,
        "duplicates_removed": 3,
    }
    assert r.per_cancer["OV"] == {
        "positive": 1,
        "negative": 1,
        "rows_read": 4,
        "rows_unknown_gene": 2,
        "self_pairs": 0,
        "self_pairs_set_negative": 0,
        "conflict_pairs": 0,
        "conflicts_set_negative": 0,
        "duplicates_removed": 0,
    }
    assert r.unresolved_by_cancer == {"OV": {"NOTAGENE": 2}}
    assert t.pairs["label"].dtype == np.int8
    assert t.cancers() == ["BRCA", "OV"]
    counts = t.counts()
    assert counts.loc["BRCA", "positive"] == 1 and counts.loc["BRCA", "negative"] == 2
    assert counts.loc["OV", "total"] == 2
    ov = t.for_cancer("ov")
    assert len(ov) == 2 and set(ov.pairs["cancer"]) == {"OV"}
    assert (ov.report.n_rows, ov.report.rows_unknown_gene, ov.report.unresolved) == (
        4,
        2,
        ["NOTAGENE"],
    )
    assert ov.report.duplicates_removed == 0 and list(ov.report.per_cancer) == ["OV"]
    brca = t.for_cancer("BRCA").report
    assert (brca.n_rows, brca.rows_unknown_gene, brca.duplicates_removed, brca.unresolved) == (
        6,
        0,
        3,
        [],
    )


def test_apply_label_rules_direct():
    df = pd.DataFrame(
        {
            "gene1": ["A", "B", "A", "C", "C"],
            "gene2": ["B", "A", "B", "C", "D"],
            "label": [1, 0, 1, 1, 0],
            "cancer": ["", "", "x", "", ""],
        }
    )
    rep = LabelReport()
    out = apply_label_rules(df, rep)
    assert out.values.tolist() == [
        ["A", "B", 0, ""],
        ["A", "B", 1, "x"],
        ["C", "C", 0, ""],
        ["C", "D", 0, ""],
    ]
    assert (rep.conflict_pairs, rep.conflicts_set_negative, rep.duplicates_removed) == (1, 1, 1)
    assert (rep.self_pairs, rep.self_pairs_set_negative) == (1, 1)


def test_synlethdb_gene_a_style_bom_and_entrez_fallback(tmp_path, resolver):
    sl = _write(
        tmp_path / "Human_SL.csv",
        "\n".join(
            [
                "gene_a.name,gene_a.identifier,gene_b.name,gene_b.identifier,SL.cell_line,SL.pubmed_id,SL.source,SL.statistic_score",
                "BRCA1,672,PARP1,142,K562;K562,1,GenomeRNAi,0.5",
                "OLDNAME,7157,KRAS,3845,,2,Text Mining,",  # name unknown, Entrez id resolves -> TP53
                "BRCA2,675,ATM,472,A549,3,CRISPR,0.1",
                "XYZ1,999999,ATM,472,,4,CRISPR,",  # neither resolves
            ]
        )
        + "\n",
        bom=True,
    )
    non = _write(
        tmp_path / "Human_nonSL.csv",
        "\n".join(
            [
                "gene_a.name,gene_a.identifier,gene_b.name,gene_b.identifier,NonSL.cell_line,NonSL.pubmed_id,NonSL.source,NonSL.statistic_score",
                "ATM,472,BRCA2,675,A549,3,CRISPR,0.69",  # conflicts with an SL row -> 0
                "PIK3CA,5290,KRAS,3845,A549,3,CRISPR,0.2",
            ]
        )
        + "\n",
        bom=True,
    )
    t = read_label_files([sl, non], resolver=resolver, cancer="pan")
    assert [f["format"] for f in t.report.files] == ["synlethdb", "synlethdb"]
    assert [f["label_from"] for f in t.report.files] == ["column prefix", "column prefix"]
    assert [f["rows"] for f in t.report.files] == [4, 2]
    assert _rows(t) == [
        ("BRCA1", "PARP1", 1, "pan"),
        ("TP53", "KRAS", 1, "pan"),
        ("BRCA2", "ATM", 0, "pan"),
        ("PIK3CA", "KRAS", 0, "pan"),
    ]
    assert t.report.unresolved == ["XYZ1"] and t.report.rows_unknown_gene == 1
    assert t.report.conflict_pairs == 1 and t.report.duplicates_removed == 1


def test_synlethdb_n1_style_label_from_name_or_argument(tmp_path, resolver):
    text = "n1.name,n2.name,cell_line\nBRCA1,PARP1,A549\nTP53,KRAS,\n"
    sr = _write(tmp_path / "Human_SR.csv", text)
    t = read_labels(sr, resolver=resolver)
    assert (
        t.report.files[0]["format"] == "synlethdb"
        and t.report.files[0]["label_from"] == "file name"
    )
    assert t.pairs["label"].tolist() == [0, 0] and t.cancers() == [""]
    sl = _write(tmp_path / "my_SL.csv", text)
    assert read_labels(sl, resolver=resolver).pairs["label"].tolist() == [1, 1]
    plain = _write(tmp_path / "export.csv", text)
    with pytest.raises(InputError, match="pass the label"):
        read_labels(plain, resolver=resolver)
    t = read_labels(plain, resolver=resolver, label=1)
    assert t.pairs["label"].tolist() == [1, 1] and t.report.files[0]["label_from"] == "argument"


def test_generic_tsv_gz_label_words_and_cancer_filter(tmp_path, resolver):
    f = _write(
        tmp_path / "pairs.tsv.gz",
        "\n".join(
            [
                "geneA\tgeneB\tis_SL\tCancer_Type",
                "BRCA1\tPARP1\ttrue\tBRCA",
                "TP53\tKRAS\tnonSL\tBRCA",
                "ATM\tBRCA2\tSL\tLUAD",
                "PIK3CA\tKRAS\t0\tLUAD",
            ]
        )
        + "\n",
        gz=True,
    )
    t = read_labels(f, resolver=resolver)
    assert t.report.files[0]["format"] == "generic"
    assert _rows(t) == [
        ("BRCA1", "PARP1", 1, "BRCA"),
        ("TP53", "KRAS", 0, "BRCA"),
        ("ATM", "BRCA2", 1, "LUAD"),
        ("PIK3CA", "KRAS", 0, "LUAD"),
    ]
    only = read_labels(f, resolver=resolver, cancer="luad")
    assert _rows(only) == [("ATM", "BRCA2", 1, "LUAD"), ("PIK3CA", "KRAS", 0, "LUAD")]


def test_generic_semicolon_source_target_without_cancer(tmp_path, resolver):
    f = _write(tmp_path / "x.csv", "source;target;y\nBRCA1;PARP1;1\nP53;KRAS;0.0\n")
    t = read_labels(f, resolver=resolver)
    assert _rows(t) == [("BRCA1", "PARP1", 1, ""), ("TP53", "KRAS", 0, "")]


def test_to_csv_round_trip(tmp_path, resolver):
    f = _write(tmp_path / "a.csv", "gene1,gene2,class,cancer\nBRCA1,PARP1,1,BRCA\nTP53,KRAS,0,OV\n")
    t = read_labels(f, resolver=resolver)
    for name in ("out.csv", "out.csv.gz"):
        dest = t.to_csv(tmp_path / name)
        back = read_labels(dest, resolver=resolver)
        pd.testing.assert_frame_equal(back.pairs, t.pairs)
        assert not list(tmp_path.glob(".*.part"))


# ----------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("", "empty"),
        ("\n\n", "empty"),
        ("gene1,gene2,class\n", "no data rows"),
        ("gene1 gene2 class\nBRCA1 PARP1 1\n", "only one column"),
        (
            "foo,bar,class\nBRCA1,PARP1,1\n",
            r"no recognisable gene columns; found columns \['foo', 'bar', 'class'\]",
        ),
        ("gene1,gene2\nBRCA1,PARP1\n", "no label column"),
    ],
)
def test_bad_tables(tmp_path, resolver, text, pattern):
    f = _write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError, match=pattern) as exc:
        read_labels(f, resolver=resolver)
    assert exc.value.path == f


def test_bad_label_value_names_line(tmp_path, resolver):
    f = _write(
        tmp_path / "bad.csv", "gene1,gene2,label\nBRCA1,PARP1,1\nTP53,KRAS,maybe\nATM,KRAS,2\n"
    )
    with pytest.raises(InputError, match="'maybe' is not 0/1-like") as exc:
        read_labels(f, resolver=resolver)
    assert exc.value.line == 3 and exc.value.column == "label"
    assert "line 3" in str(exc.value)


def test_ragged_row_and_truncated_gzip(tmp_path, resolver):
    f = _write(tmp_path / "ragged.csv", "gene1,gene2,label\nBRCA1,PARP1,1\nTP53,KRAS,0,extra\n")
    with pytest.raises(InputError) as exc:
        read_labels(f, resolver=resolver)
    assert exc.value.line == 3
    body = "gene1\tgene2\tlabel\n" + "BRCA1\tPARP1\t1\n" * 20000
    data = gzip.compress(body.encode())
    g = tmp_path / "cut.tsv.gz"
    g.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        read_labels(g, resolver=resolver)


def test_read_delimited_keeps_line_numbers(tmp_path):
    f = _write(tmp_path / "t.tsv", "\n\na\tb\n1\t2\n\n3\t4\n")
    tab = read_delimited(f)
    assert tab.sep == "\t" and tab.header_line == 3
    assert len(tab.frame) == 3 and tab.line_of(2) == 6 and tab.frame.iloc[2].tolist() == ["3", "4"]


# ----------------------------------------------------------------------
# real files

ELISL_POSITIVES = {  # data/README.md, labels/: positives per cancer (train / test)
    "BRCA": (1155, 289),
    "CESC": (116, 29),
    "COAD": (1382, 346),
    "KIRC": (48, 12),
    "LAML": (953, 238),
    "LUAD": (478, 119),
    "OV": (204, 51),
    "SKCM": (86, 21),
}


def test_real_elisl_train_test(shared_data):
    lab = shared_data / "labels"
    train, test = lab / "elisl_train_pairs.csv", lab / "elisl_test_pairs.csv"
    for path, col in (
        (train, 0),
        (test, 1),
    ):  # parsing: positives per cancer as stated in the README
        raw = _read_raw(path, "auto", None, None)
        got = pd.Series(raw.label).groupby(raw.cancer).sum().to_dict()
        assert got == {c: v[col] for c, v in ELISL_POSITIVES.items()}
    t = read_label_files([train, test])
    r = t.report
    assert [f["rows"] for f in r.files] == [109790, 27452] and r.n_rows == 137242
    assert len(t) == r.n_rows - r.rows_unknown_gene - r.duplicates_removed
    assert r.self_pairs >= 1 and r.duplicates_removed >= 1
    counts = t.counts()
    assert counts.index.tolist() == sorted(ELISL_POSITIVES)
    for cancer, (a, b) in ELISL_POSITIVES.items():
        pos = counts.loc[cancer, "positive"]
        assert 0.95 * (a + b) <= pos <= a + b, (cancer, pos)
    assert counts["positive"].sum() + counts["negative"].sum() == len(t)
    for cancer in ELISL_POSITIVES:  # per-cancer reports add up
        sub = t.for_cancer(cancer)
        rep = sub.report
        assert len(sub) == rep.n_rows - rep.rows_unknown_gene - rep.duplicates_removed
    assert sum(t.for_cancer(c).report.n_rows for c in ELISL_POSITIVES) == 137242
    assert not t.pairs.duplicated(["gene1", "gene2", "cancer"]).any()
    assert (t.pairs.loc[t.pairs.gene1 == t.pairs.gene2, "label"] == 0).all()


def test_real_synlethdb(shared_data):
    lab = shared_data / "labels"
    t = read_label_files(
        [lab / "synlethdb2_Human_SL.csv", lab / "synlethdb2_Human_nonSL.csv"], cancer="pan"
    )
    r = t.report
    assert [f["rows"] for f in r.files] == [35943, 2899]
    assert [f["label_from"] for f in r.files] == ["column prefix", "column prefix"]
    assert t.cancers() == ["pan"]
    c = t.counts().loc["pan"]
    assert (
        c["positive"] + c["negative"] + r.duplicates_removed + r.rows_unknown_gene == 35943 + 2899
    )
    assert r.conflict_pairs > 0 and 2800 <= c["negative"] <= 2899 + r.conflict_pairs
    assert r.rows_unknown_gene < 50
