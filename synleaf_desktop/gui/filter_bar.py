"""The filter bar above the results: a gene-name search, a score or genome-wide rank threshold in
one context or any, the known label and "in training", and *Clear filters*.

It only edits a :class:`~synleaf_desktop.app.filters.RowFilter` (the Qt-free logic); the main
window applies it to heatmap, matrix and table alike, and says "showing N of M pairs" in the
note at the right of the row above (where the result's size is).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QWidget,
)

from ..app.filters import (
    ANY_CONTEXT,
    DEFAULT_SCORE,
    DEFAULT_TOP_PERCENT,
    METRIC_OFF,
    METRIC_SCORE,
    METRIC_TOP,
    RowFilter,
)

#: wait this long after the last key in the search box before filtering (milliseconds)
SEARCH_DELAY_MS = 150


class ValueBox(QDoubleSpinBox):
    """A threshold box that writes "1 %" and "0.9", not "1.0000 %"."""

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text


def _compact(combo: QComboBox, chars: int) -> QComboBox:
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setMinimumContentsLength(chars)
    return combo


class FilterBar(QWidget):
    """Signals:
    filterChanged(RowFilter): the user changed a filter (or cleared them).
    """

    filterChanged = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._values = {METRIC_TOP: DEFAULT_TOP_PERCENT, METRIC_SCORE: DEFAULT_SCORE}
        self._metric = METRIC_OFF
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 0, 4, 0)
        lay.setSpacing(3)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter: gene…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(
            "Show only the rows whose gene names contain this text (case does not matter; "
            "several names separated by spaces or commas: any of them). In the partners "
            "view the partner's name is searched."
        )
        self.search.setMinimumWidth(90)
        self.search.setMaximumWidth(104)
        lay.addWidget(self.search)

        self.metric_combo = _compact(QComboBox(), 6)
        self.metric_combo.addItem("any score", METRIC_OFF)
        self.metric_combo.addItem("top ≤", METRIC_TOP)
        self.metric_combo.addItem("score ≥", METRIC_SCORE)
        self.metric_combo.setToolTip(
            "Keep the pairs whose genome-wide rank is in the top x % of their context's gene pairs "
            "(comparable between contexts; a context without a rank map never passes), or whose raw "
            "score is at least x (each context's own scale). Neither is a probability of SL."
        )
        lay.addWidget(self.metric_combo)
        self.value = ValueBox()
        self.value.setKeyboardTracking(False)
        self.value.setToolTip("The threshold: a top fraction in percent, or a raw score")
        self.value.setMaximumWidth(80)
        lay.addWidget(self.value)

        self.where_combo = _compact(QComboBox(), 7)
        self.where_combo.setToolTip(
            "Where the criteria must hold: in one context, or in any shown context "
            "(all of them in the same context). The ticks on the left choose the "
            "contexts shown."
        )
        lay.addWidget(self.where_combo)

        self.known_combo = _compact(QComboBox(), 7)
        for text, data in (
            ("any label", ""),
            ("known SL", "sl"),
            ("known non-SL", "nonsl"),
            ("no label", "unknown"),
        ):
            self.known_combo.addItem(text, data)
        self.known_combo.setToolTip(
            "Known label of the pair in that context: in the model's own data, or in "
            "the label tables you imported (★ SL, ✕ non-SL)"
        )
        lay.addWidget(self.known_combo)

        self.training_combo = _compact(QComboBox(), 8)
        for text, data in (
            ("any training", ""),
            ("in training", "yes"),
            ("not in training", "no"),
            ("training unknown", "unknown"),
        ):
            self.training_combo.addItem(text, data)
        self.training_combo.setToolTip(
            "Whether the pair was one of the context model's training pairs"
        )
        lay.addWidget(self.training_combo)

        lay.addStretch(1)
        self.clear_btn = QToolButton()
        self.clear_btn.setText("Clear filters")
        self.clear_btn.setToolTip("Show every row of the result again")
        self.clear_btn.clicked.connect(self.clear)
        lay.addWidget(self.clear_btn)

        self._set_where([])
        self._apply_metric(METRIC_OFF)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._emit)
        self.metric_combo.activated.connect(
            lambda i: self._metric_chosen(self.metric_combo.itemData(i))
        )
        self.value.valueChanged.connect(lambda _v: self._emit())
        for combo in (self.where_combo, self.known_combo, self.training_combo):
            combo.activated.connect(lambda _i: self._emit())
        self._update_clear()

    # ------------------------------------------------------------------
    def filter(self) -> RowFilter:
        """The filter the widgets show."""
        metric = self.metric_combo.currentData() or METRIC_OFF
        return RowFilter(
            search=self.search.text().strip(),
            metric=metric,
            value=float(self.value.value()) if metric else self._values[METRIC_TOP],
            where=self.where_combo.currentData() or ANY_CONTEXT,
            known=self.known_combo.currentData() or "",
            training=self.training_combo.currentData() or "",
        )

    def set_filter(self, f: RowFilter) -> None:
        """Show ``f`` in the widgets (no signal)."""
        self._timer.stop()
        widgets = (
            self.search,
            self.metric_combo,
            self.value,
            self.where_combo,
            self.known_combo,
            self.training_combo,
        )
        for w in widgets:
            w.blockSignals(True)
        try:
            self.search.setText(f.search)
            if f.metric:
                self._values[f.metric] = float(f.value)
            self.metric_combo.setCurrentIndex(max(self.metric_combo.findData(f.metric), 0))
            self._apply_metric(f.metric)
            if f.where and self.where_combo.findData(f.where) < 0:
                self.where_combo.addItem(f"in {f.where}", f.where)
            self.where_combo.setCurrentIndex(
                max(self.where_combo.findData(f.where or ANY_CONTEXT), 0)
            )
            self.known_combo.setCurrentIndex(max(self.known_combo.findData(f.known), 0))
            self.training_combo.setCurrentIndex(max(self.training_combo.findData(f.training), 0))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._update_clear()

    def set_contexts(self, names: list[str]) -> None:
        """The contexts offered in the "in …" box (the shown ones); the choice is kept if still there."""
        keep = self.where_combo.currentData() or ANY_CONTEXT
        self.where_combo.blockSignals(True)
        self._set_where(names)
        self.where_combo.setCurrentIndex(max(self.where_combo.findData(keep), 0))
        self.where_combo.blockSignals(False)

    def clear(self) -> None:
        """Drop every criterion (the threshold value and the context choice stay for next time)."""
        self.set_filter(self.filter().cleared())
        self._emit()

    # ------------------------------------------------------------------
    def _set_where(self, names: list[str]) -> None:
        self.where_combo.clear()
        self.where_combo.addItem("any context", ANY_CONTEXT)
        for n in names:
            self.where_combo.addItem(f"in {n}", n)

    def _apply_metric(self, metric: str) -> None:
        """Range, step and suffix of the value box for a threshold kind."""
        self.value.blockSignals(True)
        if metric == METRIC_SCORE:
            self.value.setDecimals(3)
            self.value.setRange(0.0, 1.0)
            self.value.setSingleStep(0.05)
            self.value.setSuffix("")
        else:
            self.value.setDecimals(4)
            self.value.setRange(0.0001, 100.0)
            self.value.setSingleStep(0.5)
            self.value.setSuffix(" %")
        self.value.setValue(self._values.get(metric, self._values[METRIC_TOP]))
        self.value.setVisible(bool(metric))  # no threshold: no box (the bar stays narrow)
        self.value.blockSignals(False)
        self._metric = metric

    def _metric_chosen(self, metric: str) -> None:
        if self._metric:
            self._values[self._metric] = float(self.value.value())
        self._apply_metric(metric or METRIC_OFF)
        self._emit()

    def _emit(self) -> None:
        self._timer.stop()
        if self._metric:
            self._values[self._metric] = float(self.value.value())
        self._update_clear()
        self.filterChanged.emit(self.filter())

    def _update_clear(self) -> None:
        self.clear_btn.setEnabled(self.filter().active)
