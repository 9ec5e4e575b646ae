"""The score heatmap: gene pairs (rows) x contexts (columns).

Colour (the toggle ``color_mode``): by default the pair's **genome-wide rank** in each context,
``-log10(top fraction)`` clipped to 0..6 (the colour bar reads "top 100 %" ... "top 0.0001 %"), the
one reading that is comparable between contexts; or the **raw score** on a fixed 0–1 scale. A
context whose model has no rank map is drawn with raw-score colours in both modes, its column
marked with :data:`RAW_MARK` (never an invented rank).

Pairs run down the rows so that gene names read horizontally, whatever their number;
context names are on the top axis and each context's headline test AUC on the
bottom axis, so every score is seen next to how good its model is.

Cells whose genes are outside a context's model are NaN in the image (transparent) and
show a grey hatched texture with "n/a" on top: they are never drawn as a score.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QCursor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsRectItem, QToolTip

from .. import __version__
from ..app.grid import COLOR_RANK, COLOR_RAW, ScoreGrid, describe_rank, rank_ticks
from ..errors import InputError
from ..scoring.calibration import describe_top
from . import style

#: largest cell height (pixels) when few pairs are shown
MAX_CELL_PX = 100.0
#: pixels taken by the title, axes, legend and margins around the cells
CHROME_PX = 150
#: smallest widget height (keeps the colour bar readable)
MIN_HEIGHT_PX = 215
#: most rows shown at once before the view scrolls (mouse wheel / drag)
MAX_VISIBLE_ROWS = 40
#: most cells that get a printed value
MAX_TEXT_CELLS = 800
MAX_LABEL_CHARS = 28
#: suffix of a column heading whose model has no rank map (coloured by its raw score)
RAW_MARK = " †"
RAW_MARK_NOTE = "† no rank map: raw-score colour"
RANK_LABEL = "genome-wide rank"
RAW_LABEL = "SL score (raw)"


def write_image(
    path: str | Path, write_svg: Callable[[Path], None], write_png: Callable[[Path], None]
) -> Path:
    """Write an image as SVG or PNG by the path's extension, under a temporary name that is renamed
    when complete (a failed export leaves nothing half-written); PNGs get the app's text chunk.

    Raises:
        InputError: any other extension (the message lists the supported formats).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InputError(
            path,
            f"cannot write a {suffix or 'file without a type'} image; use .png or .svg "
            "(the supported formats: PNG picture, SVG vector drawing)",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.part{suffix}")
    try:
        if suffix == ".svg":
            write_svg(tmp)
        else:
            write_png(tmp)
            _stamp_png(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _one_digit(text: str) -> str:
    """'0.00079 %' -> '0.0008 %' (a rank that does not fit its cell); other text unchanged."""
    if "<" in text:
        return text
    try:
        value = float(text[:-2].strip())
    except ValueError:
        return text
    return f"{value:.1g} %" if value < 1 else text


def _stamp_png(path: Path) -> None:
    """Record the app version in a PNG's text chunks (``Software``, ``Description``)."""
    from PySide6.QtGui import QImage

    img = QImage(str(path))
    if img.isNull():
        raise OSError(f"{path}: the exported PNG could not be read back")
    img.setText("Software", f"SynLeaF Desktop {__version__}")
    img.setText(
        "Description",
        "SynLeaF SL score heatmap; scores are model outputs in [0, 1], "
        "not calibrated probabilities; genome-wide rank = share of all gene pairs of "
        "the context's universe scoring at least as high (not a probability of SL)",
    )
    if not img.save(str(path), "PNG"):  # type: ignore[call-overload]  # stub: format is bytes; PySide6 takes str, rejects bytes
        raise OSError(f"{path}: could not write the PNG file")


def _elide(text: str, n: int = MAX_LABEL_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class NotAvailableCells(pg.GraphicsObject):
    """Grey hatched squares for the cells that cannot be scored (genes outside a context).

    The hatch is a cosmetic Qt pattern brush, so its stripes keep their on-screen spacing
    whatever the cell size or zoom.
    """

    def __init__(self) -> None:
        super().__init__()
        self._rects: list[QRectF] = []
        self._bounds = QRectF()

    def set_mask(self, mask: np.ndarray) -> None:
        """``mask`` bool [P, C]: True where a cell is not available."""
        self.prepareGeometryChange()
        rows, cols = np.nonzero(mask)
        self._rects = [
            QRectF(c - 0.5, r - 0.5, 1.0, 1.0)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        ]
        self._bounds = QRectF()
        for rect in self._rects:
            self._bounds = self._bounds.united(rect)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter, *_args) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        solid = QBrush(style.NA_COLOR)
        hatch = QBrush(style.NA_HATCH_COLOR, Qt.BrushStyle.BDiagPattern)
        for rect in self._rects:
            painter.fillRect(rect, solid)
            painter.fillRect(rect, hatch)


class CellTexts(pg.GraphicsObject):
    """The value printed in each cell ("0.73", "n/a"), drawn in one paint call.

    Text keeps its on-screen size whatever the zoom: each cell's rectangle is mapped to
    device pixels and the text drawn there without the view's scaling. Cells smaller than
    the text show nothing (the colour and the tooltip still tell the value). One item for
    all cells instead of one ``TextItem`` per cell: ~100x faster to build.
    """

    MIN_W, MIN_H = 30.0, 13.0

    def __init__(self) -> None:
        super().__init__()
        self.labels: list[list[str]] = []
        self.colors: list[list[QColor]] = []
        self._bounds = QRectF()
        self.font = QFont()
        self.font.setPointSizeF(9.0)

    def set_cells(self, labels: list[list[str]], colors: list[list[QColor]]) -> None:
        """``labels`` / ``colors``: P rows x C columns."""
        self.prepareGeometryChange()
        self.labels, self.colors = labels, colors
        p, c = len(labels), (len(labels[0]) if labels else 0)
        self._bounds = QRectF(-0.5, -0.5, c, p) if p and c else QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter, *_args) -> None:
        if not self.labels:
            return
        tr = painter.transform()
        cell = tr.mapRect(QRectF(0, 0, 1, 1))
        if abs(cell.width()) < self.MIN_W or abs(cell.height()) < self.MIN_H:
            return
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font)
        flags = int(Qt.AlignmentFlag.AlignCenter)
        # a label "first\nsecond" shows its second line only where the cell has room for both
        fm = QFontMetrics(self.font)
        two = abs(cell.height()) >= 2 * fm.height() + 4
        room = abs(cell.width()) - 4
        for r, row in enumerate(self.labels):
            for c, text in enumerate(row):
                rect = tr.mapRect(QRectF(c - 0.5, r - 0.5, 1.0, 1.0))
                painter.setPen(self.colors[r][c])
                lines = text.split("\n") if two else text.split("\n", 1)[:1]
                # "top 0.0074 %" that does not fit its cell drops the word "top"
                lines = [
                    ln[4:] if ln.startswith("top ") and fm.horizontalAdvance(ln) > room else ln
                    for ln in lines
                ]
                # ... and a "0.00079 %" that still does not fit keeps one significant digit ("0.0008 %")
                lines = [
                    _one_digit(ln) if ln.endswith(" %") and fm.horizontalAdvance(ln) > room else ln
                    for ln in lines
                ]
                painter.drawText(rect, flags, "\n".join(lines))
        painter.restore()


def tooltip_for(grid: ScoreGrid, row: int, col: int) -> str:
    """Plain-text tooltip of one cell: pair, context, score, fold sd, known label."""
    a, b = grid.pairs[row]
    ctx = grid.contexts[col]
    lines = [f"{a} – {b}   in {ctx}"]
    if grid.is_na(row, col):
        genes = grid.missing.get((row, col)) or []
        who = ", ".join(genes) if genes else "a gene of this pair"
        lines.append(f"n/a: {who} not in the {ctx} model")
    else:
        s = grid.score[row, col]
        sd = grid.sd[row, col]
        lines.append(
            f"SL score {s:.3f}"
            + ("" if np.isnan(sd) else f"  (fold sd {sd:.3f})")
            + f", raw: only comparable within {ctx}"
        )
        if grid.has_ranks(col):
            lines.append(
                f"genome-wide rank: {describe_rank(grid.top_fraction[row, col], grid.percentile[row, col])}"
                f" of all gene pairs of {ctx}"
            )
            rec = grid.heldout_recall[row, col]
            if not np.isnan(rec):
                lines.append(
                    f"held-out recall {100 * rec:.0f} %: share of {ctx}'s held-out known SL pairs scoring "
                    "at least this high (not a probability of SL)"
                )
        else:
            lines.append(
                f"no rank map for the {ctx} model: coloured by its raw score, no genome-wide rank"
            )
        typ = grid.typical_top[row, col]
        if grid.mode == "partners" and not np.isnan(typ):
            above = grid.above_typical[row, col]
            lines.append(
                f"typical rank of {b} with random genes in {ctx}: {describe_top(typ)}"
                + ("" if np.isnan(above) else f"; this pair: {above:+.1f} decades above it")
            )
    k = grid.known[row, col]
    lines.append("known label: " + ("unknown" if np.isnan(k) else ("SL" if k >= 0.5 else "non-SL")))
    t = grid.in_training[row, col]
    if not np.isnan(t) and t >= 0.5:
        lines.append("this pair was in the model's training labels")
    auc = grid.context_auc.get(ctx, float("nan"))
    if auc == auc:
        lines.append(f"{ctx} model test AUC {auc:.3f}")
    lines.append("click for details · right-click to copy or open the genes' pages")
    return "\n".join(lines)


class HeatmapWidget(pg.GraphicsLayoutWidget):
    """Heatmap of a :class:`ScoreGrid`.

    Signals:
        cellClicked(row: int, col: int)
        cellHovered(row: int, col: int): (-1, -1) when leaving the cells.
        cellMenuRequested(row: int, col: int, global_pos: QPoint): a cell was right-clicked.
    """

    cellClicked = Signal(int, int)
    cellHovered = Signal(int, int)
    cellMenuRequested = Signal(int, int, QPoint)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.grid = ScoreGrid.empty()
        #: COLOR_RANK (default) or COLOR_RAW; see :meth:`set_color_mode`
        self.color_mode = COLOR_RANK
        self.ci.setContentsMargins(6, 6, 6, 6)
        self.ci.setSpacing(4)

        self.title = self.ci.addLabel("", row=0, col=0, colspan=2, size="11pt", bold=True)
        self.plot = self.ci.addPlot(row=1, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        vb = self.plot.getViewBox()
        vb.invertY(True)
        vb.setMouseEnabled(x=False, y=True)
        vb.setDefaultPadding(0.0)
        for name in ("left", "top", "bottom"):
            self.plot.showAxis(name)
            ax = self.plot.getAxis(name)
            ax.setPen(pg.mkPen(None))
            ax.setTextPen(pg.mkPen(style.TEXT))
            # column labels are elided to their column's width, so none needs hiding
            ax.setStyle(
                tickLength=0, autoExpandTextSpace=True, hideOverlappingLabels=(name == "left")
            )
        bottom = self.plot.getAxis("bottom")
        bottom.setTextPen(pg.mkPen(style.MUTED))
        bottom.setLabel("test AUC of each model", color=style.MUTED.name())
        bottom.enableAutoSIPrefix(False)
        self.plot.hideAxis("right")

        self.hatch = NotAvailableCells()
        self.hatch.setZValue(-10)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(0)
        self.plot.addItem(self.hatch)
        self.plot.addItem(self.image)

        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=style.score_colormap(),
            label=RANK_LABEL,
            interactive=False,
            rounding=0.01,
            width=16,
            colorMapMenu=False,
        )
        self.colorbar.setImageItem(self.image)
        self.ci.addItem(self.colorbar, row=1, col=1)
        self.legend = self.ci.addLabel("", row=2, col=0, colspan=2, size="9pt", color=style.MUTED)

        self.texts = CellTexts()
        self.texts.setZValue(3)
        self.plot.addItem(self.texts, ignoreBounds=True)
        self.markers = pg.ScatterPlotItem(pxMode=True)
        self.markers.setZValue(5)
        self.plot.addItem(self.markers)
        self._hover_rect = QGraphicsRectItem()
        self._hover_rect.setPen(QPen(QColor(255, 255, 255), 0))
        self._hover_rect.pen().setCosmetic(True)
        pen = QPen(QColor(20, 20, 20))
        pen.setCosmetic(True)
        pen.setWidthF(1.5)
        self._hover_rect.setPen(pen)
        self._hover_rect.setZValue(8)
        self._hover_rect.hide()
        self._select_rect = QGraphicsRectItem()
        pen = QPen(QColor(220, 40, 40))
        pen.setCosmetic(True)
        pen.setWidthF(3.0)
        self._select_rect.setPen(pen)
        self._select_rect.setZValue(9)
        self._select_rect.hide()
        self.plot.addItem(self._hover_rect, ignoreBounds=True)
        self.plot.addItem(self._select_rect, ignoreBounds=True)
        self.selected: tuple[int, int] | None = None
        self._hovered = (-1, -1)

        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        vb.sigRangeChanged.connect(self._on_range_changed)
        vb.sigResized.connect(self._on_resized)
        self._placeholder()
        self._set_preferred_height()

    # ------------------------------------------------------------------
    def _placeholder(self) -> None:
        self.title.setText("Type two genes above to see their SL score in every cancer")
        self.legend.setText(
            "e.g. PARP1 and BRCA1 · or the partners of one gene (ATR) · or a gene list<br>"
            "Drop a cBioPortal study folder or an SL label table on the window to train "
            "your own model"
        )
        self.colorbar.hide()
        self.plot.getAxis("bottom").showLabel(False)

    def show_message(self, title: str, text: str = "") -> None:
        """Words in place of an empty picture (e.g. "no pair matches the filters")."""
        self.title.setText(title)
        self.legend.setText(text)

    def set_grid(self, grid: ScoreGrid, title: str = "") -> None:
        """Show ``grid`` (rows = pairs, columns = contexts)."""
        self.grid = grid
        self.selected = None
        self._select_rect.hide()
        self._hover_rect.hide()
        p, c = grid.shape
        if grid.is_empty:
            self.image.clear()
            self.hatch.set_mask(np.zeros((0, 0), dtype=bool))
            self.texts.set_cells([], [])
            self.markers.clear()
            self._set_ticks()
            self._placeholder()
            self._set_preferred_height()
            return
        self.colorbar.show()
        self.plot.getAxis("bottom").showLabel(True)
        rect = QRectF(-0.5, -0.5, c, p)
        self.image.setImage(
            grid.color_values(self.color_mode).astype(np.float32),
            autoLevels=False,
            levels=(0.0, 1.0),
        )
        self.image.setRect(rect)
        self.colorbar.setLevels((0.0, 1.0))
        self._set_colorbar()
        na = np.isnan(grid.score)
        self.hatch.set_mask(na)
        self._make_texts()
        self._make_markers()
        self.title.setText(title or self._default_title())
        self._set_preferred_height()
        legend = []
        if self.color_mode == COLOR_RANK and grid.any_ranks():
            legend.append(
                "colour: genome-wide rank (comparable between contexts, not a probability)"
            )
        elif self.color_mode == COLOR_RANK:
            legend.append("colour: raw SL score (no rank maps)")
        else:
            legend.append("colour: raw SL score (each context on its own scale)")
        if (
            self.color_mode == COLOR_RANK
            and grid.any_ranks()
            and not all(grid.has_ranks(j) for j in range(c))
        ):
            legend.append(RAW_MARK_NOTE)
        if na.any():
            legend.append("hatched n/a: a gene is not in that model")
        if (~np.isnan(grid.known)).any():
            legend.append(
                "★ known SL, ✕ known non-SL (the model's training data or your label tables)"
            )
        # at most two items per line: a long one-line label would widen the plot past the window
        lines: list[str] = []
        for item in legend:
            if lines and len(lines[-1]) + len(item) < 95 and "   ·   " not in lines[-1]:
                lines[-1] += "   ·   " + item
            else:
                lines.append(item)
        self.legend.setText("<br>".join(lines))
        vb = self.plot.getViewBox()
        vb.setLimits(xMin=-0.5, xMax=c - 0.5, yMin=-0.5, minXRange=c, maxXRange=c, minYRange=1)
        self._fit_view()

    def set_color_mode(self, mode: str) -> None:
        """Colour by genome-wide rank (:data:`COLOR_RANK`) or by raw score (:data:`COLOR_RAW`)."""
        if mode not in (COLOR_RANK, COLOR_RAW):
            raise ValueError(f"unknown colour mode {mode!r}")
        if mode == self.color_mode:
            return
        self.color_mode = mode
        if not self.grid.is_empty:
            selected = self.selected
            self.set_grid(self.grid)
            if selected is not None:
                self.selected = selected
                self._select_rect.setRect(QRectF(selected[1] - 0.5, selected[0] - 0.5, 1, 1))
                self._select_rect.show()
        else:
            self._set_colorbar()

    def rank_colors(self) -> bool:
        """True when the colours (and the colour bar) show the genome-wide rank."""
        return self.color_mode == COLOR_RANK and self.grid.any_ranks()

    def colorbar_ticks(self) -> list[tuple[float, str]]:
        """The colour bar's ticks: (position 0..1, text); in rank mode in words ("top 1 %")."""
        if self.rank_colors():
            return rank_ticks()
        return [(v, f"{v:.1f}") for v in np.linspace(0.0, 1.0, 6)]

    def colorbar_label(self) -> str:
        return RANK_LABEL if self.rank_colors() else RAW_LABEL

    def _set_colorbar(self) -> None:
        ax = self.colorbar.axis
        ticks = self.colorbar_ticks()
        ax.setTicks([ticks])
        fm = QFontMetrics(ax.style.get("tickFont") or QFont())
        ax.setWidth(max(45, max(fm.horizontalAdvance(t) for _, t in ticks) + 12))
        self.colorbar.getAxis("left").setLabel(self.colorbar_label())

    def preferred_height(self) -> int:
        """Pixels the widget needs to show the rows at a comfortable cell height (capped)."""
        p = self.grid.shape[0]
        if p == 0:
            return 300
        cell = 48 if p <= 3 else (32 if p <= 12 else 22)
        return int(max(MIN_HEIGHT_PX, CHROME_PX + min(p, MAX_VISIBLE_ROWS) * cell))

    def _set_preferred_height(self) -> None:
        self.setMaximumHeight(self.preferred_height())
        self.updateGeometry()

    def _default_title(self) -> str:
        g = self.grid
        if g.mode == "partners":
            return f"Top SL partners of {g.focus_gene}"
        if g.mode == "pair" and g.pairs:
            a, b = g.pairs[0]
            what = "genome-wide rank" if self.rank_colors() else "SL score"
            return f"{a} – {b}: {what} per cancer context"
        return f"{len(g.pairs)} gene pairs x {len(g.contexts)} contexts"

    def _fit_view(self) -> None:
        p, c = self.grid.shape
        if p == 0:
            return
        vb = self.plot.getViewBox()
        h = max(vb.height(), 1.0)
        rows = min(p, MAX_VISIBLE_ROWS)
        rows_for_height = h / MAX_CELL_PX
        shown = max(rows, rows_for_height)
        vb.setLimits(yMax=max(p, shown) - 0.5, maxYRange=max(shown, 1))
        vb.setRange(xRange=(-0.5, c - 0.5), yRange=(-0.5, shown - 0.5), padding=0.0, update=True)
        self._set_ticks()

    def _make_texts(self) -> None:
        g = self.grid
        p, c = g.shape
        if p * c > MAX_TEXT_CELLS or p == 0:
            self.texts.set_cells([], [])
            return

        values = g.color_values(self.color_mode)
        ranked = [g.has_ranks(j) for j in range(c)]
        labels, colors = [], []
        for r in range(p):
            row_l, row_c = [], []
            for j in range(c):
                s = g.score[r, j]
                if np.isnan(s):
                    row_l.append("n/a")
                    row_c.append(QColor(style.MUTED))
                else:
                    raw = f"{s:.2f}"
                    if ranked[j] and not np.isnan(g.top_fraction[r, j]):
                        top = describe_top(g.top_fraction[r, j])
                        row_l.append(
                            f"{top}\n{raw}" if self.color_mode == COLOR_RANK else f"{raw}\n{top}"
                        )
                    else:
                        row_l.append(raw)
                    row_c.append(style.text_color_for(values[r, j]))
            labels.append(row_l)
            colors.append(row_c)
        self.texts.set_cells(labels, colors)

    def _make_markers(self) -> None:
        g = self.grid
        rows, cols = np.nonzero(~np.isnan(g.known))
        if rows.size == 0:
            self.markers.clear()
            return
        spots = []
        for r, j in zip(rows.tolist(), cols.tolist(), strict=True):
            sl = g.known[r, j] >= 0.5
            spots.append(
                {
                    "pos": (j + 0.36, r - 0.28),
                    "symbol": "star" if sl else "x",
                    "size": 11,
                    "brush": pg.mkBrush(255, 80, 80) if sl else pg.mkBrush(120, 120, 120),
                    "pen": pg.mkPen(255, 255, 255, width=0.8),
                }
            )
        self.markers.setData(spots)

    # ------------------------------------------------------------------
    def _set_ticks(self) -> None:
        g = self.grid
        p, c = g.shape
        vb = self.plot.getViewBox()
        top = self.plot.getAxis("top")
        bottom = self.plot.getAxis("bottom")
        left = self.plot.getAxis("left")
        if p == 0:
            for ax in (top, bottom, left):
                ax.setTicks([[]])
            return
        px_per_col = max(vb.width(), 1.0) / max(c, 1)
        fm_top = QFontMetrics(top.style.get("tickFont") or QFont())
        room = max(int(px_per_col) - 6, 12)
        mark = self.color_mode == COLOR_RANK and g.any_ranks()
        top.setTicks(
            [
                [
                    (
                        j,
                        fm_top.elidedText(
                            n + (RAW_MARK if mark and not g.has_ranks(j) else ""),
                            Qt.TextElideMode.ElideRight,
                            room,
                        ),
                    )
                    for j, n in enumerate(g.contexts)
                ]
            ]
        )
        aucs = []
        for j, n in enumerate(g.contexts):
            a = g.context_auc.get(n, float("nan"))
            aucs.append((j, f"{a:.2f}" if a == a else "–"))
        bottom.setTicks([aucs])
        # row labels: every row if there is room, else every k-th
        (y0, y1) = vb.viewRange()[1]
        visible = max(y1 - y0, 1e-9)
        px_per_row = max(vb.height(), 1.0) / visible
        fm = QFontMetrics(left.font() if hasattr(left, "font") else QFont())
        need = fm.height() + 1
        stride = max(1, math.ceil(need / max(px_per_row, 1e-6)))
        labels = g.row_labels()
        left.setTicks([[(r, _elide(labels[r])) for r in range(0, p, stride)]])
        width = max(fm.horizontalAdvance(_elide(s)) for s in labels) + 14
        left.setWidth(min(max(width, 60), 260))

    def _on_range_changed(self, *_args) -> None:
        self._set_ticks()

    def _on_resized(self, *_args) -> None:
        self._fit_view()

    # ------------------------------------------------------------------
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int]:
        """(row, col) under a scene position, or (-1, -1)."""
        vb = self.plot.getViewBox()
        if self.grid.is_empty or not vb.sceneBoundingRect().contains(scene_pos):
            return (-1, -1)
        pt = vb.mapSceneToView(scene_pos)
        r, c = round(pt.y()), round(pt.x())
        p, n = self.grid.shape
        if 0 <= r < p and 0 <= c < n:
            return (r, c)
        return (-1, -1)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        cell = self.cell_at(pos)
        if cell == self._hovered:
            return
        self._hovered = cell
        r, c = cell
        if r < 0:
            self._hover_rect.hide()
            QToolTip.hideText()
        else:
            self._hover_rect.setRect(QRectF(c - 0.5, r - 0.5, 1, 1))
            self._hover_rect.show()
            QToolTip.showText(QCursor.pos(), self.tooltip_text(r, c), self)
        self.cellHovered.emit(r, c)

    def _on_mouse_clicked(self, ev) -> None:
        if ev.button() == Qt.MouseButton.RightButton:
            r, c = self.cell_at(ev.scenePos())
            if r >= 0:
                ev.accept()
                self.cellMenuRequested.emit(r, c, ev.screenPos().toPoint())
            return
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        r, c = self.cell_at(ev.scenePos())
        if r >= 0:
            self.select_cell(r, c)

    def select_cell(self, row: int, col: int) -> None:
        """Outline a cell and emit :attr:`cellClicked` (as a click would)."""
        self.selected = (row, col)
        self._select_rect.setRect(QRectF(col - 0.5, row - 0.5, 1, 1))
        self._select_rect.show()
        self.cellClicked.emit(row, col)

    def tooltip_text(self, row: int, col: int) -> str:
        return tooltip_for(self.grid, row, col)

    # ------------------------------------------------------------------
    def image_array(self) -> np.ndarray:
        """float [P, C]: the array drawn, colour-scale positions in [0, 1] (NaN = n/a): the raw
        score in raw mode and for contexts without a rank map, else the scaled rank."""
        img = self.image.image
        return np.zeros((0, 0)) if img is None else np.asarray(img)

    def export_image(self, path: str | Path, scale: float = 2.0) -> Path:
        """Write the heatmap (title, axes, colour bar, legend) as PNG or SVG, by extension.

        PNG goes through pyqtgraph's ``ImageExporter`` at ``scale`` x the on-screen size.
        SVG is rendered with Qt's ``QSvgGenerator``: pyqtgraph 0.14's ``SVGExporter`` fails on
        the path syntax Qt >= 6.10 writes (pyqtgraph issue #3485). The file is written under a
        temporary name and renamed, so a failed export leaves nothing half-written.
        """

        def write_png(tmp: Path) -> None:
            exporter = pg.exporters.ImageExporter(self.ci)
            exporter.parameters()["width"] = int(self.ci.boundingRect().width() * scale)
            exporter.parameters()["antialias"] = True
            exporter.export(str(tmp))

        return write_image(path, self._write_svg, write_png)

    def _write_svg(self, path: Path) -> None:
        source = self.ci.sceneBoundingRect()
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(source.size().toSize())
        gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
        gen.setTitle(self.title.text or "SynLeaF heatmap")
        gen.setDescription(
            f"SynLeaF Desktop {__version__} SL score heatmap; colour: {self.colorbar_label()}"
        )
        painter = QPainter()
        if not painter.begin(gen):
            raise OSError(f"{path}: could not write the SVG file")
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.scene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
        finally:
            painter.end()
