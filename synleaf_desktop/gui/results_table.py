"""The results table under the heatmap: the same numbers, sortable and copyable.

Columns: gene A, gene B, one score per context, the cross-context mean. Clicking a header
asks the window to sort the grid (so heatmap and table stay in the same order); Ctrl+C
copies the selected cells as tab-separated text (with a header row when more than one
cell is selected), ready to paste into a spreadsheet.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from . import style
from .grid import SORT_MEAN, ScoreGrid
from .heatmap import tooltip_for

#: role holding the raw float (NaN = n/a) or gene name of a cell
RAW_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class ScoreTableModel(QAbstractTableModel):
    """Table model over a :class:`ScoreGrid`: P rows, 2 + C + 1 columns."""

    FIXED = ("Gene A", "Gene B")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid = ScoreGrid.empty()
        self._mean = np.zeros(0)

    def set_grid(self, grid: ScoreGrid) -> None:
        self.beginResetModel()
        self.grid = grid
        self._mean = grid.mean()
        self.endResetModel()

    # --- shape ------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.grid.pairs)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        if parent.isValid() or self.grid.is_empty:
            return 0
        return 2 + len(self.grid.contexts) + 1

    def column_key(self, col: int) -> str:
        """Sort key of a column: ``"gene_a"``, ``"gene_b"``, a context name or ``"mean"``."""
        if col == 0:
            return "gene_a"
        if col == 1:
            return "gene_b"
        c = col - 2
        if c < len(self.grid.contexts):
            return self.grid.contexts[c]
        return SORT_MEAN

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < 2:
                return self.FIXED[section]
            key = self.column_key(section)
            return "Mean" if key == SORT_MEAN else key
        if role == Qt.ItemDataRole.ToolTipRole and section >= 2:
            key = self.column_key(section)
            if key == SORT_MEAN:
                return "Mean SL score over the contexts where the pair can be scored. Click to sort."
            auc = self.grid.context_auc.get(key, float("nan"))
            extra = f" (validation AUC {auc:.3f})" if auc == auc else ""
            return f"SL score in the {key} model{extra}. Click to sort."
        return None

    # --- cells ------------------------------------------------------------
    def raw(self, row: int, col: int) -> Any:
        """The value behind a cell: gene name (str) or score (float, NaN = n/a)."""
        if col < 2:
            return self.grid.pairs[row][col]
        c = col - 2
        if c < len(self.grid.contexts):
            return float(self.grid.score[row, c])
        return float(self._mean[row])

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        value = self.raw(row, col)
        if role == RAW_ROLE:
            return value
        is_score = col >= 2
        c = col - 2
        in_ctx = is_score and c < len(self.grid.contexts)
        if role == Qt.ItemDataRole.DisplayRole:
            if not is_score:
                return value
            if np.isnan(value):
                return "n/a"
            text = f"{value:.3f}"
            if in_ctx:
                k = self.grid.known[row, c]
                if not np.isnan(k):
                    text = ("★" if k >= 0.5 else "✕") + text
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if is_score:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and is_score and np.isnan(value):
            return QBrush(style.MUTED)
        if role == Qt.ItemDataRole.BackgroundRole and is_score:
            if np.isnan(value):
                return QBrush(QColor(241, 243, 245), Qt.BrushStyle.SolidPattern)
            rgba = style.score_colormap().map(np.array([value]), mode="byte")[0]
            # a light tint of the heatmap colour keeps the numbers readable
            tint = [int(255 - 0.35 * (255 - int(x))) for x in rgba[:3]]
            return QBrush(QColor(*tint))
        if role == Qt.ItemDataRole.ToolTipRole and in_ctx:
            return tooltip_for(self.grid, row, c)
        if role == Qt.ItemDataRole.FontRole and col == 2 + len(self.grid.contexts):
            f = QGuiApplication.font()
            f.setBold(True)
            return f
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def selection_to_tsv(model: ScoreTableModel, indexes: list[QModelIndex]) -> str:
    """Tab-separated text of the selected cells (the bounding rows x columns).

    One cell: its value only. Several: a header row, then one line per row; scores with
    6 significant digits, ``n/a`` for cells that cannot be scored.
    """
    if not indexes:
        return ""
    rows = sorted({i.row() for i in indexes})
    cols = sorted({i.column() for i in indexes})
    selected = {(i.row(), i.column()) for i in indexes}

    def fmt(r: int, c: int) -> str:
        if (r, c) not in selected:
            return ""
        v = model.raw(r, c)
        if isinstance(v, float):
            return "n/a" if np.isnan(v) else f"{v:.6g}"
        return str(v)

    if len(selected) == 1:
        return fmt(rows[0], cols[0])
    lines = ["\t".join(str(model.headerData(c, Qt.Orientation.Horizontal)) for c in cols)]
    lines += ["\t".join(fmt(r, c) for c in cols) for r in rows]
    return "\n".join(lines) + "\n"


class ResultsTable(QTableView):
    """Table view of a :class:`ScoreTableModel`.

    Signals:
        sortRequested(key: str, descending: bool): a header was clicked.
        cellActivated(row: int, context_col: int): a score cell was clicked (context index).
    """

    sortRequested = Signal(str, bool)
    cellActivated = Signal(int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.score_model = ScoreTableModel(self)
        self.setModel(self.score_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.setSortingEnabled(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        hh = self.horizontalHeader()
        hh.setSectionsClickable(True)
        hh.setSortIndicatorShown(True)
        hh.setHighlightSections(False)
        hh.setDefaultSectionSize(84)
        hh.setMinimumSectionSize(36)
        hh.sectionClicked.connect(self._header_clicked)
        self.clicked.connect(self._clicked)
        self._sort: tuple[str, bool] | None = None

    def set_grid(self, grid: ScoreGrid, sort_key: str = "", descending: bool = True) -> None:
        self.score_model.set_grid(grid)
        self.fit_columns()
        self._sort = (sort_key, descending) if sort_key else None
        hh = self.horizontalHeader()
        if sort_key:
            cols = [c for c in range(self.score_model.columnCount()) if self.score_model.column_key(c) == sort_key]
            if cols:
                hh.setSortIndicator(cols[0], Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
        else:
            hh.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)

    def fit_columns(self) -> None:
        """Spread the score columns over the width (no horizontal scrolling unless needed)."""
        n = self.score_model.columnCount()
        if n <= 2:
            return
        # widths from the text they hold, so that 9+ contexts fit without scrolling sideways;
        # a context name wider than its column is elided (the header tooltip has it in full)
        m = self.score_model
        cell_fm = self.fontMetrics()
        head_font = self.horizontalHeader().font()
        head_font.setBold(True)
        head_fm = QFontMetrics(head_font)
        gene_w = max([head_fm.horizontalAdvance(h) + 12 for h in m.FIXED[:2]]
                     + [cell_fm.horizontalAdvance(str(g)) + 14 for p in m.grid.pairs[:200] for g in p])
        gene_w = min(gene_w, 120)
        score_min = head_fm.horizontalAdvance("0.000") + 12  # bold: the mean column
        avail = self.viewport().width() - 2 * gene_w
        w = max(score_min, min(110, avail // (n - 2)))
        self.setColumnWidth(0, gene_w)
        self.setColumnWidth(1, gene_w)
        for c in range(2, n):
            self.setColumnWidth(c, w)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.fit_columns()

    def _header_clicked(self, section: int) -> None:
        key = self.score_model.column_key(section)
        is_gene = key in ("gene_a", "gene_b")
        if self._sort and self._sort[0] == key:
            descending = not self._sort[1]
        else:
            descending = not is_gene  # scores: high first; names: A first
        self.sortRequested.emit(key, descending)

    def _clicked(self, index: QModelIndex) -> None:
        c = index.column() - 2
        if 0 <= c < len(self.score_model.grid.contexts):
            self.cellActivated.emit(index.row(), c)

    def copy_selection(self) -> str:
        """Copy the selected cells to the clipboard as TSV; returns the text."""
        text = selection_to_tsv(self.score_model, self.selectedIndexes())
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)
