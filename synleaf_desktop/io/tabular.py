"""Low-level reading of tab-separated text shared by the omics readers.

Handles plain or gzip files (recognised by their first bytes, so ``.gz`` is optional),
leading ``#`` comment lines (cBioPortal MAFs), empty files, a wrong delimiter, truncated
or corrupt gzip, and turns pandas parser errors into :class:`InputError` naming the file
(and the line where pandas gives one). Quoting is off: cBioPortal files are plain
tab-separated text in which a quote is an ordinary character.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError, ReadReport

if TYPE_CHECKING:
    from .genes import GeneResolver

#: cell strings read as missing values (case variants listed explicitly)
NA_VALUES: tuple[str, ...] = (
    "",
    "NA",
    "na",
    "N/A",
    "n/a",
    "NaN",
    "nan",
    "NAN",
    "null",
    "NULL",
    "Null",
)

_GZIP_MAGIC = b"\x1f\x8b"
_TRUNCATED = "the file is truncated or not valid gzip: re-download or re-compress it"
_PANDAS_LINE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class Header:
    """What :func:`scan_header` saw at the top of a file.

    Attributes:
        path: the file.
        gzipped: True if the file starts with the gzip magic bytes.
        n_comments: leading ``#`` lines skipped before the header.
        columns: header fields, as written (stripped), in file order.
    """

    path: Path
    gzipped: bool
    n_comments: int
    columns: tuple[str, ...]

    @property
    def header_line(self) -> int:
        """1-based line number of the header row."""
        return self.n_comments + 1

    def data_line(self, row: int) -> int:
        """1-based file line of 0-based data row ``row`` (assumes no blank lines)."""
        return self.n_comments + 2 + row


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def open_text(path: str | Path) -> io.TextIOBase:
    """Open ``path`` as UTF-8 text, decompressing gzip when the file is gzip."""
    path = Path(path)
    if is_gzip(path):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    if path.name.lower().endswith(".gz"):
        raise InputError(path, _TRUNCATED)
    return open(path, encoding="utf-8-sig", newline="")


def header_columns(path: str | Path, *, skip_comments: bool = False) -> list[str]:
    """Column names in the first non-blank line of a text table (gzip aware; the delimiter
    is whichever of tab, comma, semicolon or bar occurs most). ``skip_comments`` also skips
    lines starting with ``#``. Returns ``[]`` for a file with no such line.

    Raises:
        InputError: unreadable file, or a truncated or corrupt gzip.
    """
    with open(path, "rb") as fh:
        gz = fh.read(2) == _GZIP_MAGIC
    try:
        with (
            gzip.open(path, "rb") if gz else open(path, "rb") as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace") as fh,
        ):
            for line in fh:
                if line.strip() and not (skip_comments and line.startswith("#")):
                    line = line.rstrip("\r\n")
                    sep = max(("\t", ",", ";", "|"), key=line.count)
                    return next(csv.reader([line], delimiter=sep))
    except (EOFError, OSError, UnicodeDecodeError, zlib.error) as exc:
        raise InputError(
            path,
            f"cannot read the file: truncated or corrupt ({exc}); check that it is a text "
            "table, or copy the .gz file again",
        ) from None
    return []


def scan_header(
    path: str | Path, *, min_columns: int = 2, what: str = "tab-separated table"
) -> Header:
    """Read the top of a file: skip leading ``#`` lines and return the header.

    Args:
        path: the file.
        min_columns: fewer header fields than this means a wrong delimiter (or a file
            that is not a table); raises :class:`InputError` with a hint.
        what: how the file is described in messages.

    Raises:
        InputError: missing file, empty file, not text, truncated gzip, wrong delimiter.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found" if not path.exists() else "not a file")
    if path.stat().st_size == 0:
        raise InputError(path, f"the file is empty; expected a {what} with a header row")
    n_comments = 0
    header = None
    try:
        with open_text(path) as fh:
            for line in fh:
                if line.startswith("#"):
                    n_comments += 1
                    continue
                if not line.strip():
                    break  # blank line before any header: treat as empty
                header = line.rstrip("\r\n")
                break
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(path, _TRUNCATED) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            "not UTF-8 text (is it a spreadsheet or a binary file?); save it as tab-separated text",
        ) from exc
    if header is None:
        raise InputError(
            path, f"the file has no header row (empty or only '#' comment lines); expected a {what}"
        )
    columns = tuple(c.strip() for c in header.split("\t"))
    if len(columns) < min_columns:
        hint = ""
        for sep, name in ((",", "comma"), (";", "semicolon"), ("|", "'|'"), (" ", "space")):
            if sep in header:
                hint = f" It seems to be {name}-separated."
                break
        raise InputError(
            path,
            f"found only {len(columns)} column in the header: expected a {what}.{hint} "
            f"Save it as tab-separated text.",
            line=n_comments + 1,
        )
    return Header(path, is_gzip(path), n_comments, columns)


_BLOCK = 1 << 22  # bytes scanned at a time by scan_field_counts


@dataclass(frozen=True)
class BadRow:
    """The first row of a table with the wrong number of fields (see :func:`scan_field_counts`).

    Attributes:
        line: 1-based file line; found: its field count; count: how many such rows.
    """

    line: int
    found: int
    count: int


def scan_field_counts(
    path: str | Path,
    *,
    gzipped: bool,
    skip_lines: int,
    expected: int,
    minimum: int | None = None,
    sep: str = "\t",
    quoting: bool = False,
) -> BadRow | None:
    """Find data rows with fewer than ``minimum`` or more than ``expected`` fields.

    pandas pads a short row with missing values without a word (and, reading only some
    columns, does not notice a long one), so readers call this first. One vectorised pass
    over the bytes; blank lines are skipped. With ``quoting`` (CSV convention) a file that
    holds a quote character is parsed with :mod:`csv` instead, so a quoted separator is
    not counted.

    Args:
        path: the file; gzipped: decompress it; skip_lines: lines before the first data row
            (comments and the header); expected: the header's field count; minimum: the
            fewest fields a row may have (default ``expected``).

    Returns:
        the first bad row (with the number of bad rows), or None.

    Raises:
        OSError, EOFError, zlib.error, gzip.BadGzipFile: the file cannot be read.
    """
    minimum = expected if minimum is None else minimum
    first_line = skip_lines + 1
    sep_byte = ord(sep)
    quote = ord('"')
    bad: BadRow | None = None
    n_bad = 0
    rows = 0
    with gzip.open(path, "rb") if gzipped else open(path, "rb") as fh:
        for _ in range(skip_lines):
            fh.readline()
        carry = b""
        while True:
            chunk = fh.read(_BLOCK)
            buf = carry + chunk
            if not chunk:
                if not buf:
                    break
                block, carry = buf + b"\n", b""
            else:
                cut = buf.rfind(b"\n")
                if cut < 0:
                    carry = buf
                    continue
                block, carry = buf[: cut + 1], buf[cut + 1 :]
            a = np.frombuffer(block, dtype=np.uint8)
            if quoting and (a == quote).any():
                return _scan_csv(path, gzipped, skip_lines, expected, minimum, sep)
            nl = np.flatnonzero(a == 10)
            seps = np.flatnonzero(a == sep_byte)
            per_line = np.diff(np.searchsorted(seps, nl), prepend=0)
            starts = np.concatenate([[0], nl[:-1] + 1])
            length = nl - starts
            blank = (length == 0) | ((length == 1) & (a[np.maximum(nl - 1, 0)] == 13))
            fields = per_line + 1
            wrong = ~blank & ((fields < minimum) | (fields > expected))
            if wrong.any():
                k = int(np.flatnonzero(wrong)[0])
                if bad is None:
                    bad = BadRow(first_line + rows + k, int(fields[k]), 0)
                n_bad += int(wrong.sum())
            rows += len(nl)
            if not chunk:
                break
    return BadRow(bad.line, bad.found, n_bad) if bad is not None else None


def _scan_csv(
    path: str | Path, gzipped: bool, skip_lines: int, expected: int, minimum: int, sep: str
) -> BadRow | None:
    """:func:`scan_field_counts` for a file with quotes: field counts from :mod:`csv`."""
    bad: BadRow | None = None
    n_bad = 0
    with (
        gzip.open(path, "rb") if gzipped else open(path, "rb") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as fh,
    ):
        for _ in range(skip_lines):
            fh.readline()
        reader = csv.reader(fh, delimiter=sep)
        before = 0  # lines consumed before the current record
        for row in reader:
            line, before = skip_lines + before + 1, reader.line_num
            if row and (len(row) < minimum or len(row) > expected):
                if bad is None:
                    bad = BadRow(line, len(row), 0)
                n_bad += 1
    return BadRow(bad.line, bad.found, n_bad) if bad is not None else None


def check_row_lengths(header: Header) -> None:
    """Refuse a tab-separated table whose data rows do not all have as many fields as the
    header (trailing header fields with no name may be left out of a row).

    Raises:
        InputError: naming the first bad line, the expected and the found field counts.
    """
    path = header.path
    expected = len(header.columns)
    minimum = expected
    while minimum > 1 and not header.columns[minimum - 1]:
        minimum -= 1
    try:
        bad = scan_field_counts(
            path,
            gzipped=header.gzipped,
            skip_lines=header.n_comments + 1,
            expected=expected,
            minimum=minimum,
        )
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(path, _TRUNCATED) from exc
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc})") from exc
    if bad is not None:
        kind = "fewer" if bad.found < minimum else "more"
        raise InputError(
            path,
            f"malformed table: expected {expected} tab-separated fields as in the header but "
            f"found {bad.found} ({kind}; {bad.count} row(s) like this). Every row must have one "
            f"field per column (empty or NA for a missing value); fix the row or the header",
            line=bad.line,
        )


def read_table(
    header: Header,
    *,
    usecols: list[Any] | None = None,
    dtype: Any = None,
    positional: bool = False,
    na_values: tuple[str, ...] = NA_VALUES,
    **kwargs: Any,
) -> pd.DataFrame:
    """``pandas.read_csv`` of a tab-separated file described by ``header``.

    Quoting is off, ``#`` lines are skipped, ``na_values`` are the only missing markers.
    A row with fewer or more fields than the header is an error (:func:`check_row_lengths`).
    ``ValueError`` from dtype conversion is passed through (callers locate the bad cell);
    other read failures become :class:`InputError`.

    Args:
        positional: name the columns 0..n-1 by position instead of by the header
            (``usecols``/``dtype`` then use those integers); avoids pandas renaming
            duplicate or empty header fields.

    Returns:
        DataFrame with the header's column names (duplicates get pandas' ``.1`` suffix),
        or integer column names when ``positional``.
    """
    path = header.path
    check_row_lengths(header)
    if positional:
        layout: dict[str, Any] = dict(
            skiprows=header.n_comments + 1, header=None, names=list(range(len(header.columns)))
        )
    else:
        layout = dict(skiprows=header.n_comments, header=0)
    try:
        with (
            warnings.catch_warnings(),
            np.errstate(over="ignore"),
        ):  # a huge number becomes inf: missing
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            return pd.read_csv(
                path,
                sep="\t",
                **layout,
                usecols=usecols,
                dtype=dtype,
                quoting=csv.QUOTE_NONE,
                keep_default_na=False,
                na_values=list(na_values),
                compression="gzip" if header.gzipped else None,
                encoding="utf-8",
                index_col=False,
                engine="c",
                **kwargs,
            )
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(path, _TRUNCATED) from exc
    except UnicodeDecodeError as exc:
        raise InputError(path, "not UTF-8 text; save it as UTF-8 tab-separated text") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(path, "the file is empty") from exc
    except pd.errors.ParserError as exc:
        m = _PANDAS_LINE.search(str(exc))
        msg = str(exc).split("C error: ")[-1].strip()
        raise InputError(
            path,
            f"malformed table ({msg}); every row must have as many tab-separated "
            f"fields as the header",
            line=int(m.group(1)) if m else None,
        ) from exc
    except OSError as exc:
        if header.gzipped:  # e.g. CRC errors of a damaged gzip member
            raise InputError(path, f"{_TRUNCATED} ({exc})") from exc
        raise InputError(path, f"cannot read the file ({exc})") from exc


def find_column(columns: tuple[str, ...] | list[str], names: tuple[str, ...]) -> str | None:
    """The first header field equal (case-insensitively) to one of ``names`` (in ``names`` order)."""
    lower: dict[str, str] = {}
    for c in columns:
        lower.setdefault(c.lower(), c)
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def format_columns(columns: tuple[str, ...] | list[str], limit: int = 12) -> str:
    """A short printable list of header fields for error messages."""
    shown = ", ".join(repr(c) for c in list(columns)[:limit])
    more = len(columns) - limit
    return shown + (f", ... ({more} more)" if more > 0 else "")


def resolve_rows(
    symbols: np.ndarray | None,
    entrez: np.ndarray | None,
    resolver: GeneResolver,
    report: ReadReport,
) -> np.ndarray:
    """Resolve one gene per row from a symbol column and/or an Entrez column.

    The symbol is tried first; rows whose symbol is empty, ``Unknown`` or unresolved use
    the Entrez ID (``0``/``-1``/empty mean none). Names that resolve neither way are
    appended to ``report.unresolved`` (first-seen order).

    Args:
        symbols: object/str array [N] or None. entrez: object/str array [N] or None
            (NaN allowed in both).

    Returns:
        str array [N]: HGNC symbol per row, ``""`` where unresolved.
    """
    n = len(symbols) if symbols is not None else len(entrez)  # type: ignore[arg-type]
    sym = np.full(n, "", dtype=object)
    names = np.full(n, "", dtype=object)
    if symbols is not None:
        h = pd.Series(symbols, dtype=object).fillna("").astype(str).str.strip()
        h = h.where(h.str.lower() != "unknown", "")
        names = h.to_numpy(dtype=object)
        sym = _resolve_unique(names, resolver)
    if entrez is not None:
        ids = (
            pd.Series(entrez, dtype=object)
            .fillna("")
            .astype(str)
            .str.strip()
            .str.replace(r"\.0+$", "", regex=True)
        )
        e = ids.where(~ids.isin(["0", "-1"]), "").to_numpy(dtype=object)
        todo = (sym == "") & (e != "")
        if todo.any():
            sym[todo] = _resolve_unique(e[todo], resolver)
        names = np.where(names == "", e, names)
    bad = (sym == "") & (names != "")
    report.unresolved.extend(pd.unique(names[bad]).tolist())
    return sym.astype(str)


def _resolve_unique(names: np.ndarray, resolver: GeneResolver) -> np.ndarray:
    """Resolve each distinct name once; object array [N] of symbols ("" = unresolved)."""
    uniq, inv = np.unique(names.astype(str), return_inverse=True)
    res = resolver.resolve_many(uniq)
    return np.array([s if s is not None else "" for s in res.symbols], dtype=object)[inv]


def raise_non_numeric(header: Header, col_i: list[int], what: str = "Sample columns") -> None:
    """Find the first non-numeric cell among columns ``col_i`` (0-based positions) and raise
    :class:`InputError` naming its line and column; returns if every cell is numeric or missing."""
    raw = read_table(header, positional=True, usecols=col_i, dtype=str)
    raw = raw[col_i]
    num = raw.apply(pd.to_numeric, errors="coerce")
    bad = (num.isna() & raw.notna()).to_numpy()
    n_bad = int(bad.sum())
    if n_bad == 0:
        return
    r = int(np.flatnonzero(bad.any(axis=1))[0])
    j = int(np.flatnonzero(bad[r])[0])
    value = raw.iat[r, j]
    col = header.columns[col_i[j]]
    hint = " (a decimal comma? use '.')" if isinstance(value, str) and "," in value else ""
    raise InputError(
        header.path,
        f"non-numeric value {value!r}{hint}; {n_bad} cell(s) in the file are not "
        f"numbers. {what} must hold numbers, or NA / empty for missing values",
        line=header.data_line(r),
        column=col,
    )
