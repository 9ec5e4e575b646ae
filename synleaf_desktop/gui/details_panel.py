"""Details of one heatmap cell: per-fold scores, both gene orders, unimodal scores, labels,
and how good the context's model is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from . import style


@dataclass
class CellDetails:
    """Everything the details panel shows about one (pair, context) cell.

    Attributes:
        gene_a, gene_b: resolved symbols, in the order the user gave them.
        context: context name.
        in_context: False if a gene is outside the context (then no score).
        missing: genes outside the context.
        score: mean of both orders and all folds, or None.
        sd: standard deviation over folds, or None.
        folds: per-fold scores (each the mean of both orders).
        by_order: ``(p(a, b), p(b, a))`` or None.
        modality: ``{"omics": p, "kg": p}`` (unimodal teachers' scores) or empty.
        known_label: 1, 0 or None (unknown).
        in_training: True/False if the pair was in the context's training labels; None if unknown.
        info: the context's :meth:`ScoringEngine.context_info` dict.
    """

    gene_a: str
    gene_b: str
    context: str
    in_context: bool = True
    missing: list[str] = field(default_factory=list)
    score: float | None = None
    sd: float | None = None
    folds: list[float] = field(default_factory=list)
    by_order: tuple[float, float] | None = None
    modality: dict[str, float] = field(default_factory=dict)
    known_label: int | None = None
    in_training: bool | None = None
    info: dict[str, Any] = field(default_factory=dict)


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "–" if xf != xf else f"{xf:.{digits}f}"


def metric(info: dict[str, Any], *names: str) -> float | None:
    """Find a headline metric in a context-info dict (``validation``/``test`` sub-dicts or flat)."""
    for name in names:
        cur: Any = info
        ok = True
        for part in name.split("."):
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            else:
                ok = False
                break
        if ok and isinstance(cur, (int, float)) and not isinstance(cur, bool):
            return float(cur)
    return None


def val_auc(info: dict[str, Any]) -> float | None:
    return metric(info, "val_auc", "validation.auc", "metrics.val_auc", "validation.roc_auc", "headline.val_auc")


def test_auc(info: dict[str, Any]) -> float | None:
    return metric(info, "test_auc", "test.auc", "metrics.test_auc", "test.roc_auc", "headline.test_auc")


class DetailsPanel(QWidget):
    """Shows a :class:`CellDetails`; empty with a hint until a cell is clicked."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.details: CellDetails | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        self.title = QLabel("Details")
        self.title.setObjectName("title")
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        self.hint = QLabel("Click a cell of the heatmap (or the table) to see how its score was made: "
                           "each cross-validation model's score, both gene orders, the omics-only and "
                           "knowledge-graph-only scores, and the known label.")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        self.score_label = QLabel()
        self.score_label.setObjectName("bigscore")
        self.score_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.score_label)
        self.score_note = QLabel()
        self.score_note.setObjectName("hint")
        self.score_note.setWordWrap(True)
        body.addWidget(self.score_note)

        self.fold_plot = pg.PlotWidget(background="w")
        self.fold_plot.setMenuEnabled(False)
        self.fold_plot.hideButtons()
        self.fold_plot.setMouseEnabled(False, False)
        self.fold_plot.setFixedHeight(140)
        self.fold_plot.setYRange(0, 1, padding=0.02)
        self.fold_plot.setLabel("left", "score")
        self.fold_plot.setLabel("bottom", "cross-validation model (fold)")
        self.fold_plot.getPlotItem().showGrid(y=True, alpha=0.25)
        body.addWidget(self.fold_plot)

        form_frame = QFrame()
        self.form = QFormLayout(form_frame)
        self.form.setContentsMargins(0, 4, 0, 0)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("folds", "Per fold"), ("orders", "Both gene orders"), ("omics", "Omics only"),
                           ("kg", "Knowledge graph only"), ("known", "Known label"),
                           ("training", "In training labels"), ("model", "Model"), ("auc", "Model quality")):
            w = QLabel()
            w.setWordWrap(True)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = w
            self.form.addRow(label + ":", w)
        body.addWidget(form_frame)
        body.addStretch(1)
        lay.addWidget(self.body)
        lay.addStretch(1)
        self.body.hide()

    def clear(self) -> None:
        self.details = None
        self.title.setText("Details")
        self.hint.show()
        self.body.hide()

    def show_details(self, d: CellDetails) -> None:
        self.details = d
        self.hint.hide()
        self.body.show()
        self.title.setText(f"{d.gene_a} – {d.gene_b}   in {d.context}")
        info = d.info or {}
        self.fold_plot.clear()
        if not d.in_context or d.score is None:
            who = ", ".join(d.missing) if d.missing else "one of the genes"
            self.score_label.setText("n/a")
            self.score_label.setStyleSheet(f"color: {style.MUTED.name()};")
            self.score_note.setText(f"{who} is not in the {d.context} model (no data for it in that "
                                    "cohort or knowledge graph), so this pair cannot be scored there.")
            self.fold_plot.hide()
            for key in ("folds", "orders", "omics", "kg"):
                self.fields[key].setText("–")
        else:
            self.score_label.setText(f"{d.score:.3f}")
            self.score_label.setStyleSheet("")
            if len(d.folds) == 1:
                trained = int(info.get("folds_trained") or 1)
                why = (f"1 of its {trained} trained cross-validation models, to keep the bundled models "
                       "small" if trained > 1 else "its one cross-validation model (a quick run)")
                self.score_note.setText(f"SL score of this model, which ships {why}; the mean of both gene "
                                        "orders. One model gives no fold spread.")
            else:
                sd = "" if d.sd is None else f" ± {d.sd:.3f} (sd over {len(d.folds) or '?'} folds)"
                self.score_note.setText(f"SL score{sd}: the mean over the cross-validation models and "
                                        "both gene orders.")
            self._plot_folds(d)
            self.fields["folds"].setText(", ".join(f"{x:.3f}" for x in d.folds) if d.folds else "–")
            if d.by_order is not None:
                pab, pba = d.by_order
                nb = "\u00a0"  # each order on one line: wrap between lines, not inside one
                self.fields["orders"].setText(f"{d.gene_a}{nb}→{nb}{d.gene_b}:{nb}{pab:.3f}\n"
                                              f"{d.gene_b}{nb}→{nb}{d.gene_a}:{nb}{pba:.3f}\n"
                                              "(the model is order-dependent; the score averages both)")
            else:
                self.fields["orders"].setText("–")
            na_mod = "not stored in this model"
            self.fields["omics"].setText(_fmt(d.modality.get("omics")) if "omics" in d.modality else na_mod)
            self.fields["kg"].setText(_fmt(d.modality.get("kg")) if "kg" in d.modality else na_mod)
        if d.known_label is None:
            self.fields["known"].setText("unknown (import a label table to see known pairs)")
        else:
            self.fields["known"].setText("SL (known synthetic-lethal pair)" if d.known_label == 1
                                         else "non-SL (known negative)")
        if d.in_training is None:
            self.fields["training"].setText("unknown")
        else:
            self.fields["training"].setText("yes: the model saw this pair while training, so its score is "
                                            "not an independent prediction" if d.in_training else "no")
        kind = info.get("kind", "")
        strategy = info.get("strategy", "")
        omics = info.get("omics") or []
        parts = [d.context + (f" ({kind})" if kind else "")]
        if strategy:
            parts.append(f"strategy {strategy}")
        if omics:
            long = {"mut": "mutation", "cna": "copy number", "exp": "expression", "myl": "methylation"}
            parts.append("omics: " + ", ".join(long.get(str(o), str(o)) for o in omics))
        samples = info.get("sample_counts") or info.get("samples") or info.get("n_samples")
        if samples:
            if isinstance(samples, dict):
                samples = ", ".join(f"{k} {v}" for k, v in samples.items())
            parts.append(f"samples: {samples}")
        self.fields["model"].setText("\n".join(parts))
        v, t = val_auc(info), test_auc(info)
        quality = []
        if v is not None:
            quality.append(f"validation AUC {v:.3f}")
        if t is not None:
            quality.append(f"test AUC {t:.3f}")
        self.fields["auc"].setText(", ".join(quality) if quality else "not recorded")

    def _plot_folds(self, d: CellDetails) -> None:
        if not d.folds:
            self.fold_plot.hide()
            return
        self.fold_plot.show()
        x = np.arange(1, len(d.folds) + 1)
        y = np.asarray(d.folds, dtype=float)
        bars = pg.BarGraphItem(x=x, height=y, width=0.6, brush=pg.mkBrush(style.ACCENT.lighter(150)),
                               pen=pg.mkPen(style.ACCENT))
        self.fold_plot.addItem(bars)
        if d.score is not None:
            self.fold_plot.addItem(pg.InfiniteLine(pos=d.score, angle=0,
                                                   pen=pg.mkPen(QColor(220, 40, 40), width=2,
                                                                style=Qt.PenStyle.DashLine)))
        self.fold_plot.getPlotItem().getAxis("bottom").setTicks([[(int(i), str(int(i))) for i in x]])
        self.fold_plot.setXRange(0.4, len(d.folds) + 0.6, padding=0)
        self.fold_plot.setYRange(0, 1, padding=0.02)
