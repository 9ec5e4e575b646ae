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
