"""The contexts panel: bundled and user models, with their quality and omics; tick boxes
choose which contexts the heatmap shows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..app.details import info_tooltip, omics_text, test_auc


class ContextsPanel(QWidget):
    """Tree of contexts in two groups, "Bundled models" and "Your models".

    Signals:
        selectionChanged(names: list): the ticked contexts, in engine order.
        cardRequested(name: str): the user asked for a model's card (double-click or the
            right-click menu).
    """

    selectionChanged = Signal(list)
    cardRequested = Signal(str)

    COL_NAME, COL_AUC, COL_OMICS = 0, 1, 2

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        head = QLabel("Cancer contexts")
        head.setObjectName("title")
        lay.addWidget(head)
        hint = QLabel(
            "Tick the models to show. Test AUC: how well each model separated known SL pairs "
            "from others on held-out test pairs (1 = perfect, 0.5 = chance; validation AUC in "
            "the tooltip). Double-click a model for its model card."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Model", "Test AUC", "Omics"])
        self.tree.headerItem().setToolTip(
            self.COL_AUC,
            "AUC on each model's held-out test pairs (mean over its "
            "cross-validation folds); validation AUC in each row's tooltip",
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(8)
        hh = self.tree.header()
        hh.setSectionResizeMode(self.COL_NAME, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(self.COL_AUC, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(self.COL_OMICS, QHeaderView.ResizeMode.Stretch)
        hh.setStretchLastSection(False)
        lay.addWidget(self.tree, 1)
        buttons = QHBoxLayout()
        self.all_btn = QPushButton("All")
        self.none_btn = QPushButton("None")
        self.all_btn.setToolTip("Show every model")
        self.none_btn.setToolTip("Untick every model")
        buttons.addWidget(self.all_btn)
        buttons.addWidget(self.none_btn)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.all_btn.clicked.connect(lambda: self.set_checked(self.names()))
        self.none_btn.clicked.connect(lambda: self.set_checked([]))
        self._items: dict[str, QTreeWidgetItem] = {}
        self._order: list[str] = []
        self._updating = False
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)

    def name_of(self, item: QTreeWidgetItem | None) -> str | None:
        """The model name of a tree item (``None`` for group headers)."""
        for name, it in self._items.items():
            if it is item:
                return name
        return None

    def current(self) -> str | None:
        """The model of the selected row, if any."""
        return self.name_of(self.tree.currentItem())

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        name = self.name_of(item)
        if name is not None:
            self.cardRequested.emit(name)

    def _context_menu(self, pos) -> None:
        name = self.name_of(self.tree.itemAt(pos))
        if name is None:
            return
        menu = QMenu(self)
        menu.addAction(f"Model card of {name}…", lambda: self.cardRequested.emit(name))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def set_contexts(
        self, infos: list[tuple[str, dict[str, Any]]], checked: list[str] | None = None
    ) -> None:
        """Fill the tree. ``infos``: ``(name, context_info)`` in engine order; ``checked``:
        names to tick (``None`` = all but trial models)."""
        self._updating = True
        self.tree.clear()
        self._items = {}
        self._order = [n for n, _ in infos]
        groups: dict[str, QTreeWidgetItem] = {}
        for name, info in infos:
            kind = "user" if info.get("kind") == "user" else "bundled"
            if kind not in groups:
                g = QTreeWidgetItem(
                    self.tree, ["Bundled models" if kind == "bundled" else "Your models"]
                )
                g.setFlags(Qt.ItemFlag.ItemIsEnabled)
                f = g.font(0)
                f.setBold(True)
                g.setFont(0, f)
                g.setFirstColumnSpanned(True)
                g.setExpanded(True)
                groups[kind] = g
            item = QTreeWidgetItem(groups[kind])
            item.setText(self.COL_NAME, name + (" (trial)" if info.get("trial") else ""))
            t = test_auc(info)
            item.setText(self.COL_AUC, "–" if t is None else f"{t:.2f}")
            item.setTextAlignment(
                self.COL_AUC, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
            item.setText(self.COL_OMICS, omics_text(info.get("omics")))
            tip = info_tooltip(name, info)
            for col in range(3):
                item.setToolTip(col, tip)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            on = (not info.get("trial")) if checked is None else name in checked
            item.setCheckState(
                self.COL_NAME, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
            )
            self._items[name] = item
        for g in groups.values():
            g.setExpanded(True)
        self._updating = False

    def names(self) -> list[str]:
        return list(self._order)

    def checked(self) -> list[str]:
        """The ticked contexts, in engine order."""
        return [
            n
            for n in self._order
            if self._items[n].checkState(self.COL_NAME) == Qt.CheckState.Checked
        ]

    def set_checked(self, names: list[str]) -> None:
        self._updating = True
        for n, item in self._items.items():
            item.setCheckState(
                self.COL_NAME, Qt.CheckState.Checked if n in names else Qt.CheckState.Unchecked
            )
        self._updating = False
        self.selectionChanged.emit(self.checked())

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._updating or column != self.COL_NAME:
            return
        self.selectionChanged.emit(self.checked())
