"""The main window: contexts panel, query bar, heatmap + results table, details panel,
import by drag and drop, the training tab, exports, settings.

Everything slow runs in a :class:`~synleaf_desktop.gui.workers.Task`; the GUI thread only
does a single-pair lookup (microseconds of numpy) and redraws.
"""

from __future__ import annotations

import base64
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..app import lookup
from ..app.export import export_report, export_table
from ..app.filters import RowFilter, count_text
from ..app.grid import COLOR_RANK, COLOR_RAW, SORT_MEAN, SORT_RANK, ScoreGrid
from ..app.history import HistoryEntry, QueryHistory, question_key
from ..app.imports import ImportResult, read_import
from ..app.library import Library
from ..app.settings import Settings
from ..io.formats import group_paths
from .contexts_panel import ContextsPanel
from .details_panel import DetailsPanel
from .filter_bar import FilterBar
from .gene_matrix import GeneMatrixWidget, is_gene_list, list_genes, wants_matrix
from .heatmap import HeatmapWidget
from .import_dialog import ImportPreviewDialog
from .query_bar import QueryBar, choose_list_file
from .results_table import ResultsTable
from .style import WINDOW_SIZE
from .widgets import ElidedLabel
from .workers import Task, TaskManager

#: between the parts of the status line (its tooltip puts each part on a line)
STATUS_SEPARATOR = "   ·   "
LEVEL_ICONS = {
    "info": QMessageBox.Icon.Information,
    "warning": QMessageBox.Icon.Warning,
    "error": QMessageBox.Icon.Critical,
}


def _b64(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _unb64(text: str) -> QByteArray:
    try:
        return QByteArray(base64.b64decode(text.encode("ascii")))
    except (ValueError, TypeError):
        return QByteArray()


class MainWindow(QMainWindow):
    """The application window.

    Args:
        settings: loaded settings (default: from the user config dir).
        library: the user's imported data (default: under the user data dir).
        bundled_dir: folder of the bundled models (default: ``paths.bundled_models_dir()``).
        load_on_start: load the models and completions in the background right away.

    Signals:
        engineReady(): models loaded (or reloaded).
        resultsShown(): a query's result is on screen.
        importFinished(str): an import was saved (its kind) or abandoned ("").
    """

    engineReady = Signal()
    resultsShown = Signal()
    importFinished = Signal(str)

    def __init__(
        self,
        settings: Settings | None = None,
        library: Library | None = None,
        bundled_dir: str | Path | None = None,
        load_on_start: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings.load()
        self.library = library or Library()
        self.bundled_dir = Path(bundled_dir) if bundled_dir else None
        self.tasks = TaskManager(self)
        self.engine: Any = None
        self.infos: dict[str, dict[str, Any]] = {}
        self.grid = ScoreGrid.empty()
        self.query: dict[str, Any] | None = None
        self._pending_query: dict[str, Any] | None = None
        self.sort_key = self.settings.sort_by
        self.sort_desc = True
        self.messages: list[tuple[str, str, str]] = []
        self.last_timing: dict[str, float] = {}
        self._import_queue: list[tuple[str, list[Path]]] = []
        self.preview: ImportPreviewDialog | None = None
        self.labels_info = ""
        self._visible_slots: set[str] = set()
        # rows shown of a result (filter bar) and the query history (Back / Forward / Recent)
        self.row_filter = RowFilter()
        self.history = QueryHistory()
        self.history.load_recent(self.settings.recent_queries)
        self._history_pending: HistoryEntry | None = None
        self._history_commit = False
        self._navigating = False

        self.setWindowTitle(f"SynLeaF Desktop {__version__}")
        self.setAcceptDrops(True)
        self.resize(*WINDOW_SIZE)
        self._build_ui()
        self._build_menus()
        self._restore_settings()
        self._requery_timer = QTimer(self)
        self._requery_timer.setSingleShot(True)
        self._requery_timer.setInterval(150)
        self._requery_timer.timeout.connect(self._rerun_query)
        self.update_status()
        if load_on_start:
            self.reload_models()
            self.load_completions()

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)

        # look-up tab
        look = QWidget()
        lay = QVBoxLayout(look)
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
        from PySide6.QtWidgets import QStackedWidget

        self.matrix = GeneMatrixWidget()
        self.matrix.cellClicked.connect(lambda r, c: self.heatmap.select_cell(r, c))
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
        self.tabs.addTab(look, "Look up SL scores")

        # training tab (built lazily: it is heavier and imports more)
        from .training_panel import TrainingPanel

        self.training = TrainingPanel(self)
        self.tabs.addTab(self.training, "Train your own model")

        # docks
        self.contexts = ContextsPanel()
        self.contexts.selectionChanged.connect(self._contexts_changed)
        self.contexts.cardRequested.connect(self.show_model_card)
        dock = QDockWidget("Contexts", self)
        dock.setObjectName("contexts_dock")
        dock.setWidget(self.contexts)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        dock.setMinimumWidth(262)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.contexts_dock = dock

        self.details = DetailsPanel()
        dock = QDockWidget("Details", self)
        dock.setObjectName("details_dock")
        dock.setWidget(self.details)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        dock.setMinimumWidth(300)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.details_dock = dock
        self.resizeDocks(
            [self.contexts_dock, self.details_dock], [290, 330], Qt.Orientation.Horizontal
        )
        self.tabs.currentChanged.connect(self._tab_changed)
        self._details_wanted = True

        # status bar: what is loaded | current job, progress, cancel
        sb = self.statusBar()
        self.status_label = ElidedLabel("", separator=STATUS_SEPARATOR)
        sb.addWidget(self.status_label, 1)
        self.job_label = QLabel("")
        self.job_label.setMaximumWidth(360)
        self.progress_bar = QProgressBar()
        self.progress_bar.setFixedWidth(220)
        self.progress_bar.setRange(0, 1000)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setToolTip("Stop the running job (nothing half-done is kept)")
        self.cancel_btn.clicked.connect(self.cancel_jobs)
        for w in (self.job_label, self.progress_bar, self.cancel_btn):
            sb.addPermanentWidget(w)
            w.hide()
        self.tasks.busy_changed.connect(self._busy_changed)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        self.act_import = self._action(
            m,
            "&Import data…",
            self.import_dialog,
            QKeySequence("Ctrl+I"),
            "Import a cBioPortal study folder, omics files, an SL label table or a "
            "knowledge graph (you can also drop them on the window)",
        )
        self._action(
            m, "Import study &folder…", self.import_folder_dialog, QKeySequence("Ctrl+Shift+I")
        )
        self._action(m, "Load gene &list…", self.load_gene_list, QKeySequence("Ctrl+L"))
        m.addSeparator()
        self.act_export_table = self._action(
            m,
            "&Export score table…",
            self.export_table_dialog,
            QKeySequence("Ctrl+E"),
            "CSV or TSV of exactly what is shown",
        )
        self.act_export_image = self._action(
            m,
            "Export heatmap &image…",
            self.export_image_dialog,
            QKeySequence("Ctrl+Shift+E"),
            "PNG or SVG",
        )
        self.act_export_report = self._action(
            m,
            "Export run &report…",
            self.export_report_dialog,
            QKeySequence("Ctrl+R"),
            "JSON: the query, models and their checksums, versions, date",
        )
        m.addSeparator()
        self._action(m, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        m = mb.addMenu("&View")
        self._action(
            m,
            "&Copy selected cells",
            lambda: self.table.copy_selection(),
            None,
            "Copy the selected table cells as tab-separated text (Ctrl+C in the table)",
        )
        self._action(
            m,
            "Sort by &mean over contexts",
            lambda: self.set_sort(SORT_MEAN, True),
            QKeySequence("Ctrl+M"),
        )
        self._action(
            m, "&Look-up tab", lambda: self.tabs.setCurrentIndex(0), QKeySequence("Ctrl+1")
        )
        self._action(
            m, "&Training tab", lambda: self.tabs.setCurrentIndex(1), QKeySequence("Ctrl+2")
        )
        m.addAction(self.contexts_dock.toggleViewAction())
        m.addAction(self.details_dock.toggleViewAction())

        m = mb.addMenu("&History")
        self.act_back = self._action(
            m,
            "&Back",
            self.go_back,
            QKeySequence("Alt+Left"),
            "Back to the previous query (Alt+Left)",
        )
        self.act_forward = self._action(
            m,
            "&Forward",
            self.go_forward,
            QKeySequence("Alt+Right"),
            "Forward to the next query (Alt+Right)",
        )
        self.act_back.setText("◀ Back")
        self.act_forward.setText("Forward ▶")
        m.addSeparator()
        self.recent_menu = QMenu("&Recent queries", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addMenu(self.recent_menu)
        self._action(m, "&Clear the recent queries", self.clear_recent)
        self.history_menu = m
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

        m = mb.addMenu("&Models")
        self._action(m, "&Reload models", self.reload_models, QKeySequence("F5"))
        self._action(
            m,
            "&Add a model folder…",
            self.add_model_dialog,
            None,
            "Install a model bundle (a folder with manifest.json and model.npz) as one of your models",
        )
        self._action(m, "Re&move one of your models…", self.remove_model_dialog)
        self._action(
            m,
            "Model &card…",
            lambda: self.show_model_card(None),
            QKeySequence("Ctrl+K"),
            "What a model was trained on, its metrics per fold, intended use and limitations",
        )
        m.addSeparator()
        self._action(
            m,
            "Export &all pairs of a model (genome-wide)…",
            self.genome_wide_dialog,
            QKeySequence("Ctrl+G"),
            "Score every gene pair of one model and save the best ones as TSV",
        )

        m = mb.addMenu("&Help")
        self._action(
            m, "How to read the scores", self.show_help, QKeySequence.StandardKey.HelpContents
        )
        self._action(m, "&About SynLeaF Desktop", self.show_about)

    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(shortcut)
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(lambda *_: slot())
        menu.addAction(a)
        return a

    def _tab_changed(self, index: int) -> None:
        """The details panel belongs to the look-up tab; the training tab gets the room."""
        if index == 1:
            self._details_wanted = self.details_dock.isVisible()
            self.details_dock.hide()
        elif self._details_wanted:
            self.details_dock.show()

    # ------------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        s = self.settings
        self.geometry_restored = bool(s.geometry) and self.restoreGeometry(_unb64(s.geometry))
        if s.window_state:
            self.restoreState(_unb64(s.window_state))
        if s.splitter:
            self.splitter.restoreState(_unb64(s.splitter))
        self.query_bar.top_n.setValue(s.partners_top)
        if len(s.last_pair) == 2:
            self.query_bar.set_pair(*s.last_pair)

    def save_settings(self) -> Path:
        s = self.settings
        s.geometry = _b64(self.saveGeometry())
        s.window_state = _b64(self.saveState())
        s.splitter = _b64(self.splitter.saveState())
        if self.contexts.names():
            s.contexts = self.contexts.checked()
        s.partners_top = int(self.query_bar.top_n.value())
        s.sort_by = self.sort_key
        s.device = self.training.device() if hasattr(self.training, "device") else s.device
        s.recent_queries = self.history.recent_dicts()
        return s.save()

    def closeEvent(self, event) -> None:
        if self.tasks.busy("train"):
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Training is running",
                "A model is being trained. Stop it and quit? Nothing half-trained is kept.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                self,
            )
            if box.exec() != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        try:
            self.save_settings()
        except OSError as exc:
            print(f"could not save settings: {exc}")
        self.tasks.cancel_all(wait_ms=10000)
        super().closeEvent(event)

    # ------------------------------------------------------------------ messages
    def notify(self, level: str, title: str, text: str) -> QMessageBox:
        """Show a message box (non-blocking) and remember it (tests read ``messages``)."""
        self.messages.append((level, title, text))
        box = QMessageBox(
            LEVEL_ICONS.get(level, QMessageBox.Icon.Information),
            title,
            text,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()
        return box

    def flash(self, text: str, ms: int = 6000) -> None:
        self.statusBar().showMessage(text, ms)

    def update_status(self) -> None:
        parts = []
        if self.engine is None:
            parts.append("loading models…" if self.tasks.busy("engine") else "no models loaded")
        else:
            kinds = [i.get("kind") for i in self.infos.values()]
            n_user = sum(1 for k in kinds if k == "user")
            parts.append(f"{len(kinds)} models ({len(kinds) - n_user} bundled, {n_user} yours)")
        counts = {k: len(self.library.list(k)) for k in ("cohorts", "labels", "graphs")}
        parts.append(
            f"imported: {counts['cohorts']} cohorts, {counts['labels']} label tables, "
            f"{counts['graphs']} graphs"
        )
        if self.labels_info:
            parts.append(self.labels_info)
        self.status_label.setText(STATUS_SEPARATOR.join(parts))

    # ------------------------------------------------------------------ jobs
    def start_task(self, slot: str, task: Task, label: str) -> Task:
        """Start a job whose progress shows in the status bar (with a Cancel button)."""
        self._visible_slots.add(slot)
        task.progress.connect(lambda f, m, info, s=slot, l=label: self._on_progress(s, l, f, m))
        self.tasks.start(slot, task)
        self._on_progress(slot, label, 0.0, "")
        return task

    def _on_progress(self, slot: str, label: str, fraction: float, message: str) -> None:
        if slot == "train":
            return  # the training panel shows its own progress
        self.job_label.setText(f"{label}: {message}" if message else label)
        if fraction == fraction:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        else:
            self.progress_bar.setRange(0, 0)
        for w in (self.job_label, self.progress_bar, self.cancel_btn):
            w.show()

    def _busy_changed(self, slot: str, busy: bool) -> None:
        if not busy:
            self._visible_slots.discard(slot)
        others = [s for s in self.tasks.running() if s != "train" and s in self._visible_slots]
        if not others:
            for w in (self.job_label, self.progress_bar, self.cancel_btn):
                w.hide()
        if slot == "query":
            self.query_bar.set_busy(busy, "working…" if busy else "")
        if slot == "import" and not busy:
            self._maybe_next_import()
        self.update_status()

    def cancel_jobs(self) -> None:
        for slot in self.tasks.running():
            if slot != "train":
                self.tasks.cancel(slot)
        self.flash("cancelling…")

    # ------------------------------------------------------------------ models
    def reload_models(self) -> None:
        """(Re)load every model in the background; the contexts panel refills when done."""
        task = Task(
            lookup.load_engine,
            bundled_dir=self.bundled_dir,
            library=self.library,
            name="load-models",
        )
        task.succeeded.connect(self._engine_loaded)
        task.failed.connect(lambda msg: self.notify("error", "Could not load the models", msg))
        self.start_task("engine", task, "Loading models")
        self.update_status()

    def _engine_loaded(self, result: Any) -> None:
        engine, infos, labels_info, problems = result
        self.engine = engine
        self.infos = dict(infos)
        self.statusBar().clearMessage()
        self.labels_info = labels_info
        names = [n for n, _ in infos]
        seen = set(self.settings.seen_contexts) | set(self.contexts.names())
        checked = self.contexts.checked() if self.contexts.names() else self.settings.contexts
        if checked is not None:
            # keep the user's ticks; a model never seen before (e.g. just trained) is ticked,
            # unless it is a trial model (a quick run)
            trial = {n for n, info in infos if info.get("trial")}
            checked = [n for n in names if n in checked or (n not in seen and n not in trial)]
            if not checked:
                checked = None
        self.settings.seen_contexts = sorted(seen | set(names))
        self.contexts.set_contexts(list(infos), checked)
        self._refresh_sort_combo()
        self.training.set_models(list(infos))
        self.update_status()
        if problems:
            self.flash("some model folders were skipped: " + "; ".join(problems[:3]), 15000)
        if not infos:
            self.notify(
                "warning",
                "No models found",
                "No scoring models were found. Reinstall SynLeaF Desktop, or add a model folder "
                "(Models > Add a model folder…) or train one in the training tab.",
            )
        self.engineReady.emit()
        q = self._pending_query or self.query
        self._pending_query = None
        if q is not None:
            self.run_query(q)

    def load_completions(self) -> None:
        # the names, and what each stands for (full gene name), both loaded in the worker
        task = Task(lookup.gene_completions, name="completions")
        task.succeeded.connect(lambda res: self.query_bar.set_completions(res[0], res[1]))
        task.failed.connect(lambda msg: self.flash(f"gene-name completion unavailable: {msg}"))
        self.tasks.start("completions", task)

    def add_model_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Choose a model folder", self.settings.last_dir("models")
        )
        if folder:
            self.settings.remember_dir("models", folder)
            self.add_model(folder)

    def add_model(self, folder: str | Path) -> Task:
        task = Task(lookup.add_model, Path(folder), name="add-model")
        task.succeeded.connect(
            lambda name: (self.flash(f"model {name} added"), self.reload_models())
        )
        task.failed.connect(lambda msg: self.notify("error", "Could not add the model", msg))
        return self.start_task("add-model", task, "Checking the model")

    def remove_model_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        mine = [n for n, i in self.infos.items() if i.get("kind") == "user"]
        if not mine:
            self.notify(
                "info", "No models of yours", "Only models you trained or added can be removed."
            )
            return
        name, ok = QInputDialog.getItem(
            self,
            "Remove a model",
            "Model to remove (it is deleted from this computer):",
            mine,
            0,
            False,
        )
        if ok and name:
            self.remove_model(name)

    def remove_model(self, name: str) -> None:
        from ..bundle.registry import Registry

        try:
            Registry(bundled_dir=self.bundled_dir).remove_user_bundle(name)
        except Exception as exc:
            self.notify("error", "Could not remove the model", lookup.message_of(exc))
            return
        self.flash(f"model {name} removed")
        self.reload_models()

    def genome_wide_dialog(self) -> None:
        from .genome_dialog import GenomeWideDialog

        if self.engine is None:
            self.notify(
                "info", "No models loaded", "Wait until the models are loaded, then try again."
            )
            return
        ctx = [(n, int(self.infos[n].get("n_genes", 0))) for n in self.engine.contexts]
        dlg = GenomeWideDialog(ctx, self.settings.last_dir("export"), self)
        if dlg.exec() == GenomeWideDialog.DialogCode.Accepted:
            context, path, top, threshold = dlg.choice()
            self.settings.remember_dir("export", path)
            self.export_genome_wide(context, path, top, threshold)

    def export_genome_wide(
        self,
        context: str,
        path: str | Path,
        top: int | None = 10000,
        threshold: float | None = None,
    ) -> Task:
        """Score all pairs of ``context`` in the background and write the TSV (atomic)."""
        from .genome_dialog import genome_wide_job

        task = Task(
            genome_wide_job, self.engine, context, Path(path), top, threshold, name="genome-wide"
        )
        task.succeeded.connect(lambda info: self._genome_done(context, Path(path), info))
        task.failed.connect(lambda msg: self.notify("error", "Could not export all pairs", msg))
        task.cancelled.connect(
            lambda: self.flash("genome-wide export cancelled; no file was written")
        )
        return self.start_task("genome", task, f"Scoring all pairs of {context}")

    def _genome_done(self, context: str, path: Path, info: dict[str, Any]) -> None:
        self.last_genome_wide = dict(info)
        written = info.get("written")
        n = f"{int(written):,}" if isinstance(written, (int, float)) else "the"
        secs = info.get("seconds")
        took = f" in {float(secs):.0f} s" if isinstance(secs, (int, float)) else ""
        self.notify(
            "info",
            "All pairs exported",
            f"{n} pairs of {context} written to {info.get('out', path)}{took}.",
        )

    # ------------------------------------------------------------------ queries
    def checked_contexts(self) -> list[str]:
        return self.contexts.checked()

    def run_query(self, query: dict[str, Any]) -> None:
        """Run a query from the query bar (see :class:`QueryBar` for its shape)."""
        problem = lookup.validate_query(query)
        if problem:
            self.result_note.setText(problem)
            self.flash(problem)
            return
        if self.query is None or question_key(query) != question_key(self.query):
            self.reset_filter()  # the filters were chosen for another result
        self.query = dict(query)
        # recorded in the history once its result is on screen (not when Back / Forward ran it)
        self._history_pending = (
            None if self._navigating else HistoryEntry.make(query, self.checked_contexts())
        )
        if self.engine is None:
            if not self.tasks.busy("engine"):
                self.result_note.setText(
                    "No scoring models are installed: add one (Models menu) or train one."
                )
                return
            self._pending_query = dict(query)
            self.flash(
                "the models are still loading; your query will run as soon as they are ready"
            )
            return
        contexts = self.checked_contexts()
        if not contexts:
            self.result_note.setText("Tick at least one context on the left.")
            self.show_grid(ScoreGrid.empty())
            return
        mode = query["mode"]
        if mode == "pair":
            self.settings.last_pair = list(query["genes"])
            t0 = time.perf_counter()
            try:
                grid = lookup.pair_grid(
                    self.engine, query["genes"][0], query["genes"][1], contexts, self.infos
                )
            except Exception as exc:
                self._query_failed(lookup.message_of(exc))
                return
            self.last_timing["lookup_s"] = time.perf_counter() - t0
            self._query_done(grid)
            return
        if mode == "partners":
            fn, label = lookup.partners_grid, f"Finding partners of {query['gene']}"
            order = query.get("order") or self.partner_order
            args = (
                self.engine,
                query["gene"],
                int(query.get("top", 25)),
                contexts,
                self.infos,
                order,
            )
        else:
            fn, label = lookup.list_grid, "Scoring the gene list"
            args = (self.engine, query, contexts, self.infos)
        task = Task(fn, *args, name=f"query-{mode}")
        task.succeeded.connect(self._query_done)
        task.failed.connect(self._query_failed)
        self.start_task("query", task, label)

    def _query_failed(self, message: str) -> None:
        """A query could not run: clear the previous results (they answered another question),
        say why in the note above the heatmap and in the status bar; nothing is scored."""
        self._history_pending = None
        self.show_grid(ScoreGrid.empty())
        self.result_note.setText(message)
        self.result_note.setToolTip(message)
        self.flash(message, 15000)
        self.notify("warning", "Could not score", message)

    def _query_done(self, grid: ScoreGrid) -> None:
        """A query's own result: shown, then recorded in the history."""
        self._history_commit = True
        self.show_grid(grid)

    def _rerun_query(self) -> None:
        if self.query is not None and self.engine is not None:
            self.run_query(self.query)

    def _contexts_changed(self, names: list[str]) -> None:
        self.settings.contexts = list(names)
        self._refresh_sort_combo()
        if self.query is not None:
            self._requery_timer.start()

    def show_grid(self, grid: ScoreGrid) -> None:
        """Show a query result (sorted as chosen) in heatmap and table."""
        t0 = time.perf_counter()
        self._raw_grid = grid
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
        self.details.clear()
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
        if parent is not None and parent.layout() is not None:
            parent.layout().activate()
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
            for t, sym in zip(typed, symbols):
                if t.strip() != sym:
                    notes.append(f"{t.strip()} = {sym}")
        if g.mode == "partners" and g.query.get("typed", g.focus_gene).strip() != g.focus_gene:
            notes.append(f"{g.query['typed'].strip()} = {g.focus_gene}")
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
        raw = getattr(self, "_raw_grid", g)
        if not raw.is_empty:
            # "showing 12 of 190 pairs x 9 contexts" while the filter bar hides rows
            unit = "partners" if raw.mode == "partners" else "pairs"
            notes.append(
                f"{count_text(len(g.pairs), len(raw.pairs), unit)} x {len(raw.contexts)} contexts"
            )
        self.result_note.setText("   ·   ".join(notes))
        desc = self.row_filter.describe() if len(g.pairs) != len(raw.pairs) else ""
        self.result_note.setToolTip("\n".join(notes + ([f"filters: {desc}"] if desc else [])))

    # ------------------------------------------------------------------ filters
    def set_filter(self, f: RowFilter) -> None:
        """Show only the rows of the result that ``f`` keeps (heatmap, matrix and table alike); the
        filter stays through re-sorting, colour changes and re-runs of the same query."""
        self.row_filter = f
        if self.filter_bar.filter() != f:
            self.filter_bar.set_filter(f)
        if hasattr(self, "_raw_grid"):
            self.show_grid(self._raw_grid)

    def reset_filter(self) -> None:
        """No row filter (a new query); the widgets keep their threshold value for next time."""
        f = self.row_filter.cleared()
        self.row_filter = f
        self.filter_bar.set_filter(f)

    # ------------------------------------------------------------------ history
    def _commit_history(self, grid: ScoreGrid) -> None:
        entry, self._history_pending = self._history_pending, None
        if entry is None or grid.is_empty:
            return
        self.history.push(entry)
        self.settings.recent_queries = self.history.recent_dicts()
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
        self.settings.recent_queries = []
        self._update_history_actions()
        self.flash("recent queries cleared")

    def _run_entry(self, e: HistoryEntry, navigating: bool) -> None:
        """Show ``e``'s query in the query bar, tick its contexts (those still installed) and run it."""
        self._update_history_actions()
        self.tabs.setCurrentIndex(0)
        names = self.contexts.names()
        want = [c for c in names if c in e.contexts]
        if want and want != self.contexts.checked():
            self.contexts.blockSignals(True)
            self.contexts.set_checked(want)
            self.contexts.blockSignals(False)
            self.settings.contexts = list(want)
            self._refresh_sort_combo()
        gone = [c for c in e.contexts if names and c not in names]
        if gone:
            self.flash("not installed any more: " + ", ".join(gone))
        self.query_bar.show_query(e.query)
        self._navigating = navigating
        try:
            self.run_query(dict(e.query))
        finally:
            self._navigating = False

    def _fill_recent_menu(self) -> None:
        m = self.recent_menu
        m.clear()
        if not self.history.recent:
            a = m.addAction("no recent queries")
            a.setEnabled(False)
            return
        fm = m.fontMetrics()
        for i, e in enumerate(self.history.recent):
            text = fm.elidedText(e.title(), Qt.TextElideMode.ElideMiddle, 560).replace("&", "&&")
            a = m.addAction(text)
            a.setToolTip(e.title())
            a.triggered.connect(lambda _=False, k=i: self.run_recent(k))
        m.addSeparator()
        m.addAction("Clear this list", self.clear_recent)

    # ------------------------------------------------------------------ sorting
    def _refresh_sort_combo(self) -> None:
        current = self.sort_key
        self.sort_combo.blockSignals(True)
        self.sort_combo.clear()
        self.sort_combo.addItem("as entered", "")
        self.sort_combo.addItem("mean genome-wide rank (percentile)", SORT_RANK)
        self.sort_combo.addItem("mean raw score over shown contexts", SORT_MEAN)
        for n in self.checked_contexts():
            self.sort_combo.addItem(f"score (= rank) in {n}", n)
        self.sort_combo.blockSignals(False)
        self._set_sort_combo(current)

    # ------------------------------------------------------------------ views
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
        if hasattr(self, "_raw_grid"):
            self._show_view(self._raw_grid, self.grid)
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
        if parent is not None and parent.layout() is not None:
            parent.layout().activate()

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
        if hasattr(self, "_raw_grid"):
            self.show_grid(self._raw_grid)

    # ------------------------------------------------------------------ details
    def show_cell(self, row: int, col: int) -> None:
        if self.engine is None or self.grid.is_empty:
            return
        a, b = self.grid.pairs[row]
        ctx = self.grid.contexts[col]
        try:
            d = lookup.cell_details(self.engine, a, b, ctx, self.infos.get(ctx, {}))
        except Exception as exc:
            self.flash(lookup.message_of(exc))
            return
        self.details.show_details(d)
        self.details_dock.show()

    # ------------------------------------------------------------------ right-click menus
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
        cancer = self.infos.get(ctx, {}).get("cancer") or ctx if ctx else None
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
        from ..app.grid import describe_rank

        parts = [a, b, g.contexts[col], f"{g.score[row, col]:.6g}"]
        if g.has_ranks(col) and np.isfinite(g.top_fraction[row, col]):
            parts.append(describe_rank(g.top_fraction[row, col]))
        return "\t".join(parts)

    def _heatmap_menu(self, row: int, col: int, pos) -> None:
        menu = self.pair_menu(row, col, self.cell_copy_text(row, col))
        if menu is not None:
            self._last_menu = menu
            menu.popup(pos)

    def _table_menu(self, row: int, column: int, pos) -> None:
        kind, c = self.table.score_model.column_kind(column)
        ctx_col = c if kind in ("score", "top", "recall", "colost") else None
        menu = self.pair_menu(row, ctx_col, self.table.copy_text_at(row, column))
        if menu is not None:
            self._last_menu = menu
            menu.popup(pos)

    # ------------------------------------------------------------------ gene lists
    def load_gene_list(self, path: str | Path | None = None) -> None:
        if path is None:
            path = choose_list_file(self, self.settings.last_dir("genelist"))
            if not path:
                return
        self.settings.remember_dir("genelist", path)
        try:
            self.query_bar.load_list_file(path)
        except OSError as exc:
            self.notify("error", "Could not read the gene list", f"{path}: {exc.strerror or exc}")
            return
        self.tabs.setCurrentIndex(0)
        self.query_bar.request_list()

    # ------------------------------------------------------------------ import
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
            self.statusBar().showMessage(
                "Drop to import: a cBioPortal study folder, omics files, an SL label "
                "table or a knowledge graph. You will see what was recognised first."
            )
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self.statusBar().clearMessage()
        super().dragLeaveEvent(event)

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def import_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import omics files, an SL label table or a knowledge graph",
            self.settings.last_dir("import"),
            "Data tables (*.txt *.tsv *.csv *.gz *.seg *.maf);;All files (*)",
        )
        if files:
            self.settings.remember_dir("import", files[0])
            self.import_paths(files)

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Import a cBioPortal study folder", self.settings.last_dir("import")
        )
        if folder:
            self.settings.remember_dir("import", folder)
            self.import_paths([folder])

    def import_paths(self, paths: list[str | Path]) -> None:
        """Recognise dropped/chosen paths and import each group (read -> preview -> save)."""
        try:
            groups = group_paths(paths)
        except Exception as exc:
            self.notify("error", "Cannot import", lookup.message_of(exc))
            self.importFinished.emit("")
            return
        self._import_queue.extend(groups.items())
        self._maybe_next_import()

    def _maybe_next_import(self) -> None:
        """Start the next queued import when none is being read, previewed or saved."""
        if self._import_queue and self.preview is None and not self.tasks.busy("import"):
            self._next_import()

    def _next_import(self) -> None:
        if not self._import_queue:
            return
        kind, paths = self._import_queue.pop(0)
        task = Task(read_import, kind, paths, name=f"import-{kind}")
        task.succeeded.connect(self._show_preview)
        task.failed.connect(self._import_failed)
        task.cancelled.connect(
            lambda: (self.flash("import cancelled"), self.importFinished.emit(""))
        )
        self.start_task("import", task, f"Reading {paths[0].name}")

    def _import_failed(self, message: str) -> None:
        self.notify("error", "Could not import", message + "\n\nNothing was saved.")
        self.importFinished.emit("")

    def _show_preview(self, result: ImportResult) -> None:
        folder = {"study": "cohorts", "labels": "labels", "graph": "graphs"}[result.kind]
        result.name = self.library.unique_name(
            folder, result.name
        )  # never replace an import silently
        dlg = ImportPreviewDialog(result, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = dlg
        dlg.accepted.connect(lambda: self._save_import(result, dlg.name()))
        dlg.rejected.connect(lambda: self._preview_rejected())
        dlg.open()

    def _preview_rejected(self) -> None:
        self.preview = None
        self.flash("import discarded; nothing was saved")
        self.importFinished.emit("")
        self._maybe_next_import()

    def _save_import(self, result: ImportResult, name: str) -> None:
        self.preview = None
        task = Task(lookup.save_import, self.library, result, name, self.engine, name="save-import")
        task.succeeded.connect(self._import_saved)
        task.failed.connect(self._import_failed)
        self.start_task("import", task, f"Saving {name}")

    def _import_saved(self, result: Any) -> None:
        kind, entry_name, labels_info = result
        if labels_info:
            self.labels_info = labels_info
        self.flash(f"saved {entry_name}")
        self.training.refresh_data()
        self.update_status()
        if kind == "labels" and self.query is not None:
            self._rerun_query()
        self.importFinished.emit(kind)

    # ------------------------------------------------------------------ export
    def _save_path(self, title: str, filters: str, default: str) -> str:
        start = str(Path(self.settings.last_dir("export")) / default)
        path, chosen = QFileDialog.getSaveFileName(self, title, start, filters)
        if path:
            self.settings.remember_dir("export", path)
            if not Path(path).suffix:
                path += (
                    ".csv"
                    if "CSV" in chosen
                    else (".svg" if "SVG" in chosen else (".json" if "JSON" in chosen else ".tsv"))
                )
        return path

    def _default_stem(self) -> str:
        q = self.grid.query or {}
        if q.get("mode") == "pair":
            return "synleaf_" + "_".join(q.get("genes", []))
        if q.get("mode") == "partners":
            return f"synleaf_partners_{q.get('gene', '')}"
        return "synleaf_scores"

    def _need_results(self) -> bool:
        if self.grid.is_empty:
            self.notify(
                "info", "Nothing to export", "Score a pair, a gene list or a gene's partners first."
            )
            return False
        return True

    def export_table_dialog(self) -> None:
        if self._need_results():
            path = self._save_path(
                "Export score table", "CSV (*.csv);;TSV (*.tsv)", self._default_stem() + ".csv"
            )
            if path:
                self.export_table(path)

    def export_image_dialog(self) -> None:
        if self._need_results():
            path = self._save_path(
                "Export heatmap image",
                "PNG image (*.png);;SVG image (*.svg)",
                self._default_stem() + ".png",
            )
            if path:
                self.export_image(path)

    def export_report_dialog(self) -> None:
        if self._need_results():
            path = self._save_path(
                "Export run report", "JSON report (*.json)", self._default_stem() + "_report.json"
            )
            if path:
                self.export_report(path)

    def export_table(self, path: str | Path) -> Path | None:
        try:
            single = [
                c for c in self.grid.contexts if int(self.infos.get(c, {}).get("folds") or 0) == 1
            ]
            out = export_table(self.grid, path, single_fold=single)
        except (OSError, ValueError) as exc:
            self.notify("error", "Could not export the table", lookup.message_of(exc))
            return None
        self.flash(f"table written to {out}")
        return out

    def export_image(self, path: str | Path) -> Path | None:
        try:
            view = self.matrix if self.matrix_shown() else self.heatmap
            out = view.export_image(path)
        except (OSError, ValueError) as exc:
            self.notify("error", "Could not export the image", lookup.message_of(exc))
            return None
        self.flash(f"image written to {out}")
        return out

    def export_report(
        self, path: str | Path, exported: dict[str, str] | None = None
    ) -> Path | None:
        try:
            inputs = lookup.inputs_record(self.library, self.labels_info)
            out = export_report(
                path,
                self.grid,
                {n: self.infos.get(n, {}) for n in self.grid.contexts},
                inputs=inputs,
                exported=exported,
            )
        except (OSError, ValueError) as exc:
            self.notify("error", "Could not export the report", lookup.message_of(exc))
            return None
        self.flash(f"report written to {out}")
        return out

    # ------------------------------------------------------------------ help
    def show_model_card(self, name: str | None = None) -> QDialog | None:
        """Open the model card (``MODEL_CARD.md`` in the bundle folder) of ``name``: the
        model selected in the contexts panel, or one chosen from a list when ``None``."""
        if self.engine is None or not self.engine.contexts:
            self.notify("info", "No models", "No models are loaded yet.")
            return None
        if name is None:
            name = self.contexts.current()
        if name is None:
            names = list(self.engine.contexts)
            name, ok = QInputDialog.getItem(self, "Model card", "Model:", names, 0, False)
            if not ok:
                return None
        from ..bundle.card import CARD_FILE, render_model_card, split_pair_counts
        from ..bundle.format import read_manifest

        folder = Path(self.engine.context_info(name)["folder"])
        card = folder / CARD_FILE
        try:
            if card.is_file():
                text = card.read_text(encoding="utf-8")
            else:  # an older bundle without a card: the same text from its manifest
                text = render_model_card(read_manifest(folder), split_pair_counts(folder))
        except Exception as exc:
            self.notify(
                "warning",
                "No model card",
                f"Could not read the model card of {name} in {folder}: {exc}",
            )
            return None
        dlg = QDialog(self)
        dlg.setWindowTitle(f"Model card: {name}")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(dlg)
        view = QTextBrowser()
        view.setOpenExternalLinks(False)
        view.setMarkdown(text)
        lay.addWidget(view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dlg.close)
        lay.addWidget(buttons)
        dlg.resize(820, 680)
        dlg.show()
        self.card_dialog = dlg
        return dlg

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About SynLeaF Desktop",
            f"<h3>SynLeaF Desktop {__version__}</h3>"
            "<p>Synthetic-lethality scores for gene pairs in eight cancers and pan-cancer, "
            "with the SynLeaF method (multi-omics VAE + knowledge-graph RGCN, distilled or "
            "ensembled).</p><p>Scores are model predictions, not measurements: read them with "
            "each model's validation AUC and fold spread.</p>",
        )

    def show_help(self) -> None:
        QMessageBox.information(
            self,
            "How to read the scores",
            "Each cell is the SL score of a gene pair in one cancer context: the mean over the "
            "cross-validation models and over both gene orders, between 0 (unlikely SL) and 1 (likely SL).\n\n"
            "• Hatched grey 'n/a' cells: a gene is not in that context's model, so there is no score.\n"
            "• ★ / ✕: known SL / non-SL pairs from the label tables you imported.\n"
            "• AUC under each column: how well that model ranked held-out known pairs (0.5 = chance).\n"
            "• Click a cell for the per-fold scores, both gene orders, the omics-only and "
            "knowledge-graph-only scores, and whether the pair was used for training.",
        )
