"""Cohort co-inactivation evidence for a gene pair (the ISLE / DAISY idea): numpy only.

Tumours rarely lose both genes of a synthetic-lethal pair. For a cohort of ``N`` tumours
and a per-gene, per-tumour inactivation call (built by
:mod:`synleaf_desktop.data.inactivation`), a pair ``(A, B)`` gives the 2 x 2 table

=============== ============= ==================
                B inactivated B not inactivated
=============== ============= ==================
A inactivated   ``k``         ``n_a - k``
A not           ``n_b - k``   ``N - n_a - n_b + k``
=============== ============= ==================

with ``k = n_both``. Reported:

- ``expected = n_a * n_b / N``: tumours with both lost if the two calls were independent;
- ``p_depletion = P(X <= k)``, ``X ~ Hypergeometric(N, n_a, n_b)`` (one-sided: fewer
  co-inactivations than chance; conditional on both margins, Fisher's exact test);
- ``p_cooccurrence = P(X >= k)`` (the other side, for the signed score);
- ``log_or``: natural-log odds ratio with 0.5 added to every cell (Haldane-Anscombe), so
  it is finite with empty cells; negative = depleted;
- ``score = log10 P(X >= k) - log10 P(X <= k)``: > 0 for depletion (SL-like), < 0 for
  co-occurrence, 0 for "no evidence".

**No evidence**: when a gene is inactivated in no tumour, or in every tumour, the table
says nothing about the pair; :func:`co_inactivation` returns ``None`` and the vectorised
forms mark it in ``valid`` (their numbers there are NaN, their ``score`` 0).

Bit packing: a gene's calls are ``np.packbits`` along samples ([G, ceil(S/8)] uint8, big
bit order, trailing bits zero); counts use a 256-entry popcount table on the AND of packed
rows, so one gene against 18,000 genes x 1,000 samples is a few milliseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

#: pseudo-count added to each cell of the 2 x 2 table for the log odds ratio
PSEUDO = 0.5
#: bits set in each byte value
POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


# ----------------------------------------------------------------------
# the hypergeometric tails, numpy only


_LOG_FACTORIALS = np.zeros(1)


def _log_factorials(n: int) -> np.ndarray:
    """float64 [n + 1]: ln(x!) for x = 0..n (cached; cumulative sums of ln x)."""
    global _LOG_FACTORIALS
    if len(_LOG_FACTORIALS) <= n:
        out = np.zeros(n + 1)
        out[1:] = np.cumsum(np.log(np.arange(1, n + 1, dtype=np.float64)))
        _LOG_FACTORIALS = out
    return _LOG_FACTORIALS


def hypergeom_tails(
    k: np.ndarray, N: int, n_a: np.ndarray, n_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(P(X <= k), P(X >= k))`` for X ~ Hypergeometric(N tumours, n_a with A, n_b drawn), the
    number of tumours with both genes inactivated under independence (float64 arrays).

    Numpy only, as the rest of the scoring layer (``scipy.stats`` would add about a second to
    every start): each tail is summed term by term from the log-pmf, over the side that is
    small, and the other tail follows as 1 - small + pmf(k); tests compare it with scipy.
    Terms below 1e-17 of the running sum are not added (the pmf decreases away from the mode).
    """
    k, n_a, n_b = np.broadcast_arrays(
        np.asarray(k, np.int64), np.asarray(n_a, np.int64), np.asarray(n_b, np.int64)
    )
    shape = k.shape
    k, n_a, n_b = k.ravel(), n_a.ravel(), n_b.ravel()
    lf = _log_factorials(int(N))
    lo = np.maximum(0, n_a + n_b - N)
    hi = np.minimum(n_a, n_b)
    kk = np.clip(k, lo, hi)
    logc = lf[n_a] + lf[N - n_a] + lf[n_b] + lf[N - n_b] - lf[N]

    def pmf(x: np.ndarray) -> np.ndarray:
        xc = np.clip(x, lo, hi)
        return np.exp(logc - lf[xc] - lf[n_a - xc] - lf[n_b - xc] - lf[N - n_a - n_b + xc])

    mean = n_a * n_b / max(N, 1)
    lower_small = kk <= mean  # sum the lower tail directly where it is the small one
    step = np.where(lower_small, -1, 1)  # both sums start at k and walk away from the mode
    stop = np.where(lower_small, lo, hi)
    p_k = pmf(kk)
    tail = p_k.copy()
    x = kk.copy()
    active = x != stop
    while active.any():
        x = np.where(active, x + step, x)
        term = np.where(active, pmf(x), 0.0)
        tail += term
        active &= (x != stop) & (term > 1e-17 * tail)
    small = np.minimum(tail, 1.0)
    other = np.clip(1.0 - small + p_k, 0.0, 1.0)
    p_le = np.where(lower_small, small, other)
    p_ge = np.where(lower_small, other, small)
    p_le = np.where(k < lo, 0.0, np.where(k >= hi, 1.0, p_le))
    p_ge = np.where(k <= lo, 1.0, np.where(k > hi, 0.0, p_ge))
    return p_le.reshape(shape), p_ge.reshape(shape)


# ----------------------------------------------------------------------
# packing


def pack_bits(calls: np.ndarray) -> np.ndarray:
    """bool [G, S] (or [S]) -> uint8 [G, ceil(S/8)] (or [ceil(S/8)]), packed along samples."""
    calls = np.asarray(calls, dtype=bool)
    return np.packbits(calls, axis=-1)


def unpack_bits(bits: np.ndarray, n_samples: int) -> np.ndarray:
    """uint8 [G, B] (or [B]) -> bool [G, n_samples] (or [n_samples])."""
    bits = np.asarray(bits, dtype=np.uint8)
    return np.unpackbits(bits, axis=-1, count=int(n_samples)).astype(bool)


def popcount(bits: np.ndarray) -> np.ndarray:
    """Set bits per row: uint8 [..., B] -> int64 [...]."""
    return POPCOUNT[np.asarray(bits, dtype=np.uint8)].sum(axis=-1, dtype=np.int64)


# ----------------------------------------------------------------------
# statistics


def table_stats(n_a, n_b, n_both, n_samples: int) -> dict[str, np.ndarray]:
    """Vectorised statistics of 2 x 2 tables (see the module docstring).

    Args:
        n_a, n_b, n_both: int arrays (broadcastable) of tumours with A, B, both inactivated.
        n_samples: N, tumours in the cohort.

    Returns:
        dict of arrays: ``n_a``, ``n_b``, ``n_both`` (int64), ``expected``, ``p_depletion``,
        ``p_cooccurrence``, ``log_or``, ``score`` (float64) and ``valid`` (bool: both genes
        inactivated in at least one and at most N-1 tumours). Where not valid the float
        values are NaN and ``score`` is 0.
    """
    n_a, n_b, k = np.broadcast_arrays(
        np.asarray(n_a, np.int64), np.asarray(n_b, np.int64), np.asarray(n_both, np.int64)
    )
    N = int(n_samples)
    valid = (n_a > 0) & (n_b > 0) & (n_a < N) & (n_b < N)
    expected = n_a * n_b / N if N > 0 else np.full(n_a.shape, np.nan)
    p_dep, p_co = hypergeom_tails(k, N, n_a, n_b)
    a = k + PSEUDO
    b = n_a - k + PSEUDO
    c = n_b - k + PSEUDO
    d = N - n_a - n_b + k + PSEUDO
    log_or = np.log(a) + np.log(d) - np.log(b) - np.log(c)
    with np.errstate(divide="ignore"):
        score = np.log10(np.maximum(p_co, 1e-300)) - np.log10(np.maximum(p_dep, 1e-300))
    out = {
        "n_a": n_a.copy(),
        "n_b": n_b.copy(),
        "n_both": k.copy(),
        "expected": np.asarray(expected, float),
        "p_depletion": np.asarray(p_dep, float),
        "p_cooccurrence": np.asarray(p_co, float),
        "log_or": np.asarray(log_or, float),
        "score": np.asarray(score, float),
        "valid": valid,
    }
    for key in ("expected", "p_depletion", "p_cooccurrence", "log_or"):
        out[key] = np.where(valid, out[key], np.nan)
    out["score"] = np.where(valid, out["score"], 0.0)
    return out


def co_inactivation(
    bits_a: np.ndarray, bits_b: np.ndarray, n_samples: int
) -> dict[str, Any] | None:
    """Co-inactivation of one pair from two packed rows.

    Args:
        bits_a, bits_b: uint8 [B] packed calls of genes A and B (:func:`pack_bits`).
        n_samples: N, tumours in the cohort (the sample axis before packing).

    Returns:
        ``{"n_a", "n_b", "n_both", "n_samples", "expected", "p_depletion",
        "p_cooccurrence", "log_or", "score"}`` (Python ints / floats), or ``None`` (no
        evidence) when either gene is inactivated in no tumour or in every tumour.
    """
    bits_a = np.asarray(bits_a, np.uint8)
    bits_b = np.asarray(bits_b, np.uint8)
    n_a, n_b = int(popcount(bits_a)), int(popcount(bits_b))
    n_both = int(popcount(bits_a & bits_b))
    s = table_stats(n_a, n_b, n_both, n_samples)
    if not bool(s["valid"]):
        return None
    return {
        "n_a": n_a,
        "n_b": n_b,
        "n_both": n_both,
        "n_samples": int(n_samples),
        "expected": float(s["expected"]),
        "p_depletion": float(s["p_depletion"]),
        "p_cooccurrence": float(s["p_cooccurrence"]),
        "log_or": float(s["log_or"]),
        "score": float(s["score"]),
    }


def co_inactivation_one_vs_all(
    bits: np.ndarray, gene: int, n_samples: int, counts: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Gene ``gene`` against every gene (partners view, genome-wide exports).

    Args:
        bits: uint8 [G, B] packed calls of all genes.
        gene: row index of gene A.
        n_samples: N.
        counts: optional int [G] precomputed :func:`popcount` of ``bits`` (saves a pass).

    Returns:
        :func:`table_stats` arrays, each [G] (A against itself is included; it is
        "valid" when A is, so callers drop it).
    """
    bits = np.asarray(bits, np.uint8)
    n_all = popcount(bits) if counts is None else np.asarray(counts, np.int64)
    both = popcount(bits & bits[gene][None, :])
    return table_stats(n_all[gene], n_all, both, n_samples)


def co_inactivation_pairs(
    bits: np.ndarray,
    pairs: np.ndarray,
    n_samples: int,
    counts: np.ndarray | None = None,
    chunk: int = 65536,
) -> dict[str, np.ndarray]:
    """Co-inactivation of many pairs.

    Args:
        bits: uint8 [G, B]; pairs: int [n, 2] row indices; n_samples: N;
        counts: optional int [G] :func:`popcount` of ``bits``; chunk: pairs per step
            (bounds temporary memory to ``chunk * B`` bytes).

    Returns:
        :func:`table_stats` arrays, each [n].
    """
    bits = np.asarray(bits, np.uint8)
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    n_all = popcount(bits) if counts is None else np.asarray(counts, np.int64)
    both = np.empty(len(pairs), np.int64)
    for s in range(0, len(pairs), chunk):
        p = pairs[s : s + chunk]
        both[s : s + chunk] = popcount(bits[p[:, 0]] & bits[p[:, 1]])
    return table_stats(n_all[pairs[:, 0]], n_all[pairs[:, 1]], both, n_samples)


def _fmt_expected(x: float) -> str:
    """1.9, 0.12, 0.0041: one decimal from 1 up, two significant digits below."""
    return f"{x:.1f}" if x >= 1 or x == 0 else f"{x:.2g}"


def _fmt_p(p: float) -> str:
    if p >= 0.01:
        return f"{p:.2f}"
    if p >= 1e-3:
        return f"{p:.3f}"
    return f"{p:.1e}"


def sentence(
    gene_a: str,
    gene_b: str,
    ev: dict[str, Any] | None,
    n_samples: int | None = None,
    n_a: int | None = None,
    n_b: int | None = None,
) -> str:
    """One line for a biologist, e.g.
    ``"BRCA1 lost in 41 tumours, RAD51 in 12, both in 0; 1.9 expected; p = 0.13"``.

    ``p`` is the one-sided depletion p-value. With ``ev`` None (no evidence) the line says
    which gene is never (or always) inactivated; pass ``n_a``/``n_b``/``n_samples`` for that.
    """
    if ev is None:
        parts = []
        for g, n in ((gene_a, n_a), (gene_b, n_b)):
            if n is None:
                continue
            if n == 0:
                parts.append(f"{g} is not inactivated in any tumour")
            elif n_samples is not None and n >= n_samples:
                parts.append(f"{g} is inactivated in every tumour")
        why = "; ".join(parts) if parts else "a gene is never inactivated or not profiled"
        cohort = f" of {n_samples}" if n_samples is not None else ""
        return f"{gene_a} x {gene_b}: no co-inactivation evidence in this cohort{cohort} ({why})"
    unit = "tumour" if ev["n_a"] == 1 else "tumours"
    return (
        f"{gene_a} lost in {ev['n_a']} {unit}, {gene_b} in {ev['n_b']}, both in {ev['n_both']}; "
        f"{_fmt_expected(ev['expected'])} expected; p = {_fmt_p(ev['p_depletion'])}"
    )


# ----------------------------------------------------------------------
# the per-bundle store


@dataclass
class EvidenceStore:
    """A context's inactivation calls and cohort profile, aligned to the bundle's genes.

    Arrays (as written by :func:`synleaf_desktop.data.inactivation.evidence_arrays`,
    stored as the bundle member ``evidence.npz``):

    - ``inact_bits`` uint8 [G, ceil(S/8)]: packed inactivation calls;
    - ``profile_counts`` int32 [G, k]: tumours per gene with each event of
      ``meta["profile_columns"]`` (mutated, damaging, deep_deletion, amplification, inactivated);
    - ``profiled`` int32 [k]: tumours profiled for each column (the denominators);
    - ``gene_types`` uint8 [G]: bit 1 = gene profiled by a mutation file, bit 2 = by a
      copy-number file (0 = not profiled: its zeros mean "unknown", not "intact");
    - ``samples`` str [S];
    - ``meta_json`` 0-d str: JSON source description (``meta``).
    """

    genes: np.ndarray
    inact_bits: np.ndarray
    profile_counts: np.ndarray
    profiled: np.ndarray
    gene_types: np.ndarray
    samples: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {str(g): i for i, g in enumerate(np.asarray(self.genes).tolist())}
        self._count_cache: np.ndarray | None = None

    @property
    def _counts(self) -> np.ndarray:
        """int [G]: tumours with each gene inactivated (computed on first bulk use: a single
        pair needs only its two rows)."""
        if self._count_cache is None:
            self._count_cache = popcount(self.inact_bits)
        return self._count_cache

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], genes) -> EvidenceStore:
        """From an ``evidence.npz`` mapping; ``genes`` [G] is the bundle's gene order."""
        meta = json.loads(str(np.asarray(arrays["meta_json"])[()])) if "meta_json" in arrays else {}
        genes = np.asarray(genes).astype(str)
        bits = np.asarray(arrays["inact_bits"], np.uint8)
        if bits.shape[0] != len(genes):
            raise ValueError(f"evidence has {bits.shape[0]} genes, the bundle {len(genes)}")
        return cls(
            genes,
            bits,
            np.asarray(arrays["profile_counts"], np.int32),
            np.asarray(arrays["profiled"], np.int32),
            np.asarray(arrays["gene_types"], np.uint8),
            np.asarray(arrays["samples"]).astype(str),
            meta,
        )

    @property
    def n_samples(self) -> int:
        return len(self.samples)

    def index(self, gene: str) -> int:
        """Row of ``gene``; -1 if absent."""
        return self._index.get(gene, -1)

    def pair(self, gene_a: str, gene_b: str) -> dict[str, Any] | None:
        """:func:`co_inactivation` of two genes by name (None: no evidence, or a gene absent
        or not profiled)."""
        i, j = self.index(gene_a), self.index(gene_b)
        if i < 0 or j < 0 or not self.gene_types[i] or not self.gene_types[j]:
            return None
        return co_inactivation(self.inact_bits[i], self.inact_bits[j], self.n_samples)

    def pair_sentence(
        self, gene_a: str, gene_b: str, ev: dict[str, Any] | Literal[False] | None = False
    ) -> str:
        """The :func:`sentence` of a pair (``ev``: its :meth:`pair` result when already known)."""
        if ev is False:
            ev = self.pair(gene_a, gene_b)
        i, j = self.index(gene_a), self.index(gene_b)
        if ev is None and (i < 0 or j < 0 or not self.gene_types[i] or not self.gene_types[j]):
            missing = [g for g, r in ((gene_a, i), (gene_b, j)) if r < 0 or not self.gene_types[r]]
            return (
                f"{gene_a} x {gene_b}: no co-inactivation evidence ({', '.join(missing)} not profiled "
                f"in this cohort)"
            )
        return sentence(
            gene_a,
            gene_b,
            ev,
            self.n_samples,
            int(popcount(self.inact_bits[i])),
            int(popcount(self.inact_bits[j])),
        )

    def partners(self, gene: str) -> dict[str, np.ndarray] | None:
        """:func:`co_inactivation_one_vs_all` for ``gene`` ([G] arrays; genes not profiled and
        the gene itself are marked not valid), or None if the gene is absent."""
        i = self.index(gene)
        if i < 0:
            return None
        out = co_inactivation_one_vs_all(self.inact_bits, i, self.n_samples, self._counts)
        bad = (self.gene_types == 0) | (self.gene_types[i] == 0)
        bad[i] = True
        out["valid"] = out["valid"] & ~bad
        for key in ("expected", "p_depletion", "p_cooccurrence", "log_or"):
            out[key] = np.where(out["valid"], out[key], np.nan)
        out["score"] = np.where(out["valid"], out["score"], 0.0)
        return out

    def pairs(self, pairs: np.ndarray) -> dict[str, np.ndarray]:
        """:func:`co_inactivation_pairs` for row-index pairs [n, 2] (unprofiled genes not valid)."""
        pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
        out = co_inactivation_pairs(self.inact_bits, pairs, self.n_samples, self._counts)
        ok = (self.gene_types[pairs[:, 0]] > 0) & (self.gene_types[pairs[:, 1]] > 0)
        out["valid"] = out["valid"] & ok
        out["score"] = np.where(out["valid"], out["score"], 0.0)
        return out

    def profile(self, gene: str) -> dict[str, Any] | None:
        """cBioPortal-style profile: ``{column: {"n": tumours, "of": profiled, "pct": %}}``."""
        i = self.index(gene)
        if i < 0:
            return None
        cols = self.meta.get(
            "profile_columns", [f"c{c}" for c in range(self.profile_counts.shape[1])]
        )
        out: dict[str, Any] = {
            "profiled_by": [
                t for b, t in ((1, "mutation"), (2, "copy number")) if self.gene_types[i] & b
            ]
        }
        for c, name in enumerate(cols):
            n, of = int(self.profile_counts[i, c]), int(self.profiled[c])
            out[name] = {"n": n, "of": of, "pct": (100.0 * n / of) if of else None}
        return out
