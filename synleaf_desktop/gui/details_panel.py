"""Details of one heatmap cell: per-fold scores, both gene orders, unimodal scores, labels,
how good the context's model is, the pair in the context's tumours (co-inactivation and each
gene's cohort profile) and the annotations the two genes share."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..app.details import (
    COHORT_NOTE,
    CellDetails,
    _fmt,
    breakable,
    cohort_text,
    gene_names_text,
    is_pair_aware,
    known_label_text,
    profiles_text,
    quality_text,
    rank_text,
    recall_text,
    shared_text,
    synleaf_score_text,
)
from ..scoring.calibration import RECALL_NOTE
from . import style

#: fields shown across the whole panel, under their section heading (long, wrapped text)
SPANNING = ("cohort", "profiles", "shared")


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
        self.hint = QLabel(
            "Click a cell of the heatmap (or the table) to see how its score was made: "
            "each cross-validation model's score, both gene orders, the omics-only and "
            "knowledge-graph-only scores, and the known label."
        )
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)

        self.body = QWidget()
        # everything below the title scrolls (the dock is narrow; nothing is ever cut off)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.body)
        self.scroll_area.viewport().installEventFilter(self)
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
        #: section headings ("cohort", "shared") spanning the form
        self.sections: dict[str, QLabel] = {}
        for key, label in (
            ("genes", "Genes"),
            ("rank", "Genome-wide rank"),
            ("recall", "Held-out recall"),
            ("synleaf", "Before pair evidence"),
            ("folds", "Per fold"),
            ("orders", "Both gene orders"),
            ("omics", "Omics only"),
            ("kg", "Knowledge graph only"),
            ("known", "Known label"),
            ("training", "In training labels"),
            ("evidence", "Evidence"),
            ("§cohort", "Tumours (cohort)"),
            ("cohort", "Co-inactivation"),
            ("profiles", "Per gene"),
            ("§shared", "Why (shared annotations)"),
            ("shared", "Shared"),
            ("§model", "The model"),
            ("model", "Model"),
            ("auc", "Model quality"),
        ):
            if key.startswith("§"):
                head = QLabel(label)
                head.setStyleSheet("font-weight: bold; margin-top: 6px;")
                head.setWordWrap(True)
                head.setMinimumWidth(1)  # wrap in a narrow dock instead of widening the panel
                head.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
                self.sections[key[1:]] = head
                self.form.addRow(head)
                continue
            w = QLabel()
            w.setWordWrap(True)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # wrap, never widen the panel: a word wider than the dock is the only thing ever cut
            w.setMinimumWidth(1)
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.fields[key] = w
            if key in SPANNING:
                # long text under its section heading: the whole width of the panel
                w.setContentsMargins(12, 0, 0, 2)
                w.setAccessibleName(label)
                self.form.addRow(w)
            else:
                self.form.addRow(label + ":", w)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        body.addWidget(form_frame)
        body.addStretch(1)
        lay.addWidget(self.scroll_area, 1)
        lay.addStretch(0)
        self.fields["cohort"].setToolTip(COHORT_NOTE)
        self.fields["profiles"].setToolTip(
            "Each gene in this context's tumours, as cBioPortal counts it: the share of the profiled tumours "
            "with a (non-silent) mutation, a deep deletion or an amplification. Mutation and copy-number data "
            "may cover different numbers of tumours; each share names its own."
        )
        self.fields["shared"].setToolTip(
            "Annotations both genes are directly annotated with in the knowledge graph shipped with the app "
            "(GO biological processes, KEGG pathways), fewest genes first: a process of 15 genes says more than "
            "one of 2,000. They show what the knowledge-graph branch can draw on; they are not evidence of SL."
        )
        self.body.hide()
        self.scroll_area.hide()

    def eventFilter(self, obj, event) -> bool:
        from PySide6.QtCore import QEvent

        if obj is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_body()
        return super().eventFilter(obj, event)

    def _fit_body(self) -> None:
        """Give the body the height its wrapped lines need at the scroll area's width (a scroll
        area does not ask its widget's height for width by itself, and would cut lines off)."""
        lay = self.body.layout()
        w = self.scroll_area.viewport().width()
        if lay is None or w <= 0:
            return
        # new texts: forget the row heights worked out for the previous ones
        self.form.invalidate()
        lay.invalidate()
        h = lay.heightForWidth(w) if lay.hasHeightForWidth() else lay.sizeHint().height()
        self.body.setMinimumHeight(max(h, lay.minimumSize().height()))
        lay.activate()

    def clear(self) -> None:
        self.details = None
        self.title.setText("Details")
        self.hint.show()
        self.body.hide()
        self.scroll_area.hide()

    def show_details(self, d: CellDetails) -> None:
        self.details = d
        self.hint.hide()
        self.scroll_area.show()
        self.body.show()
        self.title.setText(f"{d.gene_a} – {d.gene_b}   in {d.context}")
        info = d.info or {}
        self.fold_plot.clear()
        if not d.in_context or d.score is None:
            who = ", ".join(d.missing) if d.missing else "one of the genes"
            self.score_label.setText("n/a")
            self.score_label.setStyleSheet(f"color: {style.MUTED.name()};")
            self.score_note.setText(
                f"{who} is not in the {d.context} model (no data for it in that "
                "cohort or knowledge graph), so this pair cannot be scored there."
            )
            self.fold_plot.hide()
            for key in ("folds", "orders", "omics", "kg"):
                self.fields[key].setText("–")
            self.fields["rank"].setText("–")
            self.fields["recall"].setText("–")
            self.fields["synleaf"].setText("")
            self.form.setRowVisible(self.fields["synleaf"], False)
        else:
            self.score_label.setText(f"{d.score:.3f}")
            self.score_label.setStyleSheet("")
            if len(d.folds) == 1:
                trained = int(info.get("folds_trained") or 1)
                why = (
                    f"1 of its {trained} trained cross-validation models, to keep the bundled models "
                    "small"
                    if trained > 1
                    else "its one cross-validation model (a quick run)"
                )
                self.score_note.setText(
                    f"SL score of this model, which ships {why}; the mean of both gene "
                    "orders. One model gives no fold spread."
                )
            else:
                sd = "" if d.sd is None else f" ± {d.sd:.3f} (sd over {len(d.folds) or '?'} folds)"
                self.score_note.setText(
                    f"Pair-aware SL score{sd}: the mean over the cross-validation folds of the fold "
                    "model's score (both gene orders) stacked with this pair's evidence."
                    if is_pair_aware(d)
                    else f"SL score{sd}: the mean over the cross-validation models and both gene "
                    "orders."
                )
            self.score_note.setText(
                self.score_note.text() + f" Raw: comparable only within {d.context}; "
                "the rank below compares contexts."
            )

            self.fields["rank"].setText(rank_text(d))
            self.fields["recall"].setText(recall_text(d))
            self.fields["synleaf"].setText(synleaf_score_text(d))
            # only models whose score is the pair-aware one have the row
            self.form.setRowVisible(self.fields["synleaf"], bool(synleaf_score_text(d)))
            self.fields["recall"].setToolTip(RECALL_NOTE[0].upper() + RECALL_NOTE[1:] + ".")
            self._plot_folds(d)
            self.fields["folds"].setText(", ".join(f"{x:.3f}" for x in d.folds) if d.folds else "–")
            if d.by_order is not None:
                pab, pba = d.by_order
                nb = "\u00a0"  # keep "gene → gene:" apart from its number only where the panel is narrow
                self.fields["orders"].setText(
                    f"{d.gene_a} →{nb}{d.gene_b}: {pab:.3f}\n"
                    f"{d.gene_b} →{nb}{d.gene_a}: {pba:.3f}\n"
                    "(the model is order-dependent; the score averages both)"
                )
            else:
                self.fields["orders"].setText(
                    "– (the pair evidence has no gene order: the stacked fold scores average both)"
                    if is_pair_aware(d)
                    else "–"
                )
            na_mod = "not stored in this model"
            self.fields["omics"].setText(
                _fmt(d.modality.get("omics")) if "omics" in d.modality else na_mod
            )
            self.fields["kg"].setText(_fmt(d.modality.get("kg")) if "kg" in d.modality else na_mod)
        self.fields["genes"].setText(gene_names_text(d))
        self.fields["known"].setText(known_label_text(d))
        self.fields["evidence"].setText(
            "\n".join(breakable(x) for x in d.evidence)
            if d.evidence
            else "none in SynLethDB 2.0 or ELISL"
        )
        self.fields["cohort"].setText(cohort_text(d))
        rule = (d.cohort or {}).get("source")
        self.fields["cohort"].setToolTip(
            COHORT_NOTE + (f"\n\nLost here means: {rule}." if rule else "")
        )
        self.fields["profiles"].setText(profiles_text(d))
        self.fields["profiles"].setVisible(bool(self.fields["profiles"].text()))
        self.fields["shared"].setText(shared_text(d))
        self.sections["shared"].setText(f"Why (shared annotations): {d.gene_a} and {d.gene_b}")
        self.sections["cohort"].setText(f"Tumours (cohort): {d.context}")
        if d.in_training is None:
            self.fields["training"].setText("unknown")
        else:
            self.fields["training"].setText(
                "yes: the model saw this pair while training, so its score is "
                "not an independent prediction"
                if d.in_training
                else "no"
            )
        kind = info.get("kind", "")
        strategy = info.get("strategy", "")
        omics = info.get("omics") or []
        tags = [t for t in (kind, "trial: quick run, one fold" if info.get("trial") else "") if t]
        parts = [d.context + (f" ({', '.join(tags)})" if tags else "")]
        if strategy:
            parts.append(f"strategy {strategy}")
        if omics:
            long = {
                "mut": "mutation",
                "cna": "copy number",
                "exp": "expression",
                "myl": "methylation",
            }
            parts.append("omics: " + ", ".join(long.get(str(o), str(o)) for o in omics))
        samples = info.get("sample_counts") or info.get("samples") or info.get("n_samples")
        if samples:
            if isinstance(samples, dict):
                samples = ", ".join(f"{k} {v}" for k, v in samples.items())
            parts.append(f"samples: {samples}")
        self.fields["model"].setText("\n".join(parts))
        self.fields["auc"].setText(quality_text(info))
        self._fit_body()

    def _plot_folds(self, d: CellDetails) -> None:
        if not d.folds:
            self.fold_plot.hide()
            return
        self.fold_plot.show()
        x = np.arange(1, len(d.folds) + 1)
        y = np.asarray(d.folds, dtype=float)
        bars = pg.BarGraphItem(
            x=x,
            height=y,
            width=0.6,
            brush=pg.mkBrush(style.ACCENT.lighter(150)),
            pen=pg.mkPen(style.ACCENT),
        )
        self.fold_plot.addItem(bars)
        if d.score is not None:
            self.fold_plot.addItem(
                pg.InfiniteLine(
                    pos=d.score,
                    angle=0,
                    pen=pg.mkPen(QColor(220, 40, 40), width=2, style=Qt.PenStyle.DashLine),
                )
            )
        self.fold_plot.getPlotItem().getAxis("bottom").setTicks(
            [[(int(i), str(int(i))) for i in x]]
        )
        self.fold_plot.setXRange(0.4, len(d.folds) + 0.6, padding=0)
        self.fold_plot.setYRange(0, 1, padding=0.02)
