"""Importing by drag and drop or the File menu: recognise the paths (the io format registry),
read each group in the background, show the preview, save to the library on OK.

Imports run one at a time, in the order study, labels, graph; nothing is saved before the
user accepts the preview (:class:`~synleaf_desktop.gui.import_dialog.ImportPreviewDialog`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..app import lookup
from ..app.imports import ImportResult, read_import
from ..app.library import Library
from ..app.settings import Settings
from ..io.formats import group_paths
from ..scoring.engine import ScoringEngine
from .import_dialog import ImportPreviewDialog
from .workers import Task

#: the library folder of each import kind
LIBRARY_KIND = {"study": "cohorts", "labels": "labels", "graph": "graphs"}


class ImportHost(Protocol):
    """What the import flow needs from the window."""

    engine: ScoringEngine | None
    library: Library
    settings: Settings

    def busy(self, slot: str) -> bool: ...
    def start_task(self, slot: str, task: Task, label: str) -> Task: ...
    def notify(self, level: str, title: str, text: str) -> QMessageBox: ...
    def flash(self, text: str, ms: int = 6000) -> None: ...
    def import_saved(self, kind: str, labels_info: str) -> None: ...


class ImportFlow(QObject):
    """The queue of imports, their previews and saves.

    Signals:
        finished(str): an import was saved (its kind) or abandoned ("").
    """

    finished = Signal(str)

    def __init__(self, host: ImportHost, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.host = host
        self.parent_widget = dialog_parent
        self.queue: list[tuple[str, list[Path]]] = []
        #: the preview dialog on screen, if any
        self.preview: ImportPreviewDialog | None = None

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self.parent_widget,
            "Import omics files, an SL label table or a knowledge graph",
            self.host.settings.last_dir("import"),
            "Data tables (*.txt *.tsv *.csv *.gz *.seg *.maf);;All files (*)",
        )
        if files:
            self.host.settings.remember_dir("import", files[0])
            self.import_paths(files)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.parent_widget,
            "Import a cBioPortal study folder",
            self.host.settings.last_dir("import"),
        )
        if folder:
            self.host.settings.remember_dir("import", folder)
            self.import_paths([folder])

    def import_paths(self, paths: Sequence[str | Path]) -> None:
        """Recognise dropped/chosen paths and import each group (read -> preview -> save)."""
        try:
            groups = group_paths(list(paths))
        except Exception as exc:
            self.host.notify("error", "Cannot import", lookup.message_of(exc))
            self.finished.emit("")
            return
        self.queue.extend(groups.items())
        self.maybe_next()

    def maybe_next(self) -> None:
        """Start the next queued import when none is being read, previewed or saved."""
        if self.queue and self.preview is None and not self.host.busy("import"):
            self._next()

    def _next(self) -> None:
        kind, paths = self.queue.pop(0)
        task = Task(read_import, kind, paths, name=f"import-{kind}")
        task.succeeded.connect(self._show_preview)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        self.host.start_task("import", task, f"Reading {paths[0].name}")

    def _cancelled(self) -> None:
        self.host.flash("import cancelled")
        self.finished.emit("")

    def _failed(self, message: str) -> None:
        self.host.notify("error", "Could not import", message + "\n\nNothing was saved.")
        self.finished.emit("")

    def _show_preview(self, result: ImportResult) -> None:
        # never replace an import silently
        result.name = self.host.library.unique_name(LIBRARY_KIND[result.kind], result.name)
        dlg = ImportPreviewDialog(result, self.parent_widget)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = dlg
        dlg.accepted.connect(lambda: self._save(result, dlg.name()))
        dlg.rejected.connect(self._rejected)
        dlg.open()

    def _rejected(self) -> None:
        self.preview = None
        self.host.flash("import discarded; nothing was saved")
        self.finished.emit("")
        self.maybe_next()

    def _save(self, result: ImportResult, name: str) -> None:
        self.preview = None
        task = Task(
            lookup.save_import,
            self.host.library,
            result,
            name,
            self.host.engine,
            name="save-import",
        )
        task.succeeded.connect(self._saved)
        task.failed.connect(self._failed)
        self.host.start_task("import", task, f"Saving {name}")

    def _saved(self, result: Any) -> None:
        kind, entry_name, labels_info = result
        self.host.flash(f"saved {entry_name}")
        self.host.import_saved(kind, labels_info)
        self.finished.emit(kind)
