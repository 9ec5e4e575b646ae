"""The results table under the heatmap: the same numbers, sortable and copyable.

Columns: gene A, gene B, one raw score per context, the cross-context mean; then (when a model
has a rank map) the mean genome-wide percentile, each context's rank ("top 0.3 %") and held-out
recall; in partners mode the partner's typical rank and how far above it the pair ranks; for models
that carry cohort data, the pair's co-inactivation ("co-lost (p)": tumours with both genes lost /
expected by chance, one-sided depletion p). Clicking a header
asks the window to sort the grid (so heatmap and table stay in the same order); Ctrl+C
copies the selected cells as tab-separated text (with a header row when more than one
cell is selected), ready to paste into a spreadsheet.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ..app.grid import (
    COLOR_RANK,
    COLOST,
    SORT_MEAN,
    SORT_RANK,
    ScoreGrid,
    _fmt_percentile,
    rank_color_value,
)
from ..scoring.calibration import describe_top
from . import style
from .heatmap import tooltip_for

#: role holding the raw float (NaN = n/a) or gene name of a cell
RAW_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid index: the default parent of the flat table


class ScoreTableModel(QAbstractTableModel):
    """Table model over a :class:`ScoreGrid`: P rows; columns 2 genes, C raw scores, the mean,
    then (with rank maps) the mean percentile, in partners mode the typical rank and the decades
    above it, then C ranks and C held-out recalls. :attr:`columns` lists them as (kind, context
    index)."""

    FIXED = ("Gene A", "Gene B")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid = ScoreGrid.empty()
        self._mean = np.zeros(0)
        self.color_mode = COLOR_RANK
        self.columns: list[tuple[str, int]] = []
        self._row_values: dict[str, np.ndarray] = {}
        self._colors = np.zeros((0, 0))

    def set_grid(self, grid: ScoreGrid) -> None:
        self.beginResetModel()
        self.grid = grid
        self._mean = grid.mean()
        c = len(grid.contexts)
        cols = [("gene", 0), ("gene", 1)] + [("score", j) for j in range(c)] + [("mean", -1)]
        self._row_values = {"mean": self._mean}
        ranked = not grid.is_empty and grid.any_ranks()
        if ranked:
            cols += [("rank", -1)]
            self._row_values["rank"] = grid.mean_percentile()
        if grid.mode == "partners" and np.isfinite(grid.typical_top).any():
            # next to the mean rank, where they are seen
            cols += [("typical", -1), ("above", -1)]
            self._row_values["typical"] = grid.typical_row()
            self._row_values["above"] = grid.above_typical_row()
        if ranked:
            cols += [("top", j) for j in range(c)] + [("recall", j) for j in range(c)]
        if not grid.is_empty:
            # co-inactivation in the cohort: only the contexts whose model carries cohort data
            cols += [("colost", j) for j in range(c) if grid.has_evidence(j)]
        self.columns = cols if not grid.is_empty else []
        self._colors = grid.color_values(self.color_mode)
        self.endResetModel()

    def set_color_mode(self, mode: str) -> None:
        """Tint the score cells as the heatmap colours them (rank or raw)."""
        self.color_mode = mode
        self.set_grid(self.grid)

    # --- shape ------------------------------------------------------------
    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.grid.pairs)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        if parent.isValid() or self.grid.is_empty:
            return 0
        return len(self.columns)

    def column_kind(self, col: int) -> tuple[str, int]:
        """(kind, context index) of a column: kind is gene, score, mean, rank, top, recall,
        typical, above or colost."""
        return self.columns[col] if 0 <= col < len(self.columns) else ("", -1)

    def column_key(self, col: int) -> str:
        """Sort key of a column: ``"gene_a"``, ``"gene_b"``, a context name, ``"mean"``,
        ``"rank"`` (mean percentile), ``"<ctx>:top"`` / ``"<ctx>:recall"`` (the context's own
        order), ``"typical"`` or ``"above_typical"``."""
        kind, j = self.column_kind(col)
        if kind == "gene":
            return "gene_a" if j == 0 else "gene_b"
        if kind == "score":
            return self.grid.contexts[j]
        if kind in ("top", "recall"):
            return f"{self.grid.contexts[j]}:{kind}"
        if kind == "colost":
            return f"{self.grid.contexts[j]}:{COLOST}"
        return {
            "mean": SORT_MEAN,
            "rank": SORT_RANK,
            "typical": "typical",
            "above": "above_typical",
        }.get(kind, "")

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        kind, j = self.column_kind(section)
        ctx = self.grid.contexts[j] if j >= 0 and kind not in ("gene",) else ""
        if role == Qt.ItemDataRole.DisplayRole:
            if kind == "gene":
                return self.FIXED[j]
            return {
                "score": ctx,
                "mean": "Mean",
                "rank": "Mean pct",
                "top": f"{ctx} rank",
                "recall": f"{ctx} recall",
                "typical": "Typical rank",
                "above": "Above typical",
                "colost": f"{ctx} co-lost (p)",
            }.get(kind, "")
        if role == Qt.ItemDataRole.ToolTipRole and kind not in ("gene", "score"):
            return {
                "mean": "Mean raw SL score over the contexts where the pair can be scored (raw scores of "
                "different contexts are on different scales). Click to sort.",
                "rank": "Mean genome-wide percentile over the contexts that score the pair (100 = the "
                "highest-scoring pair of a context; a context without a rank map counts 100 x its raw "
                "score): the cross-context order the partners view and `synleaf partners` use. "
                "Click to sort.",
                "top": f"Genome-wide rank in {ctx}: the share of all gene pairs of the {ctx} universe that "
                "score at least as high ('top 0.1 %'). Comparable between contexts; not a probability "
                "of SL. Click to sort.",
                "recall": f"Held-out recall in {ctx}: the share of {ctx}'s known SL pairs that the models did "
                "not train on scoring at least as high. Not a probability that the pair is SL. "
                "Click to sort.",
                "typical": "The partner's typical rank with random genes (geometric mean over the contexts): "
                "a partner that ranks high with everything (a 'hub') has a small typical rank, and "
                "its high ranks here say little about this gene. Click to sort (hubs first).",
                "above": "How many decades (factors of 10) the pair ranks above the partner's typical rank, "
                "mean over the contexts: the 'rank above typical' partner order. Click to sort.",
                "colost": f"Co-inactivation in the {ctx} tumours: tumours with both genes lost (damaging mutation "
                "or deep deletion) / the number expected by chance, and the one-sided hypergeometric "
                "p-value for depletion. SL pairs are rarely lost together (ISLE/DAISY idea); weak "
                "evidence on its own, context rather than a verdict. '–': no evidence (a gene never "
                "lost, or not profiled). Click to sort (most depleted first).",
            }.get(kind)
        if role == Qt.ItemDataRole.ToolTipRole and kind == "score":
            key = ctx
            auc = self.grid.context_auc.get(key, float("nan"))
            extra = f" (test AUC {auc:.3f})" if auc == auc else ""
            return (
                f"SL score in the {key} model{extra}: raw, on that model's own scale (compare contexts by "
                "their rank columns). Click to sort."
            )
        return None

    # --- cells ------------------------------------------------------------
    def raw(self, row: int, col: int) -> Any:
        """The value behind a cell: gene name (str) or number (float, NaN = n/a): score, mean,
        mean percentile, top fraction, held-out recall, typical top fraction, decades above it."""
        kind, j = self.column_kind(col)
        if kind == "gene":
            return self.grid.pairs[row][j]
        if kind == "score":
            return float(self.grid.score[row, j])
        if kind == "top":
            return float(self.grid.top_fraction[row, j])
        if kind == "recall":
            return float(self.grid.heldout_recall[row, j])
        if kind == "colost":
            return float(self.grid.coinact_p[row, j])
        if kind in self._row_values:
            return float(self._row_values[kind][row])
        return float("nan")

    def display(self, row: int, col: int) -> str:
        """The text of a cell."""

        kind, j = self.column_kind(col)
        value = self.raw(row, col)
        if kind == "gene":
            return value
        if kind == "colost":
            return self.grid.colost_text(row, j)
        if np.isnan(value):
            if kind in ("top", "recall", "rank", "typical", "above") and not np.isnan(
                self.grid.score[row, j] if j >= 0 else 0.0
            ):
                return "–"  # scored, but the model has no rank map
            return "n/a" if kind in ("score", "mean", "top", "recall") else "–"
        if kind in ("top", "typical"):
            return describe_top(value)
        if kind == "recall":
            return f"{100.0 * value:.0f} %"
        if kind == "rank":
            return _fmt_percentile(value)
        if kind == "above":
            return f"{value:+.1f}"
        text = f"{value:.3f}"
        if kind == "score":
            k = self.grid.known[row, j]
            if not np.isnan(k):
                text = ("★" if k >= 0.5 else "✕") + text
        return text

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        value = self.raw(row, col)
        if role == RAW_ROLE:
            return value
        kind, c = self.column_kind(col)
        is_score = kind != "gene"
        in_ctx = kind in ("score", "top", "recall")
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if is_score:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and is_score and np.isnan(value):
            return QBrush(style.MUTED)
        if role == Qt.ItemDataRole.BackgroundRole and kind == "colost":
            return None
        if role == Qt.ItemDataRole.BackgroundRole and is_score:
            if np.isnan(value):
                return QBrush(QColor(241, 243, 245), Qt.BrushStyle.SolidPattern)
            if kind == "score":
                value = float(self._colors[row, c])  # as the heatmap colours it
            elif kind == "top":
                value = float(rank_color_value(value))
            elif kind != "mean":
                return None
            rgba = style.score_colormap().map(np.array([value]), mode="byte")[0]
            # a light tint of the heatmap colour keeps the numbers readable
            tint = [int(255 - 0.35 * (255 - int(x))) for x in rgba[:3]]
            return QBrush(QColor(*tint))
        if role == Qt.ItemDataRole.ToolTipRole and in_ctx:
            return tooltip_for(self.grid, row, c)
        if role == Qt.ItemDataRole.ToolTipRole and kind == "colost":
            return colost_tooltip(self.grid, row, c)
        if role == Qt.ItemDataRole.FontRole and kind in ("mean", "rank"):
            f = QGuiApplication.font()
            f.setBold(True)
            return f
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def colost_tooltip(grid: ScoreGrid, row: int, col: int) -> str:
    """Tooltip of a co-lost cell, in words."""
    a, b = grid.pairs[row]
    ctx = grid.contexts[col]
    p = grid.coinact_p[row, col]
    if not np.isfinite(p):
        return (
            f"{a} – {b} in {ctx}: no co-inactivation evidence (a gene is never lost in these tumours, or is "
            "not profiled)"
        )
    return (
        f"{a} – {b} in {ctx}: both lost in {int(grid.both_lost[row, col])} tumours, "
        f"{grid.expected_both[row, col]:.2g} expected by chance; one-sided depletion p = {p:.2g}.\n"
        "SL pairs are rarely lost together (ISLE/DAISY idea); weak evidence on its own."
    )


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
        if model.column_kind(c)[0] == "colost":
            return model.display(r, c)
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
        rowMenuRequested(row: int, column: int, global_pos: QPoint): a cell was right-clicked
            (table column; :meth:`ScoreTableModel.column_kind` gives its context).
    """

    sortRequested = Signal(str, bool)
    cellActivated = Signal(int, int)
    rowMenuRequested = Signal(int, int, QPoint)

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
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu_requested)
        self._sort: tuple[str, bool] | None = None

    def set_grid(self, grid: ScoreGrid, sort_key: str = "", descending: bool = True) -> None:
        self.score_model.set_grid(grid)
        self.fit_columns()
        self._sort = (sort_key, descending) if sort_key else None
        hh = self.horizontalHeader()
        if sort_key:
            cols = [
                c
                for c in range(self.score_model.columnCount())
                if self.score_model.column_key(c) == sort_key
            ]
            if cols:
                hh.setSortIndicator(
                    cols[0],
                    Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
                )
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
        gene_w = max(
            [head_fm.horizontalAdvance(h) + 12 for h in m.FIXED[:2]]
            + [cell_fm.horizontalAdvance(str(g)) + 14 for p in m.grid.pairs[:200] for g in p]
        )
        gene_w = min(gene_w, 120)
        # a cell holds "★0.000" (a known pair), the mean column is bold; a header needs room for
        # its name and the sort arrow: never cut either (scroll sideways instead)
        score_min = (
            max(head_fm.horizontalAdvance("0.000"), cell_fm.horizontalAdvance("★0.000")) + 16
        )
        sample = {
            "top": "top 0.0001 %",
            "typical": "top 0.0001 %",
            "recall": "100 %",
            "rank": "99.99999",
            "colost": "12 / 0.00037 exp, p 1.0e-05",
        }
        need = {
            c: max(
                score_min,
                head_fm.horizontalAdvance(str(m.headerData(c, Qt.Orientation.Horizontal))) + 30,
                cell_fm.horizontalAdvance(sample.get(m.column_kind(c)[0], "")) + 16,
            )
            for c in range(2, n)
        }
        avail = self.viewport().width() - 2 * gene_w
        w = max(score_min, min(110, avail // (n - 2)))
        self.setColumnWidth(0, gene_w)
        self.setColumnWidth(1, gene_w)
        for c in range(2, n):
            self.setColumnWidth(c, max(w, need[c]))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def _header_clicked(self, section: int) -> None:
        key = self.score_model.column_key(section)
        is_gene = key in ("gene_a", "gene_b")
        # scores: high first; names: A first; the same column again flips the order
        descending = not self._sort[1] if self._sort and self._sort[0] == key else not is_gene
        self.sortRequested.emit(key, descending)

    def _clicked(self, index: QModelIndex) -> None:
        kind, c = self.score_model.column_kind(index.column())
        if kind in ("score", "top", "recall", "colost") and 0 <= c < len(
            self.score_model.grid.contexts
        ):
            self.cellActivated.emit(index.row(), c)

    def _menu_requested(self, pos) -> None:
        index = self.indexAt(pos)
        if index.isValid():
            self.rowMenuRequested.emit(
                index.row(), index.column(), self.viewport().mapToGlobal(pos)
            )

    def copy_text_at(self, row: int, col: int) -> str:
        """What "Copy" of the right-click menu copies: the selection (as Ctrl+C) when the cell is
        part of it, else the cell's own value."""
        sel = self.selectedIndexes()
        if any(i.row() == row and i.column() == col for i in sel):
            return selection_to_tsv(self.score_model, sel)
        return selection_to_tsv(self.score_model, [self.score_model.index(row, col)])

    def set_color_mode(self, mode: str) -> None:
        self.score_model.set_color_mode(mode)

    def copy_selection(self) -> str:
        """Copy the selected cells to the clipboard as TSV; returns the text."""
        text = selection_to_tsv(self.score_model, self.selectedIndexes())
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)
