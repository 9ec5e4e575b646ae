"""Known-label and training-split overlays: fast lookup of unordered gene-index pairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.pairs import pair_keys as _pair_keys

#: cancer values in a label table that mean "no particular cancer" (the row applies to every context)
ANY_CANCER = {"", "nan", "none", "na", "any", "all"}


def pair_keys(i: np.ndarray, j: np.ndarray, n_genes: int) -> np.ndarray:
    """int64 [n]: ``min(i, j) * n_genes + max(i, j)`` (order-free key of a pair of rows): the
    data layer's :func:`~synleaf_desktop.data.pairs.pair_keys` with the context's gene count as
    base, which keeps the keys of one context small and dense."""
    return _pair_keys(i, j, base=n_genes)


@dataclass
class PairSet:
    """Sorted unordered pair keys of one context, each with a value (label, or 1 for membership).

    Attributes:
        keys: int64 [n] sorted unique keys (see :func:`pair_keys`); values: int8 [n];
        n_genes: G of the context.
    """

    keys: np.ndarray
    values: np.ndarray
    n_genes: int

    @classmethod
    def build(cls, i: np.ndarray, j: np.ndarray, values: np.ndarray, n_genes: int) -> PairSet:
        """From row pairs; a pair seen with several values keeps the smallest (a pair labelled both 1
        and 0 counts as 0, the rule of METHOD.md 1.3 and of :mod:`synleaf_desktop.io.labels`)."""
        keys = pair_keys(i, j, n_genes)
        values = np.asarray(values, np.int8)
        if len(keys) == 0:
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int8), n_genes)
        order = np.lexsort((values, keys))
        keys, values = keys[order], values[order]
        first = np.ones(len(keys), bool)
        first[1:] = keys[1:] != keys[:-1]
        return cls(keys[first], values[first], n_genes)

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """int8 [n]: the value of each pair, -1 where absent (or where i or j is -1)."""
        i = np.asarray(i, np.int64)
        j = np.asarray(j, np.int64)
        out = np.full(i.shape, -1, np.int8)
        if len(self.keys) == 0:
            return out
        ok = (i >= 0) & (j >= 0)
        k = pair_keys(i[ok], j[ok], self.n_genes)
        pos = np.searchsorted(self.keys, k)
        pos = np.minimum(pos, len(self.keys) - 1)
        hit = self.keys[pos] == k
        vals = np.where(hit, self.values[pos], -1).astype(np.int8)
        out[ok] = vals
        return out


def labels_for_context(
    symbols1: np.ndarray,
    symbols2: np.ndarray,
    labels: np.ndarray,
    cancers: np.ndarray | None,
    cancer: str,
    index: dict[str, int],
    n_genes: int,
) -> PairSet:
    """The label overlay of one context.

    Args:
        symbols1, symbols2: object [n] resolved symbols (None = unresolved); labels: int [n];
        cancers: object [n] cancer of each row, or None (every row applies);
        cancer: the context's cancer; index: the context's ``{symbol: row}``.
    """
    keep = np.ones(len(labels), bool)
    if cancers is not None:
        c = np.array([str(x).strip().lower() for x in cancers], dtype=object)
        keep = (c == cancer.strip().lower()) | np.isin(c, list(ANY_CANCER))
    i = np.array([index.get(s, -1) if s is not None else -1 for s in symbols1[keep]], np.int64)
    j = np.array([index.get(s, -1) if s is not None else -1 for s in symbols2[keep]], np.int64)
    lab = np.asarray(labels)[keep]
    ok = (i >= 0) & (j >= 0)
    return PairSet.build(i[ok], j[ok], lab[ok].astype(np.int8), n_genes)


def label_value(v: int) -> int | None:
    """-1 -> None, else the int."""
    return None if int(v) < 0 else int(v)


def summarise(report: dict[str, Any]) -> str:
    """One line for a label-overlay report."""
    return (
        f"{report['rows']} label rows, {report['usable']} usable, {len(report['unresolved'])} unresolved "
        f"names; per context: " + ", ".join(f"{k} {v}" for k, v in report["per_context"].items())
    )
