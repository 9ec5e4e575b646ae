"""SynLeaF omics normalisation (METHOD §1.5)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .omics import OmicsMatrix

#: expression values below this are clipped to it (no upper clip)
EXP_FLOOR = -10.0


def normalise(m: OmicsMatrix) -> OmicsMatrix:
    """Normalise a raw omics matrix as SynLeaF does.

    - ``mut``: ``ln(1 + x) / ln(1 + x_max)`` with ``x_max`` the largest value of the whole
      matrix (all zeros if ``x_max == 0``); values land in [0, 1].
    - ``exp``: values below -10 become -10.
    - ``cna``, ``myl``: unchanged.

    Then NaN becomes 0. An already normalised matrix is returned as it is.

    Returns:
        a new OmicsMatrix (same genes, samples, report), values float32 [G, S] without NaN,
        ``normalised=True``.
    """
    if m.normalised:
        return m
    v: np.ndarray = np.array(m.values, dtype=np.float32, copy=True)
    if m.kind == "mut":
        finite = v[np.isfinite(v)]
        vmax = float(finite.max()) if finite.size else 0.0
        if vmax > 0:
            with np.errstate(invalid="ignore"):
                v = np.log1p(v) / np.float32(np.log1p(vmax))
        else:
            v = np.zeros_like(v)
    elif m.kind == "exp":
        np.maximum(v, np.float32(EXP_FLOOR), out=v, where=~np.isnan(v))
    v[np.isnan(v)] = 0.0
    return dataclasses.replace(m, values=v, normalised=True)
