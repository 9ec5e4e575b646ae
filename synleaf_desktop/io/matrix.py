"""Reader of cBioPortal-style gene x sample matrices.

Covers linear / log2 / discrete CNA, expression z-scores (RNA-seq, microarray), raw
microarray values, methylation (hm27 / hm450) and 0/1 mutation or alteration matrices.

Layout: one header row (after optional leading ``#`` lines), one row per gene, one
column per sample. Genes are keyed by ``Hugo_Symbol`` and/or ``Entrez_Gene_Id`` (or the
spellings in :data:`SYMBOL_COLUMNS` / :data:`ENTREZ_COLUMNS`); the annotation columns in
:data:`ANNOTATION_COLUMNS` are never samples; every other named column is a sample.
Missing cells: ``NA``, ``NaN``, empty, ``null`` (see :data:`tabular.NA_VALUES`).

Rules (METHOD §1.5): unresolved gene names are dropped and reported; a gene on several
rows keeps its first row (warning names the genes and lines); sample columns that are
the same sample after :func:`normalise_sample_ids` are averaged (warning); the same
sample column name written twice is an error; a row with fewer or more fields than the
header is an error; gene rows and sample columns with no value at all are left out
(counted in a warning), and a matrix with no value at all is an error.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from ..errors import InputError, ReadReport
from .genes import GeneResolver, default_resolver
from .omics import OMICS_KINDS, OmicsMatrix, drop_missing, normalise_sample_ids
from .tabular import (
    Header,
    find_column,
    format_columns,
    raise_non_numeric,
    read_table,
    resolve_rows,
    scan_header,
)

SYMBOL_COLUMNS: tuple[str, ...] = (
    "Hugo_Symbol",
    "Gene Symbol",
    "Gene_Symbol",
    "GeneSymbol",
    "Symbol",
    "Gene",
    "Gene_Name",
    "Gene Name",
)
ENTREZ_COLUMNS: tuple[str, ...] = (
    "Entrez_Gene_Id",
    "Entrez_Id",
    "Entrez Gene ID",
    "EntrezID",
    "Entrez",
    "Locus ID",
    "Locus_ID",
)
#: header fields (case-insensitive) that are annotation, never samples
ANNOTATION_COLUMNS: frozenset[str] = frozenset(
    c.lower()
    for c in SYMBOL_COLUMNS
    + ENTREZ_COLUMNS
    + (
        "Cytoband",
        "Composite.Element.REF",
        "Composite Element REF",
        "Description",
        "Chromosome",
        "Chr",
        "Chrom",
        "Start",
        "End",
        "Strand",
        "Gene_Type",
        "Gene Type",
        "Ensembl_Gene_Id",
        "Hybridization REF",
        "Probe",
        "Probe_Id",
        "Entity_Stable_Id",
        "Name",
        "URL",
    )
)

_SHOW = 5  # names listed in a warning before "..."


def read_matrix(
    path: str | Path, kind: str, resolver: GeneResolver | None = None, fmt: str | None = None
) -> OmicsMatrix:
    """Read a gene x sample matrix file (plain or gzip).

    Args:
        path: the file.
        kind: omics kind of the values, one of :data:`OMICS_KINDS`.
        resolver: gene-name resolver (default: the shipped one).
        fmt: label stored in the result (e.g. ``"linear_cna"``); default ``"matrix"``.

    Returns:
        OmicsMatrix with genes sorted, samples sorted, values float32 [G, S], NaN = missing.

    Raises:
        InputError: unreadable file, no gene column, no sample column, duplicated sample
            column, non-numeric cells (first line and column named), no usable row.
    """
    if kind not in OMICS_KINDS:
        raise ValueError(f"unknown omics kind {kind!r}; expected one of {OMICS_KINDS}")
    path = Path(path)
    resolver = resolver or default_resolver()
    header = scan_header(path, what="gene x sample matrix (tab-separated)")
    cols = header.columns
    sym_col, ent_col = find_column(cols, SYMBOL_COLUMNS), find_column(cols, ENTREZ_COLUMNS)
    if sym_col is None and ent_col is None:
        raise InputError(
            path,
            f"no gene column: the header needs 'Hugo_Symbol' and/or 'Entrez_Gene_Id'. "
            f"Columns found: {format_columns(cols)}",
            line=header.header_line,
        )
    sym_i = cols.index(sym_col) if sym_col is not None else None
    ent_i = cols.index(ent_col) if ent_col is not None else None
    sample_i = [i for i, c in enumerate(cols) if c and c.lower() not in ANNOTATION_COLUMNS]
    report = ReadReport(path=path)
    unnamed = [i + 1 for i, c in enumerate(cols) if not c and i != len(cols) - 1]
    if unnamed:
        report.warn(f"column(s) {unnamed} have no name and were ignored")
    if not sample_i:
        raise InputError(
            path,
            f"no sample columns: every column is a gene or annotation column "
            f"({format_columns(cols)}); expected one column per sample",
            line=header.header_line,
        )
    _check_duplicate_columns(header, sample_i)

    # all columns are read (annotation as text): with usecols pandas would not notice rows with extra fields
    dtype: dict[int, object] = {i: str for i in range(len(cols))}
    dtype.update({i: np.float32 for i in sample_i})
    try:
        df = read_table(header, positional=True, dtype=dtype)
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise_non_numeric(header, sample_i)
        raise  # not reached unless the slow scan finds nothing
    report.n_rows = len(df)
    if len(df) == 0:
        raise InputError(path, "the matrix has a header but no gene rows")

    symbols = resolve_rows(
        df[sym_i].to_numpy(dtype=object) if sym_i is not None else None,
        df[ent_i].to_numpy(dtype=object) if ent_i is not None else None,
        resolver,
        report,
    )
    rows = np.flatnonzero(symbols != "")
    n_unres = len(df) - len(rows)
    if len(rows) == 0:
        raise InputError(
            path,
            f"no row has a resolvable gene name (first names: "
            f"{', '.join(map(str, report.unresolved[:_SHOW])) or 'all empty'})",
        )
    if n_unres:
        report.warn(
            f"{n_unres} rows dropped: gene name not resolved ({len(report.unresolved)} distinct names)"
        )
    if sym_i is not None:  # rows written with the official symbol itself win over alias rows
        exact = df[sym_i].fillna("").astype(str).str.strip().to_numpy(dtype=str) == symbols
    else:
        exact = np.zeros(len(symbols), dtype=bool)
    order = rows[np.lexsort((rows, ~exact[rows], symbols[rows]))]  # by gene, exact first, then line
    genes, first = np.unique(symbols[order], return_index=True)
    if len(genes) < len(rows):
        raw_names = (
            df[sym_i if sym_i is not None else ent_i].fillna("").astype(str).to_numpy(dtype=str)
        )
        _warn_duplicate_genes(header, symbols, order, first, raw_names, report)
    rows = order[first]  # one row per gene, genes sorted

    names = [cols[i] for i in sample_i]
    norm = normalise_sample_ids(names).astype(str)
    samples, inv = np.unique(norm, return_inverse=True)
    block = df[sample_i].to_numpy(dtype=np.float32)
    del df
    block = block[rows]
    if len(samples) == len(names):
        values = np.ascontiguousarray(block[:, np.argsort(norm, kind="stable")])
    else:
        values = _average_columns(block, inv, len(samples))
        merged = [s for s, n in zip(samples, np.bincount(inv), strict=True) if n > 1]
        report.warn(
            f"{len(names)} sample columns are {len(samples)} samples after shortening IDs to the "
            f"sample level; the columns of {len(merged)} samples were averaged "
            f"(e.g. {', '.join(merged[:_SHOW])})"
        )
    inf = np.isinf(values)
    if inf.any():
        values[inf] = np.nan
        report.warn(f"{int(inf.sum())} infinite values were treated as missing")
    genes, samples, values = drop_missing(genes, samples, values, report, path)
    return OmicsMatrix(
        kind,
        genes.astype(object),
        samples.astype(object),
        values,
        source=path,
        fmt=fmt or "matrix",
        report=report,
    )


def _check_duplicate_columns(header: Header, sample_i: list[int]) -> None:
    counts = Counter(header.columns[i] for i in sample_i)
    dups = [c for c, n in counts.items() if n > 1]
    if dups:
        c = dups[0]
        where = [i + 1 for i in sample_i if header.columns[i] == c]
        more = f" ({len(dups) - 1} more duplicated names)" if len(dups) > 1 else ""
        raise InputError(
            header.path,
            f"sample column {c!r} appears {len(where)} times (columns "
            f"{', '.join(map(str, where))}){more}; each sample needs exactly one "
            f"column: remove or rename the copies",
            line=header.header_line,
            column=c,
        )


def _warn_duplicate_genes(
    header: Header,
    symbols: np.ndarray,
    order: np.ndarray,
    first: np.ndarray,
    raw_names: np.ndarray,
    report: ReadReport,
) -> None:
    """Warn about genes on several rows; ``order`` groups rows by gene (kept row first)."""
    sizes = np.diff(np.append(first, len(order)))
    dup = np.flatnonzero(sizes > 1)
    parts = []

    def line(r: int, gene: str) -> str:
        name = str(raw_names[r])
        return f"{header.data_line(int(r))}" + (f" {name!r}" if name and name != gene else "")

    for d in dup[:_SHOW]:
        grp = order[first[d] : first[d] + sizes[d]]
        gene = str(symbols[grp[0]])
        others = ", ".join(line(r, gene) for r in grp[1:4]) + (", ..." if len(grp) > 4 else "")
        parts.append(f"{gene} (kept line {line(grp[0], gene)}; ignored {others})")
    report.warn(
        f"{len(dup)} genes appear on more than one row (after resolving names); one row each was kept, "
        f"the first one written with the official symbol, else the first: {'; '.join(parts)}"
        f"{'; ...' if len(dup) > _SHOW else ''}"
    )


def _average_columns(block: np.ndarray, inv: np.ndarray, n_out: int) -> np.ndarray:
    """Mean of the columns of ``block`` [G, C] grouped by ``inv`` [C] -> [G, n_out]; NaN ignored."""
    onehot = np.zeros((len(inv), n_out), dtype=np.float32)
    onehot[np.arange(len(inv)), inv] = 1.0
    present = ~np.isnan(block)
    sums = np.where(present, block, 0).astype(np.float32) @ onehot
    counts = present.astype(np.float32) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        out = sums / counts
    out[counts == 0] = np.nan
    return out.astype(np.float32)
