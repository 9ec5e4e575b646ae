"""Knowledge-graph evidence for a gene pair: shared annotations, ranked by specificity (numpy only).

A :class:`TermIndex` is a compact gene -> terms structure (CSR arrays, built by
:func:`synleaf_desktop.data.kg_terms.build_term_index` from the shipped GO/KEGG graph or a
user's graph and stored as ``resources/kg_terms/terms.npz``). For two genes it lists

- the terms both are **directly** annotated with (GO biological processes and KEGG
  pathways by default; GO terms named from GO.db, KEGG ids only: the data has no
  pathway names), each with its gene count ``n`` (genes of the whole graph annotated
  with it), fewest genes first: a term of 8 genes says more than one of 2,000;
- direct gene-gene edges of the graph (none in the shipped GO/KEGG graph; a user's
  SLKG-like graph has them; SL label relations are dropped on import).

Pair score (for evaluation and ranking): ``sum over shared terms of -ln(n / N)``, N = genes
with at least one term of the indexed types; 0 when nothing is shared. :meth:`best` gives
the single most specific shared term's ``-ln(n / N)`` instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class TermIndex:
    """Gene -> directly annotated terms (CSR), with term names and gene counts.

    Attributes:
        genes: str [G] symbols. gene_ptr: int64 [G+1]; gene_terms: int32 [nnz] term indices
            (sorted within each gene).
        term_ids: str [T]; term_types: int8 [T] index into ``type_names``; term_genes:
            int32 [T] genes annotated with the term.
        names_utf8: uint8 [bytes], names_ptr: int64 [T+1]: term names (UTF-8, concatenated).
        edge_ptr: int64 [G+1]; edge_partner: int32 [E]; edge_rel: int16 [E] index into
            ``relation_names``: direct gene-gene edges (both directions listed).
        type_names, relation_names: lists of str. meta: provenance.
    """

    genes: np.ndarray
    gene_ptr: np.ndarray
    gene_terms: np.ndarray
    term_ids: np.ndarray
    term_types: np.ndarray
    term_genes: np.ndarray
    names_utf8: np.ndarray
    names_ptr: np.ndarray
    edge_ptr: np.ndarray
    edge_partner: np.ndarray
    edge_rel: np.ndarray
    type_names: list[str]
    relation_names: list[str]
    meta: dict[str, Any] = field(default_factory=dict)

    ARRAYS = (
        "genes",
        "gene_ptr",
        "gene_terms",
        "term_ids",
        "term_types",
        "term_genes",
        "names_utf8",
        "names_ptr",
        "edge_ptr",
        "edge_partner",
        "edge_rel",
    )

    def __post_init__(self) -> None:
        self._index = {str(g): i for i, g in enumerate(np.asarray(self.genes).tolist())}
        annotated = np.diff(self.gene_ptr) > 0
        self.n_annotated = max(int(annotated.sum()), 1)
        with np.errstate(divide="ignore"):
            self.weight = -np.log(np.maximum(self.term_genes, 1) / self.n_annotated)

    # ------------------------------------------------------------------
    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TermIndex:
        meta = json.loads(str(np.asarray(arrays["meta_json"])[()]))
        kw = {k: np.asarray(arrays[k]) for k in cls.ARRAYS}
        kw["genes"] = kw["genes"].astype(str)
        kw["term_ids"] = kw["term_ids"].astype(str)
        return cls(
            **kw,
            type_names=list(meta.pop("type_names")),
            relation_names=list(meta.pop("relation_names")),
            meta=meta,
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        meta = dict(self.meta, type_names=self.type_names, relation_names=self.relation_names)
        out = {k: getattr(self, k) for k in self.ARRAYS}
        out["meta_json"] = np.array(json.dumps(meta, sort_keys=True))
        return out

    @classmethod
    def load(cls, path: str | Path) -> TermIndex:
        """From an ``.npz`` (no pickle)."""
        with np.load(Path(path), allow_pickle=False) as z:
            return cls.from_arrays({k: z[k] for k in z.files})

    # ------------------------------------------------------------------
    def index(self, gene: str) -> int:
        return self._index.get(gene, -1)

    def terms_of(self, gene: str | int) -> np.ndarray:
        """int32 sorted term indices of a gene (empty if absent)."""
        i = self.index(gene) if isinstance(gene, str) else int(gene)
        if i < 0:
            return np.zeros(0, np.int32)
        return self.gene_terms[self.gene_ptr[i] : self.gene_ptr[i + 1]]

    def term_name(self, t: int) -> str:
        return bytes(self.names_utf8[self.names_ptr[t] : self.names_ptr[t + 1]]).decode("utf-8")

    def _type_mask(self, types: Sequence[str] | None) -> np.ndarray | None:
        if types is None:
            return None
        want = [i for i, t in enumerate(self.type_names) if t in set(types)]
        return np.isin(np.arange(len(self.type_names)), want)

    def shared(self, a: str | int, b: str | int, types: Sequence[str] | None = None) -> np.ndarray:
        """int32 indices of the terms both genes are annotated with, most specific first
        (fewest genes, then term id)."""
        s = np.intersect1d(self.terms_of(a), self.terms_of(b), assume_unique=True)
        mask = self._type_mask(types)
        if mask is not None:
            s = s[mask[self.term_types[s]]]
        order = np.lexsort((self.term_ids[s], self.term_genes[s]))
        return s[order]

    def direct_edges(self, a: str, b: str) -> list[str]:
        """Relation names of the graph edges between the two genes (either direction)."""
        i, j = self.index(a), self.index(b)
        if i < 0 or j < 0:
            return []
        lo, hi = self.edge_ptr[i], self.edge_ptr[i + 1]
        hit = self.edge_rel[lo:hi][self.edge_partner[lo:hi] == j]
        return sorted({self.relation_names[int(r)] for r in hit})

    def shared_terms(
        self, a: str, b: str, types: Sequence[str] | None = None, limit: int | None = None
    ) -> dict[str, Any]:
        """What the two genes share, for the details view and exports.

        Returns:
            ``{"terms": [{"id", "type", "name", "n_genes", "specificity"}...] (fewest genes
            first), "n_shared": int, "by_type": {type: count}, "edges": [relation names],
            "score": float, "best": float, "n_terms_a": int, "n_terms_b": int,
            "n_annotated": N}``. ``specificity`` = -ln(n_genes / N).
        """
        s = self.shared(a, b, types)
        rows = [
            {
                "id": str(self.term_ids[t]),
                "type": self.type_names[int(self.term_types[t])],
                "name": self.term_name(int(t)),
                "n_genes": int(self.term_genes[t]),
                "specificity": float(self.weight[t]),
            }
            for t in (s if limit is None else s[:limit])
        ]
        by_type: dict[str, int] = {}
        for t in s:
            k = self.type_names[int(self.term_types[t])]
            by_type[k] = by_type.get(k, 0) + 1
        return {
            "terms": rows,
            "n_shared": len(s),
            "by_type": by_type,
            "edges": self.direct_edges(a, b),
            "score": float(self.weight[s].sum()),
            "best": float(self.weight[s].max()) if len(s) else 0.0,
            "n_terms_a": len(self.terms_of(a)),
            "n_terms_b": len(self.terms_of(b)),
            "n_annotated": self.n_annotated,
        }

    def pair_scores(
        self,
        rows_a: np.ndarray,
        rows_b: np.ndarray,
        types: Sequence[str] | None = None,
        how: str = "sum",
    ) -> np.ndarray:
        """float64 [n]: the pair score (``how="sum"``) or the best term (``"best"``) for gene rows
        ``rows_a``, ``rows_b`` [n] (-1 = gene absent: score 0)."""
        rows_a = np.asarray(rows_a, np.int64)
        rows_b = np.asarray(rows_b, np.int64)
        mask = self._type_mask(types)
        w = self.weight if mask is None else np.where(mask[self.term_types], self.weight, 0.0)
        out = np.zeros(len(rows_a))
        for n, (i, j) in enumerate(zip(rows_a.tolist(), rows_b.tolist(), strict=False)):
            if i < 0 or j < 0:
                continue
            s = np.intersect1d(
                self.gene_terms[self.gene_ptr[i] : self.gene_ptr[i + 1]],
                self.gene_terms[self.gene_ptr[j] : self.gene_ptr[j + 1]],
                assume_unique=True,
            )
            if len(s):
                out[n] = w[s].sum() if how == "sum" else w[s].max()
        return out

    def rows(self, genes: Sequence[str]) -> np.ndarray:
        """int64 [n] rows of ``genes`` (-1 where absent)."""
        return np.array([self._index.get(str(g), -1) for g in genes], dtype=np.int64)
