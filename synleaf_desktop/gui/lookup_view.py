"""The look-up tab: the query bar, the result's controls (sort, colour, partner order, list
view, filters), the heatmap or gene x gene matrix over the results table, and the query history
(Back / Forward / Recent).

It talks to the rest of the window through :class:`LookupHost` (the loaded models, settings,
jobs, messages, the contexts panel's ticks and the details panel), never through the window
itself. The scoring runs in the app layer (:mod:`synleaf_desktop.app.lookup`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..app import lookup
from ..app.details import CellDetails
from ..app.filters import RowFilter, count_text
from ..app.grid import COLOR_RANK, COLOR_RAW, SORT_MEAN, SORT_RANK, ScoreGrid, describe_rank
from ..app.history import HistoryEntry, QueryHistory, question_key
from ..app.settings import Settings
from ..scoring.engine import ScoringEngine
from .filter_bar import FilterBar
from .gene_matrix import GeneMatrixWidget, is_gene_list, list_genes, wants_matrix
from .heatmap import HeatmapWidget
from .query_bar import QueryBar, choose_list_file
from .results_table import ResultsTable
from .workers import Task


class LookupHost(Protocol):
    """What the look-up tab needs from the window around it."""

    engine: ScoringEngine | None
    infos: dict[str, dict[str, Any]]
    settings: Settings

    def checked_contexts(self) -> list[str]: ...
    def context_names(self) -> list[str]: ...
    def tick_contexts(self, names: list[str]) -> None: ...
    def busy(self, slot: str) -> bool: ...
    def start_task(self, slot: str, task: Task, label: str) -> Task: ...
    def notify(self, level: str, title: str, text: str) -> QMessageBox: ...
    def flash(self, text: str, ms: int = 6000) -> None: ...
    def show_details(self, details: CellDetails | None) -> None: ...
    def show_lookup_tab(self) -> None: ...


class LookupView(QWidget):
    """The look-up tab (see the module docstring).

    Signals:
        resultsShown(): a query's result is on screen.
    """

    resultsShown = Signal()

    def __init__(self, host: LookupHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        #: the result on screen, as filtered and sorted (what exports write) ...
        self.grid = ScoreGrid.empty()
        #: ... and as the query returned it (None before the first result)
        self.raw_grid: ScoreGrid | None = None
        self.query: dict[str, Any] | None = None
        self.pending_query: dict[str, Any] | None = None
        self.sort_key = host.settings.sort_by
        self.sort_desc = True
        self.last_timing: dict[str, float] = {}
        # rows shown of a result (filter bar) and the query history (Back / Forward / Recent)
        self.row_filter = RowFilter()
        self.history = QueryHistory()
        self.history.load_recent(host.settings.recent_queries)
        self._history_pending: HistoryEntry | None = None
        self._history_commit = False
        self._navigating = False
        #: the row filter of a history entry being run again (applied to its result)
        self._entry_filter: RowFilter | None = None
        self._build_ui()
        self._build_history_actions()
        self._requery_timer = QTimer(self)
        self._requery_timer.setSingleShot(True)
        self._requery_timer.setInterval(150)
        self._requery_timer.timeout.connect(self.rerun_query)

    def _build_ui(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.query_bar = QueryBar()
        lay.addWidget(self.query_bar)
        self.query_bar.queryRequested.connect(self.run_query)
        self.query_bar.loadListRequested.connect(self.load_gene_list)

        bar = QHBoxLayout()
        bar.setContentsMargins(8, 0, 8, 0)
        bar.addWidget(QLabel("Sort:"))
        self.sort_combo = QComboBox()
        # compact controls: with the docks open the centre of a 1200-pixel window is ~640 pixels wide
        for combo, chars in ((self.sort_combo, 10),):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(chars)
        self.sort_combo.setToolTip(
            "Order the pairs by one context's score or by the mean over the shown contexts"
        )
        self.sort_combo.activated.connect(self._sort_combo_changed)
        bar.addWidget(self.sort_combo)
        # colour: genome-wide rank (comparable between contexts) or the raw score
        bar.addSpacing(6)
        bar.addWidget(QLabel("Colour:"))
        self.color_combo = QComboBox()
        self.color_combo.addItem("genome-wide rank", COLOR_RANK)
        self.color_combo.addItem("raw score", COLOR_RAW)
        self.color_combo.setToolTip(
            "Genome-wide rank: where the pair falls among all gene pairs of each context "
            "(comparable between contexts). Raw score: the model output in [0, 1], on each "
            "context's own scale. Neither is a probability of SL."
        )
        self.color_combo.activated.connect(
            lambda i: self.set_color_mode(self.color_combo.itemData(i))
        )
        bar.addWidget(self.color_combo)
        # partners: order by rank or by rank above the partner's typical rank (hub discount)
        self.partner_order = "rank"
        self.partner_order_label = QLabel("Order:")
        self.partner_order_combo = QComboBox()
        self.partner_order_combo.addItem("rank", "rank")
        self.partner_order_combo.addItem("above typical", "above_typical")
        self.partner_order_combo.setToolTip(
            "Which partners are shown, and in which order (the same rule as `synleaf partners`):\n"
            "genome-wide rank: mean percentile over the contexts;\n"
            "rank above typical: how far the pair ranks above the partner's typical rank with random genes, "
            "which discounts 'hub' genes that rank high with everything."
        )
        self.partner_order_combo.activated.connect(
            lambda i: self.set_partner_order(self.partner_order_combo.itemData(i))
        )
        bar.addSpacing(6)
        bar.addWidget(self.partner_order_label)
        bar.addWidget(self.partner_order_combo)
        # gene lists: a gene x gene matrix (many pairs) or the strip of pairs
        self.list_view = "matrix"
        self.list_view_label = QLabel("Show:")
        self.list_view_combo = QComboBox()
        self.list_view_combo.addItem("matrix", "matrix")
        self.list_view_combo.addItem("pairs", "strip")
        self.list_view_combo.setToolTip(
            "A gene list as a triangular gene × gene matrix of one context, or as a "
            "strip of pairs: one row per pair with every context"
        )
        self.list_view_combo.activated.connect(
            lambda i: self.set_list_view(self.list_view_combo.itemData(i))
        )
        bar.addSpacing(6)
        bar.addWidget(self.list_view_label)
        bar.addWidget(self.list_view_combo)
        for w in (
            self.partner_order_label,
            self.partner_order_combo,
            self.list_view_label,
            self.list_view_combo,
        ):
            w.hide()
        self.result_note = QLabel("")
        self.result_note.setObjectName("hint")
        self.result_note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # wraps inside its own space (never under the sort box); the tooltip has it in full
        self.result_note.setWordWrap(True)
        self.result_note.setMinimumWidth(0)
        self.result_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        bar.addSpacing(12)
        bar.addWidget(self.result_note, 1)
        lay.addLayout(bar)
        # which rows of the result are shown (heatmap, matrix and table alike)
        self.filter_bar = FilterBar()
        self.filter_bar.filterChanged.connect(self.set_filter)
        lay.addWidget(self.filter_bar)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.heatmap = HeatmapWidget()
        self.heatmap.cellClicked.connect(self.show_cell)
        self.heatmap.cellMenuRequested.connect(self._heatmap_menu)
        self.table = ResultsTable()
        self.table.sortRequested.connect(self.set_sort)
        self.table.cellActivated.connect(self._table_cell_activated)
        self.table.rowMenuRequested.connect(self._table_menu)
        # the heatmap (strip of pairs) or, for a gene list, the gene x gene matrix
        self.matrix = GeneMatrixWidget()
        self.matrix.cellClicked.connect(lambda r, c: self.heatmap.select_cell(r, c))
        self.matrix.cellMenuRequested.connect(self._heatmap_menu)
        self.view_stack = QStackedWidget()
        self.view_stack.addWidget(self.heatmap)
        self.view_stack.addWidget(self.matrix)
        self.view_stack.setMaximumHeight(self.heatmap.maximumHeight())
        self.splitter.addWidget(self.view_stack)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        # the splitter sits on top of a spacer: when heatmap and table need less than the
        # centre (one pair), the rest stays free below them (see fit_splitter)
        centre = QWidget()
        centre_lay = QVBoxLayout(centre)
        centre_lay.setContentsMargins(0, 0, 0, 0)
        centre_lay.addWidget(self.splitter, 1)
        centre_lay.addStretch(0)
        lay.addWidget(centre, 1)

    def _action(
        self, text: str, slot: Callable[[], Any], shortcut: Any = None, tip: str = ""
    ) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(shortcut)
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(lambda *_: slot())
        return a

    def _build_history_actions(self) -> None:
        self.act_back = self._action(
            "&Back",
            self.go_back,
            QKeySequence("Alt+Left"),
            "Back to the previous query (Alt+Left)",
        )
        self.act_forward = self._action(
            "&Forward",
            self.go_forward,
            QKeySequence("Alt+Right"),
            "Forward to the next query (Alt+Right)",
        )
        self.act_back.setText("◀ Back")
        self.act_forward.setText("Forward ▶")
        self.act_clear_recent = self._action("&Clear the recent queries", self.clear_recent)
        self.recent_menu = QMenu("&Recent queries", self)
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        # the same actions as buttons at the right of the query bar's mode row
        self.nav_buttons: dict[str, QToolButton] = {}
        for key, act in (("back", self.act_back), ("forward", self.act_forward)):
            b = QToolButton()
            b.setDefaultAction(act)
            b.setAutoRaise(True)
            self.nav_buttons[key] = b
            self.query_bar.nav_layout.addWidget(b)
        b = QToolButton()
        b.setText("Recent")
        b.setToolTip(
            "The last queries (pair, partners, gene list) with their contexts: click one to run it again"
        )
        b.setMenu(self.recent_menu)
        b.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        b.setAutoRaise(True)
        self.nav_buttons["recent"] = b
        self.query_bar.nav_layout.addWidget(b)
        self._update_history_actions()

    # ------------------------------------------------------------------ queries
    def run_query(self, query: dict[str, Any]) -> None:
        """Run a query from the query bar (see :class:`QueryBar` for its shape)."""
        problem = lookup.validate_query(query)
        if problem:
            self.result_note.setText(problem)
            self.host.flash(problem)
            return
        if self.query is None or question_key(query) != question_key(self.query):
            self.reset_filter()  # the filters were chosen for another result
        self.query = dict(query)
        if self._entry_filter is not None:  # Back / Forward / a recent query: its filters too
            self.row_filter, self._entry_filter = self._entry_filter, None
            self.filter_bar.set_filter(self.row_filter)
        # recorded in the history once its result is on screen (not when Back / Forward ran it)
        self._history_pending = (
            None if self._navigating else HistoryEntry.make(query, self.host.checked_contexts())
        )
        if self.host.engine is None:
            if not self.host.busy("engine"):
                self.result_note.setText(
                    "No scoring models are installed: add one (Models menu) or train one."
                )
                return
            self.pending_query = dict(query)
            self.host.flash(
                "the models are still loading; your query will run as soon as they are ready"
            )
            return
        contexts = self.host.checked_contexts()
        if not contexts:
            self.result_note.setText("Tick at least one context on the left.")
            self.show_grid(ScoreGrid.empty())
            return
        mode = query["mode"]
        if mode == "pair":
            self.host.settings.last_pair = list(query["genes"])
            t0 = time.perf_counter()
            try:
                grid = lookup.pair_grid(
                    self.host.engine,
                    query["genes"][0],
                    query["genes"][1],
                    contexts,
                    self.host.infos,
                )
            except Exception as exc:
                self._query_failed(lookup.message_of(exc))
                return
            self.last_timing["lookup_s"] = time.perf_counter() - t0
            self._query_done(grid)
            return
        fn: Callable[..., ScoreGrid]
        args: tuple[Any, ...]
        if mode == "partners":
            fn, label = lookup.partners_grid, f"Finding partners of {query['gene']}"
            order = query.get("order") or self.partner_order
            args = (
                self.host.engine,
                query["gene"],
                int(query.get("top", 25)),
                contexts,
                self.host.infos,
                order,
            )
        else:
            fn, label = lookup.list_grid, "Scoring the gene list"
            args = (self.host.engine, query, contexts, self.host.infos)
        task = Task(fn, *args, name=f"query-{mode}")
        task.succeeded.connect(self._query_done)
        task.failed.connect(self._query_failed)
        self.host.start_task("query", task, label)

    def _query_failed(self, message: str) -> None:
        """A query could not run: clear the previous results (they answered another question),
        say why in the note above the heatmap and in the status bar; nothing is scored."""
        self._history_pending = None
        self.show_grid(ScoreGrid.empty())
        self.result_note.setText(message)
        self.result_note.setToolTip(message)
        self.host.flash(message, 15000)
        self.host.notify("warning", "Could not score", message)

    def _query_done(self, grid: ScoreGrid) -> None:
        """A query's own result: shown, then recorded in the history."""
        self._history_commit = True
        self.show_grid(grid)

    def rerun_query(self) -> None:
        if self.query is not None and self.host.engine is not None:
            self.run_query(self.query)

    def show_grid(self, grid: ScoreGrid) -> None:
        """Show a query result (sorted as chosen) in heatmap and table."""
        t0 = time.perf_counter()
        self.raw_grid = grid
        key = self.sort_key
        if key and not grid.knows_sort_key(key):
            key = ""
        # the filter bar's rows (a context no longer shown falls back to "any context"), then the order
        f = self.row_filter
        if grid.contexts:  # (an empty result keeps the choice for the next one)
            self.filter_bar.set_contexts(list(grid.contexts))
            f = f.for_contexts(list(grid.contexts))
        if f != self.row_filter:
            self.row_filter = f
            self.filter_bar.set_filter(f)
        kept = f.apply(grid)
        # partners come in the order of the engine's one ranking rule (cross_context), "as ranked"
        shown = kept.sorted_by(key, self.sort_desc) if key else kept
        if f.active and not grid.is_empty:
            # exports and the run report say which rows were left out
            shown = replace(
                shown,
                query={
                    **(shown.query or {}),
                    "filter": {
                        **f.to_dict(),
                        "description": f.describe(),
                        "rows_shown": len(shown.pairs),
                        "rows_total": len(grid.pairs),
                    },
                },
            )
        self.grid = shown
        self.heatmap.set_grid(shown)
        if shown.is_empty and not grid.is_empty:
            self.heatmap.show_message(
                "No pair matches the filters",
                f"{f.describe()}<br>Change or clear the filters (above) to see the "
                f"{len(grid.pairs)} pairs of this result",
            )
        self.table.set_grid(shown, key, self.sort_desc)
        self._show_view(grid, shown)
        self.fit_splitter(len(shown.pairs))
        self.host.show_details(None)
        self._update_result_note()
        self._set_sort_combo(key)
        self.last_timing["refresh_s"] = time.perf_counter() - t0
        if grid.mode == "pair" and not grid.is_empty:
            # the best context by the cross-context rule: percentile, or 100 x raw without a rank map
            rank = [
                (
                    -1.0
                    if grid.is_na(0, j)
                    else float(grid.percentile[0, j])
                    if grid.has_ranks(j) and not np.isnan(grid.percentile[0, j])
                    else 100.0 * float(grid.score[0, j])
                )
                for j in range(len(grid.contexts))
            ]
            self.heatmap.select_cell(0, int(np.argmax(rank)))
        if self._history_commit:
            self._history_commit = False
            self._commit_history(grid)
        self.resultsShown.emit()

    def fit_splitter(self, rows: int) -> tuple[int, int]:
        """Share the centre between heatmap and table by the number of rows. The heatmap is never
        taller than it needs (its own maximum height); the table gets no more than its rows need
        (one pair: a one-row table right under the heatmap, the space left stays below them,
        instead of an empty table), and with many rows at least ten rows or 45 % of the height.
        Returns the sizes set (heatmap, table)."""
        self.table.setMaximumHeight(16777215)  # QWIDGETSIZE_MAX
        # the height the look-up tab leaves for the splitter (it is the last item of that tab;
        # its own height may still be capped by the previous result)
        parent = self.splitter.parentWidget()
        # let the splitter take the whole centre again now (it recomputes its own maximum from the
        # table's on a posted layout request), not after the next event-loop pass
        QCoreApplication.sendPostedEvents(self.splitter, QEvent.Type.LayoutRequest)
        parent_layout = parent.layout() if parent is not None else None
        if parent_layout is not None:
            parent_layout.activate()
        total = parent.height() if parent is not None else 0
        total = max(total, sum(self.splitter.sizes())) - self.splitter.handleWidth()
        if total <= 0:
            return 0, 0
        header = self.table.horizontalHeader().sizeHint().height() or 28
        row_h = self.table.verticalHeader().defaultSectionSize()
        frame = 2 * self.table.frameWidth() + 4
        if self.table.horizontalScrollBar().isVisible():
            frame += self.table.horizontalScrollBar().sizeHint().height()
        full = header + max(rows, 1) * row_h + frame
        heat_max = self.view_stack.maximumHeight()
        handle = self.splitter.handleWidth()
        if heat_max + full + handle <= total:
            # both fit whole: no empty table rows; the rest of the centre stays free below them
            self.table.setMaximumHeight(full)
            self.splitter.setSizes([heat_max, full])
            return heat_max, full
        elif self.matrix_shown():
            # a gene matrix needs the height more than the table (which lists every pair) does
            n = len(self.matrix.model.genes)
            table = min(
                full, max(header + 4 * row_h + frame, int(total * (0.2 if n > 15 else 0.38)))
            )
        else:
            table = min(full, max(header + 10 * row_h + frame, int(total * 0.45)))
        table = max(min(table, total - 160), header + row_h + frame)
        self.splitter.setSizes([total - table, table])
        return total - table, table

    def _update_result_note(self) -> None:
        g = self.grid
        notes = []
        typed = (g.query or {}).get("genes") if g.mode == "pair" else None
        symbols = (g.query or {}).get("symbols")
        if typed and symbols:
            for t, sym in zip(typed, symbols, strict=True):
                if t.strip() != sym:
                    notes.append(f"{t.strip()} = {sym}")
        focus = g.focus_gene  # partners mode: the query gene's symbol
        if focus is not None and g.query.get("typed", focus).strip() != focus:
            notes.append(f"{g.query['typed'].strip()} = {focus}")
        if g.unresolved:
            notes.append(
                "not recognised: "
                + ", ".join(g.unresolved[:8])
                + (" …" if len(g.unresolved) > 8 else "")
            )
        skipped = (g.query or {}).get("self_pairs") or []
        if skipped:
            notes.append(
                f"skipped {len(skipped)} self-pair{'s' if len(skipped) != 1 else ''} (a gene with itself: "
                + ", ".join(" = ".join(str(x) for x in p) for p in skipped[:4])
                + (" …" if len(skipped) > 4 else "")
                + ")"
            )
        raw = g if self.raw_grid is None else self.raw_grid
        if not raw.is_empty:
            # "showing 12 of 190 pairs x 9 contexts" while the filter bar hides rows
            unit = "partners" if raw.mode == "partners" else "pairs"
            notes.append(
                f"{count_text(len(g.pairs), len(raw.pairs), unit)} x {len(raw.contexts)} contexts"
            )
        self.result_note.setText("   ·   ".join(notes))
        desc = self.row_filter.describe() if len(g.pairs) != len(raw.pairs) else ""
        self.result_note.setToolTip("\n".join(notes + ([f"filters: {desc}"] if desc else [])))

    def set_filter(self, f: RowFilter) -> None:
        """Show only the rows of the result that ``f`` keeps (heatmap, matrix and table alike); the
        filter stays through re-sorting, colour changes and re-runs of the same query."""
        self.row_filter = f
        if self.filter_bar.filter() != f:
            self.filter_bar.set_filter(f)
        if self.raw_grid is not None:
            self.show_grid(self.raw_grid)
        cur = self.history.current
        if (
            cur is not None
            and self.query is not None
            and cur.key == question_key(self.query)
            and self.history.set_filter(self.row_filter)
        ):
            self.host.settings.recent_queries = self.history.recent_dicts()
            self._update_history_actions()

    def reset_filter(self) -> None:
        """No row filter (a new query); the widgets keep their threshold value for next time."""
        f = self.row_filter.cleared()
        self.row_filter = f
        self.filter_bar.set_filter(f)

    def _commit_history(self, grid: ScoreGrid) -> None:
        entry, self._history_pending = self._history_pending, None
        if entry is None or grid.is_empty:
            return
        self.history.push(entry.with_filter(self.row_filter))
        self.host.settings.recent_queries = self.history.recent_dicts()
        self._update_history_actions()

    def _update_history_actions(self) -> None:
        h = self.history
        for act, ok, other, keys, word in (
            (self.act_back, h.can_back(), h.index - 1, "Alt+Left", "Back"),
            (self.act_forward, h.can_forward(), h.index + 1, "Alt+Right", "Forward"),
        ):
            act.setEnabled(ok)
            tip = (
                f"{word} to {h.entries[other].title()} ({keys})"
                if ok
                else f"{word} ({keys}): no query there"
            )
            act.setToolTip(tip)
            act.setStatusTip(tip)
        self.nav_buttons["recent"].setEnabled(bool(h.recent))

    def go_back(self) -> HistoryEntry | None:
        """Run the previous query of this session again (its contexts ticked); None at the first."""
        e = self.history.back()
        if e is not None:
            self._run_entry(e, navigating=True)
        return e

    def go_forward(self) -> HistoryEntry | None:
        e = self.history.forward()
        if e is not None:
            self._run_entry(e, navigating=True)
        return e

    def run_recent(self, index: int) -> None:
        """Run one of the recent queries again (it becomes the newest)."""
        if 0 <= index < len(self.history.recent):
            self._run_entry(self.history.recent[index], navigating=False)

    def clear_recent(self) -> None:
        self.history.clear_recent()
        self.host.settings.recent_queries = []
        self._update_history_actions()
        self.host.flash("recent queries cleared")

    def _run_entry(self, e: HistoryEntry, navigating: bool) -> None:
        """Show ``e``'s query in the query bar, tick its contexts (those still installed) and run it."""
        self._update_history_actions()
        self.host.show_lookup_tab()
        names = self.host.context_names()
        want = [c for c in names if c in e.contexts]
        if want and want != self.host.checked_contexts():
            self.host.tick_contexts(want)
            self.host.settings.contexts = list(want)
            self.refresh_sort_combo()
        gone = [c for c in e.contexts if names and c not in names]
        if gone:
            self.host.flash("not installed any more: " + ", ".join(gone))
        self.query_bar.show_query(e.query)
        self._navigating = navigating
        self._entry_filter = e.row_filter()
        try:
            self.run_query(dict(e.query))
        finally:
            self._navigating = False
            self._entry_filter = None

    def fill_recent_menu(self) -> None:
        m = self.recent_menu
        m.clear()
        if not self.history.recent:
            a = m.addAction("no recent queries")
            a.setEnabled(False)
            return
        fm = m.fontMetrics()
        for i, e in enumerate(self.history.recent):
            # the query (its long gene list cut first), then its contexts and filters
            label = fm.elidedText(e.label(), Qt.TextElideMode.ElideRight, 300)
            rest = "  ·  ".join(x for x in (e.contexts_text(), e.filter_text()) if x)
            if rest:
                room = max(560 - fm.horizontalAdvance(label + "  ·  "), 160)
                label += "  ·  " + fm.elidedText(rest, Qt.TextElideMode.ElideRight, room)
            text = label.replace("&", "&&")
            a = m.addAction(text)
            a.setToolTip(e.title())
            a.triggered.connect(lambda _=False, k=i: self.run_recent(k))
        m.addSeparator()
        m.addAction("Clear this list", self.clear_recent)

    def refresh_sort_combo(self) -> None:
        current = self.sort_key
        self.sort_combo.blockSignals(True)
        self.sort_combo.clear()
        self.sort_combo.addItem("as entered", "")
        self.sort_combo.addItem("mean genome-wide rank (percentile)", SORT_RANK)
        self.sort_combo.addItem("mean raw score over shown contexts", SORT_MEAN)
        for n in self.host.checked_contexts():
            self.sort_combo.addItem(f"score (= rank) in {n}", n)
        self.sort_combo.blockSignals(False)
        self._set_sort_combo(current)

    def set_color_mode(self, mode: str) -> None:
        """Colour heatmap, matrix and table by genome-wide rank (default) or raw score."""
        if mode not in (COLOR_RANK, COLOR_RAW):
            raise ValueError(f"unknown colour mode {mode!r}")
        self.color_combo.setCurrentIndex(max(self.color_combo.findData(mode), 0))
        self.heatmap.set_color_mode(mode)
        self.matrix.set_color_mode(mode)
        self.table.set_color_mode(mode)

    def set_partner_order(self, order: str) -> None:
        """Partners by ``"rank"`` or ``"above_typical"`` (``ScoringEngine.cross_context``); re-runs
        a partners query on screen."""
        if order not in lookup.PARTNER_ORDERS:
            raise ValueError(f"unknown partner order {order!r}")
        self.partner_order = order
        self.partner_order_combo.setCurrentIndex(max(self.partner_order_combo.findData(order), 0))
        if self.query is not None and self.query.get("mode") == "partners":
            q = dict(self.query)
            q["order"] = order
            self.sort_key = ""  # show them in the new order
            self.run_query(q)

    def set_list_view(self, view: str) -> None:
        """A gene list as the gene x gene ``"matrix"`` or the ``"strip"`` of pairs."""
        if view not in ("matrix", "strip"):
            raise ValueError(f"unknown list view {view!r}")
        self.list_view = view
        self.list_view_combo.setCurrentIndex(max(self.list_view_combo.findData(view), 0))
        if self.raw_grid is not None:
            self._show_view(self.raw_grid, self.grid)
            self.fit_splitter(len(self.grid.pairs))

    def matrix_shown(self) -> bool:
        return self.view_stack.currentWidget() is self.matrix

    def _show_view(self, raw: ScoreGrid, shown: ScoreGrid) -> None:
        """The matrix for a gene list of more than a few pairs (unless the strip is chosen), else
        the heatmap; the controls that apply to the result are shown."""
        partners = shown.mode == "partners"
        self.partner_order_label.setVisible(partners)
        self.partner_order_combo.setVisible(partners)
        if partners:
            order = (shown.query or {}).get("order", self.partner_order)
            self.partner_order_combo.setCurrentIndex(
                max(self.partner_order_combo.findData(order), 0)
            )
        # a gene list keeps its view while filters hide rows; the matrix then shows the genes of the
        # rows left (in list order) and leaves the hidden pairs' cells blank
        listed = is_gene_list(raw) and len(raw.pairs) > 6
        self.list_view_label.setVisible(listed)
        self.list_view_combo.setVisible(listed)
        if wants_matrix(raw) and self.list_view == "matrix" and not shown.is_empty:
            genes = list_genes(raw)
            if len(shown.pairs) != len(raw.pairs):
                left = set(list_genes(shown))
                genes = [x for x in genes if x in left]
            self.matrix.set_grid(shown, genes, total_pairs=len(raw.pairs))
            self.view_stack.setCurrentWidget(self.matrix)
            self.view_stack.setMaximumHeight(16777215)
        else:
            self.view_stack.setCurrentWidget(self.heatmap)
            self.view_stack.setMaximumHeight(self.heatmap.maximumHeight())
        # the splitter's height follows its children's maximum heights: let the centre's layout
        # take the new ones before fit_splitter shares the height out
        parent = self.splitter.parentWidget()
        parent_layout = parent.layout() if parent is not None else None
        if parent_layout is not None:
            parent_layout.activate()

    def _table_cell_activated(self, row: int, col: int) -> None:
        if self.matrix_shown():
            self.matrix.set_context(self.grid.contexts[col])
            self.matrix.select_pair(row)
        self.heatmap.select_cell(row, col)

    def _set_sort_combo(self, key: str) -> None:
        i = self.sort_combo.findData(key)
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex(max(i, 0))
        self.sort_combo.blockSignals(False)

    def _sort_combo_changed(self, index: int) -> None:
        self.set_sort(self.sort_combo.itemData(index) or "", True)

    def set_sort(self, key: str, descending: bool = True) -> None:
        """Sort the rows by ``key`` (a context, ``"mean"``, ``"gene_a"``/``"gene_b"`` or ``""``)."""
        self.sort_key = key
        self.sort_desc = descending
        if self.raw_grid is not None:
            self.show_grid(self.raw_grid)

    def show_cell(self, row: int, col: int) -> None:
        if self.host.engine is None or self.grid.is_empty:
            return
        a, b = self.grid.pairs[row]
        ctx = self.grid.contexts[col]
        try:
            d = lookup.cell_details(self.host.engine, a, b, ctx, self.host.infos.get(ctx, {}))
        except Exception as exc:
            self.host.flash(lookup.message_of(exc))
            return
        self.host.show_details(d)

    def pair_menu(self, row: int, col: int | None, copy_text: str) -> QMenu | None:
        """The right-click menu of a row of the shown grid (``col``: a context index, or None for
        a column that is not one context's): Copy, Copy pair, and each gene's NCBI Gene, HGNC,
        DepMap and cBioPortal pages (:mod:`~synleaf_desktop.gui.gene_menu`)."""
        from .gene_menu import build_pair_menu

        g = self.grid
        if g.is_empty or not 0 <= row < len(g.pairs):
            return None
        pair = g.pairs[row]
        ctx = g.contexts[col] if col is not None and 0 <= col < len(g.contexts) else None
        cancer = self.host.infos.get(ctx, {}).get("cancer") or ctx if ctx else None
        names = lookup.gene_names()
        return build_pair_menu(
            self,
            pair,
            copy_text,
            cancer=cancer,
            names={x: n for x in pair if (n := names.name(x))},
            entrez={x: e for x in pair if (e := names.entrez(x)) is not None},
            context=ctx,
        )

    def cell_copy_text(self, row: int, col: int) -> str:
        """What "Copy" copies from a heatmap cell: pair, context, score, rank (tab-separated)."""
        g = self.grid
        a, b = g.pairs[row]
        if g.is_na(row, col):
            return f"{a}\t{b}\t{g.contexts[col]}\tn/a"

        parts = [a, b, g.contexts[col], f"{g.score[row, col]:.6g}"]
        if g.has_ranks(col) and np.isfinite(g.top_fraction[row, col]):
            parts.append(describe_rank(g.top_fraction[row, col]))
        return "\t".join(parts)

    def _heatmap_menu(self, row: int, col: int, pos) -> None:
        menu = self.pair_menu(row, col, self.cell_copy_text(row, col))
        if menu is not None:
            self.last_menu = menu
            menu.popup(pos)

    def _table_menu(self, row: int, column: int, pos) -> None:
        kind, c = self.table.score_model.column_kind(column)
        ctx_col = c if kind in ("score", "top", "recall", "colost") else None
        menu = self.pair_menu(row, ctx_col, self.table.copy_text_at(row, column))
        if menu is not None:
            self.last_menu = menu
            menu.popup(pos)

    def load_gene_list(self, path: str | Path | None = None) -> None:
        if path is None:
            path = choose_list_file(self, self.host.settings.last_dir("genelist"))
            if not path:
                return
        self.host.settings.remember_dir("genelist", path)
        try:
            self.query_bar.load_list_file(path)
        except OSError as exc:
            self.host.notify(
                "error", "Could not read the gene list", f"{path}: {exc.strerror or exc}"
            )
            return
        self.host.show_lookup_tab()
        self.query_bar.request_list()

    # ------------------------------------------------------------------ for the window
    def set_busy(self, busy: bool) -> None:
        """A query job started or ended."""
        self.query_bar.set_busy(busy, "working…" if busy else "")

    def contexts_changed(self) -> None:
        """The ticked contexts changed: new sort choices; the query on screen re-runs shortly."""
        self.refresh_sort_combo()
        if self.query is not None:
            self._requery_timer.start()

    def engine_ready(self) -> None:
        """The models were (re)loaded: run the query that waited for them, or the one on screen."""
        self.refresh_sort_combo()
        q = self.pending_query or self.query
        self.pending_query = None
        if q is not None:
            self.run_query(q)

    def default_stem(self) -> str:
        """A file name stem for exports of the result on screen."""
        q = self.grid.query or {}
        if q.get("mode") == "pair":
            return "synleaf_" + "_".join(q.get("genes", []))
        if q.get("mode") == "partners":
            return f"synleaf_partners_{q.get('gene', '')}"
        return "synleaf_scores"

    def export_image(self, path: str | Path) -> Path:
        """The heatmap or the gene matrix, whichever is shown, as PNG or SVG."""
        view = self.matrix if self.matrix_shown() else self.heatmap
        return view.export_image(path)
