"""Study import: file recognition, meta files, priorities, alignment, save/load, pooling, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from synleaf_desktop.cli.main import main
from synleaf_desktop.errors import CancelledError, InputError
from synleaf_desktop.io.omics import OmicsMatrix
from synleaf_desktop.io.study import Cohort, read_study, recognise

from .test_io_omics import write


@pytest.mark.parametrize(
    "name, expected",
    [
        ("data_mutations.txt", ("mut", "maf")),
        ("data_mutations_extended.txt.gz", ("mut", "maf")),
        ("sample.maf", ("mut", "maf")),
        ("data_mutation_matrix.txt.gz", ("mut", "binary_mutation")),
        ("data_alteration_matrix.txt", ("mut", "alteration")),
        ("data_linear_cna.txt", ("cna", "linear_cna")),
        ("data_log2_cna.txt", ("cna", "log2_cna")),
        ("data_CNA.txt", ("cna", "discrete_cna")),
        ("data_cna_hg19.seg.gz", ("cna", "seg")),
        ("luad_tcga_data_cna_hg19.seg", ("cna", "seg")),
        ("study_seg.txt", ("cna", "seg")),
        ("data_mrna_seq_v2_rsem_zscores_ref_all_samples.txt", ("exp", "rnaseq_zscores")),
        ("data_RNA_Seq_v2_mRNA_median_Zscores.txt", ("exp", "rnaseq_zscores")),
        ("data_mrna_seq_fpkm_zscores_ref_all_samples.txt", ("exp", "rnaseq_zscores")),
        ("data_mrna_agilent_microarray_zscores_ref_all_samples.txt", ("exp", "zscores")),
        ("data_mrna_microarray.txt.gz", ("exp", "microarray")),
        ("data_methylation_hm450.txt", ("myl", "methylation_hm450")),
        ("data_methylation_hm27.txt", ("myl", "methylation_hm27")),
        ("data_clinical_patient.txt", None),
        ("meta_mutations.txt", None),
        ("data_mrna_seq_v2_rsem.txt", None),  # raw RSEM values are not used
        ("README.md", None),
    ],
)
def test_recognise_names(name, expected):
    assert recognise(Path("/x") / name) == expected


def _mut_matrix(path: Path, samples: list[str], genes: dict[str, list[int]]) -> Path:
    return write(path, [["Hugo_Symbol", *samples]] + [[g, *v] for g, v in genes.items()])


def _study(folder: Path) -> Path:
    """A small study with alternatives for every kind."""
    folder.mkdir(parents=True, exist_ok=True)
    write(
        folder / "data_mutations.txt",
        [
            ["Hugo_Symbol", "Tumor_Sample_Barcode"],
            ["TP53", "TCGA-AA-0001-01A"],
            ["TP53", "TCGA-AA-0001-01A"],
            ["TP53", "TCGA-AA-0001-01A"],
            ["KRAS", "TCGA-AA-0002-01A"],
        ],
        comments=("#version 2.4",),
    )
    _mut_matrix(folder / "data_mutation_matrix.txt", ["TCGA-AA-0001-01"], {"TP53": [1]})
    _mut_matrix(folder / "data_alteration_matrix.txt", ["TCGA-AA-0001"], {"TP53": [1]})
    write(
        folder / "data_linear_cna.txt",
        [
            ["Hugo_Symbol", "Entrez_Gene_Id", "TCGA-AA-0001-01", "TCGA-AA-0003-01"],
            ["TP53", 7157, -0.5, 1.25],
            ["MYC", 4609, "NA", 2.0],
        ],
    )
    write(folder / "data_cna.txt", [["Hugo_Symbol", "TCGA-AA-0001-01"], ["TP53", -1]])
    write(
        folder / "data_cna_hg19.seg",
        [
            ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"],
            ["TCGA-AA-0001-01", 17, 1, 100, 3, 0.1],
        ],
    )
    write(
        folder / "data_mrna_seq_v2_rsem_zscores_ref_all_samples.txt",
        [["Hugo_Symbol", "TCGA-AA-0002-01", "TCGA-AA-0004-01"], ["TP53", -15, 2.5]],
    )
    write(folder / "data_mrna_microarray.txt", [["Hugo_Symbol", "TCGA-AA-0002-01"], ["TP53", 1]])
    write(folder / "data_methylation_hm27.txt", [["Hugo_Symbol", "TCGA-AA-0001-01"], ["TP53", 0.9]])
    write(
        folder / "data_methylation_hm450.txt", [["Hugo_Symbol", "TCGA-AA-0001-01"], ["TP53", 0.3]]
    )
    (folder / "data_clinical_patient.txt").write_text("PATIENT_ID\nx\n")
    return folder


def test_read_study_priorities_alignment_summary(tmp_path):
    folder = _study(tmp_path / "mystudy")
    cohort = read_study(folder)
    assert cohort.name == "mystudy"
    assert list(cohort.omics) == ["mut", "cna", "exp", "myl"]
    fmts = {k: m.fmt for k, m in cohort.omics.items()}
    assert fmts == {
        "mut": "maf",
        "cna": "linear_cna",
        "exp": "rnaseq_zscores",
        "myl": "methylation_hm450",
    }
    assert list(cohort.samples) == [f"TCGA-AA-000{i}-01" for i in (1, 2, 3, 4)]
    for m in cohort.omics.values():
        assert (
            m.normalised
            and list(m.samples) == list(cohort.samples)
            and not np.isnan(m.values).any()
        )
    mut = cohort.omics["mut"]
    assert list(mut.genes) == ["KRAS", "TP53"]
    np.testing.assert_allclose(
        mut.values, [[0, np.log(2) / np.log(4), 0, 0], [1, 0, 0, 0]], rtol=1e-6
    )
    cna = cohort.omics["cna"]
    np.testing.assert_allclose(
        cna.values, [[0, 0, 2.0, 0], [-0.5, 0, 1.25, 0]]
    )  # MYC, TP53; NA -> 0
    np.testing.assert_allclose(cohort.omics["exp"].values, [[0, -10, 0, 2.5]])  # clipped at -10
    np.testing.assert_array_equal(cohort.has_data["cna"], [True, False, True, False])
    s = cohort.summary()
    json.dumps(s)
    assert s["samples"] == 4
    assert s["omics"]["cna"]["samples_with_data"] == 2 and s["omics"]["cna"]["genes"] == 2
    alts = {
        k: sorted(Path(a["file"]).name for a in v) for k, v in s["alternatives_not_used"].items()
    }
    assert alts == {
        "mut": ["data_alteration_matrix.txt", "data_mutation_matrix.txt"],
        "cna": ["data_cna.txt", "data_cna_hg19.seg"],
        "exp": ["data_mrna_microarray.txt"],
        "myl": ["data_methylation_hm27.txt"],
    }
    assert [Path(f).name for f in s["ignored_files"]] == ["data_clinical_patient.txt"]


def test_meta_files_override_names(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    write(folder / "copy_number.tsv", [["Hugo_Symbol", "S1"], ["TP53", 1.5]])
    (folder / "meta_cn.txt").write_text(
        "cancer_study_identifier: x\ngenetic_alteration_type: COPY_NUMBER_ALTERATION\n"
        "datatype: CONTINUOUS\ndata_filename: copy_number.tsv\n"
    )
    # a name-recognised microarray file that the meta file says is RNA-seq z-scores
    write(folder / "data_mrna_microarray.txt", [["Hugo_Symbol", "S1"], ["TP53", 0.5]])
    (folder / "meta_exp.txt").write_text(
        "genetic_alteration_type: MRNA_EXPRESSION\ndatatype: Z-SCORE\n"
        "stable_id: rna_seq_v2_mrna_median_Zscores\n"
        "data_filename: data_mrna_microarray.txt\n"
    )
    cohort = read_study(folder)
    assert {k: m.fmt for k, m in cohort.omics.items()} == {
        "cna": "linear_cna",
        "exp": "rnaseq_zscores",
    }
    assert cohort.omics["cna"].values[0, 0] == pytest.approx(1.5)


def test_list_of_files_and_unrecognised_explicit_file(tmp_path):
    folder = _study(tmp_path / "s")
    cohort = read_study([folder / "data_cna.txt", folder / "data_mrna_microarray.txt"], name="two")
    assert cohort.name == "two" and {k: m.fmt for k, m in cohort.omics.items()} == {
        "cna": "discrete_cna",
        "exp": "microarray",
    }
    with pytest.raises(InputError) as err:
        read_study([folder / "data_cna.txt", folder / "data_clinical_patient.txt"])
    assert "data_clinical_patient.txt" in str(err.value) and "not a recognised omics file" in str(
        err.value
    )


def test_progress_and_cancel_between_files(tmp_path):
    from synleaf_desktop.progress import Progress

    folder = _study(tmp_path / "s")
    seen = []
    read_study(folder, progress=Progress(lambda f, msg, info: seen.append((f, msg))))
    reads = [m for _, m in seen if m.startswith("reading")]
    assert len(reads) == 4 and seen[-1] == (1.0, "done")
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)

    calls = []

    def cancel_after_first(f, msg, info):
        calls.append(msg)
        if len(calls) == 2:
            progress.cancel()

    progress = Progress(cancel_after_first)
    with pytest.raises(CancelledError):
        read_study(folder, progress=progress)
    assert sum(m.startswith("reading") for m in calls) == 2


def test_save_load_roundtrip(tmp_path):
    cohort = read_study(_study(tmp_path / "s"))
    dest = tmp_path / "user" / "cohorts" / "s"
    cohort.save(dest)
    assert sorted(p.name for p in dest.iterdir()) == ["cohort.json", "cohort.npz"]
    back = Cohort.load(dest)
    assert back.name == cohort.name and list(back.samples) == list(cohort.samples)
    for kind, m in cohort.omics.items():
        b = back.omics[kind]
        assert b.fmt == m.fmt and b.normalised and list(b.genes) == list(m.genes)
        np.testing.assert_array_equal(b.values, m.values)
        np.testing.assert_array_equal(back.has_data[kind], cohort.has_data[kind])
        assert b.report.warnings == m.report.warnings
    assert back.summary() == cohort.summary()
    (dest / "cohort.npz").write_bytes(b"garbage")
    with pytest.raises(InputError, match="damaged"):
        Cohort.load(dest)


def _raw(kind: str, genes: list[str], samples: list[str], values) -> OmicsMatrix:
    return OmicsMatrix(
        kind,
        np.array(genes, dtype=object),
        np.array(samples, dtype=object),
        np.asarray(values, dtype=np.float32),
    )


def test_from_matrices_pools_then_normalises():
    a = _raw("mut", ["KRAS", "TP53"], ["A1", "A2"], [[1, 0], [3, 0]])
    b = _raw("mut", ["EGFR", "TP53"], ["B1"], [[7], [1]])
    c = _raw("cna", ["TP53"], ["A1", "B1"], [[-1, np.nan]])
    cohort = Cohort.from_matrices("pan", [a, b, c])
    assert list(cohort.samples) == ["A1", "A2", "B1"]
    mut = cohort.omics["mut"]
    assert list(mut.genes) == ["EGFR", "KRAS", "TP53"]
    expect = np.log1p([[0, 0, 7], [1, 0, 0], [3, 0, 1]]) / np.log(8)  # pooled maximum 7
    np.testing.assert_allclose(mut.values, expect, rtol=1e-6)
    np.testing.assert_allclose(cohort.omics["cna"].values, [[-1, 0, 0]])
    np.testing.assert_array_equal(cohort.has_data["cna"], [True, False, True])
    with pytest.raises(ValueError, match="disjoint"):
        Cohort.from_matrices("bad", [a, _raw("mut", ["TP53"], ["A2"], [[1]])])


def test_cli_inspect(tmp_path, capsys):
    folder = _study(tmp_path / "s")
    assert main(["inspect", str(folder), "--json", "-q"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["samples"] == 4 and out["omics"]["mut"]["fmt"] == "maf"
    assert main(["inspect", str(folder), "-q"]) == 0
    text = capsys.readouterr().out
    assert "cohort s: 4 samples" in text and "not used (cna, discrete_cna)" in text
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("hello\n")
    assert main(["inspect", str(empty), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(empty) in err and "notes.txt" in err


def test_real_luad_study(shared_data):
    cohort = read_study(shared_data / "omics/LUAD")
    assert {k: m.fmt for k, m in cohort.omics.items()} == {
        "mut": "binary_mutation",
        "cna": "seg",
        "exp": "microarray",
    }
    s = cohort.summary()
    assert [Path(a["file"]).name for a in s["alternatives_not_used"]["mut"]] == [
        "data_alteration_matrix.txt.gz"
    ]
    assert s["omics"]["mut"]["samples_with_data"] == 227
    assert s["omics"]["cna"]["samples_with_data"] == 518
    assert s["omics"]["exp"]["samples_with_data"] == 32
    union = set()
    for m in cohort.omics.values():
        assert m.values.shape[1] == len(cohort.samples)
    for kind in cohort.omics:
        union |= set(cohort.samples[cohort.has_data[kind]])
    assert len(union) == len(cohort.samples) >= 518
