"""Details of one heatmap cell: per-fold scores, both gene orders, unimodal scores, labels,
how good the context's model is, the pair in the context's tumours (co-inactivation and each
gene's cohort profile) and the annotations the two genes share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
        label_source: where ``known_label`` comes from: "labels" (the user's label tables),
            "model" (the model's own training data) or None.
        evidence: lines from the shipped known-pairs table (label, source, PubMed ID, cell line).
        labelled_negative: True if the known-pairs table lists the pair as non-SL for this
            context; None when the table is not available.
        cohort: the pair's co-inactivation in the context's tumours (``ContextScore.evidence``:
            counts, ``expected``, ``p_depletion``, ``sentence``; or ``no_evidence`` with a
            ``sentence``); None without cohort data.
        profiles: ``{gene: cBioPortal-style profile}`` (``ContextScore.profiles``) or None.
        has_cohort: whether the context's model carries cohort data at all.
        shared_terms: annotations both genes share (``PairResult.shared_terms``) or None.
        gene_names: ``{symbol: full name}``; entrez: ``{symbol: Entrez ID}`` where known.
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
    label_source: str | None = None
    evidence: list[str] = field(default_factory=list)
    labelled_negative: bool | None = None
    #: genome-wide rank of the score in its context (None without a rank map)
    percentile: float | None = None
    top_fraction: float | None = None
    #: share of the context's held-out known SL pairs scoring at least as high (not a probability)
    heldout_recall: float | None = None
    #: held-out known SL pairs and universe pairs behind those numbers (None without a rank map)
    n_heldout: int | None = None
    n_universe_pairs: int | None = None
    cohort: dict[str, Any] | None = None
    profiles: dict[str, Any] | None = None
    has_cohort: bool = False
    shared_terms: dict[str, Any] | None = None
    gene_names: dict[str, str] = field(default_factory=dict)
    entrez: dict[str, int] = field(default_factory=dict)


#: tooltip of the "Tumours (cohort)" rows
COHORT_NOTE = (
    "Co-inactivation in this context's tumours: how many tumours lose each gene (a damaging "
    "mutation or a deep deletion, as the model card says), how many lose both, and how many would "
    "lose both by chance (n_a x n_b / tumours). p is a one-sided hypergeometric test for depletion "
    "(Fisher's exact test: fewer tumours with both lost than chance). SL pairs are rarely lost "
    "together (ISLE/DAISY idea); weak evidence on its own: on these cohorts it barely separates known "
    "SL pairs from the same genes paired differently. Context, not a verdict."
)
#: profile columns in the order shown, with their words
PROFILE_WORDS = (
    ("mutated", "mutated"),
    ("deep_deletion", "deep deletion"),
    ("amplification", "amplified"),
)
#: fields shown across the whole panel, under their section heading (long, wrapped text)
SPANNING = ("cohort", "profiles", "shared")
#: shared annotations listed in the details panel
SHARED_SHOWN = 5
TERM_TYPES = {"BP": "GO BP", "Pathway": "KEGG"}


def _pct(x: float) -> str:
    return f"{x:.1f}\u00a0%" if x < 10 else f"{x:.0f}\u00a0%"


def breakable(text: str) -> str:
    """Lists joined by ";" or "," (PubMed IDs, cell lines) with a space after each separator, so
    that a narrow panel can wrap them."""
    import re

    return re.sub(r"([;,])(?=\S)", r"\1 ", str(text))


def gene_names_text(d: CellDetails) -> str:
    """One line per gene: "BRCA1: BRCA1 DNA repair associated (Entrez 672)"."""
    lines = []
    for g in dict.fromkeys((d.gene_a, d.gene_b)):
        name = d.gene_names.get(g)
        e = d.entrez.get(g)
        lines.append(
            f"{g}: {name or 'no full name in the shipped gene table'}"
            + (f" (Entrez {e})" if e else "")
        )
    return "\n".join(lines)


def cohort_text(d: CellDetails) -> str:
    """The co-inactivation line of the "Tumours (cohort)" section."""
    if d.cohort is None:
        if d.has_cohort and (not d.in_context or d.score is None):
            return "– (the pair is not scored in this context)"
        return "no cohort data in this model"
    sentence = str(d.cohort.get("sentence") or "").strip()
    if not sentence:
        return "no co-inactivation evidence in this cohort"
    n = d.cohort.get("n_samples")
    return sentence + (f" (of {int(n):,} tumours)" if n and not d.cohort.get("no_evidence") else "")


def profile_text(gene: str, prof: dict[str, Any] | None) -> str:
    """cBioPortal style: "BRCA1: mutated 3.1 % of 223 tumours · deep deletion 0.8 % · amplified
    1.2 % of 619 tumours (profiled by mutation, copy number)"; a denominator is said once for the
    columns that share it."""
    if not prof:
        return f"{gene}: not in this cohort's data"
    by = list(prof.get("profiled_by") or [])
    if not by:
        return f"{gene}: not profiled in this cohort"
    need = {"mutated": "mutation", "deep_deletion": "copy number", "amplification": "copy number"}
    groups: list[tuple[int, list[str]]] = []
    for key, word in PROFILE_WORDS:
        col = prof.get(key)
        if (
            not isinstance(col, dict)
            or need[key] not in by
            or not col.get("of")
            or col.get("pct") is None
        ):
            continue
        of = int(col["of"])
        part = f"{word} {_pct(float(col['pct']))}"
        if groups and groups[-1][0] == of:
            groups[-1][1].append(part)
        else:
            groups.append((of, [part]))
    if not groups:
        return f"{gene}: no counts in this cohort (profiled by {', '.join(by)})"
    body = " · ".join(" · ".join(parts) + f" of {of:,} tumours" for of, parts in groups)
    return f"{gene}: {body} (profiled by {', '.join(by)})"


def profiles_text(d: CellDetails) -> str:
    if d.profiles is None:
        return "" if not d.has_cohort else "–"  # without cohort data the line above says so
    return "\n".join(
        profile_text(g, d.profiles.get(g)) for g in dict.fromkeys((d.gene_a, d.gene_b))
    )


def shared_text(d: CellDetails, shown: int = SHARED_SHOWN) -> str:
    """The "Why (shared annotations)" line: the most specific shared terms, "name (type, n genes)",
    then "and N more"."""
    st = d.shared_terms
    if st is None:
        return "not available (no annotation index shipped)"
    terms = list(st.get("terms") or [])
    n = int(st.get("n_shared") or len(terms))
    if not terms or n == 0:
        return "none shared in the shipped GO BP / KEGG graph"
    lines = []
    for t in terms[:shown]:
        kind = TERM_TYPES.get(str(t.get("type")), str(t.get("type") or ""))
        name = str(t.get("name") or "").strip() or str(t.get("id"))
        lines.append(f"{name} ({kind}, {int(t.get('n_genes') or 0):,} genes)")
    if n > len(lines):
        lines.append(f"and {n - len(lines):,} more")
    edges = st.get("edges") or []
    if edges:
        lines.append("direct graph edges: " + ", ".join(map(str, edges)))
    return "\n".join(lines)


def rank_text(d: CellDetails) -> str:
    """The "Genome-wide rank" line: "top 0.3 % of all 167,545,665 pairs of BRCA (percentile 99.7)"."""
    if d.top_fraction is None or d.top_fraction != d.top_fraction:
        if not d.in_context or d.score is None:
            return "–"
        return "none: this model has no rank map (raw score only)"
    from .grid import describe_rank

    text = describe_rank(d.top_fraction, d.percentile)
    n = f"all {d.n_universe_pairs:,}" if d.n_universe_pairs else "all"
    return f"{text} of {n} pairs of {d.context}"


def recall_text(d: CellDetails) -> str:
    """The "Held-out recall" line, with its one-line meaning."""
    if d.heldout_recall is None or d.heldout_recall != d.heldout_recall:
        if d.top_fraction is not None and d.top_fraction == d.top_fraction:
            return "not available: this model ships no held-out known SL pairs"
        return "–"
    n = f"{d.n_heldout:,} " if d.n_heldout else ""
    return (
        f"{100.0 * d.heldout_recall:.0f} % of {n}held-out known SL pairs score this high or higher "
        "(not a probability of SL)"
    )


def known_label_text(d: CellDetails) -> str:
    """The "Known label" line, consistent with "In training labels"."""
    if d.known_label is None:
        if d.in_training is None:
            return "none known (this model ships no training pairs; import a label table to mark known pairs)"
        return "none: not in this model's data or your label tables"
    if d.label_source == "labels":
        return ("SL" if d.known_label == 1 else "non-SL") + " (your label table)"
    if d.known_label == 1:
        return "SL (a labelled SL pair in this model's data)"
    if d.labelled_negative:
        return "non-SL (a labelled non-SL pair in this model's data)"
    if d.labelled_negative is False:
        return (
            "not a known pair: drawn at random as a negative for training (too few labelled "
            "non-SL pairs)"
        )
    return (
        "non-SL in this model's data (a labelled non-SL pair, or a random pair used as a negative)"
    )


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
    return metric(
        info,
        "val_auc",
        "validation.auc",
        "metrics.val_auc",
        "validation.roc_auc",
        "headline.val_auc",
    )


def test_auc(info: dict[str, Any]) -> float | None:
    return metric(
        info, "test_auc", "test.auc", "metrics.test_auc", "test.roc_auc", "headline.test_auc"
    )


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
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.body)
        self.scroll.viewport().installEventFilter(self)
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
        lay.addWidget(self.scroll, 1)
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
        self.scroll.hide()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        from PySide6.QtCore import QEvent

        if obj is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_body()
        return super().eventFilter(obj, event)

    def _fit_body(self) -> None:
        """Give the body the height its wrapped lines need at the scroll area's width (a scroll
        area does not ask its widget's height for width by itself, and would cut lines off)."""
        lay = self.body.layout()
        w = self.scroll.viewport().width()
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
        self.scroll.hide()

    def show_details(self, d: CellDetails) -> None:
        self.details = d
        self.hint.hide()
        self.scroll.show()
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
                    f"SL score{sd}: the mean over the cross-validation models and both gene orders."
                )
            self.score_note.setText(
                self.score_note.text() + f" Raw: comparable only within {d.context}; "
                "the rank below compares contexts."
            )
            from ..scoring.calibration import RECALL_NOTE

            self.fields["rank"].setText(rank_text(d))
            self.fields["recall"].setText(recall_text(d))
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
                self.fields["orders"].setText("–")
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
        from .contexts_panel import quality_text

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
