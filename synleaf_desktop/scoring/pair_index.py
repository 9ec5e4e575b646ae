"""Pair evidence features in bulk: one gene against many, rows of all pairs (numpy only).

:func:`synleaf_desktop.scoring.pair_model.pair_features` computes the :data:`FEATURES` of
pairs one by one (an ``intersect1d`` of two term lists and one popcount per pair): exact and
quick for a lookup, far too slow for the G (G - 1) / 2 pairs of a context's rank map. This
module computes the *same numbers* gene by gene:

- **co-inactivation**: the packed calls are viewed as uint64 words and counted with
  ``np.bitwise_count`` (gene ``i`` against all genes: G x words ANDs); the 2 x 2 statistics
  (:func:`~synleaf_desktop.scoring.evidence.table_stats`) depend only on
  ``(n_a, n_b, n_both)``, so they are computed once per distinct triple and gathered;
- **shared annotations**: the members of gene ``i``'s terms are concatenated (a term ->
  genes CSR built once) and ``np.bincount`` gives, for every partner, the number of shared
  terms and the sum of their specificities; ``np.maximum.at`` the most specific one;
- **direct edges**: gene ``i``'s edge partners.

``tests/test_pair_index.py`` checks every column against :func:`pair_features` on real and
generated data (equal to float rounding).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .evidence import table_stats
from .pair_model import FEATURES, pair_features

#: up to this many pairs :meth:`PairFeatureIndex.pairs` uses the pair-by-pair path
FEW_PAIRS = 64


class PairFeatureIndex:
    """The pair features of one context's gene universe, gene by gene.

    Args:
        genes: str [G] the bundle's genes (its row order).
        store: the context's :class:`~synleaf_desktop.scoring.evidence.EvidenceStore` (rows =
            ``genes``) or None (no cohort: every pair "no evidence").
        terms: the :class:`~synleaf_desktop.scoring.kg_evidence.TermIndex` or None.
    """

    def __init__(self, genes: Any, store: Any = None, terms: Any = None) -> None:
        self.genes = np.asarray(genes).astype(str)
        self.n_genes = G = len(self.genes)
        self.store = store
        self.terms = terms
        # co-inactivation: uint64 words, counts, profiled flags
        self._words: np.ndarray | None = None
        if store is not None:
            bits = np.asarray(store.inact_bits, np.uint8)
            pad = (-bits.shape[1]) % 8
            if pad:
                bits = np.concatenate([bits, np.zeros((G, pad), np.uint8)], axis=1)
            self._words = np.ascontiguousarray(bits).view(np.uint64)  # [G, W]
            self._count = np.bitwise_count(self._words).sum(axis=1, dtype=np.int64)  # [G]
            self._profiled = np.asarray(store.gene_types) > 0  # [G]
            self._n = int(store.n_samples)
        # annotations, in bundle rows
        self.term_rows = np.full(G, -1, np.int64)
        if terms is not None:
            self.term_rows = terms.rows(list(self.genes))
            ptr = np.asarray(terms.gene_ptr, np.int64)
            n_terms = np.diff(ptr)  # terms per TermIndex gene
            self._n_terms = np.where(self.term_rows >= 0, n_terms[self.term_rows], 0)  # [G]
            to_bundle = np.full(len(ptr) - 1, -1, np.int64)
            ok = self.term_rows >= 0
            to_bundle[self.term_rows[ok]] = np.nonzero(ok)[0]
            gene_of = np.repeat(np.arange(len(ptr) - 1), n_terms)  # TermIndex gene of each entry
            member = to_bundle[gene_of]
            keep = member >= 0
            t = np.asarray(terms.gene_terms, np.int64)[keep]
            order = np.argsort(t, kind="stable")
            self._members = member[keep][order]  # bundle rows, grouped by term
            n_t = len(terms.term_ids)
            self._tptr = np.zeros(n_t + 1, np.int64)
            self._tptr[1:] = np.cumsum(np.bincount(t, minlength=n_t))
            self._w = np.asarray(terms.weight, np.float64)
            self._edges = len(terms.edge_partner) > 0
            self._to_bundle = to_bundle

    # ------------------------------------------------------------------
    def _coinact(self, i: int, cols: np.ndarray) -> np.ndarray:
        """float64 [n, 4]: the ``coinact_*`` columns of (i, cols)."""
        out = np.zeros((len(cols), 4))
        if self._words is None:
            out[:, 3] = 1.0
            return out
        both = np.bitwise_count(self._words[cols] & self._words[i]).sum(axis=1, dtype=np.int64)
        n_b = self._count[cols]
        n_a = int(self._count[i])
        base = self._n + 1
        key = n_b * base + both
        uniq, inv = np.unique(key, return_inverse=True)
        st = table_stats(n_a, uniq // base, uniq % base, self._n)
        valid = st["valid"][inv] & self._profiled[cols] & bool(self._profiled[i])
        score = st["score"][inv]
        log_or = np.nan_to_num(st["log_or"], nan=0.0)[inv]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.log((st["n_both"] + 0.5) / (np.nan_to_num(st["expected"], nan=0.0) + 0.5))
        out[:, 0] = np.where(valid, score, 0.0)
        out[:, 1] = np.where(valid, -log_or, 0.0)
        out[:, 2] = np.where(valid, ratio[inv], 0.0)
        out[:, 3] = (~valid).astype(np.float64)
        return out

    def _terms(self, i: int, cols: np.ndarray) -> np.ndarray:
        """float64 [n, 5]: the ``terms_*`` and ``kg_direct_edge`` columns of (i, cols)."""
        out = np.zeros((len(cols), 5))
        ti = int(self.term_rows[i])
        if self.terms is None or ti < 0:
            return out
        G = self.n_genes
        ptr = self.terms.gene_ptr
        mine = np.asarray(self.terms.gene_terms[ptr[ti] : ptr[ti + 1]], np.int64)
        if len(mine):
            starts, ends = self._tptr[mine], self._tptr[mine + 1]
            lens = ends - starts
            total = int(lens.sum())
            # concatenated ranges [starts[t], ends[t]) of the term -> members CSR
            idx = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
            idx += np.arange(total)
            members = self._members[idx]
            wts = np.repeat(self._w[mine], lens)
            shared = np.bincount(members, minlength=G)[cols]
            wsum = np.bincount(members, weights=wts, minlength=G)[cols]
            best = np.zeros(G)
            np.maximum.at(best, members, wts)
            best = best[cols]
            has = shared > 0
            union = self._n_terms[i] + self._n_terms[cols] - shared
            out[:, 0] = np.log1p(shared)
            out[:, 1] = np.where(has, shared / np.maximum(union, 1), 0.0)
            out[:, 2] = np.where(has, best, 0.0)
            out[:, 3] = np.where(has, wsum, 0.0)
        if self._edges:
            e = self.terms.edge_partner[self.terms.edge_ptr[ti] : self.terms.edge_ptr[ti + 1]]
            partners = self._to_bundle[np.asarray(e, np.int64)]
            direct = np.zeros(G, bool)
            direct[partners[partners >= 0]] = True
            out[:, 4] = direct[cols].astype(np.float64)
        return out

    def row(self, i: int, cols: np.ndarray | None = None) -> np.ndarray:
        """float64 [n, F]: features of pairs (i, j) for j in ``cols`` (default: every gene,
        i itself included)."""
        cols = np.arange(self.n_genes) if cols is None else np.asarray(cols, np.int64)
        return np.concatenate([self._coinact(int(i), cols), self._terms(int(i), cols)], axis=1)

    def block(self, r0: int, r1: int, c0: int) -> np.ndarray:
        """float64 [r1 - r0, G - c0, F]: features of pairs i in [r0, r1), j in [c0, G)."""
        cols = np.arange(c0, self.n_genes)
        return np.stack([self.row(i, cols) for i in range(r0, r1)])

    def pairs(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """float64 [n, F]: features of pairs (i[k], j[k]). Few pairs go pair by pair
        (:func:`pair_features`); many are grouped by the gene that repeats most."""
        i = np.asarray(i, np.int64)
        j = np.asarray(j, np.int64)
        n = len(i)
        if n <= FEW_PAIRS:
            return pair_features(np.stack([i, j], axis=1), self.store, self.terms, self.term_rows)
        if len(np.unique(j)) < len(np.unique(i)):  # features are symmetric in the two genes
            i, j = j, i
        out = np.empty((n, len(FEATURES)))
        order = np.argsort(i, kind="stable")
        cuts = np.flatnonzero(np.diff(i[order])) + 1
        for grp in np.split(order, cuts):
            if len(grp):
                out[grp] = self.row(int(i[grp[0]]), j[grp])
        return out


__all__ = ["FEW_PAIRS", "PairFeatureIndex"]
