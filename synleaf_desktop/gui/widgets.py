"""Small reusable widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
)


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when it is too narrow, instead of cutting the text.

    ``full_text()`` is the whole text; the tooltip shows it too (one part per line when the
    text is made of parts joined by ``separator``).
    """

    def __init__(self, text: str = "", separator: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self._full = ""
        self._separator = separator
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:
        self._full = text or ""
        tip = self._full.replace(self._separator, "\n") if self._separator else self._full
        self.setToolTip(tip)
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(0, self.contentsRect().width())
        shown = (
            self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
            if width
            else self._full
        )
        super().setText(shown)


class ElidedComboBox(QComboBox):
    """A combo box whose shown entry ends in "…" when the box is too narrow, instead of being
    cut mid-word (the drop-down list and the tooltip show it in full)."""

    def paintEvent(self, event) -> None:
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        opt.currentText = self.fontMetrics().elidedText(
            opt.currentText, Qt.TextElideMode.ElideRight, max(0, field.width() - 4)
        )
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)
