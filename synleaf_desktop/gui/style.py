"""Look and feel: colours, the score colour map, fonts and the application style sheet."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

#: default window size (pixels)
WINDOW_SIZE = (1400, 900)

#: score colour map: perceptually uniform, readable by colour-blind users, dark = low, light = high
SCORE_COLORMAP_NAME = "viridis"

#: colour of cells whose genes are outside a context (drawn hatched, never as a score)
NA_COLOR = QColor(200, 200, 200)
NA_HATCH_COLOR = QColor(150, 150, 150)
ACCENT = QColor(38, 110, 180)
BACKGROUND = QColor(255, 255, 255)
TEXT = QColor(33, 37, 41)
MUTED = QColor(108, 117, 125)

#: per-modality colours in the training plots and the details panel
SERIES_COLORS = {
    "loss": (38, 110, 180),
    "val_loss": (230, 126, 34),
    "val_auc": (46, 139, 87),
    "omics": (142, 68, 173),
    "kg": (230, 126, 34),
    "fused": (38, 110, 180),
}


def score_colormap() -> pg.ColorMap:
    """The colour map for SL scores in [0, 1]."""
    return pg.colormap.get(SCORE_COLORMAP_NAME)


def text_color_for(score: float) -> QColor:
    """Black or white, whichever reads better on the colour of ``score``."""
    if score != score:  # nan
        return QColor(TEXT)
    rgba = score_colormap().map(np.array([float(score)]), mode="float")[0]
    lum = 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2]
    return QColor(0, 0, 0) if lum > 0.5 else QColor(255, 255, 255)


STYLE_SHEET = """
QMainWindow, QDialog { background: #ffffff; }
QGroupBox { font-weight: 600; border: 1px solid #dee2e6; border-radius: 6px; margin-top: 10px; padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; color: #343a40; }
QPushButton { padding: 4px 12px; border-radius: 4px; border: 1px solid #adb5bd; background: #f8f9fa; }
QPushButton:hover { background: #e9ecef; }
QPushButton:default, QPushButton#primary { background: #266eb4; color: white; border: 1px solid #1d5a94; }
QPushButton#primary:hover { background: #1d5a94; }
QPushButton#primary:disabled { background: #a9c7e3; color: #eef4fa; border: 1px solid #a9c7e3; }
QPushButton:disabled { color: #adb5bd; background: #f1f3f5; border-color: #dee2e6; }
QLineEdit, QPlainTextEdit, QSpinBox, QComboBox { padding: 3px; border: 1px solid #ced4da; border-radius: 4px; background: white; }
QLineEdit:focus, QPlainTextEdit:focus { border: 1px solid #266eb4; }
QTableView { gridline-color: #e9ecef; selection-background-color: #cfe2ff; selection-color: #212529; }
QHeaderView::section { background: #f1f3f5; padding: 4px; border: none; border-right: 1px solid #dee2e6;
                       border-bottom: 1px solid #dee2e6; font-weight: 600; }
QTabWidget::pane { border-top: 1px solid #dee2e6; }
QTabBar::tab { padding: 6px 16px; }
QTabBar::tab:selected { font-weight: 600; color: #266eb4; }
QLabel#hint { color: #6c757d; }
QLabel#title { font-size: 15px; font-weight: 600; }
QLabel#bigscore { font-size: 26px; font-weight: 700; }
QStatusBar { color: #495057; }
QProgressBar { border: 1px solid #ced4da; border-radius: 4px; text-align: center; height: 16px; }
QProgressBar::chunk { background: #266eb4; border-radius: 3px; }
"""


def apply(app: QApplication) -> None:
    """Apply the style to the whole application (Fusion base, light palette, style sheet)."""
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(248, 249, 250))
    pal.setColor(QPalette.ColorRole.Base, QColor(255, 255, 255))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(248, 249, 250))
    pal.setColor(QPalette.ColorRole.Text, TEXT)
    pal.setColor(QPalette.ColorRole.WindowText, TEXT)
    pal.setColor(QPalette.ColorRole.ButtonText, TEXT)
    pal.setColor(QPalette.ColorRole.Button, QColor(248, 249, 250))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(207, 226, 255))
    pal.setColor(QPalette.ColorRole.HighlightedText, TEXT)
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(255, 255, 240))
    pal.setColor(QPalette.ColorRole.ToolTipText, TEXT)
    app.setPalette(pal)
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
    pg.setConfigOptions(
        antialias=True, background="w", foreground=(52, 58, 64), imageAxisOrder="row-major"
    )


def mono_font() -> QFont:
    f = QFont("monospace")
    f.setStyleHint(QFont.StyleHint.Monospace)
    return f
