"""The main window: it puts the parts together and owns what they share.

- the look-up tab (:class:`~synleaf_desktop.gui.lookup_view.LookupView`): queries, heatmap,
  gene matrix, results table, filters, history;
- the training tab (:class:`~synleaf_desktop.gui.training_panel.TrainingPanel`);
- the contexts and details docks; the menus (:mod:`~synleaf_desktop.gui.menus`);
- imports (:class:`~synleaf_desktop.gui.imports_flow.ImportFlow`), exports
  (:class:`~synleaf_desktop.gui.export_actions.ExportActions`), and the status bar's jobs
  (:class:`~synleaf_desktop.gui.jobs_bar.JobsBar`);
- the loaded models (``engine``, ``infos``), the user's library and settings.

The parts talk to the window through small host interfaces (``LookupHost``, ``ImportHost``,
``ExportHost``, ``TrainingHost``), which this class implements. Everything slow runs in a
:class:`~synleaf_desktop.gui.workers.Task`; the GUI thread only does a single-pair lookup
(microseconds of numpy) and redraws.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
)

from .. import __version__
from ..app import lookup
from ..app.details import CellDetails, pair_aware_help
from ..app.grid import ScoreGrid
from ..app.library import Library
from ..app.settings import Settings
from ..bundle.card import CARD_FILE, render_model_card, split_pair_counts
from ..bundle.format import read_manifest
from ..bundle.registry import Registry
from ..scoring.engine import ScoringEngine
from .contexts_panel import ContextsPanel
from .details_panel import DetailsPanel
from .export_actions import ExportActions
from .imports_flow import ImportFlow
from .jobs_bar import JobsBar
from .lookup_view import LookupView
from .menus import build_menus
from .style import WINDOW_SIZE
from .training_panel import TrainingPanel
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
        self.engine: ScoringEngine | None = None
        self.infos: dict[str, dict[str, Any]] = {}
        self.messages: list[tuple[str, str, str]] = []
        self.labels_info = ""
        self.last_genome_wide: dict[str, Any] = {}
        self.card_dialog: QDialog | None = None

        self.setWindowTitle(f"SynLeaF Desktop {__version__}")
        self.setAcceptDrops(True)
        self.resize(*WINDOW_SIZE)
        self._build_ui()
        self.imports = ImportFlow(self, self)
        self.imports.finished.connect(self.importFinished)
        self.exports = ExportActions(self, self)
        self.menu_actions = build_menus(self)
        self._restore_settings()
        self.update_status()
        if load_on_start:
            self.reload_models()
            self.load_completions()

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.lookup = LookupView(self)
        self.lookup.resultsShown.connect(self.resultsShown)
        self.tabs.addTab(self.lookup, "Look up SL scores")

        self.training = TrainingPanel(self, self)
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
        self.jobs = JobsBar(self.tasks, sb)
        self.jobs.busyChanged.connect(self._busy_changed)

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
            self.lookup.splitter.restoreState(_unb64(s.splitter))
        self.lookup.query_bar.top_n.setValue(s.partners_top)
        if len(s.last_pair) == 2:
            self.lookup.query_bar.set_pair(*s.last_pair)

    def save_settings(self) -> Path:
        s = self.settings
        s.geometry = _b64(self.saveGeometry())
        s.window_state = _b64(self.saveState())
        s.splitter = _b64(self.lookup.splitter.saveState())
        if self.contexts.names():
            s.contexts = self.contexts.checked()
        s.partners_top = int(self.lookup.query_bar.top_n.value())
        s.sort_by = self.lookup.sort_key
        s.device = self.training.device()
        s.recent_queries = self.lookup.history.recent_dicts()
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

    # ------------------------------------------------------------------ for the parts (hosts)
    def busy(self, slot: str) -> bool:
        return self.tasks.busy(slot)

    def start_task(self, slot: str, task: Task, label: str) -> Task:
        """Start a job whose progress shows in the status bar (with a Cancel button)."""
        return self.jobs.start(slot, task, label)

    def checked_contexts(self) -> list[str]:
        return self.contexts.checked()

    def context_names(self) -> list[str]:
        return self.contexts.names()

    def tick_contexts(self, names: list[str]) -> None:
        """Tick exactly ``names`` in the contexts panel, without re-running the query."""
        self.contexts.blockSignals(True)
        self.contexts.set_checked(names)
        self.contexts.blockSignals(False)

    def show_details(self, details: CellDetails | None) -> None:
        """Show one cell's details in the details dock (None clears it)."""
        if details is None:
            self.details.clear()
            return
        self.details.show_details(details)
        self.details_dock.show()

    def show_lookup_tab(self) -> None:
        self.tabs.setCurrentIndex(0)

    def import_saved(self, kind: str, labels_info: str) -> None:
        if labels_info:
            self.labels_info = labels_info
        self.training.refresh_data()
        self.update_status()
        if kind == "labels" and self.lookup.query is not None:
            self.lookup.rerun_query()

    def shown_grid(self) -> ScoreGrid:
        return self.lookup.grid

    def default_stem(self) -> str:
        return self.lookup.default_stem()

    def write_image(self, path: str | Path) -> Path:
        return self.lookup.export_image(path)

    def _busy_changed(self, slot: str, busy: bool) -> None:
        if slot == "query":
            self.lookup.set_busy(busy)
        if slot == "import" and not busy:
            self.imports.maybe_next()
        self.update_status()

    def _contexts_changed(self, names: list[str]) -> None:
        self.settings.contexts = list(names)
        self.lookup.contexts_changed()

    # ------------------------------------------------------------------ public shortcuts
    @property
    def grid(self) -> ScoreGrid:
        """The result on screen (as filtered and sorted)."""
        return self.lookup.grid

    def run_query(self, query: dict[str, Any]) -> None:
        """Run a query (see :class:`~synleaf_desktop.gui.query_bar.QueryBar` for its shape)."""
        self.lookup.run_query(query)

    def export_table(self, path: str | Path) -> Path | None:
        return self.exports.table(path)

    def export_image(self, path: str | Path) -> Path | None:
        return self.exports.image(path)

    def export_report(
        self, path: str | Path, exported: dict[str, str] | None = None
    ) -> Path | None:
        return self.exports.report(path, exported)

    def import_paths(self, paths: Sequence[str | Path]) -> None:
        self.imports.import_paths(paths)

    def import_dialog(self) -> None:
        """Choose files to import (File > Import data)."""
        self.imports.choose_files()

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
        self.lookup.engine_ready()

    def load_completions(self) -> None:
        # the names, and what each stands for (full gene name), both loaded in the worker
        task = Task(lookup.gene_completions, name="completions")
        task.succeeded.connect(lambda res: self.lookup.query_bar.set_completions(res[0], res[1]))
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
        task.succeeded.connect(self._model_added)
        task.failed.connect(lambda msg: self.notify("error", "Could not add the model", msg))
        return self.start_task("add-model", task, "Checking the model")

    def _model_added(self, name: str) -> None:
        self.flash(f"model {name} added")
        self.reload_models()

    def remove_model_dialog(self) -> None:
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

    # ------------------------------------------------------------------ drag and drop
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
            self.imports.import_paths(paths)

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
            "cross-validation models and over both gene orders, between 0 (unlikely SL) and 1 (likely SL)."
            + pair_aware_help(self.infos)
            + "\n\n"
            "• Hatched grey 'n/a' cells: a gene is not in that context's model, so there is no score.\n"
            "• ★ / ✕: known SL / non-SL pairs from the label tables you imported.\n"
            "• AUC under each column: how well that model ranked held-out known pairs (0.5 = chance).\n"
            "• Click a cell for the per-fold scores, both gene orders, the omics-only and "
            "knowledge-graph-only scores, and whether the pair was used for training.",
        )
