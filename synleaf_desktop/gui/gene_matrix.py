"""The gene x gene view of a gene list: a triangular matrix of one context at a time.

A list of 10+ genes makes 45+ pairs, unreadable as a strip of rows; here every pair of the list
is one cell of a lower triangle (row gene below, column gene left of the diagonal). Each gene's
name is written at the left of its row and on the diagonal, where it heads its column and
reads into the empty upper triangle, so every label is horizontal and every gene is named.
Colours are those of the heatmap (genome-wide rank by default, or raw score); a colour bar
with the same ticks ("top 1 %") sits at the right, the context is chosen in a selector.

One painting routine (:func:`paint_matrix`) draws the screen, the PNG and the SVG, so the
exported picture is the one on screen (at a cell size chosen for print).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..app.grid import COLOR_RANK, COLOR_RAW, ScoreGrid, rank_ticks
from ..scoring.calibration import describe_top
from . import style

#: smallest cell on screen (pixels); below it the view scrolls
MIN_CELL_PX = 14.0
#: largest cell on screen
MAX_CELL_PX = 56.0
#: cell size of exported pictures (points / pixels before the PNG scale)
EXPORT_CELL_PX = 24.0
#: lists of more pairs than this are shown as a matrix by default (fewer: the strip of pairs)
STRIP_MAX_PAIRS = 6
#: cells of pairs hidden by the row filters (blank, unlike the hatched "n/a" cells)
FILTERED_COLOR = QColor(241, 243, 245)


def list_genes(grid: ScoreGrid) -> list[str]:
    """The genes of a gene-list grid in list order (first appearance in the rows as scored)."""
    out: dict[str, None] = {}
    for a, b in grid.pairs:
        out.setdefault(a, None)
        out.setdefault(b, None)
    return list(out)


def is_gene_list(grid: ScoreGrid) -> bool:
    """A grid of all pairs of a gene list (not pairs as given, not partners)."""
    return (
        grid.mode == "pairs"
        and bool((grid.query or {}).get("genes"))
        and not (grid.query or {}).get("pairs")
    )


def wants_matrix(grid: ScoreGrid) -> bool:
    """Whether the gene x gene matrix is the default view of ``grid`` (a gene list of more than
    :data:`STRIP_MAX_PAIRS` pairs)."""
    return is_gene_list(grid) and len(grid.pairs) > STRIP_MAX_PAIRS


@dataclass
class Layout:
    """Where things go for a given cell size (pixels of the painter's coordinates)."""

    cell: float
    left: float  # x of the first column
    top: float  # y of the first row
    label_w: float
    diag_w: float
    bar_x: float
    width: float
    height: float
    font_px: float
    #: the title is drawn in the picture (exports); on screen the selector bar shows it
    titled: bool = True
    legend_w: float = 220.0


class MatrixModel:
    """The numbers behind the picture: genes, the row of the grid for each gene pair, and the
    chosen context (no Qt widgets)."""

    def __init__(self) -> None:
        self.grid = ScoreGrid.empty()
        self.genes: list[str] = []
        self.index: dict[tuple[str, str], int] = {}
        self.col = 0
        self.color_mode = COLOR_RANK
        #: pairs of the whole result when a filter hides some of them (``None``: nothing hidden)
        self.total_pairs: int | None = None

    @property
    def filtered(self) -> bool:
        """Whether a row filter hides pairs: a cell without a row is then blank, not "n/a"."""
        return self.total_pairs is not None and self.total_pairs != len(self.grid.pairs)

    def set_grid(
        self, grid: ScoreGrid, genes: list[str] | None = None, total_pairs: int | None = None
    ) -> None:
        self.grid = grid
        self.total_pairs = total_pairs
        self.genes = list(genes) if genes else list_genes(grid)
        self.index = {}
        for r, (a, b) in enumerate(grid.pairs):
            self.index[(a, b)] = r
            self.index[(b, a)] = r
        self.col = min(self.col, max(len(grid.contexts) - 1, 0))

    @property
    def context(self) -> str:
        return self.grid.contexts[self.col] if self.grid.contexts else ""

    def row_of(self, i: int, j: int) -> int:
        """Grid row of the pair (gene i, gene j), -1 if not scored."""
        if i == j or not (0 <= i < len(self.genes) and 0 <= j < len(self.genes)):
            return -1
        return self.index.get((self.genes[i], self.genes[j]), -1)

    def ranked(self) -> bool:
        return (
            bool(self.grid.contexts)
            and self.color_mode == COLOR_RANK
            and self.grid.has_ranks(self.col)
        )

    def values(self) -> np.ndarray:
        """float [P]: colour positions (0..1) of the grid rows in the chosen context."""
        if not self.grid.contexts:
            return np.zeros(0)
        return self.grid.color_values(self.color_mode)[:, self.col]

    def cell_text(self, r: int) -> str:
        """Short text of a cell: "0.3%" (rank) or "0.98" (raw); "n/a"."""
        s = self.grid.score[r, self.col]
        if np.isnan(s):
            return "n/a"
        if self.ranked():
            f = self.grid.top_fraction[r, self.col]
            if not np.isnan(f):
                return describe_top(f).replace("top ", "").replace(" %", "%")
        return f"{s:.2f}"

    def title(self) -> str:
        what = "genome-wide rank" if self.ranked() else "SL score (raw)"
        if self.filtered:
            return (
                f"{len(self.genes)} genes, {len(self.grid.pairs)} of {self.total_pairs} pairs (filtered): "
                f"{what} in {self.context}"
            )
        return f"{len(self.genes)} genes, {len(self.grid.pairs)} pairs: {what} in {self.context}"

    def ticks(self) -> list[tuple[float, str]]:
        if self.ranked():
            return rank_ticks()
        return [(v, f"{v:.1f}") for v in np.linspace(0.0, 1.0, 6)]

    def bar_label(self) -> str:
        if self.ranked():
            return "genome-wide rank"
        note = " (no rank map)" if self.color_mode == COLOR_RANK and self.grid.contexts else ""
        return "SL score, raw" + note


def _label_font(px: float) -> QFont:
    f = QFont()
    f.setPixelSize(max(9, round(float(px))))
    return f


def layout_for(model: MatrixModel, cell: float, titled: bool = True) -> Layout:
    """Sizes for ``cell`` pixels per cell: labels, diagonal names, colour bar and, under it, the
    legend; with ``titled`` a title line on top."""
    n = max(len(model.genes), 1)
    font_px = min(max(cell * 0.75, 11.0), 14.0)
    fm = QFontMetricsF(_label_font(font_px))
    label_w = max((fm.horizontalAdvance(g) for g in model.genes), default=40.0) + 8
    diag_w = label_w  # the diagonal name reads into the empty upper triangle
    top = (fm.height() * 1.6 + 10) if titled else 6.0
    left = 6 + label_w
    grid_w = n * cell
    tick_fm = QFontMetricsF(_label_font(12))
    tick_w = max(tick_fm.horizontalAdvance(t) for _, t in model.ticks()) + 10
    bar_x = left + max(grid_w, (n - 1) * cell + diag_w) + 24 + tick_fm.height()
    legend_w = max(220.0, tick_w + 40)
    width = bar_x + max(16 + tick_w, legend_w) + 12
    # the colour bar and the legend under it need ~300 px whatever the number of genes
    height = max(top + n * cell + 8, top + 330)
    return Layout(cell, left, top, label_w, diag_w, bar_x, width, height, font_px, titled, legend_w)


def paint_matrix(
    painter: QPainter,
    model: MatrixModel,
    lay: Layout,
    selected: tuple[int, int] | None = None,
    hovered: tuple[int, int] | None = None,
) -> None:
    """Draw the whole picture with ``painter`` (screen, PNG or SVG)."""
    from .style import score_colormap, text_color_for

    n = len(model.genes)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillRect(QRectF(0, 0, lay.width, lay.height), QColor(255, 255, 255))
    if n == 0 or not model.grid.contexts:
        painter.restore()
        return
    font = _label_font(lay.font_px)
    title_font = QFont(font)
    title_font.setBold(True)
    title_font.setPixelSize(int(lay.font_px * 1.15))
    if lay.titled:
        painter.setFont(title_font)
        painter.setPen(style.TEXT)
        painter.drawText(
            QRectF(6, 4, lay.width - 12, lay.top - 6),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            model.title(),
        )
    values = model.values()
    cmap = score_colormap()
    rgba = (
        cmap.map(np.nan_to_num(values, nan=0.0), mode="byte") if len(values) else np.zeros((0, 4))
    )
    c = lay.cell
    cell_font = QFont(font)
    cell_font.setPixelSize(int(min(max(c * 0.27, 9.0), 13.0)))
    cfm = QFontMetricsF(cell_font)
    show_text = c >= cfm.horizontalAdvance("0.001%") + 2 and c >= 2 * cfm.height()
    hatch = QBrush(style.NA_HATCH_COLOR, Qt.BrushStyle.BDiagPattern)
    for i in range(n):
        for j in range(i):
            r = model.row_of(i, j)
            rect = QRectF(lay.left + j * c, lay.top + i * c, c, c)
            if r < 0 and model.filtered:
                painter.fillRect(rect, FILTERED_COLOR)  # hidden by the filters: blank, not "n/a"
                continue
            if r < 0 or np.isnan(values[r]):
                painter.fillRect(rect, style.NA_COLOR)
                painter.fillRect(rect, hatch)
                continue
            painter.fillRect(rect, QColor(*[int(x) for x in rgba[r][:3]]))
            if show_text:
                painter.setFont(cell_font)
                painter.setPen(text_color_for(values[r]))
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), model.cell_text(r))
            k = model.grid.known[r, model.col]
            if not np.isnan(k):
                painter.setFont(cell_font)
                painter.setPen(QColor(255, 80, 80) if k >= 0.5 else QColor(120, 120, 120))
                painter.drawText(
                    rect.adjusted(1, 0, -1, 0),
                    int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                    "★" if k >= 0.5 else "✕",
                )
    # thin white grid lines keep neighbouring cells apart
    pen = QPen(QColor(255, 255, 255))
    pen.setWidthF(max(0.5, c * 0.04))
    painter.setPen(pen)
    for i in range(1, n):
        painter.drawLine(
            QPointF(lay.left, lay.top + i * c), QPointF(lay.left + i * c, lay.top + i * c)
        )
        painter.drawLine(
            QPointF(lay.left + i * c, lay.top + (i + 1) * c),
            QPointF(lay.left + i * c, lay.top + n * c),
        )
    # labels: left of each row, and on the diagonal (heading the column below it)
    painter.setFont(font)
    painter.setPen(style.TEXT)
    for i, g in enumerate(model.genes):
        y = lay.top + i * c
        painter.drawText(
            QRectF(6, y, lay.label_w - 6, c),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            g,
        )
        painter.drawText(
            QRectF(lay.left + i * c + 3, y, lay.diag_w, c),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            g,
        )
    for cell, color, width in (
        (hovered, QColor(20, 20, 20), 1.5),
        (selected, QColor(220, 40, 40), 3.0),
    ):
        if cell and cell[0] > cell[1] >= 0:
            p = QPen(color)
            p.setWidthF(width)
            painter.setPen(p)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(lay.left + cell[1] * c, lay.top + cell[0] * c, c, c))
    # colour bar with its ticks in words
    bar_top = lay.top + 4
    bar_h = 190.0
    steps = 64
    for k in range(steps):
        v = 1.0 - (k + 0.5) / steps
        col = cmap.map(np.array([v]), mode="byte")[0]
        painter.fillRect(
            QRectF(lay.bar_x, bar_top + k * bar_h / steps, 16, bar_h / steps + 0.6),
            QColor(*[int(x) for x in col[:3]]),
        )
    painter.setPen(QPen(QColor(120, 120, 120)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(lay.bar_x, bar_top, 16, bar_h))
    tick_font = _label_font(12)
    tfm = QFontMetricsF(tick_font)
    painter.setFont(tick_font)
    for v, text in model.ticks():
        y = bar_top + (1.0 - v) * bar_h
        painter.setPen(QColor(120, 120, 120))
        painter.drawLine(QPointF(lay.bar_x + 16, y), QPointF(lay.bar_x + 20, y))
        painter.setPen(style.TEXT)
        painter.drawText(
            QRectF(lay.bar_x + 23, y - tfm.height() / 2, lay.width - lay.bar_x - 23, tfm.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            text,
        )
    painter.save()
    painter.translate(lay.bar_x - 4, bar_top + bar_h / 2)
    painter.rotate(-90)
    painter.setPen(style.MUTED)
    label = model.bar_label()
    painter.drawText(
        QRectF(-bar_h / 2, -tfm.height(), bar_h, tfm.height()),
        int(Qt.AlignmentFlag.AlignCenter),
        label,
    )
    painter.restore()
    # legend under the colour bar
    notes = []
    if model.ranked():
        notes.append(
            "colour: genome-wide rank in this context: comparable between contexts, not a "
            "probability of SL"
        )
    elif model.color_mode == COLOR_RANK:
        notes.append(f"colour: raw SL score ({model.context} has no rank map)")
    else:
        notes.append("colour: raw SL score (on this context's own scale)")
    if np.isnan(model.grid.score[:, model.col]).any():
        notes.append("hatched: a gene is not in this model")
    if (~np.isnan(model.grid.known[:, model.col])).any():
        notes.append("★ known SL, ✕ known non-SL")
    small = _label_font(11.0)
    painter.setFont(small)
    painter.setPen(style.MUTED)
    y = bar_top + bar_h + 14
    painter.drawText(
        QRectF(lay.bar_x - tfm.height(), y, lay.legend_w, lay.height - y - 4),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
        "\n".join(notes),
    )
    painter.restore()


class MatrixCanvas(QWidget):
    """The painted matrix; grows its cells with the room it gets (between the min and max size)."""

    cellClicked = Signal(int, int)  # grid row, context column
    cellMenuRequested = Signal(int, int, QPoint)  # grid row, context column, global position

    def __init__(self, model: MatrixModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.setMouseTracking(True)
        self.selected: tuple[int, int] | None = None  # (gene i, gene j), i > j
        self.hovered: tuple[int, int] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def cell_size(self) -> float:
        n = max(len(self.model.genes), 1)
        lay = layout_for(self.model, MIN_CELL_PX, titled=False)
        room_w = (self.width() - (lay.width - n * MIN_CELL_PX)) / n
        room_h = (self.height() - (lay.top + n * MIN_CELL_PX + 8 - n * MIN_CELL_PX)) / n
        return float(max(MIN_CELL_PX, min(MAX_CELL_PX, room_w, room_h)))

    def paint_layout(self) -> Layout:
        return layout_for(self.model, self.cell_size(), titled=False)

    def minimumSizeHint(self) -> QSize:
        lay = layout_for(self.model, MIN_CELL_PX, titled=False)
        return QSize(math.ceil(lay.width), math.ceil(lay.height))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        try:
            lay = self.paint_layout()
            lay.width, lay.height = max(lay.width, self.width()), max(lay.height, self.height())
            paint_matrix(painter, self.model, lay, self.selected, self.hovered)
        finally:
            painter.end()

    def gene_cell_at(self, x: float, y: float) -> tuple[int, int]:
        """(gene i, gene j) with i > j under a point, or (-1, -1)."""
        lay = self.paint_layout()
        i = math.floor((y - lay.top) / lay.cell)
        j = math.floor((x - lay.left) / lay.cell)
        if 0 <= j < i < len(self.model.genes):
            return (i, j)
        return (-1, -1)

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        cell = self.gene_cell_at(pos.x(), pos.y())
        if cell == (self.hovered or (-1, -1)):
            return
        self.hovered = cell if cell[0] >= 0 else None
        r = self.model.row_of(*cell) if cell[0] >= 0 else -1
        if r >= 0:
            from .heatmap import tooltip_for

            QToolTip.showText(
                event.globalPosition().toPoint(),
                tooltip_for(self.model.grid, r, self.model.col),
                self,
            )
        else:
            QToolTip.hideText()
        self.update()

    def leaveEvent(self, _event) -> None:
        self.hovered = None
        self.update()

    def mousePressEvent(self, event) -> None:
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return
        pos = event.position()
        i, j = self.gene_cell_at(pos.x(), pos.y())
        r = self.model.row_of(i, j) if i >= 0 else -1
        if r < 0:
            return
        if button == Qt.MouseButton.RightButton:  # the pair's menu, as in the heatmap
            event.accept()
            self.cellMenuRequested.emit(r, self.model.col, event.globalPosition().toPoint())
            return
        self.selected = (i, j)
        self.update()
        self.cellClicked.emit(r, self.model.col)


class GeneMatrixWidget(QWidget):
    """The gene x gene matrix of a gene list, with a context selector.

    Signals:
        cellClicked(row: int, col: int): a cell was clicked (row of the grid, context column).
        cellMenuRequested(row: int, col: int, global_pos: QPoint): a cell was right-clicked.
        contextChanged(str): another context was chosen.
    """

    cellClicked = Signal(int, int)
    cellMenuRequested = Signal(int, int, QPoint)
    contextChanged = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = MatrixModel()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 2, 8, 0)
        bar.addWidget(QLabel("Context:"))
        self.context_combo = QComboBox()
        self.context_combo.setToolTip("The context whose scores the matrix shows (one at a time)")
        self.context_combo.setMinimumWidth(110)
        self.context_combo.currentIndexChanged.connect(self._context_changed)
        bar.addWidget(self.context_combo)
        self.title = QLabel("")
        self.title.setStyleSheet("font-weight: 600;")
        bar.addSpacing(10)
        bar.addWidget(self.title)
        from .widgets import ElidedLabel

        self.hint = ElidedLabel(
            "one cell per pair; click a cell for its details, right-click for links"
        )  # "…", never cut
        self.hint.setObjectName("hint")
        self.hint.setMinimumWidth(0)
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addSpacing(10)
        bar.addWidget(self.hint, 1)
        lay.addLayout(bar)
        self.canvas = MatrixCanvas(self.model)
        self.canvas.cellClicked.connect(self.cellClicked)
        self.canvas.cellMenuRequested.connect(self.cellMenuRequested)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(self.canvas)
        self.scroll_area.setStyleSheet("QScrollArea { background: white; }")
        lay.addWidget(self.scroll_area, 1)
        self._wanted_context = ""

    @property
    def grid(self) -> ScoreGrid:
        return self.model.grid

    def set_grid(
        self, grid: ScoreGrid, genes: list[str] | None = None, total_pairs: int | None = None
    ) -> None:
        """Show ``grid`` (all pairs of ``genes``, in any row order; ``total_pairs``: the number of
        pairs of the whole result when row filters hide some, whose cells are then left blank)."""
        keep = self._wanted_context or self.model.context
        self.model.set_grid(grid, genes, total_pairs)
        self.canvas.selected = None
        self.context_combo.blockSignals(True)
        self.context_combo.clear()
        for j, name in enumerate(grid.contexts):
            mark = "" if grid.has_ranks(j) else " (raw score only)"
            self.context_combo.addItem(name + mark, name)
        i = self.context_combo.findData(keep)
        self.model.col = max(i, 0)
        self.context_combo.setCurrentIndex(self.model.col)
        self.context_combo.blockSignals(False)
        self.title.setText(self.model.title())
        self.canvas.updateGeometry()
        self.canvas.update()

    def set_context(self, name: str) -> None:
        i = self.context_combo.findData(name)
        if i >= 0:
            self.context_combo.setCurrentIndex(i)

    def _context_changed(self, index: int) -> None:
        if index < 0:
            return
        self.model.col = index
        self._wanted_context = self.context_combo.itemData(index) or ""
        self.title.setText(self.model.title())
        self.canvas.update()
        self.contextChanged.emit(self.model.context)

    def set_color_mode(self, mode: str) -> None:
        if mode not in (COLOR_RANK, COLOR_RAW):
            raise ValueError(f"unknown colour mode {mode!r}")
        self.model.color_mode = mode
        self.title.setText(self.model.title())
        self.canvas.updateGeometry()
        self.canvas.update()

    def select_pair(self, row: int) -> None:
        """Outline the cell of grid row ``row`` (no signal)."""
        if not (0 <= row < len(self.model.grid.pairs)):
            return
        a, b = self.model.grid.pairs[row]
        try:
            i, j = self.model.genes.index(a), self.model.genes.index(b)
        except ValueError:
            return
        self.canvas.selected = (max(i, j), min(i, j))
        self.canvas.update()

    def labels(self) -> list[str]:
        """The gene names written on the picture (each at its row and on the diagonal)."""
        return list(self.model.genes)

    # ------------------------------------------------------------------ export
    def export_layout(self) -> Layout:
        return layout_for(self.model, EXPORT_CELL_PX)

    def render_image(self, scale: float = 2.0) -> QImage:
        lay = self.export_layout()
        img = QImage(
            math.ceil(lay.width * scale),
            math.ceil(lay.height * scale),
            QImage.Format.Format_ARGB32,
        )
        img.fill(QColor(255, 255, 255))
        painter = QPainter(img)
        try:
            painter.scale(scale, scale)
            paint_matrix(painter, self.model, lay)
        finally:
            painter.end()
        return img

    def export_image(self, path: str | Path, scale: float = 2.0) -> Path:
        """Write the matrix of the chosen context (title, every gene label, colour bar, legend)
        as PNG or SVG, by extension; atomic (temporary name, then rename)."""
        from .heatmap import write_image

        def write_svg(tmp: Path) -> None:
            lay = self.export_layout()
            gen = QSvgGenerator()
            gen.setFileName(str(tmp))
            gen.setSize(QSize(math.ceil(lay.width), math.ceil(lay.height)))
            gen.setViewBox(QRectF(0, 0, lay.width, lay.height))
            gen.setTitle(self.model.title())
            gen.setDescription(
                f"SynLeaF Desktop {__version__} gene x gene matrix; colour: {self.model.bar_label()}"
            )
            painter = QPainter()
            if not painter.begin(gen):
                raise OSError(f"{path}: could not write the SVG file")
            try:
                paint_matrix(painter, self.model, lay)
            finally:
                painter.end()

        def write_png(tmp: Path) -> None:
            if not self.render_image(scale).save(str(tmp), "PNG"):  # type: ignore[call-overload]  # stub: format is bytes; PySide6 takes str, rejects bytes
                raise OSError(f"{path}: could not write the PNG file")

        return write_image(path, write_svg, write_png)
