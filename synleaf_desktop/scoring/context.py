"""Scoring one context (one bundle) with numpy: pairs, one-vs-all, and row blocks of all pairs.

Notation (G genes, F teacher folds, Fu shipped UMT folds, H = 128):

- teacher terms ``T`` float32 [F, G, 4] and biases ``c`` [F, 2]; single-modality logits
  ``lo(A, B) = T[A, 0] + T[B, 1] + c0`` and ``lk(A, B) = T[A, 2] + T[B, 3] + c1``;
- UME: ``p(A, B) = (σ(lo) + σ(lk)) / 2``;
- UMT: ``logit(A, B) = w2·relu(a_A + b_B + b1) + b2``. For bulk work it is rewritten with
  ``relu(x + y) = max(x, -y) + y``: ``logit(A, B) = w2·max(a_A, NB_B) + sep_B`` with
  ``NB = -(b + b1)`` and ``sep = b2 - w2·NB`` (one elementwise max and one BLAS gemv per pair
  instead of add, relu and gemv);
- every score averages both orders, ``(p(A, B) + p(B, A)) / 2``, per fold; the context score is
  the mean over folds and ``sd`` the population SD over folds.

Only numpy: no torch, no graph.
"""

from __future__ import annotations

import contextlib
import mmap
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..bundle.format import Bundle

#: above this many pairs, :meth:`ContextScorer.pairs` materialises the float32 UMT terms
DENSE_PAIRS = 20000
#: up to this many pairs, :meth:`ContextScorer.pairs` reads the rows of all folds at once
FEW_PAIRS = 64


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, without overflow warnings."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


_controller: Any = None


def single_thread_blas() -> contextlib.AbstractContextManager:
    """Run numpy's BLAS on one thread inside the block.

    The kernels below call many gemvs; OpenBLAS splits each over its own threads, and on a busy
    machine those stall (measured here: 5 folds x 2 gemvs of [18k, 128] took 1.4 ms on one
    thread, 45-90 ms with OpenBLAS's 2 threads while other processes ran). The limit is
    process-wide while the block runs (threadpoolctl, a scikit-learn dependency); without
    threadpoolctl this is a no-op.
    """
    global _controller
    try:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        return _controller.limit(limits=1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl missing or failing
        return contextlib.nullcontext()


def row_vs_all(
    row: np.ndarray,
    M: np.ndarray,
    w: np.ndarray,
    out: np.ndarray,
    tile: np.ndarray,
    buf: np.ndarray,
) -> None:
    """``out[j] = w · max(row, M[j])`` for every row j of M, blockwise.

    Args:
        row: float32 [H]; M: float32 [n, H] (contiguous); w: float32 [H]; out: float32 [n]
        (contiguous); tile, buf: float32 [cb, H] scratch (cb = block rows).

    The row is tiled once into ``tile`` so each block is one contiguous ``maximum`` and one BLAS
    gemv into ``out`` (faster than broadcasting a [H] row, and no [n, H] temporary).
    """
    cb = tile.shape[0]
    n = M.shape[0]
    tile[:] = row
    for s in range(0, n, cb):
        e = min(n, s + cb)
        m = e - s
        np.maximum(tile[:m], M[s:e], out=buf[:m])
        np.matmul(buf[:m], w, out=out[s:e])


def _drop_pages(arr: np.ndarray) -> None:
    """Tell the OS a read-only memory map's pages may leave this process's RSS (they stay in the
    page cache and come back on access). No-op where unsupported."""
    mm = getattr(arr, "_mmap", None)
    if mm is None or not hasattr(mmap, "MADV_DONTNEED"):
        return
    with contextlib.suppress(Exception):
        mm.madvise(mmap.MADV_DONTNEED)


class ContextScorer:
    """Numpy scorer for one bundle.

    Args:
        bundle: a loaded :class:`~synleaf_desktop.bundle.format.Bundle`.
    """

    #: what the scores are: the fold models' own ("synleaf"); see :mod:`.pair_scorer`
    score_kind = "synleaf"

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.name = bundle.name
        self.strategy = bundle.strategy
        a = bundle.arrays
        self.T = np.ascontiguousarray(a["uni_terms"], dtype=np.float32)  # [F, G, 4]
        self.c = np.asarray(a["uni_bias"], dtype=np.float32)  # [F, 2]
        self.n_genes = int(self.T.shape[1])
        if self.strategy == "umt":
            self.lowrank = "umt_u" in a
            if self.lowrank:  # format 2: [a | b] = (u * scale) @ v per fold
                self.umt_u = a["umt_u"]  # int8 [Fu, G, R] memmap
                self.umt_scale = np.asarray(a["umt_u_scale"], np.float32)  # [Fu, G]
                self.umt_v = np.asarray(a["umt_v"], np.float32)  # [Fu, R, 2H]
                self.n_umt = int(self.umt_u.shape[0])
            else:
                self.umt_a = a["umt_a"]  # [Fu, G, H] memmap (float16/32)
                self.umt_b = a["umt_b"]
                self.n_umt = int(self.umt_a.shape[0])
            self.b1 = np.asarray(a["umt_b1"], np.float32)  # [Fu, H]
            self.w2 = np.asarray(a["umt_w2"], np.float32)  # [Fu, H]
            self.b2 = np.asarray(a["umt_b2"], np.float32)  # [Fu]
        self.n_folds = bundle.folds
        self._dense: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        self._v64: np.ndarray | None = None
        self._exp_terms: np.ndarray | None = None
        self._lock = threading.Lock()

    # --- gene indices --------------------------------------------------------
    @property
    def genes(self) -> np.ndarray:
        return self.bundle.genes

    @property
    def index(self) -> dict[str, int]:
        return self.bundle.gene_index

    def indices(self, symbols: Sequence[str | None]) -> np.ndarray:
        """int64 [n]: row of each symbol, -1 when absent from the universe (or None)."""
        idx = self.index
        return np.array([idx.get(s, -1) if s is not None else -1 for s in symbols], dtype=np.int64)

    # --- dense float32 UMT terms (materialised on first bulk use) -----------------
    def dense(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per UMT fold: ``(A [G, H], NB [G, H], sep [G])`` float32 (see the module docstring).
        Costs 2·Fu·G·H·4 bytes of memory (92 MB for 5 folds of 18k genes); kept until :meth:`release`."""
        with self._lock:
            if self._dense is None:
                out = []
                for f in range(self.n_umt):
                    A, NB = self._terms(f, slice(None))
                    NB += self.b1[f]
                    np.negative(NB, out=NB)
                    with single_thread_blas():
                        sep = (self.b2[f] - NB @ self.w2[f]).astype(np.float32)
                    out.append((np.ascontiguousarray(A), NB, sep))
                self._dense = out
                for m in (self.umt_u,) if self.lowrank else (self.umt_a, self.umt_b):
                    _drop_pages(m)  # the stored pages are not needed any more
            return self._dense

    def _terms(self, f: int, rows: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
        """Fold f's UMT first-layer terms ``(a, b)`` of the given gene rows: float32 [n, H] copies
        (callers doing bulk work hold :func:`single_thread_blas`)."""
        if self.lowrank:
            m = (
                np.asarray(self.umt_u[f, rows], np.float32) * self.umt_scale[f, rows][:, None]
            ) @ self.umt_v[f]
            h = m.shape[1] // 2
            return np.ascontiguousarray(m[:, :h]), np.ascontiguousarray(m[:, h:])
        return np.array(self.umt_a[f, rows], dtype=np.float32), np.array(
            self.umt_b[f, rows], dtype=np.float32
        )

    def _rows_all_folds(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(a, b)`` float64 [Fu, n, H] of the given rows in every UMT fold (the few-pairs path)."""
        if self.lowrank:
            u = (
                np.asarray(self.umt_u[:, rows], np.float64) * self.umt_scale[:, rows][..., None]
            )  # [Fu, n, R]
            if self._v64 is None:
                self._v64 = self.umt_v.astype(np.float64)
            m = np.matmul(u, self._v64)  # [Fu, n, 2H]
            h = m.shape[-1] // 2
            return m[..., :h], m[..., h:]
        return np.asarray(self.umt_a[:, rows], np.float64), np.asarray(
            self.umt_b[:, rows], np.float64
        )

    def release(self) -> None:
        """Drop the materialised float32 terms (they are rebuilt on demand)."""
        with self._lock:
            self._dense = None

    # --- vectorised pair scoring ---------------------------------------------------
    def _teacher(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """σ of the omics and KG teacher logits for ordered pairs (i, j): two float64 [F, n]."""
        T = self.T
        lo = T[:, i, 0].astype(np.float64) + T[:, j, 1] + self.c[:, 0:1]
        lk = T[:, i, 2].astype(np.float64) + T[:, j, 3] + self.c[:, 1:2]
        return sigmoid(lo), sigmoid(lk)

    def _umt_logits(self, i: np.ndarray, j: np.ndarray, dense: bool) -> np.ndarray:
        """UMT logits for ordered pairs (i, j): float64 [Fu, n]."""
        fu = self.n_umt
        out = np.empty((fu, len(i)), np.float64)
        if dense:
            for f, (A, NB, sep) in enumerate(self.dense()):
                for s in range(0, len(i), 4096):
                    ii, jj = i[s : s + 4096], j[s : s + 4096]
                    out[f, s : s + 4096] = np.maximum(A[ii], NB[jj]) @ self.w2[f] + sep[jj]
            return out
        for f in range(fu):
            a = self._terms(f, i)[0].astype(np.float64)
            b = self._terms(f, j)[1].astype(np.float64)
            x = a + b + self.b1[f]
            np.maximum(x, 0.0, out=x)
            out[f] = x @ self.w2[f].astype(np.float64) + float(self.b2[f])
        return out

    def pairs(self, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        """Score pairs of gene rows (both orders).

        Args:
            i, j: int [n] rows (all valid).

        Returns:
            ``p_ab``, ``p_ba``: float64 [Fs, n] per-fold probabilities of (i, j) and (j, i) for the
            score's folds (Fs = folds used by the strategy); ``folds`` = their average [Fs, n];
            ``omics``, ``kg``: float64 [n] fold-mean order-averaged teacher probabilities.
        """
        i = np.asarray(i, np.int64)
        j = np.asarray(j, np.int64)
        so_ab, sk_ab = self._teacher(i, j)
        so_ba, sk_ba = self._teacher(j, i)
        out = {
            "omics": (0.5 * (so_ab + so_ba)).mean(axis=0),
            "kg": (0.5 * (sk_ab + sk_ba)).mean(axis=0),
        }
        if self.strategy == "umt":
            dense = self._dense is not None or len(i) > DENSE_PAIRS
            if (
                not dense and len(i) <= FEW_PAIRS
            ):  # a lookup: the rows of both genes, all folds at once
                ai, bi = self._rows_all_folds(i)
                aj, bj = self._rows_all_folds(j)
                b1 = self.b1.astype(np.float64)[:, None, :]
                w2 = self.w2.astype(np.float64)[:, :, None]
                b2 = self.b2.astype(np.float64)[:, None]
                p_ab = sigmoid(np.matmul(np.maximum(ai + bj + b1, 0.0), w2)[..., 0] + b2)
                p_ba = sigmoid(np.matmul(np.maximum(aj + bi + b1, 0.0), w2)[..., 0] + b2)
            else:
                with single_thread_blas():
                    p_ab = sigmoid(self._umt_logits(i, j, dense))
                    p_ba = sigmoid(self._umt_logits(j, i, dense))
        else:
            p_ab = 0.5 * (so_ab + sk_ab)
            p_ba = 0.5 * (so_ba + sk_ba)
        out.update(p_ab=p_ab, p_ba=p_ba, folds=0.5 * (p_ab + p_ba))
        return out

    # --- one gene against all ------------------------------------------------------
    def partner_folds(self, i: int) -> np.ndarray:
        """float32 [Fs, G]: per-fold order-averaged probability of gene row ``i`` with every gene."""
        G = self.n_genes
        if self.strategy == "umt":
            dense = self.dense()
            H = self.b1.shape[1]
            out = np.empty((len(dense), G), np.float32)
            tile = np.empty((1024, H), np.float32)
            buf = np.empty((1024, H), np.float32)
            fwd = np.empty(G, np.float32)
            rev = np.empty(G, np.float32)
            with single_thread_blas():
                for f, (A, NB, sep) in enumerate(dense):
                    row_vs_all(A[i], NB, self.w2[f], fwd, tile, buf)  # (i, j)
                    row_vs_all(NB[i], A, self.w2[f], rev, tile, buf)  # (j, i)
                    fwd += sep
                    rev += sep[i]
                    out[f] = 0.5 * (sigmoid(fwd) + sigmoid(rev))
            return out
        T, c = self.T, self.c
        t = T[:, i, :][:, None, :]  # [F, 1, 4]
        so_ab = sigmoid(t[..., 0] + T[..., 1] + c[:, 0:1])
        so_ba = sigmoid(T[..., 0] + t[..., 1] + c[:, 0:1])
        sk_ab = sigmoid(t[..., 2] + T[..., 3] + c[:, 1:2])
        sk_ba = sigmoid(T[..., 2] + t[..., 3] + c[:, 1:2])
        return (0.25 * (so_ab + so_ba + sk_ab + sk_ba)).astype(np.float32)

    # --- blocks of all pairs (genome-wide) -----------------------------------------
    def _exp(self) -> np.ndarray:
        """[F, 4, G] factors so that σ(lo(i, j)) = Z_i / (Z_i + Y_j) etc.:
        rows (Zo, Yo, Zk, Yk) with Z = exp(T0 + c0), Y = exp(-T1) (float32 when safe, else float64)."""
        if self._exp_terms is None:
            T = self.T.astype(np.float64)
            args = np.stack(
                [T[..., 0] + self.c[:, 0:1], -T[..., 1], T[..., 2] + self.c[:, 1:2], -T[..., 3]],
                axis=1,
            )
            dtype = np.float32 if np.abs(args).max() < 40 else np.float64
            self._exp_terms = np.exp(args).astype(dtype)
        return self._exp_terms

    def block(
        self, r0: int, r1: int, c0: int, block_elems: int = 65536
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores of all pairs (i, j), i in [r0, r1), j in [c0, G).

        Returns:
            mean, sd: float32 [r1 - r0, G - c0] (fold mean / population SD of the
            order-averaged probability).
        """
        if self.strategy == "umt":
            return self._block_umt(r0, r1, c0)
        return self._block_ume(r0, r1, c0, block_elems)

    def _block_ume(
        self, r0: int, r1: int, c0: int, block_elems: int
    ) -> tuple[np.ndarray, np.ndarray]:
        E = self._exp()  # [F, 4, G]
        F = E.shape[0]
        r = r1 - r0
        n_cols = self.n_genes - c0
        mean = np.empty((r, n_cols), np.float32)
        sd = np.empty((r, n_cols), np.float32)
        cb = max(256, block_elems // max(1, r))  # keep the temporaries cache-sized
        for s in range(0, n_cols, cb):
            e = min(n_cols, s + cb)
            J = slice(c0 + s, c0 + e)
            shape = (r, e - s)
            tmp = np.empty(shape, E.dtype)
            pf = np.empty(shape, E.dtype)
            p0 = np.empty(shape, E.dtype)
            dsum = np.zeros(shape, E.dtype)
            dsq = np.zeros(shape, E.dtype)
            for f in range(F):
                Zo, Yo, Zk, Yk = E[f, 0], E[f, 1], E[f, 2], E[f, 3]
                acc = p0 if f == 0 else pf
                first = True
                for Z, Y in ((Zo, Yo), (Zk, Yk)):
                    for zi, yj in ((Z[r0:r1, None], Y[None, J]), (Z[None, J], Y[r0:r1, None])):
                        np.add(zi, yj, out=tmp)
                        if first:
                            np.divide(zi, tmp, out=acc)
                            first = False
                        else:
                            np.divide(zi, tmp, out=tmp)
                            acc += tmp
                acc *= 0.25
                if f > 0:
                    pf -= p0
                    dsum += pf
                    pf *= pf
                    dsq += pf
            dsum *= 1.0 / F
            dsq *= 1.0 / F
            np.add(p0, dsum, out=mean[:, s:e], casting="unsafe")
            dsum *= dsum
            dsq -= dsum
            np.maximum(dsq, 0, out=dsq)
            np.sqrt(dsq, out=sd[:, s:e], casting="unsafe")
        return mean, sd

    def _umt_fold_probs(self, r0: int, r1: int, c0: int, cb: int = 512) -> Iterator[np.ndarray]:
        """Per UMT fold, the order-averaged probabilities of the block i in [r0, r1), j in
        [c0, G): yields float32 [r1 - r0, G - c0] (one buffer, overwritten by the next fold).

        Row by row with :func:`row_vs_all` (measured fastest of several numpy layouts:
        broadcasting [rs, 1, H] against [1, cb, H] blocks ran ~1.5x slower)."""
        dense = self.dense()
        G = self.n_genes
        r = r1 - r0
        n_cols = G - c0
        H = self.b1.shape[1]
        tile = np.empty((cb, H), np.float32)
        buf = np.empty((cb, H), np.float32)
        fwd = np.empty((r, n_cols), np.float32)
        rev = np.empty((r, n_cols), np.float32)
        for f, (A, NB, sep) in enumerate(dense):
            w = self.w2[f]
            NBc, Ac = NB[c0:], A[c0:]
            for k in range(r):
                i = r0 + k
                row_vs_all(A[i], NBc, w, fwd[k], tile, buf)  # (i, j): max(A_i, NB_j)
                row_vs_all(NB[i], Ac, w, rev[k], tile, buf)  # (j, i): max(NB_i, A_j)
            fwd += sep[None, c0:]
            rev += sep[r0:r1, None]
            # p = (σ(fwd) + σ(rev)) / 2, computed in place
            for x in (fwd, rev):
                np.negative(x, out=x)
                with np.errstate(over="ignore"):
                    np.exp(x, out=x)
                x += 1.0
                np.reciprocal(x, out=x)
            fwd += rev
            fwd *= 0.5
            yield fwd

    def _block_umt(self, r0: int, r1: int, c0: int) -> tuple[np.ndarray, np.ndarray]:
        """UMT block: fold mean and population SD of :meth:`_umt_fold_probs`."""
        shape = (r1 - r0, self.n_genes - c0)
        p0 = np.empty(shape, np.float32)
        dsum = np.zeros(shape, np.float32)
        dsq = np.zeros(shape, np.float32)
        F = 0
        for f, p in enumerate(self._umt_fold_probs(r0, r1, c0)):
            F += 1
            if f == 0:
                p0[:] = p
                continue
            p -= p0
            dsum += p
            p *= p
            dsq += p
        dsum *= 1.0 / F
        dsq *= 1.0 / F
        mean = p0 + dsum
        dsum *= dsum
        dsq -= dsum
        np.maximum(dsq, 0, out=dsq)
        return mean, np.sqrt(dsq)

    # --- per-fold blocks (for models stacked on the fold scores) ---------------------------
    def teacher_fold_block(self, r0: int, r1: int, c0: int) -> tuple[np.ndarray, np.ndarray]:
        """Order-averaged teacher probabilities of the block i in [r0, r1), j in [c0, G):
        ``(omics, kg)``, each float32 [F, r1 - r0, G - c0] (F teacher folds)."""
        E = self._exp()  # [F, 4, G]: Zo, Yo, Zk, Yk
        rows, cols = slice(r0, r1), slice(c0, self.n_genes)
        out = []
        for z, y in ((0, 1), (2, 3)):
            Z, Y = E[:, z], E[:, y]
            # σ(l(i, j)) = Z_i / (Z_i + Y_j); σ(l(j, i)) = Z_j / (Z_j + Y_i)
            ab = Z[:, rows, None] / (Z[:, rows, None] + Y[:, None, cols])
            ba = Z[:, None, cols] / (Z[:, None, cols] + Y[:, rows, None])
            ab += ba
            ab *= 0.5
            out.append(ab.astype(np.float32, copy=False))
        return out[0], out[1]

    def fold_block(self, r0: int, r1: int, c0: int) -> np.ndarray:
        """float32 [Fs, r1 - r0, G - c0]: the strategy's per-fold order-averaged probabilities
        of the block (their mean over folds is :meth:`block`'s ``mean``)."""
        if self.strategy == "umt":
            return np.stack([p.copy() for p in self._umt_fold_probs(r0, r1, c0)])
        om, kg = self.teacher_fold_block(r0, r1, c0)
        om += kg
        om *= 0.5
        return om

    def teacher_partner_folds(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Order-averaged teacher probabilities of gene row ``i`` with every gene:
        ``(omics, kg)``, each float32 [F, G]."""
        om, kg = self.teacher_fold_block(i, i + 1, 0)
        return om[:, 0], kg[:, 0]
