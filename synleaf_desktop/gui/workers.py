"""Background work: run a function in a ``QThread``, report its :class:`Progress` as Qt signals.

The work itself knows nothing about Qt: it is called as ``fn(progress, *args, **kwargs)``
with a :class:`synleaf_desktop.progress.Progress` whose callback emits :attr:`Task.progress`
(queued to the GUI thread). Cancelling calls :meth:`Progress.cancel`; the work stops at its
next ``progress.update``/``check`` by raising :class:`CancelledError`, which becomes the
:attr:`Task.cancelled` signal. Errors become :attr:`Task.failed` with a message meant for
the user (``str(InputError)`` names the file and the problem); never a traceback.

One :class:`TaskManager` per window keeps at most one task per *slot* (``"query"``,
``"import"``, ``"train"``, ...): starting a new task in a slot cancels the old one, whose
late results are then ignored.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from ..errors import CancelledError, SynleafError, user_message
from ..progress import Progress

log = logging.getLogger(__name__)


class Task(QThread):
    """One piece of background work.

    Signals:
        progress(fraction: float, message: str, info: dict): from ``Progress.update``.
        succeeded(result: object): the function's return value.
        failed(message: str): the error, worded for the user.
        cancelled(): the user cancelled it.
        done(): always last, after one of the three above.
    """

    progress = Signal(float, str, dict)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(
        self,
        fn: Callable[..., Any],
        *args: Any,
        name: str = "",
        min_interval: float = 0.05,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.name = name or getattr(fn, "__name__", "task")
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self.progress_obj = Progress(self._emit_progress, min_interval=min_interval)
        self.result: Any = None
        self.error: str | None = None
        self.exception: BaseException | None = None
        self.was_cancelled = False
        self.finished_ok = False
        self.superseded = False
        self.elapsed = 0.0
        self.setObjectName(f"synleaf-{self.name}")

    def _emit_progress(self, fraction: float, message: str, info: dict[str, Any]) -> None:
        if self.superseded:
            return
        self.progress.emit(float(fraction), str(message), dict(info))

    def cancel(self) -> None:
        """Ask the work to stop at its next progress check (thread-safe, returns at once)."""
        self.progress_obj.cancel()

    @property
    def is_cancel_requested(self) -> bool:
        return self.progress_obj.cancelled

    def run(self) -> None:  # worker thread
        t0 = time.perf_counter()
        try:
            self.result = self._fn(self.progress_obj, *self._args, **self._kwargs)
            if self.progress_obj.cancelled:
                raise CancelledError("cancelled by the user")
        except CancelledError:
            self.was_cancelled = True
        except BaseException as exc:
            self.exception = exc
            self.error = user_message(exc)
            if not isinstance(exc, SynleafError):
                log.error("task %s failed:\n%s", self.name, traceback.format_exc())
        else:
            self.finished_ok = True
        self.elapsed = time.perf_counter() - t0
        if self.superseded:
            pass  # a newer task replaced this one: its result is not wanted
        elif self.finished_ok:
            self.succeeded.emit(self.result)
        elif self.was_cancelled:
            self.cancelled.emit()
        else:
            self.failed.emit(self.error or "failed")
        self.done.emit()


class TaskManager(QObject):
    """At most one running :class:`Task` per slot; keeps them alive until they end.

    Signals:
        busy_changed(slot: str, busy: bool)
    """

    busy_changed = Signal(str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, Task] = {}
        self._old: list[Task] = []

    def start(self, slot: str, task: Task) -> Task:
        """Start ``task`` in ``slot``, cancelling (and disowning) any task already there."""
        old = self._tasks.get(slot)
        if old is not None and old.isRunning():
            old.superseded = True
            old.cancel()
            self._old.append(old)
            old.done.connect(lambda o=old: self._forget(o))
        self._tasks[slot] = task
        task.done.connect(lambda s=slot, t=task: self._finished(s, t))
        task.start()
        self.busy_changed.emit(slot, True)
        return task

    def _forget(self, task: Task) -> None:
        if task in self._old:
            self._old.remove(task)
        task.wait(1000)
        task.deleteLater()

    def _finished(self, slot: str, task: Task) -> None:
        if self._tasks.get(slot) is task:
            del self._tasks[slot]
            self.busy_changed.emit(slot, False)
        task.wait(1000)
        task.deleteLater()

    def current(self, slot: str) -> Task | None:
        return self._tasks.get(slot)

    def busy(self, slot: str) -> bool:
        t = self._tasks.get(slot)
        return t is not None and t.isRunning()

    def cancel(self, slot: str) -> bool:
        """Cancel the task in ``slot``; returns False if none was running."""
        t = self._tasks.get(slot)
        if t is None or not t.isRunning():
            return False
        t.cancel()
        return True

    def cancel_all(self, wait_ms: int = 5000) -> None:
        """Cancel everything and wait (used when the window closes)."""
        tasks = list(self._tasks.values()) + list(self._old)
        for t in tasks:
            t.cancel()
        for t in tasks:
            t.wait(wait_ms)

    def running(self) -> list[str]:
        return [s for s, t in self._tasks.items() if t.isRunning()]
