"""Import by drag and drop: recognise, read in a worker, preview before saving, store under the
user data dir; reader errors become messages naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from synleaf_desktop import paths

from .test_gui_common import make_labels, make_study, write_table


def _drop(win, *targets: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(t)) for t in targets])
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    try:  # PySide6 >= 6.12 takes a QPointF (and deprecates QPoint); older ones a QPoint
        enter = QDragEnterEvent(QPointF(20, 20), *args)
    except TypeError:
        enter = QDragEnterEvent(QPoint(20, 20), *args)
    win.dragEnterEvent(enter)
    assert enter.isAccepted()
    ev = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    win.dropEvent(ev)


def test_drop_study_folder_preview_then_save(window, qtbot, tmp_path):
    folder = make_study(tmp_path / "my_study")
    _drop(window, folder)
    qtbot.waitUntil(lambda: window.imports.preview is not None, timeout=20000)
    dlg = window.imports.preview
    s = dlg.import_result.summary
    assert dlg.import_result.kind == "study" and set(s["omics"]) == {"mut", "cna", "exp"}
    assert s["samples"] == 3
    assert (
        s["omics"]["cna"]["unresolved"] == 1
        and "NOTAGENE1" in s["omics"]["cna"]["unresolved_examples"]
    )
    assert "NOTAGENE1" in "\n".join(dlg.problems)
    # nothing is stored before the user says so
    assert window.library.list("cohorts") == []
    assert not (paths.user_data_dir() / "cohorts").exists()
    dlg.name_edit.setText("My study")
    with qtbot.waitSignal(window.importFinished, timeout=20000) as sig:
        dlg.accept()
    assert sig.args == ["cohorts"]
    entries = window.library.list("cohorts")
    assert [e.name for e in entries] == ["My study"]
    assert entries[0].path.parent == paths.user_data_dir() / "cohorts"
    cohort = window.library.load_cohort("My study")
    assert sorted(cohort.omics) == ["cna", "exp", "mut"] and len(cohort.samples) == 3
    # listed in the training panel next time too
    assert window.training.cohort.findData("My study") >= 0
    assert "1 cohorts" in window.status_label.full_text()


def test_drop_labels_and_cancel_keeps_nothing(window, qtbot, tmp_path):
    _drop(window, make_labels(tmp_path / "sl_pairs.csv"))
    qtbot.waitUntil(lambda: window.imports.preview is not None, timeout=20000)
    dlg = window.imports.preview
    s = dlg.import_result.summary
    assert dlg.import_result.kind == "labels"
    assert s["per_cancer"]["BRCA"] == {"positive": 3, "negative": 2}
    assert s["per_cancer"]["OV"] == {"positive": 1, "negative": 0}
    assert "NOTAGENE2" in s["unresolved"]
    with qtbot.waitSignal(window.importFinished, timeout=5000) as sig:
        dlg.reject()
    assert sig.args == [""]
    assert window.library.list("labels") == []
    # again, and save: the known labels now reach the engine
    _drop(window, tmp_path / "sl_pairs.csv")
    qtbot.waitUntil(lambda: window.imports.preview is not None, timeout=20000)
    with qtbot.waitSignal(window.importFinished, timeout=20000):
        window.imports.preview.accept()
    assert [e.name for e in window.library.list("labels")] == ["sl_pairs"]
    assert "known labels" in window.labels_info
    res = window.engine.score_pair("BRCA1", "PARP1", ["BRCA"])
    assert res.contexts["BRCA"].known_label == 1


def test_drop_kg_table(window, qtbot, tmp_path):
    kg = write_table(
        tmp_path / "my_graph.tsv",
        [
            ["head", "relation", "tail"],
            ["BRCA1", "in_pathway", "HR"],
            ["RAD51", "in_pathway", "HR"],
            ["TP53", "regulates", "ATM"],
        ],
    )
    _drop(window, kg)
    qtbot.waitUntil(lambda: window.imports.preview is not None, timeout=20000)
    assert window.imports.preview.import_result.kind == "graph"
    assert window.imports.preview.import_result.summary["num_edges"] >= 3
    with qtbot.waitSignal(window.importFinished, timeout=20000):
        window.imports.preview.accept()
    assert [e.name for e in window.library.list("graphs")] == ["my_graph"]
    assert window.training.graph.findData("my_graph") >= 0


def test_bad_files_give_messages_naming_the_file(window, qtbot, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello world\nnothing here\n", encoding="utf-8")
    with qtbot.waitSignal(window.importFinished, timeout=5000):
        _drop(window, junk)
    level, _title, text = window.messages[-1]
    assert level == "error" and str(junk) in text and "label table" in text
    # a recognised name whose content is broken: the reader's InputError, shown as a message
    bad = tmp_path / "broken_study"
    write_table(bad / "data_linear_cna.txt", [["Hugo_Symbol", "S1"], ["TP53", "abc"]])
    with qtbot.waitSignal(window.importFinished, timeout=20000):
        _drop(window, bad)
    level, _title, text = window.messages[-1]
    assert level == "error" and "data_linear_cna.txt, line 2" in text and "'abc'" in text
    assert "Nothing was saved" in text
    assert "Traceback" not in text
    assert window.library.list("cohorts") == []


@pytest.mark.parametrize(
    "name, kind", [("data_mutations.txt", "study"), ("pairs.csv", "labels"), ("edges.tsv", "graph")]
)
def test_classify(tmp_path, name, kind):
    from synleaf_desktop.io.formats import classify

    header = {
        "study": "Hugo_Symbol\tTumor_Sample_Barcode",
        "labels": "gene1,gene2,label",
        "graph": "head\trelation\ttail",
    }[kind]
    p = tmp_path / name
    p.write_text(header + "\n", encoding="utf-8")
    assert classify(p) == kind


def test_second_import_gets_a_new_name(window, qtbot, tmp_path):
    labels = make_labels(tmp_path / "pairs.csv")
    for expected in ("pairs", "pairs 2"):
        _drop(window, labels)
        qtbot.waitUntil(lambda: window.imports.preview is not None, timeout=20000)
        assert window.imports.preview.name() == expected
        with qtbot.waitSignal(window.importFinished, timeout=20000):
            window.imports.preview.accept()
    assert [e.name for e in window.library.list("labels")] == ["pairs", "pairs 2"]
