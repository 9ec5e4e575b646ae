"""Copy-number segment files (``.seg``) -> gene-level copy number.

Columns (any order, header spellings case-insensitive, see ``_COLUMNS``): ``ID``,
``chrom``, ``loc.start``, ``loc.end``, ``num.mark`` (optional, unused), ``seg.mean``.
Chromosomes ``23``/``24`` are X/Y and a ``chr`` prefix is stripped; other chromosomes
(MT, contigs) are ignored. Coordinates are 1-based inclusive, as are the gene
coordinates of :mod:`synleaf_desktop.io.coords`.

Gene value for sample s = length-weighted mean of ``seg.mean`` over the segments of s
overlapping the gene body::

    v[g, s] = sum_k ov(g, k) * mean_k / sum_k ov(g, k),
    ov(g, k) = max(0, min(end_g, end_k) - max(start_g, start_k) + 1)

NaN where no segment of s overlaps g. Genes overlapping no segment of any sample are
left out. Segments of IDs that normalise to the same sample are pooled (which averages
overlapping aliquots, length-weighted).

Vectorised per chromosome with sorted segment keys, ``searchsorted`` and per-sample
cumulative sums: with ``I_k(x) = |(-inf, x] ∩ [start_k, end_k]|``
``= max(0, x - start_k + 1) - max(0, x - end_k)``, the overlap sum is
``F(end_g) - F(start_g - 1)`` where ``F(x) = sum_k mean_k I_k(x)``, and ``F`` splits
into prefix sums over segments sorted by start (``start_k <= x``) and by end
(``end_k < x``). Overlapping segments within one sample are handled exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError, ReadReport
from .coords import CHROMOSOMES, genome_name, load_coordinates
from .genes import GeneResolver
from .omics import OmicsMatrix, drop_missing, normalise_sample_ids
from .tabular import find_column, format_columns, raise_non_numeric, read_table, scan_header

_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("ID", "Sample", "Sample_ID", "SampleID", "Sample ID", "Tumor_Sample_Barcode", "Barcode"),
    "chrom": ("chrom", "Chromosome", "chr", "Chrom_Name"),
    "start": (
        "loc.start",
        "Start",
        "loc_start",
        "Start_Position",
        "StartPos",
        "Start.Pos",
        "Start_bp",
    ),
    "end": ("loc.end", "End", "loc_end", "End_Position", "EndPos", "End.Pos", "End_bp"),
    "mean": (
        "seg.mean",
        "Segment_Mean",
        "seg_mean",
        "SegMean",
        "Segment.Mean",
        "Mean",
        "log2ratio",
    ),
}
#: positions beyond this (bp) are not chromosome positions (the longest human chromosome has 2.5e8)
MAX_POSITION = 1e10
_MAX_CELLS = 1 << 21  # sample x gene cells evaluated at once (bounds temporary memory)


def read_seg(
    path: str | Path,
    genome: str = "hg19",
    resolver: GeneResolver | None = None,
    coords: pd.DataFrame | None = None,
) -> OmicsMatrix:
    """Read a segment file and summarise it per gene.

    Args:
        path: the ``.seg`` file (plain or gzip).
        genome: ``"hg19"`` (GRCh37) or ``"hg38"`` (GRCh38); selects the shipped coordinates.
        resolver: if given, the coordinate table's symbols are re-resolved through it
            (symbols it does not know are left out).
        coords: gene coordinates to use instead of the shipped table (columns ``symbol``,
            ``chromosome``, ``start``, ``end``).

    Returns:
        OmicsMatrix(kind="cna", fmt="seg"): genes sorted, samples sorted, float32 [G, S], NaN
        where a gene overlaps no segment of the sample.

    Raises:
        InputError: unreadable file, missing columns, non-numeric values, start > end,
            unsupported genome, no segment on a known chromosome.
    """
    path = Path(path)
    header = scan_header(
        path, what="segment file (ID, chrom, loc.start, loc.end, num.mark, seg.mean)"
    )
    cols = header.columns
    found = {k: find_column(cols, names) for k, names in _COLUMNS.items()}
    missing = [_COLUMNS[k][0] for k, c in found.items() if c is None]
    if missing:
        raise InputError(
            path,
            f"not a segment file: missing column(s) {', '.join(missing)}. Columns found: "
            f"{format_columns(cols)}",
            line=header.header_line,
        )
    try:
        genome = genome_name(genome)
    except ValueError as exc:
        raise InputError(path, str(exc)) from exc
    pos = {k: cols.index(c) for k, c in found.items()}
    dtype: dict[int, object] = {
        i: str for i in range(len(cols))
    }  # all columns: pandas then checks row lengths
    dtype.update({pos["start"]: np.float64, pos["end"]: np.float64, pos["mean"]: np.float64})
    try:
        df = read_table(header, positional=True, dtype=dtype)
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise_non_numeric(
            header, [pos["start"], pos["end"], pos["mean"]], what="loc.start, loc.end and seg.mean"
        )
        raise
    report = ReadReport(path=path, n_rows=len(df))
    if len(df) == 0:
        raise InputError(path, "the segment file has a header but no segments")
    start, end, mean = (df[pos[k]].to_numpy(dtype=np.float64) for k in ("start", "end", "mean"))
    ids = df[pos["id"]].fillna("").str.strip().to_numpy(dtype=str)
    chrom = _chromosomes(df[pos["chrom"]])
    flipped = np.flatnonzero(start > end)
    if len(flipped):
        r = int(flipped[0])
        raise InputError(
            path,
            f"loc.start ({start[r]:.0f}) is greater than loc.end ({end[r]:.0f}); "
            f"{len(flipped)} segment(s) like this",
            line=header.data_line(r),
            column=found["start"],
        )
    outside = np.flatnonzero(
        np.isfinite(start) & np.isfinite(end) & ((start < 0) | (end > MAX_POSITION))
    )
    if len(outside):
        r = int(outside[0])
        col, value = (found["start"], start[r]) if start[r] < 0 else (found["end"], end[r])
        raise InputError(
            path,
            f"{value:.6g} is not a chromosome position (0 to {MAX_POSITION:.0e}); "
            f"{len(outside)} segment(s) like this",
            line=header.data_line(r),
            column=col,
        )
    ok = (ids != "") & np.isfinite(start) & np.isfinite(end) & np.isfinite(mean)
    if (~ok).any():
        report.warn(
            f"{int((~ok).sum())} segments without a sample ID, position or seg.mean were ignored"
        )
    other = ok & (chrom == "")
    if other.any():
        report.warn(
            f"{int(other.sum())} segments on chromosomes other than 1-22, X, Y were ignored"
        )
    ok &= chrom != ""
    if not ok.any():
        raise InputError(
            path, "no usable segment (chromosomes 1-22, X, Y with positions and seg.mean)"
        )

    uniq, inv = np.unique(ids[ok], return_inverse=True)
    norm = normalise_sample_ids(uniq).astype(str)
    samples, s_of_uniq = np.unique(norm, return_inverse=True)
    if len(samples) < len(uniq):
        report.warn(
            f"{len(uniq)} segment IDs are {len(samples)} samples after shortening IDs to the sample "
            f"level; their segments were pooled"
        )
    seg = pd.DataFrame(
        {
            "sample": s_of_uniq[inv].astype(np.int64),
            "chrom": chrom[ok],
            "start": start[ok].astype(np.int64),
            "end": end[ok].astype(np.int64),
            "mean": mean[ok],
        }
    )

    table = _coordinates(genome, coords, resolver)
    genes = table["symbol"].to_numpy(dtype=str)
    values = np.full((len(genes), len(samples)), np.nan, dtype=np.float32)
    g_chrom = table["chromosome"].to_numpy(dtype=str)
    g_start = table["start"].to_numpy(dtype=np.int64)
    g_end = table["end"].to_numpy(dtype=np.int64)
    for c, part in seg.groupby("chrom", sort=False):
        gi = np.flatnonzero(g_chrom == c)
        if len(gi) == 0:
            continue
        values[gi] = segments_to_genes(
            part["sample"].to_numpy(),
            part["start"].to_numpy(),
            part["end"].to_numpy(),
            part["mean"].to_numpy(),
            g_start[gi],
            g_end[gi],
            len(samples),
        )
    covered = ~np.isnan(values).all(axis=1)
    if not covered.any():
        raise InputError(
            path,
            f"no segment overlaps any gene of the {genome} coordinates: is the genome build "
            f"right (hg19 or hg38)?",
        )
    report.warn(
        f"{int((~covered).sum())} of {len(genes)} genes with coordinates overlap no segment and were left out"
    )
    order = np.argsort(genes[covered], kind="stable")
    genes, values = genes[covered][order], values[covered][order]
    genes, samples, values = drop_missing(genes, samples, values, report, path, what="segment file")
    return OmicsMatrix(
        "cna",
        genes.astype(object),
        samples.astype(object),
        np.ascontiguousarray(values),
        source=path,
        fmt="seg",
        report=report,
    )


def segments_to_genes(
    sample: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    mean: np.ndarray,
    g_start: np.ndarray,
    g_end: np.ndarray,
    n_samples: int,
) -> np.ndarray:
    """Length-weighted mean segment value per gene and sample, for one chromosome.

    Args:
        sample: int [K] sample index (0..n_samples-1) of each segment.
        start, end: int [K] segment coordinates (1-based inclusive, start <= end).
        mean: float [K] segment values.
        g_start, g_end: int [G] gene coordinates (1-based inclusive).
        n_samples: S.

    Returns:
        float32 [G, S]; NaN where the gene overlaps no segment of the sample.
    """
    sample = np.asarray(sample, dtype=np.int64)
    start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
    mean = np.asarray(mean, dtype=np.float64)
    g_start, g_end = np.asarray(g_start, dtype=np.int64), np.asarray(g_end, dtype=np.int64)
    big = int(max(end.max(initial=0), g_end.max(initial=0))) + 2
    by_start = _Prefix(sample, start, sample * big + start, mean, n_samples, big)
    by_end = _Prefix(sample, end, sample * big + end, mean, n_samples, big)

    G = len(g_start)
    out = np.empty((G, n_samples), dtype=np.float32)
    step = max(1, _MAX_CELLS // max(G, 1))
    by_pos = np.argsort(g_start, kind="stable")  # (nearly) sorted queries speed up searchsorted
    lo_x, hi_x = g_start[by_pos] - 1, g_end[by_pos]
    for a in range(0, n_samples, step):
        s = np.arange(a, min(a + step, n_samples), dtype=np.int64)
        num_hi, den_hi = _integral(by_start, by_end, s, hi_x)
        num_lo, den_lo = _integral(by_start, by_end, s, lo_x)
        den = den_hi - den_lo
        with np.errstate(invalid="ignore", divide="ignore"):
            v = (num_hi - num_lo) / den
        v[den <= 0] = np.nan
        out[by_pos, a : a + len(s)] = v.T
    return out


class _Prefix:
    """Segments sorted by ``key`` = sample * big + pos, with per-sample prefix sums of ``mean``
    and ``mean * pos`` (float64, restarting at 0 for each sample, so no cancellation between
    samples) and of ``pos`` (int64, exact). Each sample's block is preceded by a 0 entry, so
    the prefix over the first n segments of sample s sits at ``idx + s`` where ``idx`` is the
    global ``searchsorted`` position."""

    def __init__(
        self,
        sample: np.ndarray,
        pos: np.ndarray,
        key: np.ndarray,
        mean: np.ndarray,
        n_samples: int,
        big: int,
    ) -> None:
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        smp, p, m = sample[order], pos[order], mean[order]
        local = (
            pd.DataFrame({"m": m, "mp": m * p.astype(np.float64), "p": p})
            .groupby(smp, sort=False)
            .cumsum()
        )
        slot = np.arange(len(order)) + smp + 1  # position of each segment in the padded arrays
        self.m = np.zeros(len(order) + n_samples)
        self.mp = np.zeros(len(order) + n_samples)
        self.p = np.zeros(len(order) + n_samples, dtype=np.int64)
        self.m[slot] = local["m"].to_numpy()
        self.mp[slot] = local["mp"].to_numpy()
        self.p[slot] = local["p"].to_numpy()
        self.base = np.searchsorted(
            self.key, np.arange(n_samples, dtype=np.int64) * big, side="left"
        )
        self.big = big

    def sums(
        self, s: np.ndarray, x: np.ndarray, side: Literal["left", "right"]
    ) -> tuple[np.ndarray, ...]:
        """For samples ``s`` [A] and sorted positions ``x`` [G]: count, sum of mean, of mean*pos
        and of pos over the sample's segments with pos <= x (side="right") or pos < x
        (side="left"); each [A, G]."""
        q = s[:, None] * self.big + x[None, :]
        idx = np.searchsorted(self.key, q.ravel(), side=side).reshape(q.shape)
        slot = idx + s[:, None]
        return idx - self.base[s][:, None], self.m[slot], self.mp[slot], self.p[slot]


def _integral(
    by_start: _Prefix, by_end: _Prefix, s: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """F(x) = sum_k mean_k * I_k(x) and C(x) = sum_k I_k(x) for samples ``s``; each [A, G].

    I_k(x) = max(0, x - start_k + 1) - max(0, x - end_k).
    """
    n1, m1, mp1, p1 = by_start.sums(s, x, "right")  # start_k <= x
    n2, m2, mp2, p2 = by_end.sums(s, x, "left")  # end_k < x
    xx = x[None, :]
    f = xx * (m1 - m2) + (m1 - mp1 + mp2)
    c = xx * (n1 - n2) + (n1 - p1 + p2)
    return f, c


def _chromosomes(col: pd.Series) -> np.ndarray:
    """Normalised chromosome names ("1".."22", "X", "Y"); "" for anything else."""
    c = col.fillna("").astype(str).str.strip().str.upper()
    c = c.str.removeprefix("CHR")
    c = c.str.replace(r"\.0$", "", regex=True).str.lstrip("0")
    c = c.replace({"23": "X", "24": "Y"})
    return np.where(c.isin(CHROMOSOMES), c, "").astype(str)


def _coordinates(
    genome: str, coords: pd.DataFrame | None, resolver: GeneResolver | None
) -> pd.DataFrame:
    table = load_coordinates(genome) if coords is None else coords
    need = {"symbol", "chromosome", "start", "end"}
    if not need <= set(table.columns):
        raise ValueError(f"coordinate table needs columns {sorted(need)}")
    table = table.assign(chromosome=_chromosomes(table["chromosome"]))
    table = table[table["chromosome"] != ""]
    if resolver is not None:
        sym = resolver.resolve_many(table["symbol"].tolist()).symbols
        table = table.assign(symbol=sym)
        table = table[table["symbol"].notna()].drop_duplicates("symbol")
    return table.reset_index(drop=True)
