"""The "all pairs of a model" (genome-wide) export: choose a context, the top N pairs or a
score threshold, and a file; the scoring runs in a worker with progress and cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..progress import Progress
from ..scoring.engine import ScoringEngine


def genome_wide_job(
    progress: Progress,
    engine: ScoringEngine,
    context: str,
    path: Path,
    top: int | None,
    threshold: float | None,
) -> dict[str, Any]:
    """Run ``engine.genome_wide`` (in a worker); returns its summary with the file path."""
    info = engine.genome_wide(context, path, top=top, threshold=threshold, progress=progress)
    info = dict(info or {})
    info.setdefault("path", str(path))
    return info


class GenomeWideDialog(QDialog):
    """Asks what to export; :meth:`choice` returns ``(context, path, top, threshold)``."""

    def __init__(self, contexts: list[tuple[str, int]], start_dir: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export all pairs of a model")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        note = QLabel(
            "Scores every pair of genes in one model and writes them to a tab-separated file "
            "(gene1, gene2, score, sd, known_label, in_training). This can take minutes for "
            "large models; you can cancel it from the status bar."
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        lay.addWidget(note)
        form = QFormLayout()
        self.context = QComboBox()
        for name, n_genes in contexts:
            pairs = n_genes * (n_genes - 1) // 2
            self.context.addItem(f"{name} ({n_genes:,} genes, {pairs:,} pairs)", name)
        form.addRow("Model:", self.context)
        self.top_radio = QRadioButton("the best")
        self.top_radio.setChecked(True)
        self.top = QSpinBox()
        self.top.setRange(10, 10_000_000)
        self.top.setValue(10_000)
        self.top.setSingleStep(1000)
        row = QHBoxLayout()
        row.addWidget(self.top_radio)
        row.addWidget(self.top)
        row.addWidget(QLabel("pairs"))
        row.addStretch(1)
        w1 = QWidget()
        w1.setLayout(row)
        form.addRow("Keep:", w1)
        self.thr_radio = QRadioButton("every pair scoring at least")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.5, 1.0)
        self.threshold.setDecimals(3)
        self.threshold.setSingleStep(0.01)
        self.threshold.setValue(0.9)
        row = QHBoxLayout()
        row.addWidget(self.thr_radio)
        row.addWidget(self.threshold)
        row.addStretch(1)
        w2 = QWidget()
        w2.setLayout(row)
        form.addRow("", w2)
        self.path = QLineEdit(str(Path(start_dir) / "synleaf_all_pairs.tsv"))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        w3 = QWidget()
        w3.setLayout(row)
        form.addRow("File:", w3)
        lay.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save all pairs", self.path.text(), "TSV (*.tsv)"
        )
        if path:
            self.path.setText(path if path.endswith(".tsv") else path + ".tsv")

    def choice(self) -> tuple[str, Path, int | None, float | None]:
        if self.top_radio.isChecked():
            return self.context.currentData(), Path(self.path.text()), int(self.top.value()), None
        return (
            self.context.currentData(),
            Path(self.path.text()),
            None,
            float(self.threshold.value()),
        )
