"""Issue 14 (hardening), import side: no silent wrong data (case 5), and disk errors during a
save from the import dialog as a message that leaves nothing half-written (case 6); the GUI
skips a broken user model and keeps the others (case 4)."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest

from synleaf_desktop import paths
from synleaf_desktop.errors import InputError, StorageError
from synleaf_desktop.io.kg import read_triples
from synleaf_desktop.io.labels import MIN_TRAIN_POSITIVES, read_label_files, read_labels
from synleaf_desktop.io.maf import read_maf
from synleaf_desktop.io.matrix import read_matrix
from synleaf_desktop.io.seg import read_seg
from synleaf_desktop.io.study import read_study

from .test_io_omics import write

SAMPLES = ["TCGA-AA-0001-01", "TCGA-AA-0002-01", "TCGA-AA-0003-01"]


# ----------------------------------------------------------------------
# 5. all-missing data is an error, not zeros


@pytest.mark.parametrize("cell", ["inf", "NaN", "-inf", "NA", ""])
def test_5_matrix_without_any_value_is_an_error(tmp_path, cell):
    p = write(
        tmp_path / "data_mrna_seq_v2_rsem_zscores_ref_all_samples.txt",
        [["Hugo_Symbol", *SAMPLES], ["TP53", cell, cell, cell], ["BRCA1", cell, cell, cell]],
    )
    with pytest.raises(InputError, match="no data: every value") as info:
        read_matrix(p, "exp")
    assert info.value.path == p
    with pytest.raises(InputError, match="no data"):
        read_study(tmp_path)


def test_5_linear_cna_of_only_na_is_an_error(tmp_path):
    write(
        tmp_path / "data_mutations.txt",
        [["Hugo_Symbol", "Tumor_Sample_Barcode"], ["TP53", SAMPLES[0]]],
    )
    write(
        tmp_path / "data_linear_cna.txt",
        [["Hugo_Symbol", *SAMPLES], ["TP53", "NA", "NA", "NA"], ["MYC", "NA", "NA", "NA"]],
    )
    with pytest.raises(InputError, match=r"data_linear_cna.txt: no data"):
        read_study(tmp_path)


def test_5_empty_columns_and_rows_are_left_out_and_counted(tmp_path):
    p = write(
        tmp_path / "data_linear_cna.txt",
        [
            ["Hugo_Symbol", *SAMPLES],
            ["TP53", 0.5, "NA", 1.0],
            ["MYC", "NA", "NA", "NA"],
            ["KRAS", 0.1, "inf", -1],
        ],
    )
    m = read_matrix(p, "cna")
    assert m.samples.tolist() == [SAMPLES[0], SAMPLES[2]] and m.genes.tolist() == ["KRAS", "TP53"]
    text = " ".join(m.report.warnings)
    assert "1 sample columns hold no value" in text and "1 gene rows hold no value" in text
    cohort = read_study(p)
    assert cohort.summary()["omics"]["cna"]["samples_with_data"] == 2


def test_5_short_rows_are_refused_like_long_rows(tmp_path):
    short = write(
        tmp_path / "m.txt", [["Hugo_Symbol", *SAMPLES], ["TP53", 1, 2, 3], ["KRAS", 1, 2]]
    )
    with pytest.raises(InputError) as info:
        read_matrix(short, "exp")
    e = info.value
    assert (
        e.path == short
        and e.line == 3
        and "expected 4 tab-separated fields" in e.message
        and "found 3" in e.message
    )
    long = write(tmp_path / "l.txt", [["Hugo_Symbol", *SAMPLES], ["TP53", 1, 2, 3, 4]])
    with pytest.raises(InputError) as info2:
        read_matrix(long, "exp")
    e2 = info2.value
    assert e2.line == 2 and "expected 4" in e2.message and "found 5" in e2.message
    # MAF (only some columns are parsed) and segment files too, plain or gzip
    maf = write(
        tmp_path / "x.maf.gz",
        [
            ["Hugo_Symbol", "Tumor_Sample_Barcode", "Variant_Classification"],
            ["TP53", SAMPLES[0], "Missense"],
            ["KRAS", SAMPLES[1]],
        ],
    )
    with pytest.raises(InputError) as info3:
        read_maf(maf)
    e3 = info3.value
    assert e3.line == 3 and "expected 3" in e3.message and "found 2" in e3.message
    seg = write(
        tmp_path / "x.seg",
        [
            ["ID", "chrom", "loc.start", "loc.end", "seg.mean"],
            ["S", 1, 1, 100, 0.1],
            ["S", 2, 1, 100],
        ],
    )
    with pytest.raises(InputError) as info4:
        read_seg(seg)
    e4 = info4.value
    assert e4.line == 3 and "found 4" in e4.message
    # blank lines are still fine, and a header ending in a tab may be left out of rows
    ok = tmp_path / "ok.txt"
    ok.write_text("Hugo_Symbol\tS1\tS2\t\nTP53\t1\t2\n\nKRAS\t3\t4\t\n")
    assert read_matrix(ok, "exp").shape == (2, 2)


def test_5_short_rows_in_label_and_kg_tables(tmp_path):
    lab = tmp_path / "pairs.csv"
    lab.write_text("gene1,gene2,label\nBRCA1,PARP1,1\nTP53,0\n")
    with pytest.raises(InputError) as info:
        read_labels(lab)
    e = info.value
    assert (
        e.line == 3 and "expected 3 comma-separated fields" in e.message and "found 2" in e.message
    )
    quoted = tmp_path / "q.csv"  # a quoted comma is not a separator
    quoted.write_text('gene1,gene2,label,note\nBRCA1,PARP1,1,"a, b"\nTP53,ATM,0,x\n')
    assert len(read_labels(quoted)) == 2
    kg = tmp_path / "kg.tsv"
    kg.write_text("head\trelation\ttail\nBRCA1\tin\tHR\nRAD51\tin\n")
    with pytest.raises(InputError) as info:
        read_triples(kg)
    e = info.value
    assert e.line == 3 and "found 2" in e.message


def test_5_kg_rows_with_missing_fields_are_counted(tmp_path):
    kg = tmp_path / "kg.tsv"
    kg.write_text(
        "head\trelation\ttail\nBRCA1\tin\tHR\nRAD51\t\tHR\n\t\t\nTP53\tregulates\t \nATM\tin\tHR\n"
    )
    g = read_triples(kg)
    s = g.summary()
    assert s["counts"]["rows_missing_fields"] == 2
    assert any(
        "2 rows with an empty head, relation or tail were dropped (lines 3, 5)" in w
        for w in s["warnings"]
    )


def test_5_label_tables_that_cannot_train(tmp_path):
    from synleaf_desktop.app.library import Library, label_summary

    unknown = tmp_path / "unknown.csv"
    unknown.write_text("gene1,gene2,label\nNOTAGENE1,NOTAGENE2,1\nFOO9,BAR9,0\n")
    with pytest.raises(InputError, match="no usable gene pair") as info:
        read_labels(unknown)
    assert "NOTAGENE1" in info.value.message
    one = tmp_path / "one.csv"
    one.write_text("gene1,gene2,label\nBRCA1,PARP1,1\n")
    t = read_labels(one)
    assert not t.report.trainable and "too few labels to train a model" in " ".join(
        t.report.warnings
    )
    s = label_summary(t)
    assert s["trainable"] is False and s["not_trainable"]
    entry = Library().save_labels(t, "one")
    assert "too few to train" in entry.info["summary_line"]
    negatives = tmp_path / "neg.csv"
    negatives.write_text(
        "gene1,gene2,label\n"
        + "".join(f"{a},{b},0\n" for a, b in [("BRCA1", "TP53"), ("KRAS", "MYC"), ("ATM", "ATR")])
    )
    assert "no SL pair" in " ".join(read_labels(negatives).report.warnings)
    genes = [
        "BRCA1",
        "BRCA2",
        "RAD51",
        "TP53",
        "PARP1",
        "ATM",
        "ATR",
        "CHEK1",
        "PTEN",
        "KRAS",
        "MYC",
        "ADAR",
    ]
    pos = tmp_path / "pos.csv"
    pos.write_text(
        "gene1,gene2,label\n" + "".join(f"{genes[i]},{genes[i + 1]},1\n" for i in range(11))
    )
    tp = read_labels(pos)
    assert tp.report.trainable and "one class only: all 11 pairs are SL" in " ".join(
        tp.report.warnings
    )
    assert MIN_TRAIN_POSITIVES <= 11
    # per cancer: the flags follow the cancer
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "gene1,gene2,class,cancer\n"
        + "".join(f"{genes[i]},{genes[i + 1]},1,BRCA\n" for i in range(11))
        + "BRCA1,PARP1,1,OV\n"
    )
    tm = read_label_files([mixed])
    assert set(tm.report.not_trainable) == {"OV"} and tm.report.trainable
    assert "too few" in " ".join(tm.for_cancer("OV").report.warnings)


# ----------------------------------------------------------------------
# 6. disk errors while saving an import


def test_6_full_disk_while_saving_a_cohort(tmp_path, monkeypatch):
    from synleaf_desktop.app.library import Library
    from tests.test_gui_common import make_study

    lib = Library()
    cohort = read_study(make_study(tmp_path / "study"))
    lib.save_cohort(cohort, "first")

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(np, "savez_compressed", full)
        with pytest.raises(StorageError) as info:
            lib.save_cohort(cohort, "first")
    msg = str(info.value)
    assert "not enough disk space" in msg and "needs about" in msg and "Nothing was changed" in msg
    assert "\n" not in msg
    base = paths.user_data_dir() / "cohorts"
    assert sorted(os.listdir(base)) == ["first"], "no half-written folder"
    assert sorted(lib.load_cohort("first").omics) == ["cna", "exp", "mut"]


# ----------------------------------------------------------------------
# GUI: the same cases through the window


pytest.importorskip("pytestqt")


def test_6_gui_cohort_save_on_a_full_disk_shows_a_dialog(qtbot, tmp_path, monkeypatch):
    from tests.test_gui_common import make_study
    from tests.test_gui_import import _drop

    win = _window(qtbot, tmp_path)
    _drop(win, make_study(tmp_path / "my_study"))
    qtbot.waitUntil(lambda: win.imports.preview is not None, timeout=20000)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", full)
    with qtbot.waitSignal(win.importFinished, timeout=20000):
        win.imports.preview.accept()
    level, _title, text = win.messages[-1]
    assert level == "error" and "not enough disk space" in text and "Nothing was changed" in text
    assert "Traceback" not in text and "Errno" not in text
    assert win.library.list("cohorts") == []
    cohorts = paths.user_data_dir() / "cohorts"
    assert not cohorts.exists() or os.listdir(cohorts) == []
    win.tasks.cancel_all(wait_ms=20000)


def test_4_gui_skips_a_broken_user_model(qtbot, tmp_path, small_bundle, model_arrays):
    from synleaf_desktop.bundle.registry import Registry
    from tests.conftest import rewrite_member

    Registry(tmp_path / "none").add_user_bundle(small_bundle("GOOD", seed=4))
    Registry(tmp_path / "none").add_user_bundle(small_bundle("BAD", seed=5))
    a = model_arrays(paths.user_models_dir() / "BAD")
    a["uni_terms"][0, 0, 0] = np.nan
    rewrite_member(paths.user_models_dir() / "BAD", "model.npz", arrays=a)
    win = _window(qtbot, tmp_path)
    assert "GOOD" in win.engine.contexts and "BAD" not in win.engine.contexts
    assert (
        "BAD" in win.statusBar().currentMessage() and "skipped" in win.statusBar().currentMessage()
    )
    res = win.engine.score_pair(*[str(g) for g in win.engine.bundle("GOOD").genes[:2]])
    assert res.contexts["GOOD"].score is not None
    win.tasks.cancel_all(wait_ms=20000)


def test_6_gui_add_model_errors_are_dialogs(qtbot, tmp_path, small_bundle, monkeypatch):
    import json

    win = _window(qtbot, tmp_path)
    src = small_bundle("TXT")
    man = json.loads((src / "manifest.json").read_text())
    man["n_genes"] = "abc"
    (src / "manifest.json").write_text(json.dumps(man))
    with qtbot.waitSignal(
        win.tasks.busy_changed,
        timeout=20000,
        check_params_cb=lambda s, b: s == "add-model" and not b,
    ):
        win.add_model(src)
    level, _title, text = win.messages[-1]
    assert level == "error" and "n_genes" in text and "Traceback" not in text
    win.tasks.cancel_all(wait_ms=20000)


def _window(qtbot, tmp_path):
    from synleaf_desktop.app.settings import Settings
    from synleaf_desktop.gui.main_window import MainWindow
    from tests.bundle_fixtures import make_bundle_set

    bundled = tmp_path / "bundled"
    if not bundled.exists():
        make_bundle_set(bundled, names=("BRCA", "OV"), n_genes=60, n_folds=2)
    win = MainWindow(settings=Settings(), bundled_dir=bundled, load_on_start=False)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.engineReady, timeout=30000):
        win.reload_models()
    return win


def test_5_seg_positions_out_of_range_are_refused(tmp_path):
    """Found by the fuzz suite: a position like 1e300 was cast to a garbage int64 coordinate."""
    seg = write(
        tmp_path / "x.seg",
        [
            ["ID", "chrom", "loc.start", "loc.end", "seg.mean"],
            ["S", 17, 1, 100, 0.1],
            ["S", 17, 7_500_000, "1e300", 0.2],
        ],
    )
    with pytest.raises(InputError) as info:
        read_seg(seg)
    e = info.value
    assert e.line == 3 and e.column == "loc.end" and "not a chromosome position" in e.message
