"""Issue 16, the app side: self-pairs refused, stale results cleared, "did you mean",
known labels shown by default with their evidence, test AUC as the quality, trial models,
export errors and conventions, layout (table height), training ETA after cancel."""

from __future__ import annotations

import pandas as pd

from .test_gui_common import run_and_wait


def test_self_pair_refused_and_stale_results_cleared(window, qtbot):
    run_and_wait(qtbot, window, {"mode": "list", "genes": ["BRCA1", "RAD51", "TP53"]})
    assert len(window.grid.pairs) == 3
    window.tabs.setCurrentIndex(0)
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.run_query({"mode": "pair", "genes": ["BRCA1", "brca1"]})
    assert (
        window.grid.is_empty and window.lookup.heatmap.image_array().size == 0
    )  # nothing scored, nothing stale
    assert "paired with itself" in window.lookup.result_note.text()
    assert "paired with itself" in window.statusBar().currentMessage()
    # an unknown name: the same clearing, with a suggestion from the gene table
    run_and_wait(qtbot, window, {"mode": "list", "genes": ["BRCA1", "RAD51", "TP53"]})
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.run_query({"mode": "pair", "genes": ["BRAC1", "RAD51"]})
    assert window.grid.is_empty and "did you mean BRCA1" in window.lookup.result_note.text()


def test_list_self_pairs_skipped_and_counted(window, qtbot):
    run_and_wait(qtbot, window, {"mode": "list", "genes": ["BRCA1", "brca1", "TP53"]})
    assert window.grid.pairs == [("BRCA1", "TP53")]
    assert "skipped 1 self-pair" in window.lookup.result_note.text()
    run_and_wait(qtbot, window, {"mode": "list", "pairs": [("BRCA1", "672"), ("BRCA1", "TP53")]})
    assert (
        window.grid.pairs == [("BRCA1", "TP53")]
        and "skipped 1 self-pair" in window.lookup.result_note.text()
    )


def test_known_label_by_default_consistent_with_training(window, qtbot):
    from synleaf_desktop.app import lookup

    b = window.engine.bundle("BRCA")
    tr = b.split_pairs["fold0_train"][0]
    a, c = str(b.genes[tr[0]]), str(b.genes[tr[1]])
    run_and_wait(qtbot, window, {"mode": "pair", "genes": [a, c]})
    j = window.grid.contexts.index("BRCA")
    assert window.grid.known[0, j] == int(tr[2])  # marked in the heatmap without any label table
    d = lookup.cell_details(window.engine, a, c, "BRCA", window.infos["BRCA"])
    assert d.in_training is True and d.known_label == int(tr[2]) and d.label_source == "model"
    window.details.show_details(d)
    text = window.details.fields["known"].text()
    assert ("import a label table" not in text and "model's data" in text) or "random" in text
    assert window.details.fields["training"].text().startswith("yes")
    # evidence of the shipped known-pairs table: BRCA2-PARP1 (OVCAR8, PMID 29251726)
    d = lookup.cell_details(window.engine, "BRCA2", "PARP1", "BRCA", window.infos["BRCA"])
    assert any("29251726" in x and "OVCAR8" in x for x in d.evidence)
    window.details.show_details(d)
    assert "29251726" in window.details.fields["evidence"].text()


def test_test_auc_is_the_quality(window):
    from synleaf_desktop.app.details import quality_text, test_auc

    info = window.infos["BRCA"]
    item = window.contexts._items["BRCA"]
    assert window.contexts.tree.headerItem().text(1) == "Test AUC"
    assert item.text(1) == f"{test_auc(info):.2f}"
    assert quality_text(info).startswith("test AUC") and "(validation AUC" in quality_text(info)
    assert "validation AUC" in item.toolTip(0)


def test_export_xlsx_clear_message_and_conventions(window, qtbot, tmp_path):
    run_and_wait(qtbot, window, {"mode": "list", "pairs": [("BRCA2", "PARP1"), ("BRCA1", "TP53")]})
    assert window.export_table(tmp_path / "scores.xlsx") is None
    _, _, text = window.messages[-1]
    assert "Unexpected" not in text and ".csv" in text and ".tsv" in text
    assert not (tmp_path / "scores.xlsx").exists()
    out = window.export_table(tmp_path / "scores.csv")
    df = pd.read_csv(out, comment="#", dtype=str, keep_default_na=False)
    assert set(df["BRCA_in_training"]) <= {"0", "1", ""}  # 1/0 as the genome-wide export
    assert "29251726" in df.loc[0, "known_pmid"] and "OVCAR8" in df.loc[0, "known_cell_line"]
    # a context scored by one fold model writes an empty sd, not 0
    from synleaf_desktop.app.export import export_table

    p = export_table(window.grid, tmp_path / "one.csv", single_fold=["BRCA"])
    one = pd.read_csv(p, comment="#")
    assert one["BRCA_sd"].isna().all() and one["OV_sd"].notna().all()


def test_table_height_follows_rows(window, qtbot):
    window.resize(1400, 900)
    qtbot.wait(50)
    run_and_wait(qtbot, window, {"mode": "pair", "genes": ["BRCA1", "RAD51"]})
    heat, table = window.lookup.splitter.sizes()
    row = window.lookup.table.verticalHeader().defaultSectionSize()
    assert (
        table < 4 * row
    )  # one pair: the table is as tall as its one row, not two thirds of the centre
    assert heat >= 0.8 * window.lookup.heatmap.maximumHeight()
    genes = ["BRCA1", "RAD51", "TP53", "PARP1", "ATM", "KRAS", "MYC", "PTEN", "CHEK1"]
    run_and_wait(qtbot, window, {"mode": "list", "genes": genes})  # 36 pairs
    heat, table = window.lookup.splitter.sizes()
    rows_visible = table // window.lookup.table.verticalHeader().defaultSectionSize()
    assert rows_visible >= 9


def test_trial_model_not_ticked_by_default(qtbot, tmp_path, monkeypatch):

    from synleaf_desktop.app.details import default_checked
    from synleaf_desktop.gui.contexts_panel import ContextsPanel

    infos = [
        ("BRCA", {"kind": "bundled", "test_auc": 0.8}),
        ("MY_OV", {"kind": "user", "trial": True, "test_auc": 0.6}),
    ]
    panel = ContextsPanel()
    qtbot.addWidget(panel)
    panel.set_contexts(infos)
    assert panel.checked() == ["BRCA"] and default_checked(infos) == ["BRCA"]
    assert panel._items["MY_OV"].text(0) == "MY_OV (trial)"
    assert "trial model" in panel._items["MY_OV"].toolTip(0)


def test_cancel_clears_the_eta(window):
    import time

    panel = window.training
    panel._started_at = time.monotonic() - 30
    panel.eta_label.setText("elapsed 30 s, about 2 min left")
    panel._cancelled()
    assert "left" not in panel.eta_label.text() and "cancelled after" in panel.eta_label.text()


def test_loss_plot_uses_bce_and_log_gradients(window):
    plots = window.training.plots
    plots.clear()
    for e, (loss, bce, g) in enumerate([(0.6931, 0.6931, 0.01), (0.69, 0.69, 0.012)], start=1):
        plots.add_epoch(
            {
                "stage": "kg",
                "epoch": e,
                "loss": loss,
                "bce": bce,
                "val_auc": 0.6,
                "grad_norm_kg": g,
                "fold": 1,
                "n_folds": 1,
            }
        )
    plots.add_epoch(
        {
            "stage": "omics",
            "epoch": 1,
            "loss": 1.7,
            "bce": 0.98,
            "val_auc": 0.6,
            "grad_norm_omics": 1.2,
            "fold": 1,
            "n_folds": 1,
        }
    )
    assert plots.data[("loss", "omics:1")][1] == [0.98]  # BCE, comparable with the KG teacher's
    assert plots.plots["grad"].getPlotItem().ctrl.logYCheck.isChecked()
