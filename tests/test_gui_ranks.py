"""Issue 12 in the app: colours, table, details and partners by genome-wide rank; the gene x gene
matrix of a gene list (issue 16 item 2); exports carry the ranks.

Fixture bundles get a rank map (``add_calibration``) in every context but SKCM, which stands for
an older user bundle without one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .test_gui_common import CONTEXTS, EXCLUDE, run_and_wait

UNRANKED = "SKCM"
WORDS = [
    "top 100 %",
    "top 10 %",
    "top 1 %",
    "top 0.1 %",
    "top 0.01 %",
    "top 0.001 %",
    "top 0.0001 %",
]


@pytest.fixture(scope="module")
def ranked_bundles(tmp_path_factory):
    from synleaf_desktop.scoring.calibration import add_calibration
    from tests.bundle_fixtures import make_bundle_set

    root = tmp_path_factory.mktemp("ranked_models")
    make_bundle_set(root, n_genes=300, exclude=EXCLUDE, drop_fraction=0.0)
    for name in CONTEXTS:
        if name != UNRANKED:
            add_calibration(root / name, n_threads=1)
    return root


@pytest.fixture
def win(open_main_window, ranked_bundles):
    return open_main_window(ranked_bundles, size=(1400, 900))


def test_rank_colours_by_default_and_raw_toggle(win, qtbot):
    from synleaf_desktop.app.grid import COLOR_RANK, COLOR_RAW, rank_color_value

    run_and_wait(qtbot, win, {"mode": "pair", "genes": ["RAD51", "BRCA1"]})
    res = win.engine.score_pair("RAD51", "BRCA1", CONTEXTS)
    assert (
        win.lookup.heatmap.color_mode == COLOR_RANK
        and win.lookup.color_combo.currentData() == COLOR_RANK
    )
    img = win.lookup.heatmap.image_array()[0]
    for j, ctx in enumerate(CONTEXTS):
        cs = res.contexts[ctx]
        if cs.score is None:
            assert np.isnan(img[j])  # RAD51 is not in KIRC
        elif ctx == UNRANKED:
            assert cs.top_fraction is None and img[j] == pytest.approx(
                cs.score, abs=1e-6
            )  # raw colour, no rank
        else:
            assert img[j] == pytest.approx(float(rank_color_value(cs.top_fraction)), abs=1e-5)
            assert win.grid.percentile[0, j] == pytest.approx(cs.percentile, abs=1e-3)
    # the column without a rank map is marked, and says so in its cells' tooltip
    top = dict(win.lookup.heatmap.plot.getAxis("top")._tickLevels[0])
    assert top[CONTEXTS.index(UNRANKED)].endswith("†") and not top[0].endswith("†")
    assert "no rank map" in win.lookup.heatmap.tooltip_text(0, CONTEXTS.index(UNRANKED))
    tip = win.lookup.heatmap.tooltip_text(0, 0)
    assert (
        "SL score" in tip
        and "genome-wide rank: top" in tip
        and "percentile" in tip
        and "held-out recall" in tip
    )
    # cell text: rank first, raw score second
    assert (
        win.lookup.heatmap.texts.labels[0][0].startswith("top ")
        and "\n0." in win.lookup.heatmap.texts.labels[0][0]
    )
    # the toggle: raw scores on the 0-1 scale everywhere
    win.lookup.set_color_mode(COLOR_RAW)
    want = np.array(
        [np.nan if res.contexts[c].score is None else res.contexts[c].score for c in CONTEXTS]
    )
    np.testing.assert_allclose(win.lookup.heatmap.image_array()[0], want, atol=1e-6, equal_nan=True)
    assert win.lookup.color_combo.currentData() == COLOR_RAW
    assert win.lookup.heatmap.texts.labels[0][0].startswith(
        "0."
    ) or win.lookup.heatmap.texts.labels[0][0].startswith("1.")
    win.lookup.set_color_mode(COLOR_RANK)
    assert win.lookup.heatmap.image_array()[0][0] == pytest.approx(img[0], abs=1e-6)


def test_legend_ticks_in_words(win, qtbot):
    from synleaf_desktop.app.grid import COLOR_RAW, rank_ticks

    assert [t for _, t in rank_ticks()] == WORDS
    run_and_wait(qtbot, win, {"mode": "pair", "genes": ["PARP1", "BRCA2"]})
    axis_ticks = win.lookup.heatmap.colorbar.axis._tickLevels[0]
    assert [t for _, t in axis_ticks] == WORDS
    assert [v for v, _ in axis_ticks] == pytest.approx([k / 6 for k in range(7)])
    assert "genome-wide rank" in win.lookup.heatmap.colorbar_label()
    win.lookup.set_color_mode(COLOR_RAW)
    assert [t for _, t in win.lookup.heatmap.colorbar.axis._tickLevels[0]] == [
        "0.0",
        "0.2",
        "0.4",
        "0.6",
        "0.8",
        "1.0",
    ]
    assert "raw" in win.lookup.heatmap.colorbar_label()


def test_table_details_and_export_carry_ranks(win, qtbot, tmp_path):
    from synleaf_desktop.app.grid import SORT_RANK
    from synleaf_desktop.gui.results_table import RAW_ROLE

    run_and_wait(
        qtbot, win, {"mode": "list", "genes": ["BRCA1", "RAD51", "TP53"]}
    )  # 3 pairs: the strip
    assert not win.lookup.matrix_shown()
    m = win.lookup.table.score_model
    heads = [
        m.headerData(c, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal)
        for c in range(m.columnCount())
    ]
    assert heads[: 2 + len(CONTEXTS) + 1] == [
        "Gene A",
        "Gene B",
        *CONTEXTS,
        "Mean",
    ]  # the existing columns first
    assert "Mean pct" in heads and "BRCA rank" in heads and "BRCA recall" in heads
    col = heads.index("BRCA rank")
    assert m.data(m.index(0, col)).startswith("top ")
    assert m.data(m.index(0, col), RAW_ROLE) == pytest.approx(win.grid.top_fraction[0, 0])
    assert m.data(m.index(0, heads.index(f"{UNRANKED} rank"))) == "–"
    # sort by the mean rank (header click)
    win.lookup.table._header_clicked(heads.index("Mean pct"))
    assert win.lookup.sort_key == SORT_RANK
    assert np.all(np.diff(win.grid.mean_percentile()) <= 1e-9)
    # details: rank, percentile, held-out recall with its meaning, and the raw score
    win.lookup.heatmap.select_cell(0, 0)
    d = win.details
    assert d.fields["rank"].text().startswith("top ") and "percentile" in d.fields["rank"].text()
    assert "not a probability" in d.fields["recall"].text()
    assert d.score_label.text() == f"{win.grid.score[0, 0]:.3f}"
    win.lookup.heatmap.select_cell(0, CONTEXTS.index(UNRANKED))
    assert "no rank map" in d.fields["rank"].text()
    # the CSV keeps its columns and adds the rank ones
    df = pd.read_csv(win.export_table(tmp_path / "t.csv"), comment="#")
    for c in (
        "gene_a",
        "gene_b",
        "BRCA",
        "mean",
        "BRCA_sd",
        "BRCA_known_label",
        "BRCA_in_training",
        "mean_percentile",
        "BRCA_percentile",
        "BRCA_top_fraction",
        "BRCA_heldout_recall",
    ):
        assert c in df.columns
    np.testing.assert_allclose(df["BRCA_percentile"], win.grid.percentile[:, 0], rtol=1e-5)
    assert df[f"{UNRANKED}_percentile"].isna().all()


@pytest.mark.parametrize("order", ["rank", "above_typical"])
def test_partners_follow_cross_context(win, qtbot, order):
    run_and_wait(qtbot, win, {"mode": "partners", "gene": "PARP1", "top": 15})
    assert win.lookup.partner_order_combo.isVisible()
    if order != "rank":
        with qtbot.waitSignal(win.resultsShown, timeout=20000):
            win.lookup.set_partner_order(order)
    want = win.engine.cross_context("PARP1", top=15, contexts=CONTEXTS, order=order)
    assert [b for _, b in win.grid.pairs] == list(
        want["partner"]
    )  # the engine's one rule, its order
    assert win.grid.query["order"] == order
    j = CONTEXTS.index("BRCA")
    np.testing.assert_allclose(win.grid.percentile[:, j], want["BRCA_percentile"], equal_nan=True)
    np.testing.assert_allclose(
        win.grid.above_typical[:, j], want["BRCA_above_typical"], equal_nan=True
    )
    # a visible typical-rank column, and the tooltip says how far above it the pair ranks
    m = win.lookup.table.score_model
    from PySide6.QtCore import Qt

    heads = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    assert "Typical rank" in heads and "Above typical" in heads
    assert m.data(m.index(0, heads.index("Typical rank"))).startswith("top ")
    assert "typical rank of" in win.lookup.heatmap.tooltip_text(0, j)


def test_gene_matrix_for_30_genes_and_its_export(win, qtbot, tmp_path, monkeypatch):
    from synleaf_desktop.gui.gene_menu import menu_urls as gene_menu_urls

    genes = [str(g) for g in win.engine.bundle("BRCA").genes[:30]]
    run_and_wait(qtbot, win, {"mode": "list", "genes": genes})
    assert win.lookup.matrix_shown() and win.lookup.list_view_combo.isVisible()
    mx = win.lookup.matrix
    assert mx.labels() == genes and len(win.grid.pairs) == 435
    assert [mx.context_combo.itemData(i) for i in range(mx.context_combo.count())] == CONTEXTS
    assert mx.canvas.paint_layout().font_px >= 11  # readable labels
    # every cell is the pair's rank colour in the chosen context
    mx.set_context("OV")
    vals = mx.model.values()
    j = CONTEXTS.index("OV")
    r = mx.model.row_of(5, 2)
    assert win.grid.pairs[r] in ((genes[2], genes[5]), (genes[5], genes[2]))
    assert vals[r] == pytest.approx(win.grid.color_values()[r, j])
    # clicking a cell shows its details
    lay = mx.canvas.paint_layout()
    from PySide6.QtCore import QPoint, Qt

    qtbot.mouseClick(
        mx.canvas,
        Qt.MouseButton.LeftButton,
        pos=QPoint(int(lay.left + 2.5 * lay.cell), int(lay.top + 5.5 * lay.cell)),
    )
    assert win.details.details is not None and win.details.details.context == "OV"
    assert {win.details.details.gene_a, win.details.details.gene_b} == {genes[2], genes[5]}
    # right-clicking a cell opens the pair's menu (copy, links), as in the heatmap
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QMenu

    popped: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda self, pos, *a: popped.append(self))
    with qtbot.waitSignal(mx.cellMenuRequested, timeout=2000) as sig:
        qtbot.mouseClick(
            mx.canvas,
            Qt.MouseButton.RightButton,
            pos=QPoint(int(lay.left + 3.5 * lay.cell), int(lay.top + 7.5 * lay.cell)),
        )
    r = mx.model.row_of(7, 3)
    assert sig.args[:2] == [r, j] and len(popped) == 1
    a, b = win.grid.pairs[r]
    acts = {x.objectName(): x for x in popped[0].actions() if x.objectName()}
    assert acts["copy_pair"].text() == f"Copy pair ({a}\u2009–\u2009{b})"
    acts["copy"].trigger()
    assert QGuiApplication.clipboard().text().startswith(f"{a}\t{b}\tOV\t")
    assert "Both genes in cBioPortal (OV)" in gene_menu_urls(popped[0])
    # a right click outside the cells (the diagonal) opens nothing
    qtbot.mouseClick(
        mx.canvas,
        Qt.MouseButton.RightButton,
        pos=QPoint(int(lay.left + 3.5 * lay.cell), int(lay.top + 3.5 * lay.cell)),
    )
    assert len(popped) == 1
    # PNG and SVG of the matrix: every gene named, the legend in words
    png = win.export_image(tmp_path / "m.png")
    svg = win.export_image(tmp_path / "m.svg")
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert (
        img.width() > 1000
        and img.height() > 1000
        and img.text("Software").startswith("SynLeaF Desktop")
    )
    text = svg.read_text(encoding="utf-8")
    for g in genes:
        assert text.count(f">{g}<") >= 2, g  # at its row and on the diagonal
    for w in ("top 1 %", "top 0.1 %"):
        assert w in text
    # the strip is one click away
    win.lookup.set_list_view("strip")
    assert not win.lookup.matrix_shown() and win.lookup.heatmap.image_array().shape == (
        435,
        len(CONTEXTS),
    )
    win.lookup.set_list_view("matrix")
    assert win.lookup.matrix_shown()


def test_small_lists_keep_the_strip(win, qtbot):
    run_and_wait(
        qtbot, win, {"mode": "list", "genes": ["BRCA1", "RAD51", "TP53", "ATM"]}
    )  # 6 pairs
    assert not win.lookup.matrix_shown() and not win.lookup.list_view_combo.isVisible()
    run_and_wait(
        qtbot,
        win,
        {
            "mode": "list",
            "pairs": [
                ("BRCA1", "PARP1"),
                ("KRAS", "MYC"),
                ("PTEN", "CHEK1"),
                ("TP53", "ATM"),
                ("RAD51", "BRCA2"),
                ("ATR", "CHEK1"),
                ("BRCA1", "TP53"),
            ],
        },
    )
    assert not win.lookup.matrix_shown()  # pairs as given are not a gene list
