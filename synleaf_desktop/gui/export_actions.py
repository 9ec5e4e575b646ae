"""File > Export: the shown result as a score table (CSV/TSV), an image (PNG/SVG) or a
reproducible run report (JSON), each written atomically by the app layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..app import lookup
from ..app.export import export_report, export_table
from ..app.grid import ScoreGrid
from ..app.library import Library
from ..app.settings import Settings


class ExportHost(Protocol):
    """What the exports need from the window."""

    infos: dict[str, dict[str, Any]]
    library: Library
    settings: Settings
    labels_info: str

    def shown_grid(self) -> ScoreGrid: ...
    def default_stem(self) -> str: ...
    def write_image(self, path: str | Path) -> Path: ...
    def notify(self, level: str, title: str, text: str) -> QMessageBox: ...
    def flash(self, text: str, ms: int = 6000) -> None: ...


class ExportActions:
    """The three exports, with their file dialogs (``*_dialog``) and without (tests, scripts)."""

    def __init__(self, host: ExportHost, dialog_parent: QWidget) -> None:
        self.host = host
        self.parent_widget = dialog_parent

    def _save_path(self, title: str, filters: str, default: str) -> str:
        start = str(Path(self.host.settings.last_dir("export")) / default)
        path, chosen = QFileDialog.getSaveFileName(self.parent_widget, title, start, filters)
        if path:
            self.host.settings.remember_dir("export", path)
            if not Path(path).suffix:
                path += (
                    ".csv"
                    if "CSV" in chosen
                    else (".svg" if "SVG" in chosen else (".json" if "JSON" in chosen else ".tsv"))
                )
        return path

    def _need_results(self) -> bool:
        if self.host.shown_grid().is_empty:
            self.host.notify(
                "info", "Nothing to export", "Score a pair, a gene list or a gene's partners first."
            )
            return False
        return True

    def table_dialog(self) -> None:
        if self._need_results():
            path = self._save_path(
                "Export score table", "CSV (*.csv);;TSV (*.tsv)", self.host.default_stem() + ".csv"
            )
            if path:
                self.table(path)

    def image_dialog(self) -> None:
        if self._need_results():
            path = self._save_path(
                "Export heatmap image",
                "PNG image (*.png);;SVG image (*.svg)",
                self.host.default_stem() + ".png",
            )
            if path:
                self.image(path)

    def report_dialog(self) -> None:
        if self._need_results():
            path = self._save_path(
                "Export run report",
                "JSON report (*.json)",
                self.host.default_stem() + "_report.json",
            )
            if path:
                self.report(path)

    def table(self, path: str | Path) -> Path | None:
        grid = self.host.shown_grid()
        try:
            single = [
                c for c in grid.contexts if int(self.host.infos.get(c, {}).get("folds") or 0) == 1
            ]
            out = export_table(grid, path, single_fold=single)
        except (OSError, ValueError) as exc:
            self.host.notify("error", "Could not export the table", lookup.message_of(exc))
            return None
        self.host.flash(f"table written to {out}")
        return out

    def image(self, path: str | Path) -> Path | None:
        try:
            out = self.host.write_image(path)
        except (OSError, ValueError) as exc:
            self.host.notify("error", "Could not export the image", lookup.message_of(exc))
            return None
        self.host.flash(f"image written to {out}")
        return out

    def report(self, path: str | Path, exported: dict[str, str] | None = None) -> Path | None:
        grid = self.host.shown_grid()
        try:
            inputs = lookup.inputs_record(self.host.library, self.host.labels_info)
            out = export_report(
                path,
                grid,
                {n: self.host.infos.get(n, {}) for n in grid.contexts},
                inputs=inputs,
                exported=exported,
            )
        except (OSError, ValueError) as exc:
            self.host.notify("error", "Could not export the report", lookup.message_of(exc))
            return None
        self.host.flash(f"report written to {out}")
        return out
