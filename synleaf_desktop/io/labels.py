"""Synthetic-lethality label files: ELISL pairs, SynLethDB 2.0 exports, generic tables.

Every reader returns a :class:`LabelTable`: one row per gene pair with HGNC symbols
(through :mod:`synleaf_desktop.io.genes`), a 0/1 label and a cancer name, after the
label rules of METHOD §1.3 have been applied once to everything read together:

1. a self-pair (gene1 == gene2, after symbol resolution) gets label 0;
2. an unordered pair labelled both 1 and 0 within one cancer becomes 0 (every row);
3. unordered duplicates within one cancer are removed (the first occurrence and its
   orientation are kept; exact duplicates are a special case).

Recognised formats (``fmt="auto"`` looks at the header):

* ``"elisl"``: ``gene1,gene2,class,cancer`` (ELISL train/test pair files);
* ``"synlethdb"``: SynLethDB 2.0 exports, ``gene_a.name``/``gene_b.name`` (with
  ``gene_a.identifier`` Entrez ids, used when a name does not resolve) or
  ``n1.name``/``n2.name``. These files have no label column: the label comes from the
  ``label=`` argument, else the ``SL.*`` / ``NonSL.*`` / ``SR.*`` column prefixes, else
  the file name (``..._SL`` -> 1, ``..._nonSL`` / ``..._SR`` -> 0);
* ``"generic"``: CSV or TSV (delimiter sniffed from the header) with two gene columns,
  a label column (0/1, true/false, SL/nonSL, ...) and an optional cancer column.

Unknown gene names never raise: their rows are dropped and the names are listed, with
counts, in :attr:`LabelTable.report`; but a table in which no row names two recognised genes
is an error. Tables that cannot train a model (no SL pair, fewer than
:data:`MIN_TRAIN_POSITIVES` SL pairs or :data:`MIN_TRAIN_GENES` genes) or hold one class only
are flagged in the report's warnings (and ``not_trainable`` / ``one_class``): they can still
flag known pairs in lookups.

This module also holds :func:`read_delimited`, the plain-text table reader (gzip, BOM,
delimiter sniffing, clear errors) shared with :mod:`synleaf_desktop.io.kg`.
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ReadReport
from ..fileio import atomic_path
from .genes import GeneResolver, default_resolver
from .tabular import is_gzip, open_text, scan_field_counts

__all__ = [
    "MIN_TRAIN_GENES",
    "MIN_TRAIN_POSITIVES",
    "Delimited",
    "LabelReport",
    "LabelTable",
    "apply_label_rules",
    "column_key",
    "read_delimited",
    "read_label_files",
    "read_labels",
    "training_problem",
]

LABEL_FORMATS = ("auto", "elisl", "synlethdb", "generic")

_DELIMS = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}

# accepted column names, compared after column_key() (lower case, letters/digits only)
GENE_COLUMN_PAIRS: tuple[tuple[str, str], ...] = (
    ("gene1", "gene2"),
    ("genea", "geneb"),
    ("gene1name", "gene2name"),
    ("geneaname", "genebname"),
    ("n1name", "n2name"),
    ("symbol1", "symbol2"),
    ("genesymbol1", "genesymbol2"),
    ("g1", "g2"),
    ("a", "b"),
    ("source", "target"),
    ("sourcegene", "targetgene"),
)
LABEL_COLUMNS: tuple[str, ...] = ("label", "class", "sl", "y", "issl", "label01", "sllabel")
CANCER_COLUMNS: tuple[str, ...] = (
    "cancer",
    "cancertype",
    "ct",
    "tumortype",
    "tumourtype",
    "cohort",
)

_LABEL_VALUES: dict[str, int] = {
    "1": 1,
    "1.0": 1,
    "true": 1,
    "t": 1,
    "yes": 1,
    "y": 1,
    "sl": 1,
    "positive": 1,
    "pos": 1,
    "0": 0,
    "0.0": 0,
    "false": 0,
    "f": 0,
    "no": 0,
    "n": 0,
    "nonsl": 0,
    "non-sl": 0,
    "non_sl": 0,
    "non sl": 0,
    "notsl": 0,
    "sr": 0,
    "negative": 0,
    "neg": 0,
}
_ACCEPTED_LABEL_TEXT = "0/1, true/false, yes/no, SL/nonSL, positive/negative"


def column_key(name: str) -> str:
    """Normalised column name used for matching: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


# ----------------------------------------------------------------------
# plain-text tables


@dataclass
class Delimited:
    """A text table read by :func:`read_delimited`.

    Attributes:
        frame: all columns as strings; missing cells are ``""``; blank lines kept as
            all-empty rows so that ``line_of(i)`` is exact.
        sep: the delimiter used.
        header_line: 1-based line number of the header.
        gzipped: the file was gzip-compressed.
    """

    frame: pd.DataFrame
    sep: str
    header_line: int = 1
    gzipped: bool = False

    def line_of(self, row: int) -> int:
        """1-based file line of data row ``row`` (0-based position in ``frame``)."""
        return self.header_line + 1 + int(row)


def _gzip_error(path: Path, exc: BaseException) -> InputError:
    return InputError(
        path, f"the gzip file is truncated or corrupt ({exc}); download or copy it again"
    )


def read_delimited(
    path: str | Path,
    *,
    header: bool = True,
    seps: Sequence[str] = ("\t", ",", ";", "|"),
    min_columns: int = 2,
    what: str = "table",
) -> Delimited:
    """Read a CSV/TSV (optionally gzipped, optionally with a UTF-8 BOM) as strings.

    The delimiter is the one among ``seps`` that occurs most often in the first
    non-blank line. Quotes follow the CSV convention.

    Args:
        path: the file.
        header: the first non-blank line is a header (else columns are 0..n-1).
        seps: candidate delimiters.
        min_columns: fewer columns than this is an error (wrong delimiter).
        what: what the file should be, for messages (e.g. ``"label table"``).

    Raises:
        InputError: missing or empty file, no delimiter/too few columns, ragged rows (a row
            with fewer or more fields than the header: the line is named), truncated or
            corrupt gzip, undecodable text.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, f"file not found; choose an existing {what} file")
    if path.is_dir():
        raise InputError(path, f"this is a folder; choose a {what} file")
    if path.stat().st_size == 0:
        raise InputError(path, f"the file is empty; expected a {what} with a header row")
    gz = is_gzip(path)
    first, header_line = "", 0
    try:
        with open_text(path) as fh:
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    first, header_line = line.rstrip("\r\n"), n
                    break
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _gzip_error(path, exc) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8 CSV or TSV"
        ) from None
    if not first:
        raise InputError(path, f"the file is empty; expected a {what} with a header row")
    counts = {s: first.count(s) for s in seps}
    sep = max(seps, key=lambda s: counts[s])
    if counts[sep] + 1 < min_columns:
        names = " or ".join(_DELIMS.get(s, repr(s)) for s in seps)
        raise InputError(
            path,
            f"only one column found in the first line ({first[:80]!r}): expected a {what} "
            f"separated by {names}; check the delimiter",
            line=header_line,
        )
    n_fields = len(next(csv.reader([first], delimiter=sep), [])) or counts[sep] + 1
    try:  # pandas pads a short row with empty cells without a word: count the fields first
        bad = scan_field_counts(
            path,
            gzipped=gz,
            skip_lines=header_line if header else header_line - 1,
            expected=n_fields,
            sep=sep,
            quoting=True,
        )
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _gzip_error(path, exc) from None
    except (OSError, csv.Error) as exc:
        raise InputError(path, f"cannot read the file ({exc})") from None
    if bad is not None:
        raise InputError(
            path,
            f"expected {n_fields} {_DELIMS.get(sep, sep)}-separated fields as in the "
            f"{'header' if header else 'first line'} but found {bad.found} ({bad.count} row(s) like "
            f"this); fix that row or the delimiter",
            line=bad.line,
        )
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            header=0 if header else None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            skiprows=header_line - 1,
            encoding="utf-8-sig",
            compression="gzip" if gz else None,
            on_bad_lines="error",
        )
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _gzip_error(path, exc) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8 CSV or TSV"
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError(path, f"the file is empty; expected a {what} with a header row") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise InputError(
                path,
                f"expected {m.group(1)} {_DELIMS.get(sep, sep)}-separated fields as in the "
                f"header but found {m.group(3)}; fix that row or the delimiter",
                line=int(m.group(2)) + header_line - 1,
            ) from None
        raise InputError(
            path, f"cannot parse the file as a {_DELIMS.get(sep, sep)}-separated table: {exc}"
        ) from None
    frame = frame.fillna("")
    if header:
        frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return Delimited(
        frame=frame, sep=sep, header_line=header_line if header else header_line - 1, gzipped=gz
    )


# ----------------------------------------------------------------------
# label table


@dataclass
class LabelReport(ReadReport):
    """What reading (and the §1.3 rules) did to a set of label files.

    Attributes (besides :class:`~synleaf_desktop.errors.ReadReport`'s; ``n_rows`` is
    the number of data rows read over all files, before any rule):
        files: per file: ``{"path", "format", "rows", "label_from"}``.
        unresolved_counts: unresolved gene name -> number of pair endpoints with it.
        rows_unknown_gene: rows dropped because a gene did not resolve.
        self_pairs: rows with gene1 == gene2 (kept, label 0).
        self_pairs_set_negative: of those, rows that were labelled 1.
        conflict_pairs: unordered pairs (within a cancer) labelled both 1 and 0.
        conflicts_set_negative: rows labelled 1 that became 0 because of a conflict.
        duplicates_removed: rows removed as unordered duplicates.
        per_cancer: cancer -> counts of that cancer alone: ``positive``, ``negative``
            (after the rules), ``rows_read``, ``rows_unknown_gene``, ``self_pairs``,
            ``self_pairs_set_negative``, ``conflict_pairs``, ``conflicts_set_negative``,
            ``duplicates_removed``.
        unresolved_by_cancer: cancer -> {unresolved name -> endpoint count}.
        not_trainable: cancer -> why its pairs cannot train a model (see
            :func:`training_problem`); such a table can still flag known pairs.
        one_class: cancer -> note for pairs of one class only (SL only: training draws
            random gene pairs as negatives).
    """

    files: list[dict] = field(default_factory=list)
    unresolved_counts: dict[str, int] = field(default_factory=dict)
    rows_unknown_gene: int = 0
    self_pairs: int = 0
    self_pairs_set_negative: int = 0
    conflict_pairs: int = 0
    conflicts_set_negative: int = 0
    duplicates_removed: int = 0
    per_cancer: dict[str, dict[str, int]] = field(default_factory=dict)
    unresolved_by_cancer: dict[str, dict[str, int]] = field(default_factory=dict)
    not_trainable: dict[str, str] = field(default_factory=dict)
    one_class: dict[str, str] = field(default_factory=dict)

    @property
    def trainable(self) -> bool:
        """At least one cancer's pairs are enough to train a model."""
        return any(c not in self.not_trainable for c in self.per_cancer)

    def for_cancer(self, cancer: str) -> LabelReport:
        """The same report restricted to one cancer (counts of that cancer only)."""
        c = self.per_cancer.get(cancer, {})
        bad = self.unresolved_by_cancer.get(cancer, {})
        rep = LabelReport(
            path=self.path,
            files=list(self.files),
            n_rows=int(c.get("rows_read", 0)),
            unresolved=list(bad),
            unresolved_counts=dict(bad),
            rows_unknown_gene=int(c.get("rows_unknown_gene", 0)),
            self_pairs=int(c.get("self_pairs", 0)),
            self_pairs_set_negative=int(c.get("self_pairs_set_negative", 0)),
            conflict_pairs=int(c.get("conflict_pairs", 0)),
            conflicts_set_negative=int(c.get("conflicts_set_negative", 0)),
            duplicates_removed=int(c.get("duplicates_removed", 0)),
            per_cancer={cancer: dict(c)} if c else {},
            unresolved_by_cancer={cancer: dict(bad)} if bad else {},
            not_trainable={k: v for k, v in self.not_trainable.items() if k == cancer},
            one_class={k: v for k, v in self.one_class.items() if k == cancer},
        )
        rep._add_warnings()
        return rep

    def _add_warnings(self) -> None:
        if self.rows_unknown_gene:
            self.warn(
                f"{self.rows_unknown_gene} rows dropped: {len(self.unresolved)} gene names not recognised "
                f"(e.g. {', '.join(self.unresolved[:5])})"
            )
        if self.self_pairs_set_negative:
            self.warn(f"{self.self_pairs_set_negative} self-pairs labelled SL were set negative")
        if self.conflict_pairs:
            self.warn(f"{self.conflict_pairs} pairs labelled both SL and non-SL were set negative")
        for cancer, why in self.not_trainable.items():
            self.warn(f"{_cancer_label(cancer)}: {why}")
        for cancer, note in self.one_class.items():
            self.warn(f"{_cancer_label(cancer)}: {note}")

    def summary(self) -> str:
        """One paragraph for logs and previews."""
        parts = [f"{self.n_rows} rows read"]
        if self.rows_unknown_gene:
            parts.append(
                f"{self.rows_unknown_gene} dropped for {len(self.unresolved)} unknown gene names"
            )
        if self.self_pairs:
            parts.append(
                f"{self.self_pairs} self-pairs ({self.self_pairs_set_negative} set negative)"
            )
        if self.conflict_pairs:
            parts.append(f"{self.conflict_pairs} pairs with both labels set negative")
        if self.duplicates_removed:
            parts.append(f"{self.duplicates_removed} duplicates removed")
        return "; ".join(parts)


@dataclass
class LabelTable:
    """Labelled gene pairs.

    Attributes:
        pairs: DataFrame [N x 4]: ``gene1``, ``gene2`` (HGNC symbols, str), ``label``
            (int8, 0/1), ``cancer`` (str, ``""`` when the files name none).
        sources: the files read.
        report: :class:`LabelReport`.
    """

    pairs: pd.DataFrame
    sources: list[Path] = field(default_factory=list)
    report: LabelReport = field(default_factory=LabelReport)

    def __len__(self) -> int:
        return len(self.pairs)

    def cancers(self) -> list[str]:
        """Distinct cancer names, sorted."""
        return sorted(self.pairs["cancer"].unique().tolist())

    def for_cancer(self, name: str) -> LabelTable:
        """Rows of one cancer (exact name first, else case-insensitive)."""
        cancer = self.pairs["cancer"]
        mask = cancer == name
        if not mask.any():
            hit = [c for c in self.report.per_cancer if c.upper() == str(name).upper()]
            name = hit[0] if hit else name
            mask = cancer == name
        return replace(
            self,
            pairs=self.pairs[mask.to_numpy()].reset_index(drop=True),
            report=self.report.for_cancer(name),
        )

    def counts(self) -> pd.DataFrame:
        """DataFrame indexed by cancer, columns ``positive``, ``negative``, ``total``."""
        tab = pd.crosstab(self.pairs["cancer"], self.pairs["label"].astype(np.int64))
        tab = tab.reindex(columns=[1, 0], fill_value=0)
        out = pd.DataFrame(
            {"positive": tab[1].astype(np.int64), "negative": tab[0].astype(np.int64)}
        )
        out["total"] = out["positive"] + out["negative"]
        out.index.name = "cancer"
        return out

    def to_csv(self, path: str | Path) -> Path:
        """Write ``gene1,gene2,label,cancer`` atomically (gzip when the name ends in .gz)."""
        path = Path(path)
        comp = {"method": "gzip", "mtime": 0} if path.suffix == ".gz" else None
        with atomic_path(path) as tmp:
            self.pairs.to_csv(tmp, index=False, compression=comp)
        return path


def _cancer_label(cancer: str) -> str:
    return f"cancer {cancer!r}" if cancer else "the pairs"


#: the fewest SL pairs, and the fewest distinct genes in labelled pairs, a model can be trained
#: on: 5-fold CV needs >= 10 pairs after 1:1 balancing (>= 5 SL pairs) and the gene-disjoint
#: CV2 / CV3 splits need >= 10 labelled genes (data/splits.py)
MIN_TRAIN_POSITIVES = 5
MIN_TRAIN_GENES = 10


def training_problem(positive: int, negative: int, genes: int) -> str | None:
    """Why a set of labelled pairs cannot train a model, or None if it can.

    Args:
        positive, negative: SL and non-SL pairs (after the §1.3 rules); genes: distinct genes.
    """
    if positive == 0:
        return (
            f"no SL pair ({negative} non-SL pairs only): a model cannot be trained on these labels "
            "(they can still flag known pairs)"
        )
    if positive < MIN_TRAIN_POSITIVES or genes < MIN_TRAIN_GENES:
        return (
            f"too few labels to train a model: {positive} SL pair(s) over {genes} genes; training needs at "
            f"least {MIN_TRAIN_POSITIVES} SL pairs over at least {MIN_TRAIN_GENES} genes (the labels can "
            "still flag known pairs)"
        )
    return None


def _check_trainable(pairs: pd.DataFrame, report: LabelReport) -> None:
    """Fill ``report.not_trainable`` / ``report.one_class`` per cancer."""
    for cancer, grp in pairs.groupby("cancer", sort=True):
        pos = int((grp["label"] == 1).sum())
        neg = int(len(grp) - pos)
        genes = len(pd.unique(pd.concat([grp["gene1"], grp["gene2"]])))
        why = training_problem(pos, neg, genes)
        if why is not None:
            report.not_trainable[str(cancer)] = why
        elif neg == 0:
            report.one_class[str(cancer)] = (
                f"one class only: all {pos} pairs are SL; training will use random "
                "gene pairs as the non-SL pairs"
            )


# ----------------------------------------------------------------------
# format detection


def _find_pair(keys: dict[str, str]) -> tuple[str, str] | None:
    for a, b in GENE_COLUMN_PAIRS:
        if a in keys and b in keys:
            return keys[a], keys[b]
    return None


def _detect(columns: list[str]) -> str:
    keys = {column_key(c) for c in columns}
    if {"gene1", "gene2", "class", "cancer"} <= keys:
        return "elisl"
    has_label = any(k in keys for k in LABEL_COLUMNS)
    if ({"geneaname", "genebname"} <= keys or {"n1name", "n2name"} <= keys) and not has_label:
        return "synlethdb"
    return "generic"


def _label_from_name(path: Path) -> int | None:
    name = path.name
    for suf in (".gz", ".csv", ".tsv", ".txt"):
        if name.lower().endswith(suf):
            name = name[: -len(suf)]
    tokens = [t.lower() for t in re.split(r"[^A-Za-z0-9]+", name) if t]
    if "nonsl" in tokens or "sr" in tokens:
        return 0
    if "sl" in tokens:
        return 1
    return None


def _label_from_prefix(columns: list[str]) -> int | None:
    found = set()
    for c in columns:
        head = c.split(".", 1)[0].strip().lower() if "." in c else ""
        if head in ("sl",):
            found.add(1)
        elif head in ("nonsl", "sr"):
            found.add(0)
    return found.pop() if len(found) == 1 else None


def _parse_labels(values: pd.Series, tab: Delimited, path: Path, column: str) -> np.ndarray:
    mapped = values.str.strip().str.lower().map(_LABEL_VALUES)
    bad = mapped.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            path,
            f"label value {values.iloc[i]!r} is not 0/1-like (accepted: {_ACCEPTED_LABEL_TEXT}); "
            f"{int(bad.sum())} rows have such values",
            line=tab.line_of(i),
            column=column,
        )
    return mapped.to_numpy(dtype=np.int8)


@dataclass
class _Raw:
    """One file before resolution: names as read (+ optional Entrez fallbacks)."""

    name1: np.ndarray
    name2: np.ndarray
    id1: np.ndarray | None
    id2: np.ndarray | None
    label: np.ndarray
    cancer: np.ndarray
    info: dict


def _read_raw(path: Path, fmt: str, label: int | None, cancer: str | None) -> _Raw:
    if fmt not in LABEL_FORMATS:
        raise ValueError(f"unknown label format {fmt!r}; expected one of {LABEL_FORMATS}")
    if label is not None and label not in (0, 1):
        raise ValueError(f"label must be 0, 1 or None, not {label!r}")
    tab = read_delimited(path, what="label table (gene pairs)")
    df = tab.frame
    cols = list(df.columns)
    keys: dict[str, str] = {}
    for c in cols:
        keys.setdefault(column_key(c), c)
    if fmt == "auto":
        fmt = _detect(cols)
    blank = (df == "").all(axis=1).to_numpy().copy()

    # Entrez ids (SynLethDB exports) used where a name does not resolve
    id_cols = [
        keys.get("geneaidentifier") or keys.get("n1identifier"),
        keys.get("genebidentifier") or keys.get("n2identifier"),
    ]
    id1, id2 = (None if c is None else df[c].str.strip().to_numpy(dtype=object) for c in id_cols)
    if fmt == "synlethdb":
        pair = (
            (keys.get("geneaname"), keys.get("genebname"))
            if "geneaname" in keys
            else (keys.get("n1name"), keys.get("n2name"))
        )
        if pair[0] is None or pair[1] is None:
            raise InputError(
                path,
                f"not a SynLethDB export: expected columns gene_a.name/gene_b.name or "
                f"n1.name/n2.name; found {cols}",
            )
        if label is not None:
            lab, label_from = label, "argument"
        elif (p := _label_from_prefix(cols)) is not None:
            lab, label_from = p, "column prefix"
        elif (p := _label_from_name(path)) is not None:
            lab, label_from = p, "file name"
        else:
            raise InputError(
                path,
                "SynLethDB exports have no label column and the kind of file (SL, nonSL or "
                "SR) cannot be told from its name or columns; pass the label (1 for SL, 0 for "
                "nonSL/SR)",
            )
        labels = np.full(len(df), lab, dtype=np.int8)
        cancer_col = None
    else:
        found = _find_pair(keys)
        if found is None:
            accepted = ", ".join(f"{a}/{b}" for a, b in GENE_COLUMN_PAIRS)
            raise InputError(
                path,
                f"no recognisable gene columns; found columns {cols}; accepted pairs of "
                f"names (case, '_' and '.' ignored): {accepted}",
            )
        pair = found
        label_col = next(
            (keys[k] for k in LABEL_COLUMNS if k in keys and keys[k] not in pair), None
        )
        if label is not None:
            labels, label_from = np.full(len(df), label, dtype=np.int8), "argument"
        elif label_col is None:
            raise InputError(
                path,
                f"no label column; found columns {cols}; accepted label columns: "
                f"{', '.join(LABEL_COLUMNS)} (or pass the label for every row)",
            )
        else:
            vals = df[label_col].where(~pd.Series(blank, index=df.index), "0")
            labels, label_from = _parse_labels(vals, tab, path, label_col), f"column {label_col!r}"
        cancer_col = next((keys[k] for k in CANCER_COLUMNS if k in keys), None)

    if cancer_col is not None:
        cancers = df[cancer_col].str.strip().to_numpy(dtype=object)
        if cancer:
            keep = np.char.upper(cancers.astype(str)) == str(cancer).upper()
            blank |= ~keep
    else:
        cancers = np.full(len(df), cancer or "", dtype=object)

    keep = ~blank
    n1 = df[pair[0]].str.strip().to_numpy(dtype=object)[keep]
    n2 = df[pair[1]].str.strip().to_numpy(dtype=object)[keep]
    info = {
        "path": str(path),
        "format": fmt,
        "rows": int(keep.sum()),
        "label_from": label_from,
        "gene_columns": list(pair),
    }
    return _Raw(
        n1,
        n2,
        None if id1 is None else id1[keep],
        None if id2 is None else id2[keep],
        labels[keep],
        cancers[keep],
        info,
    )


def _resolve(names: np.ndarray, ids: np.ndarray | None, resolver: GeneResolver) -> np.ndarray:
    """object [n] of symbols (None = unresolved); Entrez ids fill in unresolved names."""
    codes, uniq = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=False)
    sym = resolver.resolve_many(list(uniq)).symbols
    out = sym[codes]
    if ids is not None:
        miss = np.array([s is None for s in out], dtype=bool)
        if miss.any():
            c2, u2 = pd.factorize(pd.Series(ids[miss], dtype=object), use_na_sentinel=False)
            out[miss] = resolver.resolve_many([u if str(u).isdigit() else "" for u in u2]).symbols[
                c2
            ]
    return out


# ----------------------------------------------------------------------
# rules


def apply_label_rules(pairs: pd.DataFrame, report: LabelReport | None = None) -> pd.DataFrame:
    """METHOD §1.3 rules on resolved pairs, vectorised.

    Args:
        pairs: columns gene1, gene2, label (0/1), cancer; row order = reading order.
        report: filled with the counts (self-pairs, conflicts, duplicates, per cancer).

    Returns:
        new DataFrame, index reset, label int8.
    """
    report = report if report is not None else LabelReport()
    df = pairs.reset_index(drop=True).copy()
    given = df["label"].to_numpy(dtype=np.int8)
    g1, g2 = df["gene1"], df["gene2"]
    self_pair = (g1 == g2).to_numpy()
    label = np.where(self_pair, 0, given).astype(np.int8)
    lo = g1.where(g1 <= g2, g2)
    hi = g2.where(g1 <= g2, g1)
    key = pd.DataFrame({"cancer": df["cancer"], "lo": lo, "hi": hi, "label": label})
    n_labels = (
        key.groupby(["cancer", "lo", "hi"], sort=False)["label"].transform("nunique").to_numpy()
    )
    conflict = n_labels > 1
    dup = key.duplicated(["cancer", "lo", "hi"], keep="first").to_numpy()
    flags = pd.DataFrame(
        {
            "cancer": df["cancer"].to_numpy(dtype=object),
            "self_pairs": self_pair,
            "self_pairs_set_negative": self_pair & (given == 1),
            "conflict_pairs": conflict & ~dup,  # one row per conflicting pair
            "conflicts_set_negative": conflict & (label == 1),
            "duplicates_removed": dup,
        }
    )
    label[conflict] = 0
    flags["positive"] = ~dup & (label == 1)
    flags["negative"] = ~dup & (label == 0)
    totals = flags.drop(columns="cancer").sum()
    for name in (
        "self_pairs",
        "self_pairs_set_negative",
        "conflict_pairs",
        "conflicts_set_negative",
        "duplicates_removed",
    ):
        setattr(report, name, int(totals[name]))
    for c, row in flags.groupby("cancer", sort=True).sum().iterrows():
        report.per_cancer.setdefault(str(c), {}).update({str(k): int(v) for k, v in row.items()})
    df["label"] = label
    out = df[~dup].reset_index(drop=True)
    out["label"] = out["label"].astype(np.int8)
    return out


# ----------------------------------------------------------------------
# public readers


def read_label_files(
    paths: Iterable[str | Path],
    resolver: GeneResolver | None = None,
    fmt: str = "auto",
    label: int | None = None,
    cancer: str | None = None,
) -> LabelTable:
    """Read several label files, concatenate them in order, then apply the §1.3 rules once.

    Args:
        paths: files (e.g. ELISL train + test; SynLethDB SL + nonSL + SR).
        resolver: gene-name resolver (default: the shipped one).
        fmt: ``"auto"``, ``"elisl"``, ``"synlethdb"`` or ``"generic"`` (for every file).
        label: force this label (0/1) on every row of every file (SynLethDB files
            otherwise take it from their column prefixes or file name).
        cancer: for files without a cancer column, the cancer of every row (e.g.
            ``"pan"``; default ``""``); for files with one, keep only that cancer.

    Returns:
        :class:`LabelTable`.

    Raises:
        InputError: a file is empty, has one column, no gene or label columns, bad label
            values, or is a truncated gzip.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("no label files given")
    resolver = resolver or default_resolver()
    report = LabelReport(path=files[0] if len(files) == 1 else None)
    raws = [_read_raw(p, fmt, label, cancer) for p in files]
    report.files = [r.info for r in raws]
    report.n_rows = int(sum(len(r.label) for r in raws))
    if report.n_rows == 0:
        where = files[0] if len(files) == 1 else None
        raise InputError(where, "no gene pairs: the label file(s) have a header but no data rows")

    resolved = [
        (_resolve(r.name1, r.id1, resolver), _resolve(r.name2, r.id2, resolver)) for r in raws
    ]
    sym1 = np.concatenate([a for a, _ in resolved])
    sym2 = np.concatenate([b for _, b in resolved])
    names = np.concatenate([np.concatenate([r.name1, r.name2]) for r in raws])
    symbols = np.concatenate([np.concatenate([a, b]) for a, b in resolved])
    bad_names = pd.Series(names[pd.isna(pd.Series(symbols, dtype=object)).to_numpy()], dtype=object)
    bad_names = bad_names[bad_names != ""]
    counts = bad_names.value_counts(sort=False)
    report.unresolved = [str(n) for n in pd.unique(bad_names)]
    report.unresolved_counts = {str(k): int(v) for k, v in counts.items()}
    ok = (
        pd.notna(pd.Series(sym1, dtype=object)).to_numpy()
        & pd.notna(pd.Series(sym2, dtype=object)).to_numpy()
    )
    report.rows_unknown_gene = int((~ok).sum())
    cancers = np.concatenate([r.cancer for r in raws]).astype(str)
    read_counts = pd.DataFrame({"cancer": cancers, "rows_read": 1, "rows_unknown_gene": ~ok})
    for c, row in read_counts.groupby("cancer", sort=True).sum().iterrows():
        report.per_cancer[str(c)] = {
            "positive": 0,
            "negative": 0,
            "rows_read": int(row["rows_read"]),
            "rows_unknown_gene": int(row["rows_unknown_gene"]),
        }
    end_cancer = np.concatenate([np.concatenate([r.cancer, r.cancer]) for r in raws]).astype(str)
    bad = pd.DataFrame({"cancer": end_cancer, "name": names.astype(str)})
    bad = bad[pd.isna(pd.Series(symbols, dtype=object)).to_numpy() & (bad["name"] != "").to_numpy()]
    for c, grp in bad.groupby("cancer", sort=True):
        vc = grp["name"].value_counts(sort=False)
        report.unresolved_by_cancer[str(c)] = {str(k): int(vc[k]) for k in pd.unique(grp["name"])}

    pairs = pd.DataFrame(
        {
            "gene1": pd.Series(sym1[ok], dtype="str"),
            "gene2": pd.Series(sym2[ok], dtype="str"),
            "label": np.concatenate([r.label for r in raws])[ok].astype(np.int8),
            "cancer": pd.Series(np.concatenate([r.cancer for r in raws])[ok], dtype="str"),
        }
    )
    if not ok.any():
        where = files[0] if len(files) == 1 else None
        raise InputError(
            where,
            f"no usable gene pair: none of the {report.n_rows} rows names two recognised genes "
            f"(unrecognised names, e.g. {', '.join(report.unresolved[:5]) or 'all empty'}); "
            "use HGNC symbols, aliases or Entrez IDs",
        )
    out = apply_label_rules(pairs, report)
    _check_trainable(out, report)
    report._add_warnings()
    return LabelTable(out, sources=files, report=report)


def read_labels(
    path: str | Path,
    resolver: GeneResolver | None = None,
    fmt: str = "auto",
    label: int | None = None,
    cancer: str | None = None,
) -> LabelTable:
    """Read one label file (see :func:`read_label_files` for the arguments)."""
    return read_label_files([path], resolver=resolver, fmt=fmt, label=label, cancer=cancer)
