"""Peak resident memory of this process, sampled in a background thread (for benchmarks)."""

from __future__ import annotations

import threading

import psutil


class RssPeak:
    """Polls this process's RSS in a thread; :meth:`take` returns the peak since the last call."""

    def __init__(self, interval: float = 0.02) -> None:
        self._proc = psutil.Process()
        self._peak = self._proc.memory_info().rss
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            rss = self._proc.memory_info().rss
            with self._lock:
                self._peak = max(self._peak, rss)

    def take(self) -> int:
        """Peak RSS in bytes since the previous call (or since start)."""
        rss = self._proc.memory_info().rss
        with self._lock:
            peak, self._peak = max(self._peak, rss), rss
        return peak

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
