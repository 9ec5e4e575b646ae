"""Errors and messages shared by every layer.

An :class:`InputError` names the offending file and, where it applies, the line and
column, so the CLI and the GUI can show it to the user as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class SynleafError(Exception):
    """Base class of the errors this package raises on purpose."""


class InputError(SynleafError, ValueError):
    """A user file could not be read. Nothing from it has been kept.

    Args:
        path: the file (or folder) concerned.
        message: what is wrong and, where possible, what to do about it.
        line: 1-based line number in the file, if known.
        column: column name or 1-based column number, if known.
    """

    def __init__(
        self,
        path: str | Path | None,
        message: str,
        *,
        line: int | None = None,
        column: str | int | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.message = message
        self.line = line
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            col = self.column if isinstance(self.column, int) else repr(str(self.column))
            where.append(f"column {col}")
        return (", ".join(where) + ": " if where else "") + self.message


class CancelledError(SynleafError):
    """Raised inside long work when the user asked to cancel it."""


class StorageError(SynleafError, OSError):
    """Writing to disk failed (read-only folder, permission denied, disk full, ...).

    Raised by the writers of user data instead of a bare :class:`OSError`; the message is one
    line that names the folder, says what is needed and that nothing was changed. Built with
    :func:`storage_error`.

    Attributes:
        path: the file or folder that could not be written.
        needed: bytes the write needed, when known.
        free: bytes free on that disk, when known.
    """

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        errno_: int | None = None,
        needed: int | None = None,
        free: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.os_errno = errno_
        self.needed = needed
        self.free = free

    def __str__(self) -> str:
        return self.message


def format_bytes(n: int | float | None) -> str:
    """``1.5 MB``-style size (decimal units, as file managers show them)."""
    if n is None:
        return "?"
    n = float(n)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


def storage_error(
    exc: OSError,
    path: str | Path | None,
    action: str = "saving",
    needed: int | None = None,
    unchanged: bool = True,
    free: int | None = None,
) -> StorageError:
    """Turn an :class:`OSError` met while writing into a one-line :class:`StorageError`.

    Args:
        exc: the error.
        path: the folder (or file) being written, named in the message.
        action: what was being done, e.g. ``"installing the model"``.
        needed: bytes the write needs (said in the disk-full message when known).
        unchanged: say "Nothing was changed." (true where the write was atomic).
        free: bytes free on that disk, when already known (else looked up for a full disk).
    """
    import errno
    import shutil

    if isinstance(exc, StorageError):
        return exc
    where = (
        Path(path)
        if path is not None
        else (Path(exc.filename) if getattr(exc, "filename", None) else None)
    )
    code = exc.errno
    if free is None and where is not None and code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        probe = where
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        try:
            free = shutil.disk_usage(probe).free
        except OSError:
            free = None
    prefix = f"{where}: " if where is not None else ""
    unchanged_text = "Nothing was changed." if unchanged else ""
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        need = (
            f"{action} needs about {format_bytes(needed)}"
            if needed is not None
            else f"{action} needs more space"
        )
        have = f", {format_bytes(free)} free" if free is not None else ""
        msg = (
            f"{prefix}not enough disk space: {need}{have}. {unchanged_text} "
            "Free some space (or choose another folder) and try again."
        )
    elif code in (errno.EROFS,):
        msg = (
            f"{prefix}the folder is on a read-only disk, {action} is not possible. {unchanged_text} "
            "Choose a folder you can write to (the user data folder can be moved with SYNLEAF_USER_DATA)."
        )
    elif isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        msg = (
            f"{prefix}permission denied while {action} (the folder is read-only for you). {unchanged_text} "
            "Choose a folder you can write to (the user data folder can be moved with SYNLEAF_USER_DATA)."
        )
    else:
        reason = exc.strerror or str(exc) or type(exc).__name__
        msg = f"{prefix}{action} failed: {reason}. {unchanged_text}"
    msg = " ".join(msg.split())  # one line, single spaces
    return StorageError(msg, where, code, needed, free)


@dataclass
class ReadReport:
    """What a reader noticed while reading a file, for previews and summaries.

    Attributes:
        path: the file read.
        warnings: human-readable notes (duplicates kept as first row, etc.).
        unresolved: gene names that could not be mapped to a symbol (first seen order).
        n_rows: data rows read.
    """

    path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    n_rows: int = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def user_message(exc: BaseException) -> str:
    """What to tell the user about ``exc`` (no traceback)."""
    if isinstance(exc, SynleafError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return (
            "The computer ran out of memory. Close other programs, or use fewer genes, "
            "samples or a smaller model, and try again."
        )
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename or exc}: file not found. Check that it still exists and try again."
    if isinstance(exc, PermissionError):
        return f"{exc.filename or exc}: permission denied. Choose a folder you can write to."
    if isinstance(exc, OSError):
        return (
            f"{exc.filename or ''}: {exc.strerror or exc}. Check the file or folder and try again."
        )
    return (
        f"Unexpected error ({type(exc).__name__}: {exc}). Nothing was saved. "
        "Please try again; if it happens again, report it with the files you used."
    )
