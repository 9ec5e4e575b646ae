"""The gene universe of a context and everything indexed by it (METHOD §1.4, §1.5).

A gene is in the universe when it is

(a) a Gene entity of the context's knowledge graph with at least one edge, after the
    cancer-pathway filter (:mod:`.kg_restrict`);
(b) a gene with a UniProt accession (:meth:`GeneResolver.has_uniprot`, our stand-in for
    the paper's reviewed-UniProt filter);
(c) in at least one of the context's omics matrices.

The universe is sorted by symbol; a gene's index is its position. Omics matrices are
reindexed to (universe x cohort samples) with zeros where a gene or sample is missing,
and labels are mapped to index triples, dropping pairs with a gene outside the universe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from .balance import pair_keys

#: rows copied per block when aligning omics (bounds the temporary copy)
ALIGN_BLOCK = 2048


@dataclass
class UniverseReport:
    """Counts behind a gene universe.

    Attributes:
        kg_genes: Gene entities with >= 1 edge in the (pathway-filtered) graph.
        uniprot_genes: of those, genes with a UniProt accession.
        omics_genes: distinct genes over all omics matrices.
        universe: the final size G.
    """

    kg_genes: int = 0
    uniprot_genes: int = 0
    omics_genes: int = 0
    universe: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def gene_universe(
    kg_genes: Iterable[str],
    omics_genes: Iterable[Iterable[str]],
    has_uniprot: Callable[[str], bool],
) -> tuple[np.ndarray, UniverseReport]:
    """Intersect the three gene sets of METHOD §1.4.

    Args:
        kg_genes: symbols of Gene entities with at least one edge in the context's graph.
        omics_genes: one iterable of symbols per omics matrix (their union is used).
        has_uniprot: predicate, e.g. ``resolver.has_uniprot``.

    Returns:
        (universe str array [G] sorted, :class:`UniverseReport`).
    """
    kg = {str(g) for g in kg_genes}
    uni = {g for g in kg if has_uniprot(g)}
    om: set[str] = set()
    for genes in omics_genes:
        om.update(str(g) for g in genes)
    universe = np.array(sorted(uni & om), dtype=str)
    return universe, UniverseReport(len(kg), len(uni), len(om), len(universe))


def _positions(index_of: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """int64 [len(wanted)]: position of each wanted name in ``index_of`` (-1 if absent)."""
    idx = pd.Index(np.asarray(index_of, dtype=object))
    if not idx.is_unique:
        idx = idx.drop_duplicates()  # first occurrence wins; readers already guarantee uniqueness
    return idx.get_indexer(np.asarray(wanted, dtype=object)).astype(np.int64)


def align_matrix(
    values: np.ndarray,
    genes: np.ndarray,
    samples: np.ndarray,
    universe: np.ndarray,
    target_samples: np.ndarray,
) -> np.ndarray:
    """Reindex one gene x sample matrix to (universe x target samples).

    Missing genes and samples become 0, and so does NaN. Rows are copied in blocks, so
    the extra memory is one output array plus one block.

    Args:
        values: [G_in, S_in] numbers.
        genes: [G_in] row names; samples: [S_in] column names.
        universe: [G] wanted rows; target_samples: [S] wanted columns.

    Returns:
        float32 [G, S], C-contiguous.
    """
    out = np.zeros((len(universe), len(target_samples)), dtype=np.float32)
    rows = _positions(genes, universe)
    dst = np.flatnonzero(rows >= 0)
    src = rows[dst]
    same_cols = len(samples) == len(target_samples) and bool(
        np.all(np.asarray(samples) == np.asarray(target_samples))
    )
    if same_cols:
        cols_dst = cols_src = None
    else:
        cols = _positions(samples, target_samples)
        cols_dst = np.flatnonzero(cols >= 0)
        cols_src = cols[cols_dst]
    for i in range(0, len(dst), ALIGN_BLOCK):
        d, s = dst[i : i + ALIGN_BLOCK], src[i : i + ALIGN_BLOCK]
        block = values[s] if cols_src is None else values[s][:, cols_src]
        block = np.nan_to_num(block.astype(np.float32, copy=False), nan=0.0, posinf=0.0, neginf=0.0)
        if cols_dst is None:
            out[d] = block
        else:
            out[np.ix_(d, cols_dst)] = block
    return out


@dataclass
class LabelMapping:
    """How labels were mapped onto a universe.

    Attributes:
        rows_in: label rows given.
        positives_in, negatives_in: of those.
        kept: rows kept; positives, negatives: of those.
        dropped: rows dropped because a gene is outside the universe.
        dropped_positives, dropped_negatives: of those.
        duplicates: unordered duplicate rows removed (conflicts keep the negative).
        genes_out: label genes outside the universe, by reason (a gene may fail several):
            ``not_in_kg`` (no Gene entity with an edge), ``no_uniprot``, ``not_in_omics``.
        genes_out_names: sorted names of the label genes outside the universe.
    """

    rows_in: int = 0
    positives_in: int = 0
    negatives_in: int = 0
    kept: int = 0
    positives: int = 0
    negatives: int = 0
    dropped: int = 0
    dropped_positives: int = 0
    dropped_negatives: int = 0
    duplicates: int = 0
    genes_out: dict[str, int] = field(default_factory=dict)
    genes_out_names: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def map_labels(
    gene1: np.ndarray,
    gene2: np.ndarray,
    label: np.ndarray,
    universe: np.ndarray,
    kg_genes: Iterable[str] | None = None,
    omics_genes: Iterable[str] | None = None,
    has_uniprot: Callable[[str], bool] | None = None,
) -> tuple[np.ndarray, LabelMapping]:
    """Map symbol pairs to universe indices (METHOD §1.4).

    Pairs with a gene outside the universe are dropped and counted. Unordered duplicates
    are collapsed to their first row; if their labels disagree the pair is negative (as
    METHOD §1.3 does for pan labels), so no pair can land in two subsets of a fold.

    Args:
        gene1, gene2: [N] symbols; label: [N] 0/1.
        universe: [G] sorted symbols.
        kg_genes, omics_genes, has_uniprot: the universe's ingredients, only used to say
            why label genes are outside it.

    Returns:
        (int64 [N', 3] (gene1_idx, gene2_idx, label) sorted by (gene1, gene2) names,
        :class:`LabelMapping`).
    """
    g1 = np.asarray(gene1, dtype=object)
    g2 = np.asarray(gene2, dtype=object)
    lab = np.asarray(label).astype(np.int64)
    rep = LabelMapping(
        rows_in=len(lab), positives_in=int((lab == 1).sum()), negatives_in=int((lab != 1).sum())
    )
    i1 = _positions(universe, g1)
    i2 = _positions(universe, g2)
    ok = (i1 >= 0) & (i2 >= 0)
    rep.dropped = int((~ok).sum())
    rep.dropped_positives = int((~ok & (lab == 1)).sum())
    rep.dropped_negatives = rep.dropped - rep.dropped_positives
    out_genes = sorted({str(g) for g in np.concatenate([g1[i1 < 0], g2[i2 < 0]])})
    rep.genes_out_names = out_genes
    if out_genes:
        kg = set(kg_genes) if kg_genes is not None else None
        om = set(omics_genes) if omics_genes is not None else None
        reasons = {"not_in_kg": 0, "no_uniprot": 0, "not_in_omics": 0}
        for g in out_genes:
            if kg is not None and g not in kg:
                reasons["not_in_kg"] += 1
            if has_uniprot is not None and not has_uniprot(g):
                reasons["no_uniprot"] += 1
            if om is not None and g not in om:
                reasons["not_in_omics"] += 1
        rep.genes_out = reasons
    arr = np.column_stack([i1[ok], i2[ok], (lab[ok] == 1).astype(np.int64)]).astype(np.int64)
    # unordered duplicates: keep the first row, negative if any copy is negative
    keys = pair_keys(arr[:, 0], arr[:, 1])
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    if len(uniq) < len(keys):
        any_neg = np.zeros(len(uniq), dtype=bool)
        np.logical_or.at(any_neg, inverse, arr[:, 2] == 0)
        arr = arr[np.sort(first)]
        arr[:, 2] = np.where(any_neg[inverse[np.sort(first)]], 0, arr[:, 2])
        rep.duplicates = len(keys) - len(uniq)
    arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))] if len(arr) else arr.reshape(0, 3)
    rep.kept = len(arr)
    rep.positives = int((arr[:, 2] == 1).sum())
    rep.negatives = rep.kept - rep.positives
    return np.ascontiguousarray(arr), rep
