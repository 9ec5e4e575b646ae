"""Device choice: ``auto`` | ``cpu`` | ``cuda`` | ``cuda:N`` | ``mps``."""

from __future__ import annotations

import torch

from ..errors import InputError


def resolve_device(spec: str | torch.device | None = "auto") -> torch.device:
    """``auto`` picks CUDA when available, then Apple MPS, else CPU.

    Raises:
        InputError: the requested device does not exist on this machine.
    """
    if isinstance(spec, torch.device):
        return spec
    s = (spec or "auto").strip().lower()
    if s == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if s == "cpu":
        return torch.device("cpu")
    if s.startswith("cuda"):
        if not torch.cuda.is_available():
            raise InputError(
                None, f"device {spec!r}: CUDA is not available here (use --device cpu or auto)"
            )
        dev = torch.device(s)
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise InputError(
                None, f"device {spec!r}: only {torch.cuda.device_count()} CUDA device(s) present"
            )
        return dev
    if s == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise InputError(
                None, "device 'mps': Apple MPS is not available here (use --device cpu or auto)"
            )
        return torch.device("mps")
    raise InputError(None, f"unknown device {spec!r}: use auto, cpu, cuda, cuda:N or mps")


def default_threads() -> int:
    """CPU threads for training: all cores but one (at least 1), leaving a core for the GUI
    and the OS. On small shared machines one thread avoids OpenMP stalls, which made a
    2-thread run up to 20x slower than a 1-thread run here under load."""
    import os

    return max(1, (os.cpu_count() or 2) - 1)


def configure_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads (``None``/0: :func:`default_threads`); returns the number set."""
    n = int(threads) if threads else default_threads()
    torch.set_num_threads(n)
    return n
