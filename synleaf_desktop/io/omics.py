"""Omics data structures shared by the readers and the data layer.

Shapes: ``G`` genes (rows), ``S`` samples (columns). Gene names are HGNC symbols from
:mod:`synleaf_desktop.io.genes`; sample IDs are normalised by :func:`normalise_sample_ids`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError, ReadReport

#: The four omics kinds of SynLeaF, in the canonical order used everywhere
#: (model inputs, files, summaries): mutation, copy number, expression, methylation.
OMICS_KINDS: tuple[str, ...] = ("mut", "cna", "exp", "myl")

OMICS_LABELS: dict[str, str] = {
    "mut": "mutation",
    "cna": "copy number",
    "exp": "expression",
    "myl": "methylation",
}

_TCGA = re.compile(r"^TCGA-[0-9A-Z]{2}-[0-9A-Z]{4}", re.IGNORECASE)


def canonical_order(kinds) -> list[str]:
    """Sort omics kinds into :data:`OMICS_KINDS` order."""
    return [k for k in OMICS_KINDS if k in set(kinds)]


def normalise_sample_ids(ids) -> np.ndarray:
    """TCGA barcodes longer than the sample level (aliquot, portion) are cut to the
    15-character sample barcode (``TCGA-XX-XXXX-01``), upper-cased, so that files
    that use different aliquots of one tumour sample join. Other IDs are kept as they
    are (stripped).

    Returns:
        object array [S] of strings.
    """
    out = np.empty(len(ids), dtype=object)
    for i, s in enumerate(ids):
        s = str(s).strip()
        if _TCGA.match(s):
            s = s.upper()
            if len(s) > 15:
                s = s[:15]
        out[i] = s
    return out


@dataclass
class OmicsMatrix:
    """One omics table on genes x samples.

    Attributes:
        kind: one of :data:`OMICS_KINDS`.
        genes: str array [G], unique HGNC symbols.
        samples: str array [S], unique normalised sample IDs.
        values: float32 [G, S]. Raw values as read (NaN = missing) until
            :func:`synleaf_desktop.io.normalise.normalise` is applied; then no NaN.
        source: the file it came from (``None`` if built in memory).
        fmt: what the file was recognised as, e.g. ``"maf"``, ``"linear_cna"``,
            ``"discrete_cna"``, ``"seg"``, ``"rnaseq_zscores"``, ``"microarray"``,
            ``"methylation_hm450"``, ``"binary_mutation"``, ``"matrix"``.
        normalised: True once normalised (METHOD §1.5).
        report: warnings, unresolved gene names, row counts.
    """

    kind: str
    genes: np.ndarray
    samples: np.ndarray
    values: np.ndarray
    source: Path | None = None
    fmt: str = "matrix"
    normalised: bool = False
    report: ReadReport = field(default_factory=ReadReport)

    def __post_init__(self) -> None:
        if self.kind not in OMICS_KINDS:
            raise ValueError(f"unknown omics kind {self.kind!r}; expected one of {OMICS_KINDS}")
        g, s = len(self.genes), len(self.samples)
        if self.values.shape != (g, s):
            raise ValueError(f"values shape {self.values.shape} != (genes {g}, samples {s})")

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def gene_index(self) -> dict[str, int]:
        return {g: i for i, g in enumerate(self.genes.tolist())}


def drop_missing(
    genes: np.ndarray,
    samples: np.ndarray,
    values: np.ndarray,
    report: ReadReport,
    path: Path | None,
    what: str = "matrix",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leave out the gene rows and sample columns that hold no finite value (counted in a
    warning each), so a sample is never reported "with data" when it has none.

    Args:
        genes: [G]; samples: [S]; values: float [G, S], NaN = missing (infinite values count
            as missing too).

    Returns:
        (genes, samples, values) without the empty rows and columns.

    Raises:
        InputError: no cell holds a finite value (nothing to import).
    """
    finite = np.isfinite(values)
    if not finite.any():
        raise InputError(
            path,
            f"no data: every value of the {what} ({values.shape[0]} genes x {values.shape[1]} "
            f"samples) is missing (NA, empty, NaN or infinite); nothing was imported. Check that "
            f"the file holds numbers",
        )
    rows, cols = finite.any(axis=1), finite.any(axis=0)
    if not cols.all():
        empty = [str(x) for x in np.asarray(samples)[~cols][:5]]
        report.warn(
            f"{int((~cols).sum())} sample columns hold no value (all missing) and were left out "
            f"(e.g. {', '.join(empty)})"
        )
    if not rows.all():
        empty = [str(x) for x in np.asarray(genes)[~rows][:5]]
        report.warn(
            f"{int((~rows).sum())} gene rows hold no value (all missing) and were left out "
            f"(e.g. {', '.join(empty)})"
        )
    if rows.all() and cols.all():
        return genes, samples, values
    return genes[rows], samples[cols], np.ascontiguousarray(values[np.ix_(rows, cols)])
