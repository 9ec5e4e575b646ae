"""Look-up views: pair, partners and list modes fill heatmap and table with the engine's numbers;
cells outside a context are drawn as n/a; details, sorting, copying, labels."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from .test_gui_common import CONTEXTS, make_labels, run_and_wait


def _table_matrix(win) -> np.ndarray:
    from synleaf_desktop.gui.results_table import RAW_ROLE

    m = win.lookup.table.score_model
    return np.array(
        [
            [m.data(m.index(r, 2 + c), RAW_ROLE) for c in range(len(win.grid.contexts))]
            for r in range(m.rowCount())
        ],
        dtype=float,
    )


def test_pair_lookup_fills_heatmap_and_table(window, qtbot):
    run_and_wait(qtbot, window, {"mode": "pair", "genes": ["parp1", "BRCA1"]})
    res = window.engine.score_pair("parp1", "BRCA1", CONTEXTS)
    want = np.array(
        [[np.nan if res.contexts[c].score is None else res.contexts[c].score for c in CONTEXTS]]
    )
    img = window.lookup.heatmap.image_array()
    assert img.shape == (1, len(CONTEXTS))
    np.testing.assert_allclose(img, want, rtol=0, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(_table_matrix(window), want, atol=1e-12, equal_nan=True)
    assert window.grid.pairs == [("PARP1", "BRCA1")]
    # PARP1 is not in the LAML model: n/a there, a real score elsewhere
    laml = CONTEXTS.index("LAML")
    assert np.isnan(img[0, laml]) and np.isfinite(np.delete(img[0], laml)).all()
    # scores are probabilities, fold sd matches the engine
    assert ((want[np.isfinite(want)] > 0) & (want[np.isfinite(want)] < 1)).all()
    assert window.grid.sd[0, 0] == pytest.approx(res.contexts["BRCA"].sd, abs=1e-9)
    # mean column = mean over the contexts that can score the pair
    m = window.lookup.table.score_model
    from synleaf_desktop.gui.results_table import RAW_ROLE

    mean = m.data(m.index(0, 2 + len(CONTEXTS)), RAW_ROLE)
    assert mean == pytest.approx(np.nanmean(want), abs=1e-12)
    assert window.lookup.last_timing["lookup_s"] < 1.0


def test_not_in_context_cells_are_distinct(window, qtbot):
    run_and_wait(qtbot, window, {"mode": "pair", "genes": ["RAD51", "BRCA1"]})
    kirc = window.grid.contexts.index("KIRC")
    assert np.isnan(window.lookup.heatmap.image_array()[0, kirc])
    # drawn as a hatched grey square, labelled n/a in the picture and in the table
    rects = window.lookup.heatmap.hatch._rects
    assert len(rects) == 1 and rects[0].center().x() == pytest.approx(kirc)
    texts = window.lookup.heatmap.texts.labels[0]
    assert texts[kirc] == "n/a" and all(t != "n/a" for i, t in enumerate(texts) if i != kirc)
    m = window.lookup.table.score_model
    assert m.data(m.index(0, 2 + kirc), Qt.ItemDataRole.DisplayRole) == "n/a"
    tip = window.lookup.heatmap.tooltip_text(0, kirc)
    assert "RAD51 not in the KIRC model" in tip and "SL score" not in tip
    assert "SL score" in window.lookup.heatmap.tooltip_text(
        0, 0
    ) and "fold sd" in window.lookup.heatmap.tooltip_text(0, 0)


def test_partner_mode(window, qtbot):
    run_and_wait(qtbot, window, {"mode": "partners", "gene": "BRCA1", "top": 12})
    g = window.grid
    assert g.mode == "partners" and len(g.pairs) == 12 and all(a == "BRCA1" for a, _ in g.pairs)
    frames = window.engine.partners("BRCA1", top=None, contexts=CONTEXTS)
    for r, (_, partner) in enumerate(g.pairs):
        for c, ctx in enumerate(CONTEXTS):
            f = frames[ctx].set_index("partner")
            want = f["score"].get(partner, np.nan)
            got = window.lookup.heatmap.image_array()[r, c]
            assert (np.isnan(want) and np.isnan(got)) or got == pytest.approx(want, abs=1e-6)
    # ranked by the mean over contexts, best first; it is the true top 12 by that mean
    mean = g.mean()
    assert np.all(np.diff(mean) <= 1e-12)
    import pandas as pd

    table = pd.DataFrame({c: frames[c].set_index("partner")["score"] for c in CONTEXTS})
    best = table.mean(axis=1).sort_values(ascending=False)
    assert mean[0] == pytest.approx(best.iloc[0], abs=1e-9)
    assert mean[-1] >= best.iloc[12] - 1e-9
    # PARP1/ATM partners are n/a in LAML
    laml = CONTEXTS.index("LAML")
    for r, (_, partner) in enumerate(g.pairs):
        assert np.isnan(g.score[r, laml]) == (partner in ("PARP1", "ATM"))


def test_gene_list_and_pairs(window, qtbot):
    run_and_wait(qtbot, window, {"mode": "list", "genes": ["BRCA1", "RAD51", "TP53", "NOTAGENE9"]})
    g = window.grid
    assert sorted(g.pairs) == sorted([("BRCA1", "RAD51"), ("BRCA1", "TP53"), ("RAD51", "TP53")])
    assert g.unresolved == ["NOTAGENE9"]
    assert "NOTAGENE9" in window.lookup.result_note.text()
    df, _ = window.engine.score_pairs(g.pairs, CONTEXTS)
    np.testing.assert_allclose(
        window.lookup.heatmap.image_array(), df[CONTEXTS].to_numpy(float), atol=1e-6, equal_nan=True
    )
    run_and_wait(qtbot, window, {"mode": "list", "pairs": [("KRAS", "MYC"), ("PTEN", "CHEK1")]})
    assert window.grid.pairs == [("KRAS", "MYC"), ("PTEN", "CHEK1")]


def test_parse_gene_list():
    from synleaf_desktop.gui.query_bar import parse_gene_list

    assert parse_gene_list("BRCA1\nRAD51, TP53\n# comment\nbrca1") == {
        "genes": ["BRCA1", "RAD51", "TP53"]
    }
    assert parse_gene_list("gene1\tgene2\nBRCA1\tPARP1\nKRAS MYC\n") == {
        "pairs": [("BRCA1", "PARP1"), ("KRAS", "MYC")]
    }


def test_click_cell_shows_details(window, qtbot):
    run_and_wait(qtbot, window, {"mode": "pair", "genes": ["TP53", "ATM"]})
    j = window.grid.contexts.index("OV")
    window.lookup.heatmap.select_cell(0, j)
    d = window.details.details
    cs = window.engine.score_pair("TP53", "ATM", ["OV"]).contexts["OV"]
    assert d.context == "OV" and d.folds == cs.folds and len(d.folds) == 5
    assert d.by_order == cs.by_order and set(d.modality) == {"omics", "kg"}
    assert window.details.fields["folds"].text().startswith(f"{cs.folds[0]:.3f}")
    assert "validation AUC" in window.details.fields["auc"].text()
    assert (
        window.details.fields["training"].text() in ("no",)
        or "yes" in window.details.fields["training"].text()
    )
    # an n/a cell explains why
    run_and_wait(qtbot, window, {"mode": "pair", "genes": ["ATM", "BRCA1"]})
    window.lookup.heatmap.select_cell(0, window.grid.contexts.index("LAML"))
    assert window.details.score_label.text() == "n/a"
    assert "ATM is not in the LAML model" in window.details.score_note.text()


def test_sort_and_copy(window, qtbot):
    run_and_wait(
        qtbot, window, {"mode": "list", "genes": ["BRCA1", "RAD51", "TP53", "KRAS", "MYC"]}
    )
    window.lookup.set_sort("OV", True)
    ov = window.grid.contexts.index("OV")
    col = window.grid.score[:, ov]
    assert np.all(np.diff(col[~np.isnan(col)]) <= 0)
    np.testing.assert_allclose(window.lookup.heatmap.image_array()[:, ov], col, atol=1e-6)
    window.lookup.set_sort("mean", True)
    assert np.all(np.diff(window.grid.mean()) <= 1e-12)
    # header click toggles the order
    window.lookup.table._header_clicked(2 + ov)
    window.lookup.table._header_clicked(2 + ov)
    assert window.lookup.sort_key == "OV" and window.lookup.sort_desc is False
    # Ctrl+C copies the selection as TSV with a header
    view = window.lookup.table
    sel = view.selectionModel()
    m = view.score_model
    for r in range(2):
        for c in (0, 1, 2 + ov):
            sel.select(m.index(r, c), QItemSelectionModel.SelectionFlag.Select)
    text = view.copy_selection()
    lines = text.strip().split("\n")
    assert lines[0].split("\t") == ["Gene A", "Gene B", "OV"]
    a, b, v = lines[1].split("\t")
    assert (a, b) == window.grid.pairs[0] and float(v) == pytest.approx(
        window.grid.score[0, ov], abs=1e-6
    )
    assert QApplication.clipboard().text() == text


def test_contexts_panel_filters_columns(window, qtbot):
    names = window.contexts.names()
    assert names == CONTEXTS
    item = window.contexts._items["BRCA"]
    assert item.text(1) != "–" and "mut" in item.text(2)
    run_and_wait(qtbot, window, {"mode": "pair", "genes": ["BRCA1", "BRCA2"]})
    with qtbot.waitSignal(window.resultsShown, timeout=5000):
        window.contexts.set_checked(["OV", "pan"])
    assert window.grid.contexts == ["OV", "pan"]
    assert window.lookup.heatmap.image_array().shape == (1, 2)


def test_known_labels_marked(window, qtbot, tmp_path):
    from synleaf_desktop.app import lookup
    from synleaf_desktop.io.labels import read_labels

    window.library.save_labels(read_labels(make_labels(tmp_path / "labels.csv")), "demo")
    info = lookup.apply_labels(window.engine, window.library)
    assert "known labels" in info
    run_and_wait(qtbot, window, {"mode": "list", "pairs": [("BRCA1", "PARP1"), ("KRAS", "MYC")]})
    g = window.grid
    brca, ov, luad = (g.contexts.index(c) for c in ("BRCA", "OV", "LUAD"))
    assert g.known[0, brca] == 1 and g.known[0, ov] == 1 and g.known[1, brca] == 0
    assert np.isnan(g.known[0, luad])
    assert len(window.lookup.heatmap.markers.data) == 3
    m = window.lookup.table.score_model
    assert m.data(m.index(0, 2 + brca), Qt.ItemDataRole.DisplayRole).startswith("★")


def test_unresolved_pair_message(window, qtbot):
    window.run_query({"mode": "pair", "genes": ["BRCA1", "NOTAGENE7"]})
    _, _, text = window.messages[-1]
    assert "NOTAGENE7" in text and "spelling" in text
    window.run_query({"mode": "pair", "genes": ["BRCA1", ""]})
    assert "Type two gene names" in window.lookup.result_note.text()


def test_gene_name_completion(window, qtbot):
    window.load_completions()
    qtbot.waitUntil(
        lambda: window.lookup.query_bar.completer_model.rowCount() > 1000, timeout=30000
    )
    comp = window.lookup.query_bar.gene_a.completer()
    comp.setCompletionPrefix("brca")
    found = [comp.completionModel().index(i, 0).data() for i in range(comp.completionCount())]
    assert "BRCA1" in found and "BRCA2" in found
    comp.setCompletionPrefix("672")  # Entrez ID of BRCA1
    assert comp.completionCount() >= 1


def test_mouse_hover_and_click_on_cells(window, qtbot):
    from PySide6.QtCore import QPointF

    run_and_wait(qtbot, window, {"mode": "list", "pairs": [("BRCA1", "PARP1"), ("KRAS", "MYC")]})
    hm = window.lookup.heatmap
    qtbot.wait(50)
    vb = hm.plot.getViewBox()
    for r, c in ((0, 0), (1, 3), (1, 8)):
        scene_pos = vb.mapViewToScene(QPointF(c, r))
        assert hm.cell_at(scene_pos) == (r, c)
    # a real click on the view selects the cell and fills the details panel
    view_pos = hm.mapFromScene(vb.mapViewToScene(QPointF(3, 1)))
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(hm.cellClicked, timeout=3000) as sig:
        qtbot.mouseClick(hm.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert sig.args == [1, 3]
    assert (
        window.details.details.gene_a == "KRAS"
        and window.details.details.context == window.grid.contexts[3]
    )
    # hovering over a cell announces it (the tooltip text is tooltip_for that cell)
    with qtbot.waitSignal(hm.cellHovered, timeout=3000) as sig:
        hm._on_mouse_moved(vb.mapViewToScene(QPointF(0, 0)))
    assert sig.args == [0, 0]
