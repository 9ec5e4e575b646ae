"""Bad user input gives an InputError naming the file (and line / column where it applies).

Omics part (readers in synleaf_desktop/io: tabular, maf, matrix, seg, study).
"""

from __future__ import annotations

import gzip

import pytest

from synleaf_desktop.errors import InputError
from synleaf_desktop.io.maf import read_maf
from synleaf_desktop.io.matrix import read_matrix
from synleaf_desktop.io.seg import read_seg
from synleaf_desktop.io.study import read_study

from .test_io_omics import write


def _err(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert err.path is not None and str(err.path) in str(err), "the message must name the file"
    return err


@pytest.mark.parametrize("content", [b"", b"#only a comment\n"])
def test_empty_file(tmp_path, content):
    p = tmp_path / "data_linear_cna.txt"
    p.write_bytes(content)
    err = _err(read_matrix, p, "cna")
    assert err.path == p and ("empty" in err.message or "no header" in err.message)


def test_empty_gz_and_maf(tmp_path):
    p = tmp_path / "data_mutations.txt.gz"
    with gzip.open(p, "wb"):
        pass
    assert "no header" in _err(read_maf, p).message


@pytest.mark.parametrize("sep, word", [(",", "comma"), (";", "semicolon")])
def test_wrong_delimiter(tmp_path, sep, word):
    p = tmp_path / "m.csv"
    p.write_text(f"Hugo_Symbol{sep}S1{sep}S2\nTP53{sep}1{sep}2\n")
    err = _err(read_matrix, p, "exp")
    assert word in err.message and "tab-separated" in err.message and err.line == 1


def test_no_gene_column(tmp_path):
    p = write(tmp_path / "m.txt", [["Name_of_thing", "S1"], ["TP53", "1"]])
    err = _err(read_matrix, p, "exp")
    assert "no gene column" in err.message and "'Name_of_thing'" in err.message


def test_duplicate_genes_warn_and_keep_first(tmp_path):
    p = write(
        tmp_path / "m.txt", [["Hugo_Symbol", "S1"], ["TP53", "1"], ["KRAS", "5"], ["TP53", "2"]]
    )
    m = read_matrix(p, "exp")
    assert m.values[list(m.genes).index("TP53"), 0] == 1
    assert any("TP53 (kept line 2; ignored 4)" in w for w in m.report.warnings)


def test_duplicate_sample_column_is_an_error(tmp_path):
    p = write(tmp_path / "m.txt", [["Hugo_Symbol", "S1", "S2", "S1"], ["TP53", "1", "2", "3"]])
    err = _err(read_matrix, p, "exp")
    assert err.column == "S1" and "columns 2, 4" in err.message and err.line == 1


def test_non_numeric_cells(tmp_path):
    rows = [
        ["Hugo_Symbol", "S1", "S2"],
        ["TP53", "1", "2"],
        ["KRAS", "NA", "high"],
        ["EGFR", "1,5", ""],
    ]
    err = _err(read_matrix, write(tmp_path / "m.txt.gz", rows, comments=("#x",)), "exp")
    assert (
        err.line == 4
        and err.column == "S2"
        and "'high'" in err.message
        and "2 cell(s)" in err.message
    )
    assert "line 4" in str(err) and "'S2'" in str(err)


def test_no_sample_columns(tmp_path):
    p = write(
        tmp_path / "m.txt",
        [["Hugo_Symbol", "Entrez_Gene_Id", "Cytoband"], ["TP53", "7157", "17p13"]],
    )
    assert "no sample columns" in _err(read_matrix, p, "cna").message


def test_maf_without_sample_column(tmp_path):
    p = write(
        tmp_path / "data_mutations.txt",
        [["Hugo_Symbol", "Chromosome", "Sample"], ["TP53", "17", "x"]],
        comments=("#version 2.4",),
    )
    err = _err(read_maf, p)
    assert (
        "Tumor_Sample_Barcode" in err.message
        and "'Chromosome'" in err.message
        and "'Sample'" in err.message
    )


def test_truncated_gz(tmp_path):
    full = write(
        tmp_path / "full.txt.gz", [["Hugo_Symbol", "S1"]] + [[f"G{i}", i] for i in range(5000)]
    )
    p = tmp_path / "data_linear_cna.txt.gz"
    p.write_bytes(full.read_bytes()[:-200])
    err = _err(read_matrix, p, "cna")
    assert "truncated or not valid gzip" in err.message
    fake = tmp_path / "fake.txt.gz"
    fake.write_text("Hugo_Symbol\tS1\n")
    assert "not valid gzip" in _err(read_matrix, fake, "cna").message


def test_ragged_rows(tmp_path):
    p = tmp_path / "m.txt"
    p.write_text("Hugo_Symbol\tS1\nTP53\t1\nKRAS\t1\t2\t3\n")
    err = _err(read_matrix, p, "exp")
    assert err.line == 3 and "malformed" in err.message


def test_seg_bad_input(tmp_path):
    p = write(tmp_path / "x.seg", [["ID", "chrom", "loc.start", "seg.mean"], ["S", 1, 1, 0.1]])
    assert "loc.end" in _err(read_seg, p).message
    p = write(
        tmp_path / "y.seg",
        [
            ["ID", "chrom", "loc.start", "loc.end", "seg.mean"],
            ["S", 1, 1, 10, 0.1],
            ["S", 1, 20, 10, 0.1],
        ],
    )
    err = _err(read_seg, p)
    assert err.line == 3 and "greater than loc.end" in err.message
    p = write(
        tmp_path / "z.seg",
        [["ID", "chrom", "loc.start", "loc.end", "seg.mean"], ["S", 1, 1, 10, "amp"]],
    )
    err = _err(read_seg, p)
    assert err.line == 2 and err.column == "seg.mean"


def test_folder_without_omics(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "data_clinical_sample.txt").write_text("x\n")
    (folder / "notes.md").write_text("x\n")
    err = _err(read_study, folder)
    assert err.path == folder and "no recognisable omics file" in err.message
    assert "data_clinical_sample.txt" in err.message and "notes.md" in err.message


def test_missing_path(tmp_path):
    assert "no such file" in _err(read_study, tmp_path / "nope").message
