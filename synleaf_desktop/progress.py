"""Progress reporting and cooperative cancellation without Qt.

Long work (imports, context builds, training, genome-wide scoring) takes a
:class:`Progress` object, calls :meth:`Progress.update` between steps and
:meth:`Progress.check` where stopping is safe. The GUI adapts it to Qt signals
by subclassing or by passing a callback; the CLI prints; tests record.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .errors import CancelledError

ProgressCallback = Callable[[float, str, dict[str, Any]], None]


class Progress:
    """A progress sink with a cancel flag.

    Args:
        callback: called as ``callback(fraction, message, info)`` on every update;
            ``fraction`` is in [0, 1] or ``nan`` when unknown; ``info`` carries
            structured extras (e.g. ``{"epoch": 3, "val_auc": 0.91}``).
        min_interval: minimum seconds between two callbacks (updates with
            ``force=True`` or ``info`` always go through).
    """

    def __init__(self, callback: ProgressCallback | None = None, min_interval: float = 0.0) -> None:
        self._callback = callback
        self._cancel = threading.Event()
        self._min_interval = min_interval
        self._last = 0.0
        self.fraction = 0.0
        self.message = ""

    # --- reporting -------------------------------------------------------
    def update(self, fraction: float, message: str = "", force: bool = False, **info: Any) -> None:
        """Report progress; raises :class:`CancelledError` if cancel was requested."""
        self.fraction = fraction
        if message:
            self.message = message
        now = time.monotonic()
        if self._callback is not None and (
            force or info or now - self._last >= self._min_interval or fraction >= 1.0
        ):
            self._last = now
            self._callback(fraction, self.message, info)
        self.check()

    def sub(self, start: float, stop: float) -> SubProgress:
        """A view that maps its own [0, 1] onto [start, stop] of this progress."""
        return SubProgress(self, start, stop)

    # --- cancellation ----------------------------------------------------
    def cancel(self) -> None:
        """Ask the work to stop at its next check (thread-safe)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`CancelledError` if cancel was requested."""
        if self._cancel.is_set():
            raise CancelledError("cancelled by the user")


class SubProgress(Progress):
    """A slice of a parent :class:`Progress` (shares its cancel flag)."""

    def __init__(self, parent: Progress, start: float, stop: float) -> None:
        super().__init__(None)
        self._parent = parent
        self._start = start
        self._stop = stop
        self._cancel = parent._cancel

    def update(self, fraction: float, message: str = "", force: bool = False, **info: Any) -> None:
        self.fraction = fraction
        if fraction == fraction:  # not nan
            mapped = self._start + (self._stop - self._start) * max(0.0, min(1.0, fraction))
        else:
            mapped = fraction
        self._parent.update(mapped, message, force=force, **info)


NULL_PROGRESS = Progress()


def ensure(progress: Progress | None) -> Progress:
    """Return ``progress`` or a fresh silent one."""
    return progress if progress is not None else Progress()
