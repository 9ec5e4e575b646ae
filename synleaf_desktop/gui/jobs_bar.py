"""The status bar's job area: what runs in the background, its progress, and Cancel.

The training tab shows its own progress; every other job (loading models, queries, imports,
exports) shows here while it runs.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from .workers import Task, TaskManager

#: the job slot whose progress the training tab shows itself
TRAIN_SLOT = "train"


class JobsBar(QObject):
    """Starts jobs in a :class:`TaskManager` and shows their progress in a status bar.

    Signals:
        busyChanged(str, bool): a slot started or finished (after the bar was updated).
    """

    busyChanged = Signal(str, bool)

    def __init__(self, tasks: TaskManager, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self.tasks = tasks
        self._visible: set[str] = set()
        self.label = QLabel("")
        self.label.setMaximumWidth(360)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(220)
        self.progress.setRange(0, 1000)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setToolTip("Stop the running job (nothing half-done is kept)")
        self.cancel_btn.clicked.connect(self.cancel)
        for w in self._widgets():
            status_bar.addPermanentWidget(w)
            w.hide()
        self._status_bar = status_bar
        tasks.busy_changed.connect(self._busy_changed)

    def _widgets(self) -> tuple[QLabel, QProgressBar, QPushButton]:
        return self.label, self.progress, self.cancel_btn

    def start(self, slot: str, task: Task, label: str) -> Task:
        """Start a job whose progress shows in the status bar (with a Cancel button)."""
        self._visible.add(slot)
        task.progress.connect(lambda f, m, info, s=slot, lb=label: self._on_progress(s, lb, f, m))
        self.tasks.start(slot, task)
        self._on_progress(slot, label, 0.0, "")
        return task

    def busy(self, slot: str) -> bool:
        return self.tasks.busy(slot)

    def _on_progress(self, slot: str, label: str, fraction: float, message: str) -> None:
        if slot == TRAIN_SLOT:
            return  # the training panel shows its own progress
        self.label.setText(f"{label}: {message}" if message else label)
        if fraction == fraction:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        else:
            self.progress.setRange(0, 0)
        for w in self._widgets():
            w.show()

    def _busy_changed(self, slot: str, busy: bool) -> None:
        if not busy:
            self._visible.discard(slot)
        others = [s for s in self.tasks.running() if s != TRAIN_SLOT and s in self._visible]
        if not others:
            for w in self._widgets():
                w.hide()
        self.busyChanged.emit(slot, busy)

    def cancel(self) -> None:
        """Cancel every running job except training (the training tab has its own Cancel)."""
        for slot in self.tasks.running():
            if slot != TRAIN_SLOT:
                self.tasks.cancel(slot)
        self._status_bar.showMessage("cancelling…", 6000)
