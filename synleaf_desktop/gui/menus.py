"""The menu bar: File, View, History, Models, Help. Each item calls one public method of the
window or of its parts; the History items are the look-up tab's own actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from ..app.grid import SORT_MEAN


@dataclass
class MenuActions:
    """The actions other code enables, disables or triggers."""

    import_data: QAction
    export_table: QAction
    export_image: QAction
    export_report: QAction
    history_menu: QMenu


def _action(
    window: QMainWindow,
    menu: QMenu,
    text: str,
    slot: Callable[[], Any],
    shortcut: Any = None,
    tip: str = "",
) -> QAction:
    a = QAction(text, window)
    if shortcut is not None:
        a.setShortcut(shortcut)
    if tip:
        a.setStatusTip(tip)
        a.setToolTip(tip)
    a.triggered.connect(lambda *_: slot())
    menu.addAction(a)
    return a


def build_menus(window: Any) -> MenuActions:
    """Fill ``window``'s menu bar (a :class:`~synleaf_desktop.gui.main_window.MainWindow`)."""
    mb = window.menuBar()
    lookup, imports, exports = window.lookup, window.imports, window.exports
    m = mb.addMenu("&File")
    act_import = _action(
        window,
        m,
        "&Import data…",
        imports.choose_files,
        QKeySequence("Ctrl+I"),
        "Import a cBioPortal study folder, omics files, an SL label table or a "
        "knowledge graph (you can also drop them on the window)",
    )
    _action(window, m, "Import study &folder…", imports.choose_folder, QKeySequence("Ctrl+Shift+I"))
    _action(window, m, "Load gene &list…", lookup.load_gene_list, QKeySequence("Ctrl+L"))
    m.addSeparator()
    act_table = _action(
        window,
        m,
        "&Export score table…",
        exports.table_dialog,
        QKeySequence("Ctrl+E"),
        "CSV or TSV of exactly what is shown",
    )
    act_image = _action(
        window,
        m,
        "Export heatmap &image…",
        exports.image_dialog,
        QKeySequence("Ctrl+Shift+E"),
        "PNG or SVG",
    )
    act_report = _action(
        window,
        m,
        "Export run &report…",
        exports.report_dialog,
        QKeySequence("Ctrl+R"),
        "JSON: the query, models and their checksums, versions, date",
    )
    m.addSeparator()
    _action(window, m, "&Quit", window.close, QKeySequence.StandardKey.Quit)

    m = mb.addMenu("&View")
    _action(
        window,
        m,
        "&Copy selected cells",
        lambda: lookup.table.copy_selection(),
        None,
        "Copy the selected table cells as tab-separated text (Ctrl+C in the table)",
    )
    _action(
        window,
        m,
        "Sort by &mean over contexts",
        lambda: lookup.set_sort(SORT_MEAN, True),
        QKeySequence("Ctrl+M"),
    )
    _action(
        window, m, "&Look-up tab", lambda: window.tabs.setCurrentIndex(0), QKeySequence("Ctrl+1")
    )
    _action(
        window, m, "&Training tab", lambda: window.tabs.setCurrentIndex(1), QKeySequence("Ctrl+2")
    )
    m.addAction(window.contexts_dock.toggleViewAction())
    m.addAction(window.details_dock.toggleViewAction())

    history = mb.addMenu("&History")
    history.addAction(lookup.act_back)
    history.addAction(lookup.act_forward)
    history.addSeparator()
    history.addMenu(lookup.recent_menu)
    history.addAction(lookup.act_clear_recent)

    m = mb.addMenu("&Models")
    _action(window, m, "&Reload models", window.reload_models, QKeySequence("F5"))
    _action(
        window,
        m,
        "&Add a model folder…",
        window.add_model_dialog,
        None,
        "Install a model bundle (a folder with manifest.json and model.npz) as one of your models",
    )
    _action(window, m, "Re&move one of your models…", window.remove_model_dialog)
    _action(
        window,
        m,
        "Model &card…",
        lambda: window.show_model_card(None),
        QKeySequence("Ctrl+K"),
        "What a model was trained on, its metrics per fold, intended use and limitations",
    )
    m.addSeparator()
    _action(
        window,
        m,
        "Export &all pairs of a model (genome-wide)…",
        window.genome_wide_dialog,
        QKeySequence("Ctrl+G"),
        "Score every gene pair of one model and save the best ones as TSV",
    )

    m = mb.addMenu("&Help")
    _action(
        window, m, "How to read the scores", window.show_help, QKeySequence.StandardKey.HelpContents
    )
    _action(window, m, "&About SynLeaF Desktop", window.show_about)
    return MenuActions(act_import, act_table, act_image, act_report, history)
