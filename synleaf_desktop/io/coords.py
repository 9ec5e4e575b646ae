"""Gene coordinates (hg19 / hg38) used to turn copy-number segments into gene values.

The shipped tables ``resources/genes/coords_<genome>.tsv.gz`` (columns ``symbol``,
``chromosome``, ``start``, ``end``; 1-based inclusive, chromosomes 1-22, X, Y; one row
per HGNC symbol) are derived from ``gene_locations_hg19/hg38.tsv.gz`` of the shared data
by :func:`build_coordinates` (``synleaf resources build --only coords``).
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..errors import InputError
from ..fileio import atomic_path
from .genes import GeneResolver, default_resolver

GENOMES: tuple[str, ...] = ("hg19", "hg38")
CHROMOSOMES: tuple[str, ...] = tuple([str(i) for i in range(1, 23)] + ["X", "Y"])
_ALIASES = {"hg19": "hg19", "grch37": "hg19", "b37": "hg19", "hg38": "hg38", "grch38": "hg38"}


def coords_file(genome: str) -> str:
    """Path of the table for ``genome`` relative to the resources folder."""
    return f"genes/coords_{genome_name(genome)}.tsv.gz"


def genome_name(genome: str) -> str:
    """``"hg19"``/``"GRCh37"`` -> ``"hg19"``, ``"hg38"``/``"GRCh38"`` -> ``"hg38"``.

    Raises:
        ValueError: any other genome build.
    """
    g = _ALIASES.get(str(genome).strip().lower())
    if g is None:
        raise ValueError(
            f"genome build {genome!r} is not supported; use hg19 (GRCh37) or hg38 (GRCh38)"
        )
    return g


def build_coordinates(
    data_dir: str | Path, out_resources: str | Path, resolver: GeneResolver | None = None
) -> dict[str, int]:
    """Derive ``coords_hg19.tsv.gz`` and ``coords_hg38.tsv.gz`` from the shared data.

    Each row's gene is resolved by its Entrez ID when present, else (or if that fails) by
    its symbol; unresolved rows and chromosomes other than 1-22, X, Y are dropped. A symbol
    with several rows keeps its most common chromosome (ties: first in 1..22, X, Y order)
    and spans min(start)..max(end) of its rows there. Written gzip with ``mtime=0`` and no
    stored name, so rebuilding gives identical bytes.

    Args:
        data_dir: the shared data folder (holds ``gene_locations_<genome>.tsv.gz``).
        out_resources: the resources folder to write into.

    Returns:
        rows written per file (relative path -> count).
    """
    resolver = resolver or default_resolver()
    counts = {}
    for genome in GENOMES:
        src = Path(data_dir) / f"gene_locations_{genome}.tsv.gz"
        table = _derive(pd.read_csv(src, sep="\t", dtype=str, keep_default_na=False), resolver)
        dest = Path(out_resources) / coords_file(genome)
        text = table.to_csv(sep="\t", index=False, lineterminator="\n")
        with (
            atomic_path(dest) as tmp,
            open(tmp, "wb") as fh,
            gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz,
        ):
            gz.write(text.encode("utf-8"))
        counts[coords_file(genome)] = len(table)
    return counts


def _derive(raw: pd.DataFrame, resolver: GeneResolver) -> pd.DataFrame:
    """gene_locations rows -> one row per resolved symbol (see :func:`build_coordinates`)."""
    chrom = raw["chromosome"].str.strip().str.upper().str.removeprefix("CHR")
    rank_of = {c: i for i, c in enumerate(CHROMOSOMES)}
    rank = chrom.map(rank_of)
    raw = raw[rank.notna()].copy()
    raw["rank"] = rank[rank.notna()].astype(np.int64)
    ent = raw["entrez_id"].str.strip().to_numpy(dtype=object)
    sym = np.full(len(raw), None, dtype=object)
    has_ent = ent != ""
    if has_ent.any():
        sym[has_ent] = resolver.resolve_many(ent[has_ent]).symbols
    todo = np.array([s is None for s in sym])
    sym[todo] = resolver.resolve_many(raw["symbol"].to_numpy(dtype=object)[todo]).symbols
    raw["resolved"] = sym
    raw = raw[raw["resolved"].notna()]
    raw["start"] = pd.to_numeric(raw["start"]).astype(np.int64)
    raw["end"] = pd.to_numeric(raw["end"]).astype(np.int64)
    agg = (
        raw.groupby(["resolved", "rank"], sort=False)
        .agg(n=("start", "size"), start=("start", "min"), end=("end", "max"))
        .reset_index()
    )
    agg = agg.sort_values(["resolved", "n", "rank"], ascending=[True, False, True]).drop_duplicates(
        "resolved"
    )
    agg = agg.sort_values(["rank", "start", "resolved"])
    return pd.DataFrame(
        {
            "symbol": agg["resolved"].to_numpy(),
            "chromosome": [CHROMOSOMES[r] for r in agg["rank"]],
            "start": agg["start"].to_numpy(),
            "end": agg["end"].to_numpy(),
        }
    )


@functools.lru_cache(maxsize=4)
def load_coordinates(genome: str = "hg19") -> pd.DataFrame:
    """The shipped gene coordinates of ``genome`` (cached; do not modify the frame).

    Returns:
        DataFrame [G, 4]: ``symbol`` (str), ``chromosome`` (str: 1-22, X, Y), ``start``,
        ``end`` (int64, 1-based inclusive).

    Raises:
        InputError: the table is not installed.
    """
    path = paths.resources_dir() / coords_file(genome)
    if not path.exists():
        raise InputError(
            path,
            f"gene coordinates for {genome_name(genome)} are not installed; build them with "
            f"`synleaf resources build --data <shared data folder> --only coords`",
        )
    return pd.read_csv(
        path,
        sep="\t",
        dtype={"symbol": str, "chromosome": str, "start": np.int64, "end": np.int64},
        keep_default_na=False,
    )
