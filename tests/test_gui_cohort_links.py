"""The pair in the tumours and in the annotations (details panel), the co-lost column of the
partners view, full gene names (completion pop-up, details) and the right-click menu with
links to NCBI Gene, HGNC, DepMap and cBioPortal (opened in the browser, never fetched)."""

from __future__ import annotations

import contextlib
import json

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt

from .test_gui_common import run_and_wait

N_TUMOURS = 40
#: BRCA carries cohort data; OV does not
EVIDENCE_CONTEXT = "BRCA"


@pytest.fixture(scope="module")
def cohort_bundles(tmp_path_factory):
    """BRCA, OV, pan (120 genes); BRCA with a hand-made evidence.npz: BRCA1 lost in tumours
    0-5, RAD51 in 6-9 (never together), PARP1 in 3-8 (with both); TP53 profiled, never lost."""
    from synleaf_desktop.bundle.format import Bundle
    from synleaf_desktop.bundle.writer import add_bundle_member
    from synleaf_desktop.scoring.evidence import pack_bits
    from tests.bundle_fixtures import make_bundle_set

    root = tmp_path_factory.mktemp("cohort_models")
    make_bundle_set(root, names=["BRCA", "OV", "pan"], n_genes=120, n_folds=2, drop_fraction=0.0)
    folder = root / EVIDENCE_CONTEXT
    genes = [str(g) for g in Bundle.load(folder).genes]
    row = {g: k for k, g in enumerate(genes)}
    calls = np.zeros((len(genes), N_TUMOURS), bool)
    calls[row["BRCA1"], :6] = True
    calls[row["RAD51"], 6:10] = True
    calls[row["PARP1"], 3:9] = True
    types = np.zeros(len(genes), np.uint8)
    for g in ("BRCA1", "RAD51", "PARP1", "TP53"):
        types[row[g]] = 3
    counts = np.zeros((len(genes), 5), np.int32)
    counts[:, 0] = calls.sum(1)  # mutated
    counts[:, 2] = calls.sum(1) // 2  # deep deletion
    counts[:, 4] = calls.sum(1)  # inactivated
    arrays = {
        "inact_bits": pack_bits(calls),
        "profile_counts": counts,
        "profiled": np.array([30, 30, N_TUMOURS, N_TUMOURS, N_TUMOURS], np.int32),
        "gene_types": types,
        "samples": np.array([f"T{k}" for k in range(N_TUMOURS)]),
        "meta_json": np.array(
            json.dumps(
                {
                    "profile_columns": [
                        "mutated",
                        "damaging",
                        "deep_deletion",
                        "amplification",
                        "inactivated",
                    ],
                    "inactivation": "damaging mutation + deep deletion",
                }
            )
        ),
    }
    add_bundle_member(folder, "evidence.npz", arrays, "evidence", {"tumours": N_TUMOURS})
    return root


@pytest.fixture
def win(open_main_window, cohort_bundles):
    return open_main_window(cohort_bundles, size=(1400, 900))


def _show(win, qtbot, a, b, ctx):
    run_and_wait(qtbot, win, {"mode": "pair", "genes": [a, b]})
    win.lookup.heatmap.select_cell(0, win.grid.contexts.index(ctx))
    return win.details.details


# ---------------------------------------------------------------------- 1. details panel


def test_details_cohort_profiles_and_shared_terms(win, qtbot):
    d = _show(win, qtbot, "RAD51", "BRCA1", "BRCA")
    f = win.details.fields
    # 4 and 6 of 40 tumours, never together: 0.6 expected
    assert (
        f["cohort"]
        .text()
        .startswith("RAD51 lost in 4 tumours, BRCA1 in 6, both in 0; 0.6 expected; p = ")
    )
    assert "hypergeometric" in f["cohort"].toolTip() and "ISLE/DAISY" in f["cohort"].toolTip()
    assert "weak evidence on its own" in f["cohort"].toolTip()
    prof = f["profiles"].text().splitlines()
    # per gene, cBioPortal style, each share with its own denominator (mutation 30, copy number 40)
    assert prof[1] == (
        "BRCA1: mutated 20\u00a0% of 30 tumours · deep deletion 7.5\u00a0% · amplified 0.0\u00a0% "
        "of 40 tumours (profiled by mutation, copy number)"
    )
    assert prof[0].startswith("RAD51: mutated 13\u00a0% of 30 tumours")
    # shared annotations of the shipped graph, most specific first, "and N more"
    shared = f["shared"].text().splitlines()
    st = d.shared_terms
    assert st is not None and st["n_shared"] > 5
    assert shared[0] == f"{st['terms'][0]['name']} (GO BP, {st['terms'][0]['n_genes']} genes)"
    assert len(shared) == 6 and shared[-1] == f"and {st['n_shared'] - 5} more"
    assert "GO" in f["shared"].toolTip()
    assert win.details.sections["cohort"].text() == "Tumours (cohort): BRCA"
    # full names
    assert "BRCA1: BRCA1 DNA repair associated (Entrez 672)" in f["genes"].text()
    # the model without cohort data says so
    win.lookup.heatmap.select_cell(0, win.grid.contexts.index("OV"))
    assert f["cohort"].text() == "no cohort data in this model"
    assert f["profiles"].text() == "" and not f["profiles"].isVisible()  # said once, not twice


def test_details_no_evidence_and_nothing_shared():
    from synleaf_desktop.app.details import (
        CellDetails,
        cohort_text,
        profile_text,
        shared_text,
    )

    d = CellDetails(
        "A1",
        "B2",
        "BRCA",
        cohort={
            "n_samples": 40,
            "no_evidence": True,
            "sentence": "A1 x B2: no co-inactivation evidence",
        },
        has_cohort=True,
        shared_terms={"terms": [], "n_shared": 0},
    )
    assert cohort_text(d) == "A1 x B2: no co-inactivation evidence"
    assert shared_text(d) == "none shared in the shipped GO BP / KEGG graph"
    assert profile_text("A1", None) == "A1: not in this cohort's data"
    assert profile_text("A1", {"profiled_by": []}) == "A1: not profiled in this cohort"
    kegg = {
        "terms": [{"id": "hsa03440", "type": "Pathway", "name": "hsa03440", "n_genes": 41}],
        "n_shared": 1,
    }
    assert (
        shared_text(CellDetails("A1", "B2", "BRCA", shared_terms=kegg))
        == "hsa03440 (KEGG, 41 genes)"
    )


def test_details_dock_shows_everything(win, qtbot):
    """Every line wraps inside the dock; what does not fit scrolls, nothing is cut off."""
    _show(win, qtbot, "PARP1", "BRCA1", "BRCA")
    qtbot.wait(50)
    panel = win.details
    assert panel.scroll_area.isVisible()
    body = panel.body
    assert body.height() >= body.layout().heightForWidth(panel.scroll_area.viewport().width()) - 1
    for key, label in panel.fields.items():
        if label.text():
            assert label.height() >= label.heightForWidth(label.width()) - 1, key
            assert label.width() <= panel.scroll_area.viewport().width(), key

    # other cells, one after the other: each row as high as its new text needs (no stale heights)
    def stale(ctx: str) -> list[tuple[str, str]]:
        return [
            (ctx, key)
            for key, label in panel.fields.items()
            if label.isVisible()
            and label.text()
            and abs(label.height() - label.heightForWidth(label.width())) > 2
        ]

    for ctx in ("OV", "pan", "BRCA"):
        win.lookup.heatmap.select_cell(0, win.grid.contexts.index(ctx))
        # the layout settles in the event loop (a busy machine may need more than one pass)
        with contextlib.suppress(Exception):
            qtbot.waitUntil(lambda ctx=ctx: not stale(ctx), timeout=3000)
        assert not stale(ctx), stale(ctx)
    # very different texts one after the other (a 2-fold ranked model, then a 1-fold one without ranks)
    from synleaf_desktop.app.details import CellDetails

    names = {
        "gene_names": {"RAD51": "RAD51 recombinase", "BRCA1": "BRCA1 DNA repair associated"},
        "entrez": {"RAD51": 5888, "BRCA1": 672},
    }
    d1 = CellDetails(
        "RAD51",
        "BRCA1",
        "pan",
        score=0.976,
        sd=0.01,
        folds=[0.959, 0.992],
        by_order=(0.974, 0.977),
        modality={"omics": 0.5, "kg": 0.5},
        top_fraction=0.00022,
        percentile=99.98,
        heldout_recall=0.12,
        n_heldout=21020,
        n_universe_pairs=169657410,
        evidence=["SL · SynLethDB:Decipher · PMID 1;2"],
        **names,
    )
    d2 = CellDetails(
        "RAD51",
        "BRCA1",
        "BRCA",
        score=0.976,
        folds=[0.976],
        by_order=(0.969, 0.983),
        modality={"omics": 0.5, "kg": 0.5},
        info={"folds_trained": 5},
        **names,
    )
    for d in (d1, d2, d1):
        panel.show_details(d)
        qtbot.wait(30)
        for key, label in panel.fields.items():
            if label.isVisible() and label.text():
                assert abs(label.height() - label.heightForWidth(label.width())) <= 2, (
                    d.context,
                    key,
                )
    # a narrow dock: still no label wider than the view, the body grows, a scroll bar appears
    win.details_dock.setFixedWidth(310)
    qtbot.wait(100)
    for key, label in panel.fields.items():
        if label.text():
            assert label.height() >= label.heightForWidth(label.width()) - 1, key
    assert body.height() > panel.scroll_area.viewport().height()
    assert panel.scroll_area.verticalScrollBar().maximum() > 0


def test_details_rows_follow_new_texts(qtbot):
    """Showing a cell after another: every row as high as its new text (no heights left over from
    the previous cell, which cut lines off or left gaps)."""
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

    from synleaf_desktop.app.details import CellDetails
    from synleaf_desktop.gui.details_panel import DetailsPanel

    mw = QMainWindow()
    qtbot.addWidget(mw)
    mw.resize(1400, 900)
    centre = QWidget()
    centre.setMinimumWidth(1000)
    mw.setCentralWidget(centre)
    panel = DetailsPanel()
    dock = QDockWidget("Details")
    dock.setWidget(panel)
    mw.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    mw.show()
    names = {
        "gene_names": {"RAD51": "RAD51 recombinase", "BRCA1": "BRCA1 DNA repair associated"},
        "entrez": {"RAD51": 5888, "BRCA1": 672},
    }
    d1 = CellDetails(
        "RAD51",
        "BRCA1",
        "pan",
        score=0.976,
        sd=0.01,
        folds=[0.959, 0.992],
        by_order=(0.974, 0.977),
        modality={"omics": 0.5, "kg": 0.5},
        top_fraction=0.00022,
        percentile=99.98,
        heldout_recall=0.12,
        n_heldout=21020,
        n_universe_pairs=169657410,
        evidence=["SL · SynLethDB:Decipher · PMID 1;2"],
        **names,
    )
    d2 = CellDetails(
        "RAD51",
        "BRCA1",
        "BRCA",
        score=0.976,
        folds=[0.976],
        by_order=(0.969, 0.983),
        modality={"omics": 0.5, "kg": 0.5},
        info={"folds_trained": 5},
        **names,
    )
    from PySide6.QtWidgets import QApplication

    for d in (d1, d2, d1, d2):
        panel.show_details(d)
        for _ in range(20):
            QApplication.processEvents()
        for key, label in panel.fields.items():
            if label.isVisible() and label.text():
                assert abs(label.height() - label.heightForWidth(label.width())) <= 2, (
                    d.context,
                    key,
                )


def test_evidence_row_never_shows_null():
    import pandas as pd

    from synleaf_desktop.io.known_pairs import (
        COLUMNS,
        KnownPairs,
        _clean_cells,
        default_known_pairs,
    )

    t = pd.DataFrame(
        [
            ["AADAC", "BRCA1", 1, "", "SynLethDB:Computational Prediction", "29959327", "null"],
            ["BRCA2", "PARP1", 1, "", "SynLethDB:CRISPR", "1;null", "OVCAR8;NULL"],
        ],
        columns=COLUMNS,
    )
    kp = KnownPairs(t)
    assert kp.evidence("AADAC", "BRCA1") == [
        "SL · SynLethDB:Computational Prediction · PMID 29959327"
    ]
    assert kp.evidence("PARP1", "BRCA2") == ["SL · SynLethDB:CRISPR · PMID 1 · OVCAR8"]
    assert _clean_cells("K562;null;n/a") == "K562"
    shipped = default_known_pairs()
    if shipped is not None:
        assert not any("null" in x.lower() for x in shipped.evidence("AADAC", "BRCA1"))


# ---------------------------------------------------------------------- 2. partners: co-lost column


def test_partners_co_lost_column_sortable(win, qtbot, tmp_path):
    run_and_wait(qtbot, win, {"mode": "partners", "gene": "BRCA1", "top": 120})
    g = win.grid
    j = g.contexts.index("BRCA")
    assert g.has_evidence(j) and not g.has_evidence(g.contexts.index("OV"))
    m = win.lookup.table.score_model
    heads = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    assert "BRCA co-lost (p)" in heads and "OV co-lost (p)" not in heads
    col = heads.index("BRCA co-lost (p)")
    rows = {b: r for r, (_, b) in enumerate(g.pairs)}
    # RAD51: 0 of 0.6 expected; PARP1: 3 together of 0.9 expected (co-occurring, p(depletion) 1.00)
    assert m.display(rows["RAD51"], col).startswith("0 / 0.6 exp, p ")
    assert m.display(rows["PARP1"], col).startswith("3 / 0.9 exp, p ")
    assert m.display(rows["TP53"], col) == "–"  # profiled, never lost: no evidence
    assert "weak evidence" in m.data(m.index(rows["RAD51"], col), Qt.ItemDataRole.ToolTipRole)
    # the header sorts: most depleted first, no evidence last
    win.lookup.table._header_clicked(col)
    g = win.grid
    assert g.pairs[0][1] == "RAD51"
    p = g.coinact_p[:, j]
    finite = p[np.isfinite(p)]
    assert np.all(np.diff(finite) >= 0) and np.all(np.isfinite(p[: len(finite)]))
    # exported as shown
    df = win.grid.to_frame()
    assert {"BRCA_both_lost", "BRCA_expected_both", "BRCA_coinact_p"} <= set(df.columns)
    assert "OV_coinact_p" not in df.columns
    assert df.loc[df["gene_b"] == "RAD51", "BRCA_both_lost"].iloc[0] == 0
    # matches the engine's partner table
    fr = win.engine.partners("BRCA1", top=None, contexts=["BRCA"])["BRCA"].set_index("partner")
    r = g.pairs.index(("BRCA1", "PARP1"))
    assert g.coinact_p[r, j] == pytest.approx(fr.loc["PARP1", "coinact_p"])
    assert g.expected_both[r, j] == pytest.approx(fr.loc["PARP1", "expected_both"])


def test_pair_and_list_grids_carry_co_lost(win, qtbot):
    run_and_wait(qtbot, win, {"mode": "pair", "genes": ["RAD51", "BRCA1"]})
    j = win.grid.contexts.index("BRCA")
    assert win.grid.colost_text(0, j).startswith("0 / 0.6 exp, p ")
    run_and_wait(qtbot, win, {"mode": "list", "pairs": [("RAD51", "BRCA1"), ("PARP1", "BRCA1")]})
    assert win.grid.both_lost[:, j].tolist() == [0, 3]


# ---------------------------------------------------------------------- 3. gene names


def test_completion_popup_shows_full_names(win, qtbot):
    from synleaf_desktop.app import lookup
    from synleaf_desktop.gui.query_bar import DescribedDelegate
    from synleaf_desktop.progress import Progress

    names, describe = lookup.gene_completions(Progress())
    assert "BRCA1" in names
    assert describe("BRCA1") == "BRCA1 DNA repair associated"
    assert describe("672") == "Entrez ID of BRCA1: BRCA1 DNA repair associated"
    assert describe("FANCS") == "alias of BRCA1: BRCA1 DNA repair associated"
    win.load_completions()
    qtbot.waitUntil(lambda: win.lookup.query_bar.describe is not None, timeout=30000)
    comp = win.lookup.query_bar.gene_a.completer()
    comp.setCompletionPrefix("brca1")
    idx = comp.completionModel().index(0, 0)
    assert idx.data() == "BRCA1"  # matched and inserted: the bare name
    delegate = comp.popup().itemDelegate()
    assert isinstance(delegate, DescribedDelegate)
    assert delegate.text_for("BRCA1") == "BRCA1  \u2014  BRCA1 DNA repair associated"
    assert comp.popup().minimumWidth() >= 400


def test_gene_name_table_built_by_resource_build(tmp_path):
    import gzip

    import pandas as pd

    from synleaf_desktop.io.genes import NAMES_FILE, build_gene_table, load_gene_names

    kg = tmp_path / "kg"
    kg.mkdir()

    def gz(name, text):
        with gzip.open(kg / name, "wt") as fh:
            fh.write(text)

    gz(
        "genes.tsv.gz",
        "entrez_id\tsymbol\tname\tgene_type\tchromosome\tcytoband\n"
        "672\tBRCA1\tBRCA1 DNA repair associated\tprotein-coding\t17\t17q21\n"
        "3\tA2MP1\talpha-2-macroglobulin pseudogene 1\tpseudo\t12\t12p13\n",
    )
    gz("gene_uniprot.tsv.gz", "entrez_id\taccession\n672\tP38398\n")
    gz("gene_aliases.tsv.gz", "entrez_id\talias_symbol\n672\tFANCS\n")
    gz("gene_ensembl.tsv.gz", "entrez_id\taccession\n672\tENSG00000012048\n")
    counts = build_gene_table(kg, tmp_path / "res")
    assert counts[NAMES_FILE] == 1  # the pseudogene without a protein is left out
    names = load_gene_names(tmp_path / "res")
    assert names.name("BRCA1") == "BRCA1 DNA repair associated" and names.entrez("BRCA1") == 672
    assert names.name("A2MP1") is None
    assert list(pd.read_csv(tmp_path / "res" / NAMES_FILE, sep="\t").columns) == [
        "entrez_id",
        "symbol",
        "name",
    ]
    assert len(load_gene_names(tmp_path / "nothing")) == 0


# ---------------------------------------------------------------------- 3. right-click menu


class _Browser:
    def __init__(self):
        self.urls = []

    def openUrl(self, url):
        self.urls.append(url.toString())
        return True


def test_pair_menu_copy_and_links(win, qtbot, monkeypatch):
    from PySide6.QtGui import QGuiApplication

    from synleaf_desktop.gui import gene_menu

    browser = _Browser()
    monkeypatch.setattr(gene_menu, "QDesktopServices", browser)
    run_and_wait(qtbot, win, {"mode": "pair", "genes": ["RAD51", "BRCA1"]})
    j = win.grid.contexts.index("BRCA")
    menu = win.lookup.pair_menu(0, j, win.lookup.cell_copy_text(0, j))
    acts = {a.objectName(): a for a in menu.actions() if a.objectName()}
    acts["copy"].trigger()
    text = QGuiApplication.clipboard().text()
    assert text.startswith(f"RAD51\tBRCA1\tBRCA\t{win.grid.score[0, j]:.6g}")
    acts["copy_pair"].trigger()
    assert QGuiApplication.clipboard().text() == "RAD51\tBRCA1"
    urls = gene_menu.menu_urls(menu)
    assert urls["BRCA1 in NCBI Gene"] == "https://www.ncbi.nlm.nih.gov/gene/672"  # by Entrez ID
    assert urls["BRCA1 in HGNC"] == "https://www.genenames.org/tools/search/#!/?query=BRCA1"
    assert urls["RAD51 in DepMap"] == "https://depmap.org/portal/gene/RAD51"
    assert urls["RAD51 in cBioPortal (BRCA)"] == (
        "https://www.cbioportal.org/results?cancer_study_list="
        "brca_tcga_pan_can_atlas_2018&gene_list=RAD51"
    )
    assert urls["Both genes in cBioPortal (BRCA)"].endswith("gene_list=RAD51%20BRCA1")
    # each link goes to the browser, nothing else
    subs = [a.menu() for a in menu.actions() if a.menu() is not None]
    assert [s.title().split(" – ")[0] for s in subs] == ["RAD51", "BRCA1"]
    assert "RAD51 recombinase" in subs[0].title()
    for a in subs[1].actions():
        a.trigger()
    assert browser.urls == [
        urls["BRCA1 in NCBI Gene"],
        urls["BRCA1 in HGNC"],
        urls["BRCA1 in DepMap"],
        urls["BRCA1 in cBioPortal (BRCA)"],
    ]
    # pan-cancer: every TCGA study; a gene without an Entrez ID: the NCBI search form
    menu = win.lookup.pair_menu(0, win.grid.contexts.index("pan"), "x")
    assert (
        "coadread_tcga_pan_can_atlas_2018"
        in gene_menu.menu_urls(menu)["BRCA1 in cBioPortal (TCGA)"]
    )
    assert gene_menu.ncbi_url("FOO1") == (
        "https://www.ncbi.nlm.nih.gov/gene/?term=FOO1%5Bsym%5D+AND+human%5Borgn%5D"
    )


def test_menus_from_heatmap_table_and_partner_rows(win, qtbot, monkeypatch):
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QMenu

    from synleaf_desktop.gui import gene_menu

    popped = []
    monkeypatch.setattr(QMenu, "popup", lambda self, pos, *a: popped.append(self))
    monkeypatch.setattr(gene_menu, "QDesktopServices", _Browser())
    run_and_wait(qtbot, win, {"mode": "partners", "gene": "BRCA1", "top": 10})
    # heatmap: a right click on a cell
    hm = win.lookup.heatmap
    vb = hm.plot.getViewBox()

    class Ev:
        def __init__(self, r, c):
            self.pos = vb.mapViewToScene(QPointF(c, r))
            self.accepted = False

        def button(self):
            return Qt.MouseButton.RightButton

        def scenePos(self):
            return self.pos

        def screenPos(self):
            return QPointF(100, 100)

        def accept(self):
            self.accepted = True

    with qtbot.waitSignal(hm.cellMenuRequested, timeout=2000) as sig:
        hm._on_mouse_clicked(Ev(1, 0))
    assert sig.args[:2] == [1, 0]
    assert popped and popped[-1].actions()[1].text().startswith(
        f"Copy pair (BRCA1\u2009–\u2009{win.grid.pairs[1][1]}"
    )
    # a partner row of the table (the gene column: no context, the generic cBioPortal form)
    m = win.lookup.table.score_model
    rect = win.lookup.table.visualRect(m.index(2, 1))
    with qtbot.waitSignal(win.lookup.table.rowMenuRequested, timeout=2000) as sig:
        win.lookup.table.customContextMenuRequested.emit(rect.center())
    assert sig.args[:2] == [2, 1]
    menu = popped[-1]
    partner = win.grid.pairs[2][1]
    assert f"{partner} in DepMap" in gene_menu.menu_urls(menu)
    menu.actions()[0].trigger()  # Copy: the cell under the mouse
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == partner


def test_details_pair_aware_row_only_where_chosen(qtbot):
    """Issue 13: where the score is the pair-aware one, the panel says so and shows the fold
    models' own score as "Before pair evidence"; other models have no such row."""
    from synleaf_desktop.app.details import CellDetails
    from synleaf_desktop.gui.details_panel import DetailsPanel

    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.show()
    base = {"score": 0.4, "sd": 0.1, "folds": [0.3, 0.5]}
    info = {"pair_aware": {"figures": {"test_auc_pair_aware": 0.802, "test_auc_selected": 0.783}}}
    panel.show_details(
        CellDetails(
            "RAD51",
            "BRCA1",
            "LUAD",
            score_kind="pair-aware",
            synleaf_score=0.289,
            info=info,
            **base,
        )
    )
    row = panel.fields["synleaf"]
    assert row.isVisible() and row.text().startswith("0.289: the fold models' own score")
    assert "0.802 with pair evidence, 0.783 without" in row.text()
    assert panel.score_note.text().startswith("Pair-aware SL score")
    assert "no gene order" in panel.fields["orders"].text()
    panel.show_details(CellDetails("RAD51", "BRCA1", "OV", by_order=(0.4, 0.4), **base))
    assert not row.isVisible() and row.text() == ""
    assert panel.score_note.text().startswith("SL score")
