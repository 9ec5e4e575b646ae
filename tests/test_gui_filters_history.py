"""Issue 16 ("what a biologist missed most"): the Qt-free row filter (gui/filters.py) and query
history (gui/history.py), then the filter bar and Back / Forward / Recent in the real window."""

from __future__ import annotations

import numpy as np
import pytest

from synleaf_desktop.app.filters import (
    ANY_CONTEXT,
    METRIC_SCORE,
    METRIC_TOP,
    RowFilter,
    count_text,
    search_terms,
)
from synleaf_desktop.app.grid import ScoreGrid
from synleaf_desktop.app.history import MAX_RECENT, HistoryEntry, QueryHistory, question_key

NAN = np.nan


def small_grid(mode: str = "pairs") -> ScoreGrid:
    """4 pairs x 2 contexts (A, B) with chosen scores, ranks, labels and training flags."""
    pairs = [("BRCA1", "PARP1"), ("BRCA2", "TP53"), ("ATM", "ATR"), ("KRAS", "MYC")]
    if mode == "partners":
        pairs = [("PARP1", g) for g in ("BRCA1", "BRCA2", "ATM", "KRAS")]
    score = np.array([[0.95, 0.40], [0.60, 0.97], [0.20, NAN], [0.85, 0.10]])
    top = np.array([[0.001, 0.30], [0.10, 0.005], [0.70, NAN], [0.02, 0.90]])
    known = np.array([[1, NAN], [NAN, 0], [NAN, NAN], [0, NAN]], dtype=float)
    intr = np.array([[1, 0], [0, 1], [0, NAN], [NAN, 0]], dtype=float)
    q = (
        {"mode": "partners", "gene": "PARP1"}
        if mode == "partners"
        else {"mode": "list", "genes": []}
    )
    return ScoreGrid(
        mode,
        q,
        ["A", "B"],
        pairs,
        score,
        np.zeros_like(score),
        known,
        intr,
        percentile=100 * (1 - top),
        top_fraction=top,
    )


def kept(f: RowFilter, grid: ScoreGrid | None = None) -> list[int]:
    return np.flatnonzero(f.row_mask(grid or small_grid())).tolist()


# ---------------------------------------------------------------------- filters (Qt-free)
def test_inactive_filter_keeps_everything():
    g = small_grid()
    f = RowFilter()
    assert not f.active and f.apply(g) is g and kept(f) == [0, 1, 2, 3]
    assert f.describe() == ""


def test_rank_and_score_thresholds_in_one_or_any_context():
    assert kept(RowFilter(metric=METRIC_TOP, value=1.0, where="A")) == [0]
    assert kept(RowFilter(metric=METRIC_TOP, value=1.0, where="B")) == [1]
    assert kept(RowFilter(metric=METRIC_TOP, value=1.0)) == [0, 1]  # any context
    assert kept(RowFilter(metric=METRIC_TOP, value=5.0)) == [0, 1, 3]
    assert kept(RowFilter(metric=METRIC_SCORE, value=0.9)) == [0, 1]
    assert kept(RowFilter(metric=METRIC_SCORE, value=0.9, where="A")) == [0]
    # boundary: "top 1 %" keeps a pair exactly at 1 %, "score >= x" keeps x
    g = small_grid()
    g.top_fraction[3, 0] = 0.01
    assert 3 in kept(RowFilter(metric=METRIC_TOP, value=1.0), g)
    assert kept(RowFilter(metric=METRIC_SCORE, value=0.85, where="A")) == [0, 3]


def test_n_a_cells_never_pass_and_missing_rank_map_never_passes_rank():
    # ATM-ATR is n/a in B: "no known label in B" does not keep it (there is no score there)
    assert 2 not in kept(RowFilter(known="unknown", where="B"))
    g = small_grid()
    g.top_fraction[:, 1] = NAN  # context B without a rank map
    assert kept(RowFilter(metric=METRIC_TOP, value=1.0), g) == [0]
    assert kept(RowFilter(metric=METRIC_SCORE, value=0.9), g) == [0, 1]  # raw score still works


def test_label_and_training_filters():
    assert kept(RowFilter(known="sl")) == [0]
    assert kept(RowFilter(known="nonsl")) == [1, 3]
    assert kept(RowFilter(known="nonsl", where="A")) == [3]
    assert kept(RowFilter(known="unknown", where="A")) == [1, 2]
    assert kept(RowFilter(training="yes")) == [0, 1]
    assert kept(RowFilter(training="no", where="A")) == [1, 2]
    assert kept(RowFilter(training="unknown")) == [3]


def test_criteria_must_hold_in_the_same_context():
    # BRCA2-TP53: top 0.5 % in B and in training there; not in training in A (top 10 % there)
    assert kept(RowFilter(metric=METRIC_TOP, value=1.0, training="no")) == []
    assert kept(RowFilter(metric=METRIC_TOP, value=1.0, training="yes")) == [0, 1]
    assert kept(RowFilter(metric=METRIC_TOP, value=50.0, training="no")) == [
        0,
        1,
    ]  # B for row 0, A for 1


def test_search_by_gene_substring():
    assert search_terms(" brc, atm;x ") == ["BRC", "ATM", "X"]
    assert kept(RowFilter(search="brca")) == [0, 1]
    assert kept(RowFilter(search="atr myc")) == [2, 3]
    assert kept(RowFilter(search="brca", metric=METRIC_TOP, value=1.0, where="A")) == [0]
    # partners: the query gene is in every row, only the partner is searched
    p = small_grid("partners")
    assert kept(RowFilter(search="PARP"), p) == []
    assert kept(RowFilter(search="br"), p) == [0, 1]


def test_apply_keeps_order_and_everything_else():
    g = small_grid().sorted_by("A", True)  # BRCA1-PARP1, KRAS-MYC, BRCA2-TP53, ATM-ATR
    out = RowFilter(metric=METRIC_TOP, value=5.0, where="A").apply(g)
    assert out.pairs == [("BRCA1", "PARP1"), ("KRAS", "MYC")]
    assert out.score.shape == (2, 2) and out.known[1, 0] == 0 and out.top_fraction[0, 0] == 0.001
    none = RowFilter(search="ZZZ").apply(g)
    assert none.pairs == [] and none.is_empty and none.contexts == ["A", "B"]


def test_context_fallback_describe_and_clear():
    f = RowFilter(
        search="brca", metric=METRIC_TOP, value=1.0, where="BRCA", known="sl", training="no"
    )
    assert f.describe() == 'top ≤ 1 %, known SL, not in training in BRCA · genes matching "BRCA"'
    assert f.for_contexts(["OV", "pan"]).where == ANY_CONTEXT
    assert f.for_contexts(["BRCA"]) is f
    c = f.cleared()
    assert not c.active and c.where == "BRCA" and c.value == 1.0  # the widgets keep their choices
    assert RowFilter(metric=METRIC_SCORE, value=0.9).describe() == "score ≥ 0.9 in any context"
    with pytest.raises(ValueError):
        RowFilter(metric="percent")
    with pytest.raises(ValueError):
        RowFilter(known="yes")
    assert count_text(12, 45) == "showing 12 of 45 rows" and count_text(45, 45) == "45 rows"
    assert count_text(1, 1) == "1 row"


# ---------------------------------------------------------------------- history (Qt-free)
def entry(*genes: str, contexts=("BRCA", "OV")) -> HistoryEntry:
    if len(genes) == 1:
        return HistoryEntry.make({"mode": "partners", "gene": genes[0], "top": 25}, contexts)
    if len(genes) == 2:
        return HistoryEntry.make({"mode": "pair", "genes": list(genes)}, contexts)
    return HistoryEntry.make({"mode": "list", "genes": list(genes)}, contexts)


def test_push_back_forward():
    h = QueryHistory()
    assert h.current is None and not h.can_back() and not h.can_forward() and h.back() is None
    a, b, c = entry("RAD51", "BRCA1"), entry("ATR"), entry("BRCA1", "BRCA2", "TP53")
    assert h.push(a) and h.push(b) and h.push(c)
    assert h.current == c and h.can_back() and not h.can_forward() and h.forward() is None
    assert h.back() == b and h.back() == a and h.back() is None and h.current == a
    assert h.forward() == b and h.can_forward() and h.current == b
    assert [e.label() for e in h.recent] == [
        "gene list (3): BRCA1, BRCA2, TP53",
        "partners of ATR (top 25)",
        "RAD51 × BRCA1",
    ]


def test_new_query_truncates_the_forward_stack():
    h = QueryHistory()
    a, b, c, d = entry("RAD51", "BRCA1"), entry("ATR"), entry("TP53"), entry("KRAS", "MYC")
    for e in (a, b, c):
        h.push(e)
    h.back()
    h.back()
    assert h.current == a and h.can_forward()
    h.push(d)
    assert h.entries == [a, d] and h.index == 1 and not h.can_forward()
    assert h.back() == a


def test_no_duplicate_consecutive_entries():
    h = QueryHistory()
    h.push(entry("RAD51", "BRCA1"))
    # the same question again: gene order, case and contexts aside -> the current entry is updated
    assert not h.push(entry("brca1", "RAD51", contexts=("BRCA",)))
    assert (
        len(h.entries) == 1
        and h.current.contexts == ("BRCA",)
        and h.current.query["genes"] == ["brca1", "RAD51"]
    )
    assert len(h.recent) == 1
    # partners with another count or order: the same question
    h.push(entry("ATR"))
    assert not h.push(
        HistoryEntry.make({"mode": "partners", "gene": "atr", "top": 50, "order": "above_typical"})
    )
    assert len(h.entries) == 2 and h.current.label() == "partners of atr (top 50, above typical)"
    # the same question not in a row is a new entry; recent keeps it once, newest first
    assert h.push(entry("RAD51", "BRCA1"))
    assert len(h.entries) == 3 and [e.key for e in h.recent] == [
        question_key({"mode": "pair", "genes": ["BRCA1", "RAD51"]}),
        question_key({"mode": "partners", "gene": "ATR"}),
    ]


def test_recent_is_capped_and_round_trips():
    h = QueryHistory(max_entries=10)
    for i in range(MAX_RECENT + 5):
        h.push(entry(f"G{i}"))
    assert len(h.recent) == MAX_RECENT and h.recent[0].query["gene"] == f"G{MAX_RECENT + 4}"
    assert len(h.entries) == 10 and h.index == 9 and h.current.query["gene"] == f"G{MAX_RECENT + 4}"
    pairs = HistoryEntry.make(
        {"mode": "list", "pairs": [("BRCA2", "PARP1"), ("BRCA1", "TP53")], "symbols": ["x"]},
        ["pan"],
    )
    assert pairs.query == {"mode": "list", "pairs": [["BRCA2", "PARP1"], ["BRCA1", "TP53"]]}
    assert pairs.title() == "2 pairs: BRCA2–PARP1, BRCA1–TP53  ·  pan"
    h.push(pairs)
    raw = h.recent_dicts()
    import json

    raw = json.loads(json.dumps(raw))
    g = QueryHistory()
    garbage = [
        None,
        3,
        {"query": {"mode": "pair", "genes": ["A"]}},
        {"query": {"mode": "nope"}},
        {"query": {"mode": "list", "pairs": [["A"]]}},
        {"query": {"mode": "partners", "gene": " "}},
    ]
    assert g.load_recent(raw[:3] + garbage + raw[:1]) == 3  # malformed and repeated items skipped
    assert g.recent == h.recent[:3] and g.entries == [] and g.current is None
    assert g.load_recent("not a list") == 0


def test_entry_titles():
    assert entry("RAD51", "BRCA1").title() == "RAD51 × BRCA1  ·  BRCA, OV"
    many = entry(*[f"G{i}" for i in range(10)], contexts=tuple("ABCDEFGHI"))
    assert many.title() == "gene list (10): G0, G1, G2, G3 …  ·  9 contexts"
    assert HistoryEntry.make({"mode": "pair", "genes": ["A", "B"]}).title() == "A × B"


def test_entries_keep_their_row_filter():
    """A result's filters belong to its history entry: recorded, updated in place (the recent
    list too, order unchanged), round-tripped through the settings, shown in the title."""
    import json

    f = RowFilter(search="BR", metric=METRIC_TOP, value=1.0, where="OV", known="sl")
    e = entry("ATR").with_filter(f)
    assert e.row_filter() == f and e.filter == f.to_dict()
    assert e.title() == (
        "partners of ATR (top 25)  ·  BRCA, OV  ·  filtered: top ≤ 1 %, known SL in OV"
        ' · genes matching "BR"'
    )
    # an inactive filter is no filter (its widgets' values are not history)
    assert entry("ATR").with_filter(RowFilter(value=5.0)).filter == {}
    assert entry("ATR").row_filter() == RowFilter() and "filtered" not in entry("ATR").title()
    h = QueryHistory()
    h.push(entry("ATR"))
    h.push(entry("RAD51", "BRCA1"))
    assert h.set_filter(f) and h.current.filter == f.to_dict()
    assert not h.set_filter(f)  # nothing changed
    assert h.recent[0].filter == f.to_dict() and h.recent[1].filter == {}
    assert h.entries[0].filter == {}  # only the entry on screen
    # asking the same question again keeps one entry; the pushed one brings its own filter
    h.push(entry("BRCA1", "RAD51"))
    assert len(h.entries) == 2 and h.current.filter == {}
    h.set_filter(f)
    raw = json.loads(json.dumps(h.recent_dicts()))
    assert raw[0]["filter"] == f.to_dict() and "filter" not in raw[1]
    g = QueryHistory()
    assert g.load_recent(raw) == 2 and g.recent == h.recent
    # a damaged filter is dropped, the query kept
    raw[0]["filter"] = {"metric": "nope"}
    raw[1]["filter"] = "x"
    assert g.load_recent(raw) == 2 and [e.filter for e in g.recent] == [{}, {}]
    assert QueryHistory().set_filter(f) is False  # no current entry


def test_row_filter_from_dict_round_trip_and_rejects():
    f = RowFilter(search="a b", metric=METRIC_SCORE, value=0.25, where="BRCA", training="no")
    assert RowFilter.from_dict(f.to_dict()) == f
    assert RowFilter.from_dict({}) == RowFilter()
    for bad in (
        None,
        [],
        {"metric": "rank"},
        {"known": "maybe"},
        {"value": float("nan")},
        {"value": -1},
        {"value": "1"},
        {"value": True},
        {"search": 3},
        {"where": None},
    ):
        assert RowFilter.from_dict(bad) is None, bad


# ---------------------------------------------------------------------- the real window (pytest-qt, offscreen)
@pytest.fixture(scope="module")
def ranked_bundles(tmp_path_factory):
    """The nine fixture contexts, each with a rank map (``add_calibration``)."""
    pytest.importorskip("pytestqt")
    from synleaf_desktop.scoring.calibration import add_calibration
    from tests.bundle_fixtures import make_bundle_set

    from .test_gui_common import CONTEXTS, EXCLUDE

    root = tmp_path_factory.mktemp("ranked_models")
    make_bundle_set(root, n_genes=300, exclude=EXCLUDE, drop_fraction=0.0)
    for name in CONTEXTS:
        add_calibration(root / name, n_threads=1)
    return root


def make_window(qtbot, bundles, settings=None):
    from synleaf_desktop.app.settings import Settings
    from synleaf_desktop.gui.main_window import MainWindow

    w = MainWindow(settings=settings or Settings(), bundled_dir=bundles, load_on_start=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.engineReady, timeout=30000):
        w.reload_models()
    w.resize(1400, 900)
    w.show()
    return w


@pytest.fixture
def win(qtbot, ranked_bundles):
    w = make_window(qtbot, ranked_bundles)
    yield w
    w.tasks.cancel_all(wait_ms=20000)


def run(qtbot, w, query, **kw):
    from .test_gui_common import run_and_wait

    run_and_wait(qtbot, w, query, **kw)


def shown_consistently(w) -> None:
    """Heatmap, table and matrix show the same rows: the window's grid."""
    g = w.grid
    assert w.lookup.table.score_model.rowCount() == len(g.pairs)
    if w.lookup.matrix_shown():
        assert w.lookup.matrix.model.grid.pairs == g.pairs
    elif not g.is_empty:
        assert w.lookup.heatmap.image_array().shape[0] == len(g.pairs)


def choose(qtbot, combo, data) -> None:
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


def test_filter_bar_filters_every_view_and_survives_sorting(win, qtbot, tmp_path):
    import pandas as pd

    from synleaf_desktop.app.grid import COLOR_RAW

    genes = [str(g) for g in win.engine.bundle("BRCA").genes[:30]]
    run(qtbot, win, {"mode": "list", "genes": genes})
    fb = win.lookup.filter_bar
    assert win.lookup.matrix_shown() and len(win.grid.pairs) == 435 and not fb.clear_btn.isEnabled()
    assert "435 pairs x 9 contexts" in win.lookup.result_note.text() and not fb.value.isVisible()
    # the search box (after its short delay): rows whose gene names contain the text
    term = genes[0][:2].lower()
    qtbot.keyClicks(fb.search, term)
    qtbot.waitUntil(lambda: len(win.grid.pairs) < 435, timeout=3000)
    assert all(term.upper() in a.upper() or term.upper() in b.upper() for a, b in win.grid.pairs)
    n_search = len(win.grid.pairs)
    assert (
        f"showing {n_search} of 435 pairs" in win.lookup.result_note.text()
        and fb.clear_btn.isEnabled()
    )
    shown_consistently(win)
    # the matrix keeps its view and shows the genes of the rows left, the hidden cells blank
    assert (
        win.lookup.matrix_shown()
        and win.lookup.matrix.model.filtered
        and "(filtered)" in win.lookup.matrix.title.text()
    )
    assert set(win.lookup.matrix.labels()) == {x for p in win.grid.pairs for x in p}
    # plus "top <= 10 % in BRCA"
    choose(qtbot, fb.metric_combo, "top")
    fb.value.setValue(10.0)
    choose(qtbot, fb.where_combo, "BRCA")
    j = win.grid.contexts.index("BRCA")
    assert len(win.grid.pairs) < n_search and np.all(win.grid.top_fraction[:, j] <= 0.1)
    assert win.lookup.row_filter == RowFilter(
        search=term, metric=METRIC_TOP, value=10.0, where="BRCA"
    )
    want = win.lookup.row_filter.row_mask(win.lookup.raw_grid)
    assert sorted(win.grid.pairs) == sorted(
        p for p, k in zip(win.lookup.raw_grid.pairs, want, strict=True) if k
    )
    kept_pairs = sorted(win.grid.pairs)
    shown_consistently(win)
    # re-sorting, the colour and the strip view keep the filter
    win.lookup.set_sort("BRCA", True)
    assert sorted(win.grid.pairs) == kept_pairs and np.all(np.diff(win.grid.score[:, j]) <= 0)
    win.lookup.set_color_mode(COLOR_RAW)
    win.lookup.set_list_view("strip")
    assert sorted(win.grid.pairs) == kept_pairs and fb.search.text() == term
    shown_consistently(win)
    # exports write the rows shown; the report says which filter
    df = pd.read_csv(win.export_table(tmp_path / "f.csv"), comment="#")
    assert len(df) == len(kept_pairs)
    import json

    rep = json.loads(win.export_report(tmp_path / "r.json").read_text(encoding="utf-8"))
    assert (
        rep["query"]["filter"]["rows_total"] == 435
        and "top ≤ 10 % in BRCA" in rep["query"]["filter"]["description"]
    )
    # nothing matches: an empty view that says so, the result itself is kept
    fb.search.setText("ZZZZZZ")
    fb.search.returnPressed.emit()
    assert win.grid.is_empty and len(win.lookup.raw_grid.pairs) == 435
    assert "No pair matches the filters" in win.lookup.heatmap.title.text
    assert "showing 0 of 435 pairs" in win.lookup.result_note.text()
    # one click clears every filter
    qtbot.mouseClick(fb.clear_btn, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    assert (
        len(win.grid.pairs) == 435 and not win.lookup.row_filter.active and fb.search.text() == ""
    )
    assert not fb.clear_btn.isEnabled() and "435 pairs x 9" in win.lookup.result_note.text()


def test_label_and_training_filters_in_the_window(win, qtbot):
    genes = [str(g) for g in win.engine.bundle("BRCA").genes[:40]]
    run(qtbot, win, {"mode": "list", "genes": genes})
    fb = win.lookup.filter_bar
    raw = win.lookup.raw_grid
    for combo, data, mat, test in (
        (fb.known_combo, "sl", raw.known, lambda m: m >= 0.5),
        (fb.training_combo, "yes", raw.in_training, lambda m: m >= 0.5),
        (fb.training_combo, "no", raw.in_training, lambda m: m < 0.5),
    ):
        choose(qtbot, combo, data)
        with np.errstate(invalid="ignore"):
            want = (test(mat) & ~np.isnan(raw.score)).any(axis=1)
        assert len(win.grid.pairs) == int(want.sum()), data
        shown_consistently(win)
        choose(qtbot, combo, "")


def test_filters_kept_on_rerun_reset_on_a_new_query(win, qtbot):
    run(qtbot, win, {"mode": "partners", "gene": "PARP1", "top": 30})
    win.lookup.set_filter(RowFilter(search="a", metric=METRIC_SCORE, value=0.3, where="OV"))
    n = len(win.grid.pairs)
    assert 0 < n < 30 and all(
        "A" in b.upper() for _, b in win.grid.pairs
    )  # partners: the partner's name
    assert f"showing {n} of 30 partners" in win.lookup.result_note.text()
    assert (
        win.lookup.filter_bar.search.text() == "a"
        and win.lookup.filter_bar.where_combo.currentData() == "OV"
    )
    # unticking OV re-runs the same query: the filter stays, "in OV" falls back to any context
    others = [c for c in win.contexts.names() if c != "OV"]
    with qtbot.waitSignal(win.resultsShown, timeout=20000):
        win.contexts.set_checked(others)
    assert (
        win.lookup.row_filter.where == ""
        and win.lookup.row_filter.search == "a"
        and win.lookup.row_filter.metric == METRIC_SCORE
    )
    assert win.lookup.filter_bar.where_combo.currentData() == ""
    # a new question: no filter
    run(qtbot, win, {"mode": "list", "genes": ["BRCA1", "RAD51", "TP53"]})
    assert (
        not win.lookup.row_filter.active
        and win.lookup.filter_bar.search.text() == ""
        and len(win.grid.pairs) == 3
    )


def test_back_forward_recent_and_no_duplicates(win, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    assert not win.lookup.act_back.isEnabled() and not win.lookup.act_forward.isEnabled()
    assert win.lookup.act_back.shortcut() == QKeySequence("Alt+Left")
    assert win.lookup.act_forward.shortcut() == QKeySequence("Alt+Right")
    names = win.contexts.names()
    win.contexts.set_checked(["BRCA", "OV"])
    run(qtbot, win, {"mode": "pair", "genes": ["RAD51", "BRCA1"]})
    win.contexts.blockSignals(True)
    win.contexts.set_checked(names)
    win.contexts.blockSignals(False)
    run(qtbot, win, {"mode": "partners", "gene": "ATR", "top": 10})
    run(qtbot, win, {"mode": "list", "genes": ["BRCA1", "RAD51", "TP53"]})
    # the same question again (re-sort, rerun): no new entry
    win.lookup.set_sort("BRCA", True)
    run(
        qtbot, win, {"mode": "list", "genes": ["brca1", "RAD51", "tp53"]}
    )  # case aside: the same list
    assert (
        len(win.lookup.history.entries) == 3
        and win.lookup.act_back.isEnabled()
        and not win.lookup.act_forward.isEnabled()
    )
    assert "partners of ATR" in win.lookup.act_back.toolTip()
    # Alt+Left: back to the partners, with its query in the query bar
    with qtbot.waitSignal(win.resultsShown, timeout=20000):
        qtbot.keyClick(win, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert win.grid.mode == "partners" and win.grid.focus_gene == "ATR"
    assert (
        win.lookup.query_bar.mode == "partners"
        and win.lookup.query_bar.partner_gene.text() == "ATR"
    )
    assert win.lookup.query_bar.top_n.value() == 10 and win.lookup.act_forward.isEnabled()
    # the toolbar button: back to the pair, in the contexts it ran in
    with qtbot.waitSignal(win.resultsShown, timeout=20000):
        qtbot.mouseClick(win.lookup.nav_buttons["back"], Qt.MouseButton.LeftButton)
    assert win.grid.mode == "pair" and win.grid.contexts == ["BRCA", "OV"]
    assert win.contexts.checked() == ["BRCA", "OV"] and not win.lookup.act_back.isEnabled()
    assert len(win.lookup.history.entries) == 3  # moving changes nothing
    with qtbot.waitSignal(win.resultsShown, timeout=20000):
        qtbot.keyClick(win, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert win.grid.mode == "partners" and win.lookup.history.index == 1
    # a new query drops the entries ahead
    run(qtbot, win, {"mode": "pair", "genes": ["BRCA2", "PARP1"]})
    assert [e.mode for e in win.lookup.history.entries] == [
        "pair",
        "partners",
        "pair",
    ] and not win.lookup.act_forward.isEnabled()
    # Recent: newest first, each with its contexts; a click runs it again
    win.lookup.fill_recent_menu()
    texts = [a.text() for a in win.lookup.recent_menu.actions() if a.text()]
    assert texts[0].startswith("BRCA2 × PARP1") and texts[-1] == "Clear this list"
    assert any(t.startswith("RAD51 × BRCA1") and t.endswith("BRCA, OV") for t in texts)
    i = next(k for k, t in enumerate(texts) if t.startswith("gene list (3)"))
    with qtbot.waitSignal(win.resultsShown, timeout=20000):
        win.lookup.recent_menu.actions()[i].trigger()
    assert win.grid.mode == "pairs" and len(win.grid.pairs) == 3
    assert (
        win.lookup.history.recent[0].label().startswith("gene list (3)")
        and len(win.lookup.history.entries) == 4
    )
    assert (
        win.lookup.query_bar.mode == "list"
        and "TP53" in win.lookup.query_bar.list_edit.toPlainText().upper()
    )


def test_back_forward_and_recent_bring_back_the_filters(win, qtbot):
    """Filters are part of the history: Back / Forward and a recent query show the result as
    it was left, filtered."""
    run(qtbot, win, {"mode": "partners", "gene": "PARP1", "top": 30})
    f = RowFilter(search="a", metric=METRIC_SCORE, value=0.3, where="OV")
    win.lookup.set_filter(f)
    n = len(win.grid.pairs)
    assert 0 < n < 30 and win.lookup.history.current.row_filter() == f
    assert win.settings.recent_queries[0]["filter"] == f.to_dict()
    run(qtbot, win, {"mode": "pair", "genes": ["RAD51", "BRCA1"]})
    assert not win.lookup.row_filter.active and win.lookup.history.current.filter == {}
    with qtbot.waitSignal(win.resultsShown, timeout=20000):
        win.lookup.go_back()
    assert win.lookup.row_filter == f and len(win.grid.pairs) == n
    assert win.lookup.filter_bar.filter() == f
    assert f"showing {n} of 30 partners" in win.lookup.result_note.text()
    with qtbot.waitSignal(win.resultsShown, timeout=20000):
        win.lookup.go_forward()
    assert not win.lookup.row_filter.active and win.grid.pairs == [("RAD51", "BRCA1")]
    # the recent list: the partners entry runs again filtered
    win.lookup.fill_recent_menu()
    texts = [a.text() for a in win.lookup.recent_menu.actions()]
    i = next(k for k, t in enumerate(texts) if t.startswith("partners of PARP1"))
    assert texts[i].endswith('filtered: score ≥ 0.3 in OV · genes matching "A"')
    with qtbot.waitSignal(win.resultsShown, timeout=20000):
        win.lookup.recent_menu.actions()[i].trigger()
    assert win.lookup.row_filter == f and len(win.grid.pairs) == n
    # clearing the filters on screen clears them in the entry
    win.lookup.set_filter(RowFilter())
    assert len(win.grid.pairs) == 30 and win.lookup.history.current.filter == {}
    assert "filter" not in win.settings.recent_queries[0]


def test_recent_queries_persist(qtbot, ranked_bundles):
    from synleaf_desktop.app.settings import Settings

    w = make_window(qtbot, ranked_bundles)
    run(qtbot, w, {"mode": "pair", "genes": ["RAD51", "BRCA1"]})
    run(qtbot, w, {"mode": "list", "pairs": [("BRCA2", "PARP1"), ("BRCA1", "TP53")]})
    path = w.save_settings()
    w.tasks.cancel_all(wait_ms=20000)
    s = Settings.load(path)
    assert [r["query"]["mode"] for r in s.recent_queries] == ["list", "pair"]
    w2 = make_window(qtbot, ranked_bundles, s)
    assert [e.title() for e in w2.lookup.history.recent] == [
        "2 pairs: BRCA2–PARP1, BRCA1–TP53  ·  9 contexts",
        "RAD51 × BRCA1  ·  9 contexts",
    ]
    assert (
        w2.lookup.nav_buttons["recent"].isEnabled() and not w2.lookup.act_back.isEnabled()
    )  # Back/Forward: this session only
    with qtbot.waitSignal(w2.resultsShown, timeout=20000):
        w2.lookup.run_recent(1)
    assert w2.grid.pairs == [("RAD51", "BRCA1")] and w2.lookup.query_bar.gene_a.text() == "RAD51"
    w2.lookup.clear_recent()
    assert (
        w2.lookup.history.recent == []
        and w2.settings.recent_queries == []
        and not w2.lookup.nav_buttons["recent"].isEnabled()
    )
    w2.tasks.cancel_all(wait_ms=20000)
