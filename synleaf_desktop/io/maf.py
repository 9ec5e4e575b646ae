"""Mutation Annotation Format (MAF) reader -> per-gene, per-sample mutation counts.

Columns are found by name (any order, case-insensitive, extra columns ignored):

- ``Hugo_Symbol`` (gene; ``Unknown`` and empty mean none) and/or ``Entrez_Gene_Id``
  (used for rows whose symbol is missing or does not resolve; ``0`` means none).
  At least one of the two is required.
- ``Tumor_Sample_Barcode`` (required), normalised by :func:`normalise_sample_ids`.
- ``Variant_Classification`` (optional; only needed for ``counts(exclude_silent=True)``).

Leading ``#`` lines (cBioPortal ``#version`` lines) are skipped. Rows whose gene does not
resolve are dropped and the names reported. Only the columns above are parsed (MAFs can be
large); a row with fewer or more fields than the header is still refused (the line is named).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ReadReport
from .genes import GeneResolver, default_resolver
from .omics import OmicsMatrix, normalise_sample_ids
from .tabular import find_column, format_columns, read_table, resolve_rows, scan_header

#: ``Variant_Classification`` values dropped by ``counts(exclude_silent=True)``
#: (cBioPortal's default filter): no protein change or outside coding exons.
SILENT_CLASSES: frozenset[str] = frozenset(
    c.lower() for c in ("Silent", "Intron", "3'UTR", "5'UTR", "3'Flank", "5'Flank", "IGR", "RNA")
)

_HUGO = ("Hugo_Symbol",)
_ENTREZ = ("Entrez_Gene_Id",)
_SAMPLE = ("Tumor_Sample_Barcode",)
_CLASS = ("Variant_Classification",)


@dataclass
class MutationTable:
    """Mutation calls of one MAF, gene names resolved.

    Attributes:
        data: DataFrame, one row per kept MAF row, columns ``gene`` (HGNC symbol),
            ``sample`` (normalised sample ID), ``variant_class`` (string, "" if absent).
        samples: str array [S], sorted normalised IDs of every sample with at least one
            MAF row (including samples whose rows were all dropped as unresolved).
        report: warnings, unresolved names, rows read.
        source: the MAF file.
        aliquots: int [S], distinct ``Tumor_Sample_Barcode`` values per sample (several
            when aliquots of one tumour sample were sequenced); None means all 1.
    """

    data: pd.DataFrame
    samples: np.ndarray
    report: ReadReport = field(default_factory=ReadReport)
    source: Path | None = None
    aliquots: np.ndarray | None = None

    def counts(self, exclude_silent: bool = False) -> OmicsMatrix:
        """Raw counts of MAF rows per gene x sample (METHOD §1.5: every row counts).

        A sample sequenced as several aliquots (barcodes that differ only after the
        sample part) gets the mean count over its aliquots.

        Args:
            exclude_silent: drop rows whose ``Variant_Classification`` is in
                :data:`SILENT_CLASSES` (Silent, Intron, 3'UTR, 5'UTR, 3'Flank, 5'Flank,
                IGR, RNA). Off by default, as in SynLeaF.

        Returns:
            OmicsMatrix(kind="mut", fmt="maf"), values float32 [G, S] (no NaN), genes sorted,
            samples = :attr:`samples`.
        """
        df = self.data
        if exclude_silent:
            df = df[~df["variant_class"].str.lower().isin(SILENT_CLASSES)]
        genes, g_idx = np.unique(df["gene"].to_numpy(dtype=str), return_inverse=True)
        samples = self.samples.astype(str)
        s_idx = np.searchsorted(samples, df["sample"].to_numpy(dtype=str))
        flat = g_idx.astype(np.int64) * len(samples) + s_idx
        cells, counts = np.unique(
            flat, return_counts=True
        )  # O(rows) memory, unlike a dense bincount
        values = np.zeros((len(genes), len(samples)), dtype=np.float32)
        values.reshape(-1)[cells] = counts
        if self.aliquots is not None and (self.aliquots > 1).any():
            values /= self.aliquots.astype(np.float32)[None, :]
        return OmicsMatrix(
            "mut",
            genes.astype(object),
            samples.astype(object),
            values,
            source=self.source,
            fmt="maf",
            report=self.report,
        )


def read_maf(path: str | Path, resolver: GeneResolver | None = None) -> MutationTable:
    """Read a MAF (plain or gzip) into a :class:`MutationTable`.

    Raises:
        InputError: unreadable file, no gene column, no ``Tumor_Sample_Barcode`` column,
            no usable row.
    """
    path = Path(path)
    resolver = resolver or default_resolver()
    header = scan_header(path, what="MAF (tab-separated mutation table)")
    cols = header.columns
    hugo, entrez = find_column(cols, _HUGO), find_column(cols, _ENTREZ)
    sample, vclass = find_column(cols, _SAMPLE), find_column(cols, _CLASS)
    if sample is None or (hugo is None and entrez is None):
        missing = [
            n
            for n, c in (
                ("Hugo_Symbol (or Entrez_Gene_Id)", hugo or entrez),
                ("Tumor_Sample_Barcode", sample),
            )
            if c is None
        ]
        raise InputError(
            path,
            f"not a usable MAF: missing column {' and '.join(missing)}. "
            f"Columns found: {format_columns(cols)}",
            line=header.header_line,
        )
    use = [c for c in (hugo, entrez, sample, vclass) if c is not None]
    df = read_table(header, usecols=use, dtype=str)
    report = ReadReport(path=path, n_rows=len(df))
    if len(df) == 0:
        raise InputError(path, "the MAF has a header but no mutation rows")

    barcodes = df[sample].fillna("").str.strip()
    has_sample = (barcodes != "").to_numpy()
    if not has_sample.all():
        report.warn(f"{int((~has_sample).sum())} rows without a Tumor_Sample_Barcode were dropped")
    uniq_bc, bc_inv = np.unique(barcodes.to_numpy(dtype=str), return_inverse=True)
    norm_bc = normalise_sample_ids(uniq_bc).astype(str)
    sample_ids = norm_bc[bc_inv]

    symbols = resolve_rows(
        df[hugo].to_numpy(dtype=object) if hugo else None,
        df[entrez].to_numpy(dtype=object) if entrez else None,
        resolver,
        report,
    )
    keep = has_sample & (symbols != "")
    if not keep.any():
        raise InputError(
            path,
            "no MAF row has both a resolvable gene and a sample barcode; "
            "check the Hugo_Symbol / Entrez_Gene_Id values",
        )
    n_drop = int((has_sample & (symbols == "")).sum())
    if n_drop:
        report.warn(
            f"{n_drop} rows dropped: gene name not resolved ({len(report.unresolved)} distinct names)"
        )
    used_bc = np.unique(bc_inv[has_sample])
    samples, aliquots = np.unique(norm_bc[used_bc], return_counts=True)
    if len(samples) < len(used_bc):
        report.warn(
            f"{len(used_bc)} Tumor_Sample_Barcodes are {len(samples)} samples after shortening TCGA "
            f"barcodes to the sample level (several aliquots of one tumour sample); their counts were "
            f"averaged over the aliquots"
        )
    variant = (
        df[vclass].fillna("").to_numpy(dtype=str)
        if vclass is not None
        else np.full(len(df), "", dtype=str)
    )
    data = pd.DataFrame(
        {"gene": symbols[keep], "sample": sample_ids[keep], "variant_class": variant[keep]}
    )
    return MutationTable(
        data.reset_index(drop=True), samples.astype(object), report, path, aliquots
    )
