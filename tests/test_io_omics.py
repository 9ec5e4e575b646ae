"""Omics readers: MAF, gene x sample matrices, segments, coordinates, normalisation.

Tiny fixtures are written by the tests; the ``shared_data`` tests read the real files.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop.io import coords as coords_mod
from synleaf_desktop.io.maf import SILENT_CLASSES, read_maf
from synleaf_desktop.io.matrix import read_matrix
from synleaf_desktop.io.normalise import normalise
from synleaf_desktop.io.omics import OmicsMatrix
from synleaf_desktop.io.seg import read_seg, segments_to_genes


def write(path: Path, rows: list[list[object]], comments: tuple[str, ...] = ()) -> Path:
    """Write tab-separated rows (gzip when the name ends with .gz)."""
    text = "".join(c + "\n" for c in comments) + "".join(
        "\t".join(map(str, r)) + "\n" for r in rows
    )
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- MAF
MAF_ROWS = [
    # extra columns, shuffled order: sample first, gene third
    ["Tumor_Sample_Barcode", "Center", "Hugo_Symbol", "Variant_Classification", "Entrez_Gene_Id"],
    ["TCGA-AA-0001-01A-11D-A000-09", "x", "TP53", "Missense_Mutation", 7157],
    ["TCGA-AA-0001-01A-11D-A000-09", "x", "TP53", "Nonsense_Mutation", 7157],
    ["TCGA-AA-0001-01A-11D-A000-09", "x", "TP53", "Silent", 7157],
    ["TCGA-AA-0002-01A-11D-A000-09", "x", "BRCA1", "Silent", 0],
    [
        "TCGA-AA-0002-01A-11D-A000-09",
        "x",
        "Unknown",
        "Missense_Mutation",
        675,
    ],  # Entrez fallback -> BRCA2
    ["TCGA-AA-0002-01A-11D-A000-09", "x", "A2BP1", "3'UTR", 0],  # old symbol -> RBFOX1
    [
        "TCGA-AA-0003-01A-11D-A000-09",
        "x",
        "NOT_A_GENE_X",
        "Missense_Mutation",
        0,
    ],  # dropped, sample kept
]


@pytest.mark.parametrize("name", ["data_mutations.txt", "data_mutations.txt.gz"])
def test_maf_counts_any_column_order_comments_gz(tmp_path, name):
    path = write(tmp_path / name, MAF_ROWS, comments=("#version 2.4", "#source x"))
    table = read_maf(path)
    assert table.report.n_rows == 7
    assert table.report.unresolved == ["NOT_A_GENE_X"]
    assert list(table.samples) == ["TCGA-AA-0001-01", "TCGA-AA-0002-01", "TCGA-AA-0003-01"]
    m = table.counts()
    assert m.kind == "mut" and m.fmt == "maf" and m.values.dtype == np.float32
    assert list(m.genes) == ["BRCA1", "BRCA2", "RBFOX1", "TP53"]
    expect = np.array([[0, 1, 0], [0, 1, 0], [0, 1, 0], [3, 0, 0]], dtype=np.float32)
    np.testing.assert_array_equal(m.values, expect)
    quiet = table.counts(exclude_silent=True)  # Silent and 3'UTR rows go
    assert list(quiet.genes) == ["BRCA2", "TP53"]
    np.testing.assert_array_equal(quiet.values, [[0, 1, 0], [2, 0, 0]])
    assert list(quiet.samples) == list(m.samples)


def test_maf_aliquots_of_one_sample_are_averaged(tmp_path):
    rows = [
        ["Hugo_Symbol", "Tumor_Sample_Barcode"],
        ["TP53", "TCGA-AA-0001-01A-11D-A000-09"],
        ["TP53", "TCGA-AA-0001-01B-11D-A000-09"],
        ["KRAS", "TCGA-AA-0001-01B-11D-A000-09"],
        ["KRAS", "TCGA-AA-0002-01A-11D-A000-09"],
    ]
    table = read_maf(write(tmp_path / "m.txt", rows))
    m = table.counts()
    assert list(m.samples) == ["TCGA-AA-0001-01", "TCGA-AA-0002-01"]
    np.testing.assert_allclose(m.values, [[0.5, 1.0], [1.0, 0.0]])  # KRAS, TP53
    assert any("averaged" in w for w in table.report.warnings)


def test_silent_classes_documented():
    assert {"silent", "intron", "3'utr", "5'utr", "3'flank", "5'flank", "igr", "rna"} == set(
        SILENT_CLASSES
    )


# --------------------------------------------------------------------------- matrices
def test_matrix_symbols_cytoband_na_duplicates(tmp_path):
    rows = [
        ["Cytoband", "Hugo_Symbol", "TCGA-AA-0002-01", "Entrez_Gene_Id", "TCGA-AA-0001-01"],
        ["17p13", "TP53", "1.5", "7157", "NA"],
        ["17q21", "BRCA1", "", "672", "-2"],
        ["x", "TP53", "9", "7157", "9"],  # duplicate: first row kept
        ["x", "", "null", "675", "0.25"],  # symbol empty -> Entrez 675 = BRCA2
        ["x", "FOO_NOT_GENE", "1", "", "1"],
    ]
    m = read_matrix(write(tmp_path / "data_linear_cna.txt.gz", rows), "cna", fmt="linear_cna")
    assert m.fmt == "linear_cna" and m.values.dtype == np.float32
    assert list(m.samples) == [
        "TCGA-AA-0001-01",
        "TCGA-AA-0002-01",
    ]  # Cytoband / Entrez never samples
    assert list(m.genes) == ["BRCA1", "BRCA2", "TP53"]
    np.testing.assert_array_equal(
        m.values, np.array([[-2, np.nan], [0.25, np.nan], [np.nan, 1.5]], dtype=np.float32)
    )
    assert m.report.unresolved == ["FOO_NOT_GENE"]
    dup = [w for w in m.report.warnings if "more than one row" in w]
    assert dup and "TP53 (kept line 2; ignored 4)" in dup[0]


def test_matrix_entrez_only_and_comment_lines(tmp_path):
    rows = [["Entrez_Gene_Id", "S1", "S2"], ["7157", "1", "0"], ["672", "0", "1"], ["0", "1", "1"]]
    m = read_matrix(write(tmp_path / "m.txt", rows, comments=("#comment",)), "mut")
    assert list(m.genes) == ["BRCA1", "TP53"]
    np.testing.assert_array_equal(m.values, [[0, 1], [1, 0]])


def test_matrix_official_symbol_row_beats_alias_row(tmp_path):
    rows = [
        ["Hugo_Symbol", "S1"],
        ["A2BP1", "1"],
        ["RBFOX1", "2"],
    ]  # A2BP1 is an old name of RBFOX1
    m = read_matrix(write(tmp_path / "m.txt", rows), "exp")
    assert list(m.genes) == ["RBFOX1"] and m.values[0, 0] == 2


def test_matrix_aliquot_columns_averaged(tmp_path):
    rows = [
        ["Hugo_Symbol", "TCGA-AA-0001-01A-01R", "TCGA-AA-0001-01B-02R", "TCGA-AA-0002-01"],
        ["TP53", "1", "3", "5"],
        ["KRAS", "NA", "4", "NA"],
    ]
    m = read_matrix(write(tmp_path / "m.txt", rows), "exp")
    assert list(m.samples) == ["TCGA-AA-0001-01", "TCGA-AA-0002-01"]
    np.testing.assert_array_equal(m.values, np.array([[4, np.nan], [2, 5]], dtype=np.float32))
    assert any("averaged" in w for w in m.report.warnings)


# --------------------------------------------------------------------------- segments
def slow_gene_values(seg: pd.DataFrame, genes: pd.DataFrame, samples: list[str]) -> np.ndarray:
    """Reference: loop over genes, samples and segments (length-weighted mean, 1-based inclusive)."""
    out = np.full((len(genes), len(samples)), np.nan)
    for g, gene in enumerate(genes.itertuples()):
        for s, sample in enumerate(samples):
            num = den = 0.0
            for k in seg[
                (seg["sample"] == sample) & (seg["chrom"] == gene.chromosome)
            ].itertuples():
                ov = min(gene.end, k.end) - max(gene.start, k.start) + 1
                if ov > 0:
                    num += ov * k.mean
                    den += ov
            if den > 0:
                out[g, s] = num / den
    return out


def test_segments_to_genes_matches_slow_reference():
    rng = np.random.default_rng(7)
    for _ in range(30):
        S, K, G = int(rng.integers(1, 5)), int(rng.integers(1, 30)), int(rng.integers(1, 25))
        sample = rng.integers(0, S, K)
        start = rng.integers(1, 800, K)
        end = start + rng.integers(0, 300, K)  # overlapping segments within a sample allowed
        mean = rng.normal(size=K)
        gs = rng.integers(1, 1000, G)
        ge = gs + rng.integers(0, 150, G)
        fast = segments_to_genes(sample, start, end, mean, gs, ge, S)
        seg = pd.DataFrame(
            {"sample": sample.astype(str), "chrom": "1", "start": start, "end": end, "mean": mean}
        )
        genes = pd.DataFrame({"chromosome": "1", "start": gs, "end": ge})
        ref = slow_gene_values(seg, genes, [str(i) for i in range(S)])
        np.testing.assert_array_equal(np.isnan(fast), np.isnan(ref))
        np.testing.assert_allclose(fast[~np.isnan(fast)], ref[~np.isnan(ref)], rtol=1e-5, atol=1e-6)


def test_segments_to_genes_precise_at_chromosome_scale():
    """Real coordinates (~2.4e8) and many samples: no loss of precision in the prefix sums."""
    rng = np.random.default_rng(3)
    S, per = 60, 40
    gaps = rng.integers(1, 6_000_000, size=(S, per - 1))  # strictly increasing segment ends
    bounds = np.concatenate([np.cumsum(gaps, axis=1), np.full((S, 1), 249_000_000)], axis=1)
    start = np.concatenate([np.ones((S, 1), dtype=np.int64), bounds[:, :-1] + 1], axis=1).ravel()
    end = bounds.ravel()
    sample = np.repeat(np.arange(S), per)
    mean = rng.normal(0, 2, S * per).round(4)
    gs = np.concatenate(
        [rng.integers(240_000_000, 248_000_000, 15), rng.integers(1, 10_000_000, 5)]
    )
    ge = gs + rng.integers(0, 120, 20)  # short genes: the hardest case for cancellation
    fast = segments_to_genes(sample, start, end, mean, gs, ge, S)
    seg = pd.DataFrame(
        {"sample": sample.astype(str), "chrom": "1", "start": start, "end": end, "mean": mean}
    )
    ref = slow_gene_values(
        seg, pd.DataFrame({"chromosome": "1", "start": gs, "end": ge}), [str(i) for i in range(S)]
    )
    assert not np.isnan(ref).any()
    np.testing.assert_allclose(fast, ref, rtol=1e-6, atol=1e-6)


def test_read_seg_header_variants_chr_names_and_reference(tmp_path):
    coords = pd.DataFrame(
        {
            "symbol": ["GA", "GB", "GC", "GX", "GNONE", "GY"],
            "chromosome": ["1", "1", "2", "X", "3", "Y"],
            "start": [100, 1000, 50, 10, 10, 10],
            "end": [199, 1099, 80, 20, 20, 20],
        }
    )
    rows = [
        ["Segment_Mean", "Sample", "Chromosome", "Start", "End", "Num_Probes"],
        [0.5, "TCGA-AA-0001-01A-11D", "chr1", 1, 150, 10],
        [-1.0, "TCGA-AA-0001-01A-11D", "chr1", 151, 5000, 10],
        [2.0, "TCGA-AA-0002-01A-11D", "1", 120, 1050, 10],
        [1.5, "TCGA-AA-0002-01A-11D", "23", 1, 100, 10],
        [0.7, "TCGA-AA-0001-01A-11D", "MT", 1, 100, 10],
    ]
    path = write(tmp_path / "x.seg.gz", rows)
    m = read_seg(path, coords=coords)
    assert m.kind == "cna" and m.fmt == "seg"
    assert list(m.samples) == ["TCGA-AA-0001-01", "TCGA-AA-0002-01"]
    assert list(m.genes) == ["GA", "GB", "GX"]  # GC, GNONE, GY: no segment in any sample
    seg = pd.DataFrame(
        {
            "sample": ["TCGA-AA-0001-01", "TCGA-AA-0001-01", "TCGA-AA-0002-01", "TCGA-AA-0002-01"],
            "chrom": ["1", "1", "1", "X"],
            "start": [1, 151, 120, 1],
            "end": [150, 5000, 1050, 100],
            "mean": [0.5, -1.0, 2.0, 1.5],
        }
    )
    ref = slow_gene_values(
        seg, coords.set_index("symbol").loc[["GA", "GB", "GX"]].reset_index(), list(m.samples)
    )
    np.testing.assert_allclose(m.values, ref, rtol=1e-6)
    assert m.values[0, 0] == pytest.approx((51 * 0.5 + 49 * -1.0) / 100)
    assert np.isnan(m.values[2, 0]) and m.values[2, 1] == pytest.approx(1.5)
    assert any("other than 1-22" in w for w in m.report.warnings)


def test_read_seg_shipped_coordinates(tmp_path):
    coords = coords_mod.load_coordinates("hg19")
    tp53 = coords[coords["symbol"] == "TP53"].iloc[0]
    rows = [
        ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"],
        ["S1", tp53["chromosome"], int(tp53["start"]) - 10, int(tp53["end"]) + 10, 5, -0.8],
    ]
    m = read_seg(write(tmp_path / "data_cna_hg19.seg", rows))
    assert m.values[list(m.genes).index("TP53"), 0] == pytest.approx(-0.8)


# --------------------------------------------------------------------------- coordinates
def test_build_coordinates_rules_and_reproducible(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    header = ["symbol", "entrez_id", "chromosome", "start", "end", "strand", "ensembl_gene_id"]
    rows = [
        header,
        ["TP53", "7157", "17", 7565097, 7590856, -1, "E1"],
        ["WRONGNAME", "672", "17", 41196312, 41277500, -1, "E2"],  # Entrez wins -> BRCA1
        ["KRAS", "", "12", 25358180, 25403854, -1, "E3"],  # no Entrez: by symbol
        ["KRAS", "", "12", 25300000, 25360000, -1, "E4"],  # same chromosome: min start
        ["KRAS", "", "5", 1, 10, 1, "E5"],  # minority chromosome: ignored
        ["MYC", "", "MT", 1, 10, 1, "E6"],  # not 1-22, X, Y
        ["NOT_A_GENE_Q", "", "1", 1, 10, 1, "E7"],
    ]
    for g in ("hg19", "hg38"):
        write(data / f"gene_locations_{g}.tsv.gz", rows)
    out = tmp_path / "res"
    counts = coords_mod.build_coordinates(data, out)
    assert counts == {"genes/coords_hg19.tsv.gz": 3, "genes/coords_hg38.tsv.gz": 3}
    f = out / "genes/coords_hg19.tsv.gz"
    table = pd.read_csv(f, sep="\t", dtype={"chromosome": str})
    assert list(table.columns) == ["symbol", "chromosome", "start", "end"]
    got = {r.symbol: (r.chromosome, r.start, r.end) for r in table.itertuples()}
    assert got == {
        "KRAS": ("12", 25300000, 25403854),
        "TP53": ("17", 7565097, 7590856),
        "BRCA1": ("17", 41196312, 41277500),
    }
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    coords_mod.build_coordinates(data, out)
    assert hashlib.sha256(f.read_bytes()).hexdigest() == digest


# --------------------------------------------------------------------------- normalisation
def _m(kind: str, values) -> OmicsMatrix:
    v = np.asarray(values, dtype=np.float32)
    return OmicsMatrix(
        kind,
        np.array([f"G{i}" for i in range(v.shape[0])], dtype=object),
        np.array([f"S{j}" for j in range(v.shape[1])], dtype=object),
        v,
    )


def test_normalise_formulas():
    mut = normalise(_m("mut", [[0, 1, np.nan], [3, 7, 2]]))
    assert mut.normalised and mut.values.dtype == np.float32
    np.testing.assert_allclose(mut.values, np.log1p([[0, 1, 0], [3, 7, 2]]) / np.log(8), rtol=1e-6)
    assert mut.values.max() == pytest.approx(1.0)
    np.testing.assert_array_equal(normalise(_m("mut", [[0, 0], [0, np.nan]])).values, 0)
    exp = normalise(_m("exp", [[-12, -10, 3.5], [np.nan, 100, -9.99]]))
    np.testing.assert_allclose(exp.values, [[-10, -10, 3.5], [0, 100, -9.99]], rtol=1e-6)
    for kind in ("cna", "myl"):
        out = normalise(_m(kind, [[-3, np.nan, 0.5]]))
        np.testing.assert_allclose(out.values, [[-3, 0, 0.5]])
    assert normalise(mut) is mut


# --------------------------------------------------------------------------- real data
def test_real_brca_maf(shared_data):
    path = shared_data / "omics/BRCA/data_mutations.txt.gz"
    table = read_maf(path)
    raw = pd.read_csv(path, sep="\t", usecols=["Tumor_Sample_Barcode"], dtype=str)
    barcodes = raw["Tumor_Sample_Barcode"].unique()
    assert len(barcodes) == 993 and table.report.n_rows == len(raw) == 90490
    assert len(table.samples) == len({b[:15] for b in barcodes})  # aliquots of one sample joined
    m = table.counts()
    assert m.shape[1] == len(table.samples) and m.shape[0] > 15000
    # every row with a resolved gene counts (alias merges aside, sum over aliquot means)
    assert len(table.data) == len(raw) - int(table.report.warnings[0].split()[0])
    tp53 = m.values[list(m.genes).index("TP53")]
    assert 250 < (tp53 > 0).sum() < 450  # TP53 is mutated in roughly a third of breast tumours


def test_real_laml_seg_to_genes(shared_data):
    m = read_seg(shared_data / "omics/LAML/data_cna_hg19.seg.gz")
    assert m.shape[1] == 191 and m.shape[0] > 30000
    assert np.isnan(m.values).mean() < 0.01
    assert np.nanmax(np.abs(m.values)) < 10  # log2 ratios


def test_real_luad_mutation_matrix(shared_data):
    m = read_matrix(
        shared_data / "omics/LUAD/data_mutation_matrix.txt.gz", "mut", fmt="binary_mutation"
    )
    assert m.shape[1] == 227 and set(np.unique(m.values)) <= {0.0, 1.0}
    assert m.report.n_rows == 39666 and m.shape[0] + len(m.report.unresolved) <= 39666
    tp53 = m.values[list(m.genes).index("TP53")]
    assert 0.4 < tp53.mean() < 0.6  # README: TP53 mutated in 51% of these samples


def test_real_kirc_microarray_na(shared_data):
    m = read_matrix(shared_data / "omics/KIRC/data_mrna_microarray.txt.gz", "exp", fmt="microarray")
    assert m.shape[1] == 72 and m.report.n_rows == 17814
    n_nan = int(np.isnan(m.values).sum())
    assert 0 < n_nan <= 373  # README: 373 NA cells, some on rows dropped as unresolved
    assert np.nanmin(m.values) > -14 and np.nanmax(m.values) < 13
