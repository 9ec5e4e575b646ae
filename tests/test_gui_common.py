"""Shared helpers of the GUI tests (pytest-qt, offscreen). No tests here; the fixtures
(``bundles``, ``window``, ``open_main_window``) live in ``conftest.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.bundle_fixtures import CONTEXTS, EXCLUDE

__all__ = ["CONTEXTS", "EXCLUDE"]


def run_and_wait(qtbot, win, query: dict, timeout: int = 20000) -> None:
    """Run a query and wait until its result is on screen."""
    with qtbot.waitSignal(win.resultsShown, timeout=timeout):
        win.run_query(query)


def write_table(path: Path, rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join("\t".join(str(x) for x in r) for r in rows) + "\n", encoding="utf-8")
    return path


def make_study(folder: Path) -> Path:
    """A tiny cBioPortal study folder: mutations (MAF), linear CNA, RNA-seq z-scores; one
    unknown gene name (NOTAGENE1) in the CNA file."""
    samples = ["TCGA-AA-0001-01", "TCGA-AA-0002-01", "TCGA-AA-0003-01"]
    write_table(
        folder / "data_mutations.txt",
        [
            ["Hugo_Symbol", "Tumor_Sample_Barcode"],
            ["TP53", "TCGA-AA-0001-01A"],
            ["TP53", "TCGA-AA-0002-01A"],
            ["KRAS", "TCGA-AA-0002-01A"],
            ["BRCA1", "TCGA-AA-0003-01A"],
        ],
    )
    write_table(
        folder / "data_linear_cna.txt",
        [
            ["Hugo_Symbol", *samples],
            ["TP53", -0.5, 0.2, 1.0],
            ["MYC", 1.5, 0.0, -0.3],
            ["NOTAGENE1", 0.1, 0.2, 0.3],
        ],
    )
    write_table(
        folder / "data_mrna_seq_v2_rsem_zscores_ref_all_samples.txt",
        [
            ["Hugo_Symbol", *samples],
            ["TP53", -1.0, 0.5, 2.0],
            ["BRCA1", 0.3, -0.2, 0.1],
            ["RAD51", 1.1, 0.9, -0.4],
        ],
    )
    (folder / "data_clinical_patient.txt").write_text("PATIENT_ID\nx\n", encoding="utf-8")
    return folder


def make_labels(path: Path) -> Path:
    """An ELISL-style label table: 3 SL and 2 non-SL BRCA pairs, 1 OV pair, 1 unknown gene."""
    rows = [
        ["gene1", "gene2", "class", "cancer"],
        ["BRCA1", "PARP1", 1, "BRCA"],
        ["RAD51", "BRCA2", 1, "BRCA"],
        ["TP53", "ATM", 1, "BRCA"],
        ["KRAS", "MYC", 0, "BRCA"],
        ["PTEN", "CHEK1", 0, "BRCA"],
        ["BRCA1", "PARP1", 1, "OV"],
        ["NOTAGENE2", "TP53", 1, "BRCA"],
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(",".join(str(x) for x in r) for r in rows) + "\n", encoding="utf-8")
    return path


def make_training_inputs(
    library, tmp: Path, n_genes: int = 100, n_pos: int = 50, seed: int = 0, signal: float = 0.8
) -> None:
    """Store a tiny learnable cohort ("tiny": 2 omics x 16 samples), label table ("tinylabels",
    BRCA, ``n_pos`` SL + ``n_pos`` non-SL pairs) and graph ("tinykg") in ``library``. Each gene
    has a hidden class c in 0..3; a pair is SL when c1 + c2 >= 3; omics and graph carry c."""
    import numpy as np

    from synleaf_desktop.io.kg import read_triples
    from synleaf_desktop.io.labels import read_labels
    from synleaf_desktop.io.omics import OmicsMatrix
    from synleaf_desktop.io.study import Cohort
    from tests.bundle_fixtures import symbol_pool

    rng = np.random.default_rng(seed)
    genes = np.array(symbol_pool(n_genes, seed=seed + 3), dtype=object)
    g, s = len(genes), 16
    cls = rng.integers(0, 4, g)
    samples = np.array([f"S{i:02d}" for i in range(s)], dtype=object)
    pattern = rng.normal(size=(4, s))
    mats = [
        OmicsMatrix(
            k, genes, samples, (rng.normal(size=(g, s)) + signal * pattern[cls]).astype(np.float32)
        )
        for k in ("exp", "cna")
    ]
    library.save_cohort(Cohort.from_matrices("tiny", mats), "tiny")
    rows, seen, npos, nneg = ["gene1,gene2,label,cancer"], set(), 0, 0
    while npos < n_pos or nneg < n_pos:
        a, b = (int(x) for x in rng.integers(0, g, 2))
        key = (min(a, b), max(a, b))
        lab = int(cls[a] + cls[b] >= 3)
        if a == b or key in seen or (lab and npos >= n_pos) or (not lab and nneg >= n_pos):
            continue
        seen.add(key)
        npos += lab
        nneg += 1 - lab
        rows.append(f"{genes[a]},{genes[b]},{lab},BRCA")
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "labels.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    library.save_labels(read_labels(tmp / "labels.csv"), "tinylabels")
    trip = ["head\trelation\ttail"]
    for i, gene in enumerate(genes):
        for t in rng.choice(8, 2, replace=False):
            trip.append(f"{gene}\tannotated_with\tT{cls[i] * 8 + t}")
    (tmp / "kg.tsv").write_text("\n".join(trip) + "\n", encoding="utf-8")
    library.save_graph(read_triples(tmp / "kg.tsv"), "tinykg")
