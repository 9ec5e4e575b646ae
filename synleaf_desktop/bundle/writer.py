"""Write a deployable bundle from the arrays the training side exports per fold.

Input per trained fold (eval mode, all G universe genes, numpy float32; H = 128):

=====================  ==========  ==========================================================
``omics_teacher_emb``  [G, H]      omics teacher embedding of every gene
``kg_teacher_emb``     [G, H]      KG teacher embedding
``omics_head_w``       [2H]        single-modality omics head, logit = w[:H]·e_A + w[H:]·e_B + b
``omics_head_b``       [1]
``kg_head_w``          [2H]        single-modality KG head
``kg_head_b``          [1]
``omics_student_emb``  [G, H]      UMT only (strategy "umt"): student embeddings
``kg_student_emb``     [G, H]      UMT only
``umt_w1``             [H, 4H]     UMT head first layer over [o_A; o_B; k_A; k_B]
``umt_b1``             [H]
``umt_w2``             [H]         UMT head second layer (Linear(128 -> 1) weight, flattened)
``umt_b2``             [1]
=====================  ==========  ==========================================================

What is stored are per-gene *terms* (see :mod:`synleaf_desktop.bundle.format`), not raw
embeddings: 4 scalars per gene and fold for the two teacher heads (always, so every context
gives per-modality scores), plus, for UMT, two [G, H] matrices per shipped fold.

``manifest_extra`` keys understood (all optional; anything else is kept as given):

- ``cancer``: the cancer the labels were drawn for (label overlay), default the name;
- ``description``: one line for the model list;
- ``cv``: the CV scenario of the shipped folds (e.g. ``"CV2"``); ``fold_ids``: their ids;
- ``selection``: ``{"rule": str, "val_auc": {"umt": x, "ume": y}, ...}`` how the strategy was picked;
- ``metrics``: ``{strategy: {metric: [one value per trained fold]}}`` (or
  ``{strategy: [{metric: value}, ...]}``), metric names like ``val_auc``, ``test_auc``,
  ``val_aupr``, ``test_aupr``, ``test_f1``;
- ``omics``: omics kinds used; ``sample_counts``: ``{kind: samples}``;
- ``kg``: ``{"id": ..., "version": ..., ...}``; ``data_checksums``: ``{file: sha256}`` of every
  input file (:func:`checksum_files` computes them); ``packages``: ``{name: version}`` (torch etc.,
  merged with the versions the writer sees); ``seed``; ``training``: free-form settings.

The writer adds: ``name, format_version, app_version, created, strategy, dtype, n_genes,
folds_trained, folds_shipped, folds_shipped_reason, headline, dtype_check, files`` (sha256 and
bytes of ``model.npz`` / ``split_pairs.npz``) and ``size_bytes``.
"""

from __future__ import annotations

import datetime as _dt
import platform
import struct
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..fileio import atomic_dir, sha256_file, write_json
from .format import (
    EMBED_DIM,
    FORMAT_VERSION,
    LOWRANK,
    MANIFEST,
    MMAP_MEMBERS,
    MODEL_FILE,
    SPLIT_PARTS,
    SPLITS_FILE,
    STRATEGIES,
    UMT_DTYPES,
    BundleError,
)

TEACHER_KEYS = (
    "omics_teacher_emb",
    "kg_teacher_emb",
    "omics_head_w",
    "omics_head_b",
    "kg_head_w",
    "kg_head_b",
)
UMT_KEYS = ("omics_student_emb", "kg_student_emb", "umt_w1", "umt_b1", "umt_w2", "umt_b2")
DEFAULT_RULE = (
    "per (cancer, CV) scenario, the strategy with the higher mean validation AUC over the "
    "5 folds (each fold at its best-validation-AUC epoch); UMT only if strictly greater, a tie "
    "goes to UME (METHOD.md 2.6)"
)
#: a score change from the stored precision above this is reported as a warning
STORAGE_TOLERANCE = {"float16": 1e-3, "float32": 1e-6, "int8-lowrank": 1e-2}
_RESERVED = (
    "name",
    "format_version",
    "app_version",
    "created",
    "strategy",
    "dtype",
    "n_genes",
    "folds_trained",
    "folds_shipped",
    "folds_shipped_reason",
    "headline",
    "dtype_check",
    "files",
    "size_bytes",
)


# ----------------------------------------------------------------------
# terms


def teacher_terms(fold: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The per-gene terms of the two single-modality heads of one fold.

    Returns:
        terms: float32 [G, 4] = (u_o·o_g, v_o·o_g, u_k·k_g, v_k·k_g) with ``w = [u; v]``;
        bias: float32 [2] = (b_omics, b_kg).
    """
    o = np.asarray(fold["omics_teacher_emb"], np.float64)
    k = np.asarray(fold["kg_teacher_emb"], np.float64)
    wo = np.asarray(fold["omics_head_w"], np.float64).reshape(-1)
    wk = np.asarray(fold["kg_head_w"], np.float64).reshape(-1)
    h = o.shape[1]
    terms = np.stack([o @ wo[:h], o @ wo[h:], k @ wk[:h], k @ wk[h:]], axis=1)
    bias = np.array(
        [
            np.asarray(fold["omics_head_b"]).reshape(-1)[0],
            np.asarray(fold["kg_head_b"]).reshape(-1)[0],
        ]
    )
    return terms.astype(np.float32), bias.astype(np.float32)


def umt_terms(fold: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The per-gene first-layer terms of the UMT head of one fold.

    Returns:
        a: float32 [G, H] = W1[:, 0:H] o_g + W1[:, 2H:3H] k_g  (gene in first position);
        b: float32 [G, H] = W1[:, H:2H] o_g + W1[:, 3H:4H] k_g (gene in second position).
    """
    o = np.asarray(fold["omics_student_emb"], np.float64)
    k = np.asarray(fold["kg_student_emb"], np.float64)
    w1 = np.asarray(fold["umt_w1"], np.float64)
    h = o.shape[1]
    a = o @ w1[:, 0:h].T + k @ w1[:, 2 * h : 3 * h].T
    b = o @ w1[:, h : 2 * h].T + k @ w1[:, 3 * h : 4 * h].T
    return a.astype(np.float32), b.astype(np.float32)


def _check_fold(i: int, fold: Mapping[str, np.ndarray], g: int, need_umt: bool) -> None:
    keys = TEACHER_KEYS + (UMT_KEYS if need_umt else ())
    missing = [k for k in keys if k not in fold]
    if missing:
        raise ValueError(f"fold {i}: missing arrays {missing}")
    # the embedding width (128 in SynLeaF) and the UMT hidden width are read from the arrays,
    # so models trained with other sizes bundle the same way
    h = (
        int(np.asarray(fold["omics_teacher_emb"]).shape[-1])
        if np.ndim(fold["omics_teacher_emb"]) == 2
        else EMBED_DIM
    )
    shapes = {
        "omics_teacher_emb": (g, h),
        "kg_teacher_emb": (g, h),
        "omics_head_w": (2 * h,),
        "kg_head_w": (2 * h,),
        "omics_head_b": (1,),
        "kg_head_b": (1,),
    }
    if need_umt:
        hu = int(np.asarray(fold["umt_w1"]).shape[0])
        shapes.update(
            {
                "omics_student_emb": (g, h),
                "kg_student_emb": (g, h),
                "umt_w1": (hu, 4 * h),
                "umt_b1": (hu,),
                "umt_w2": (hu,),
                "umt_b2": (1,),
            }
        )
    for key, shape in shapes.items():
        arr = np.asarray(fold[key])
        if len(shape) == 1:  # accept torch-style [1, n] weights and [n] biases alike
            arr = arr.reshape(-1)
        if arr.shape != shape:
            raise ValueError(f"fold {i}: {key} has shape {arr.shape}, expected {shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"fold {i}: {key} has non-finite values")


# ----------------------------------------------------------------------
# manifest helpers


def checksum_files(files: Iterable[str | Path], root: str | Path | None = None) -> dict[str, str]:
    """``{path (relative to root when given): sha256}`` for the input files of a training run."""
    out: dict[str, str] = {}
    for f in files:
        p = Path(f)
        key = str(p.relative_to(root)) if root is not None and p.is_relative_to(root) else str(p)
        out[key] = sha256_file(p)
    return out


def package_versions(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Versions of python, numpy, this app, and torch / torch_geometric / pandas if already imported
    (never imports them), updated with ``extra``."""
    out = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "synleaf_desktop": __version__,
    }
    for mod in ("torch", "torch_geometric", "pandas", "sklearn"):
        m = sys.modules.get(mod)
        if m is not None and getattr(m, "__version__", None):
            out[mod] = str(m.__version__)
    out.update({str(k): str(v) for k, v in (extra or {}).items()})
    return out


def _normalise_metrics(metrics: Any) -> dict[str, dict[str, list[float]]]:
    """``{strategy: {metric: [per fold]}}`` from either accepted form."""
    out: dict[str, dict[str, list[float]]] = {}
    for strat, val in (metrics or {}).items():
        if isinstance(val, Mapping):
            out[str(strat)] = {str(m): [float(x) for x in np.atleast_1d(v)] for m, v in val.items()}
        elif isinstance(val, Sequence):
            per: dict[str, list[float]] = {}
            for row in val:
                for m, x in dict(row).items():
                    per.setdefault(str(m), []).append(float(x))
            out[str(strat)] = per
        else:
            raise ValueError(f"metrics[{strat!r}] must be a dict of lists or a list of dicts")
    return out


def headline_metrics(
    metrics: Mapping[str, Mapping[str, Sequence[float]]], strategy: str
) -> dict[str, Any]:
    """Fold mean and population SD of every metric of ``strategy`` (e.g. ``val_auc``, ``val_auc_sd``)."""
    out: dict[str, Any] = {"strategy": strategy}
    per = metrics.get(strategy) or {}
    n = 0
    for m, vals in per.items():
        v = np.asarray(vals, np.float64)
        v = v[np.isfinite(v)]
        if len(v):
            out[m] = round(float(v.mean()), 6)
            out[f"{m}_sd"] = round(float(v.std()), 6)
            n = max(n, len(v))
    out["n_folds"] = n
    return out


def write_model_npz(
    path: Path,
    arrays: Mapping[str, np.ndarray],
    stored: Sequence[str] = ("umt_a", "umt_b"),
    align: int = 64,
) -> None:
    """Write an ``.npz`` readable by ``numpy.load(allow_pickle=False)`` in which the big ``stored``
    members are uncompressed with their data ``align``-byte aligned in the file (so the loader can
    memory-map them), and every other member is deflated (the gene list shrinks ~10x).
    Timestamps are fixed, so the same arrays give the same bytes."""
    with open(path, "wb") as fh, zipfile.ZipFile(fh, mode="w", allowZip64=True) as zf:
        for key, arr in arrays.items():
            arr = np.asanyarray(arr)
            if arr.dtype.hasobject:
                raise TypeError(f"array {key!r} has dtype object; convert strings to a 'U' dtype")
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            if key in stored:
                info.compress_type = zipfile.ZIP_STORED
                # local header = 30 + name + our padding field (4 + pad) + zip64 field (20);
                # the .npy header is a multiple of 64 bytes, so aligning its start aligns the data
                base = fh.tell() + 30 + len(info.filename.encode()) + 4 + 20
                pad = (-base) % align
                info.extra = struct.pack("<HH", 0xD935, pad) + b"\0" * pad
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as out:
                np.lib.format.write_array(out, arr, allow_pickle=False)


#: int8-lowrank keeps the fewest singular directions that leave at most this share of the energy
LOWRANK_RESIDUAL = 5e-4


def lowrank_int8(
    a: np.ndarray, b: np.ndarray, rank: int | None = None, residual: float = LOWRANK_RESIDUAL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compress one fold's UMT terms: ``[a | b] ≈ (u * scale[:, None]) @ v``.

    ``[a | b]`` (float [G, 2H]) is projected on its top right singular vectors (eigenvectors of the
    [2H, 2H] Gram matrix, so no [G, G] work): ``rank`` of them, or by default the fewest that leave
    at most ``residual`` of the squared norm (the real SynLeaF student terms need ~H of the 2H:
    a and b are two projections of largely shared gene embeddings). The [G, rank] coordinates are
    stored as int8 with one float32 scale per gene (row max / 127).

    Returns:
        u: int8 [G, rank]; scale: float32 [G]; v: float32 [rank, 2H].
    """
    m = np.concatenate([np.asarray(a, np.float64), np.asarray(b, np.float64)], axis=1)
    vals, vecs = np.linalg.eigh(m.T @ m)
    vals, vecs = np.maximum(vals[::-1], 0), vecs[:, ::-1]  # descending
    if rank is None:
        left = 1.0 - np.cumsum(vals) / max(float(vals.sum()), 1e-300)
        rank = int(np.argmax(left <= residual)) + 1 if np.any(left <= residual) else m.shape[1]
    rank = max(1, min(int(rank), m.shape[1]))
    v = vecs[:, :rank]  # [2H, rank]
    us = m @ v  # [G, rank]
    scale = np.abs(us).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    u = np.clip(np.rint(us / scale[:, None]), -127, 127).astype(np.int8)
    return u, scale.astype(np.float32), np.ascontiguousarray(v.T, dtype=np.float32)


def lowrank_terms(
    u: np.ndarray, scale: np.ndarray, v: np.ndarray, rows: np.ndarray | slice = slice(None)
) -> tuple[np.ndarray, np.ndarray]:
    """Rebuild float32 ``(a, b)`` [n, H] of the given gene rows from :func:`lowrank_int8` output."""
    m = (
        np.asarray(u[rows], np.float32) * np.asarray(scale[rows], np.float32)[:, None]
    ) @ np.asarray(v, np.float32)
    h = m.shape[1] // 2
    return np.ascontiguousarray(m[:, :h]), np.ascontiguousarray(m[:, h:])


def _storage_check(
    a32: list[np.ndarray],
    b32: list[np.ndarray],
    b1: np.ndarray,
    w2: np.ndarray,
    b2: np.ndarray,
    stored: Callable[[int], tuple[np.ndarray, np.ndarray]],
    n_pairs: int = 20000,
    seed: int = 0,
) -> dict[str, Any]:
    """Max and mean |score(stored terms) - score(float32 terms)| over random pairs (order-averaged
    fold means), and the largest change of a pair's rank within the sample (fraction of the sample).

    ``stored(f)`` gives fold f's terms as the bundle stores them (float arrays [G, H])."""
    g = a32[0].shape[0]
    rng = np.random.default_rng(seed)
    i = rng.integers(0, g, n_pairs)
    j = rng.integers(0, g, n_pairs)

    def score(a_s: list[np.ndarray], b_s: list[np.ndarray]) -> np.ndarray:
        tot = np.zeros(n_pairs)
        for f in range(len(a_s)):
            a, b = np.asarray(a_s[f], np.float64), np.asarray(b_s[f], np.float64)
            for x, y in ((i, j), (j, i)):
                z = np.maximum(a[x] + b[y] + b1[f], 0.0) @ w2[f] + b2[f]
                tot += 0.5 / (1.0 + np.exp(-z))
        return tot / len(a_s)

    ref = score(a32, b32)
    pairs = [stored(f) for f in range(len(a32))]
    new = score([p[0] for p in pairs], [p[1] for p in pairs])
    diff = np.abs(new - ref)
    r_ref = np.argsort(np.argsort(-ref, kind="stable"), kind="stable")
    r_new = np.argsort(np.argsort(-new, kind="stable"), kind="stable")
    return {
        "pairs": n_pairs,
        "max_abs_diff": float(diff.max()),
        "mean_abs_diff": float(diff.mean()),
        "max_rank_change_in_sample": float(np.abs(r_ref - r_new).max() / n_pairs),
    }


# ----------------------------------------------------------------------


def _deflated_size(arr: np.ndarray) -> int:
    """Bytes ``arr`` takes inside a compressed npz (zip deflate, as ``np.savez_compressed``)."""
    return len(zlib.compress(np.ascontiguousarray(arr).tobytes(), 6)) + 200


def write_bundle(
    dest: str | Path,
    name: str,
    genes: Sequence[str] | np.ndarray,
    folds: Sequence[Mapping[str, np.ndarray]],
    strategy: str,
    manifest_extra: Mapping[str, Any] | None = None,
    dtype: str = "float16",
    split_pairs: Sequence[Mapping[str, np.ndarray]] | None = None,
    size_budget_bytes: int | None = None,
    rank: int | None = None,
) -> Path:
    """Write a bundle folder atomically.

    Args:
        dest: the bundle folder to create (replaced as a whole if it exists).
        name: context name shown to users (e.g. ``"BRCA"``).
        genes: 'U' [G] HGNC symbols, the row order of every per-gene array.
        folds: one dict per trained fold (see the module docstring), in fold order.
        strategy: ``"umt"`` or ``"ume"``, the strategy selected for this context.
        manifest_extra: metadata from training (see the module docstring).
        dtype: storage of the UMT [G, H] term matrices: ``"float16"``, ``"float32"`` (format 1:
            ``umt_a``/``umt_b``) or ``"int8-lowrank"`` (format 2: ``[a | b]`` projected on its top
            ``rank`` singular directions, int8 coordinates with a per-gene scale; ~4x smaller than
            float16); the small per-gene scalars, biases and head weights are always float32.
        rank: for ``"int8-lowrank"``, the number of singular directions kept (default: the fewest
            that leave at most :data:`LOWRANK_RESIDUAL` of the terms' squared norm).
        split_pairs: optional, one dict per trained fold with ``train``/``val``/``test`` int
            arrays [n, 3] (gene1 index, gene2 index, label) into ``genes``.
        size_budget_bytes: optional cap on the bundle size; for UMT only the first n folds
            that fit are shipped (recorded in the manifest); raises if not even one fits.

    Returns:
        the bundle folder.
    """
    dest = Path(dest)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
    if dtype not in UMT_DTYPES:
        raise ValueError(f"dtype must be one of {UMT_DTYPES}")
    genes_arr = np.asarray(genes).astype(str)
    if genes_arr.ndim != 1 or len(genes_arr) == 0:
        raise ValueError("genes must be a non-empty 1-D array of symbols")
    if len(np.unique(genes_arr)) != len(genes_arr):
        raise ValueError("genes contains duplicates")
    if not folds:
        raise ValueError("no folds given")
    g = len(genes_arr)
    for i, fold in enumerate(folds):
        _check_fold(i, fold, g, strategy == "umt")
    extra = dict(manifest_extra or {})
    metrics = _normalise_metrics(extra.pop("metrics", None))

    # single-modality terms, all folds
    uni = np.empty((len(folds), g, 4), np.float32)
    ubias = np.empty((len(folds), 2), np.float32)
    for f, fold in enumerate(folds):
        uni[f], ubias[f] = teacher_terms(fold)
    arrays: dict[str, np.ndarray] = {"genes": genes_arr, "uni_terms": uni, "uni_bias": ubias}

    # split pairs
    split_arrays: dict[str, np.ndarray] = {}
    if split_pairs is not None:
        if len(split_pairs) != len(folds):
            raise ValueError(f"split_pairs has {len(split_pairs)} folds, folds has {len(folds)}")
        for f, fold_split in enumerate(split_pairs):
            for part in SPLIT_PARTS:
                if part not in fold_split:
                    continue
                arr = np.asarray(fold_split[part]).astype(np.int64)
                if arr.ndim != 2 or arr.shape[1] != 3:
                    raise ValueError(f"split_pairs[{f}][{part!r}] must be [n, 3], got {arr.shape}")
                if len(arr) and (arr[:, :2].min() < 0 or arr[:, :2].max() >= g):
                    raise ValueError(
                        f"split_pairs[{f}][{part!r}] has gene indices outside [0, {g})"
                    )
                split_arrays[f"fold{f}_{part}"] = arr.astype(np.int32)

    # UMT terms and the fold budget
    folds_shipped = len(folds)
    reason = "all trained folds shipped"
    itemsize = 1 if dtype == LOWRANK else np.dtype(dtype).itemsize
    check: dict[str, Any] | None = None
    if strategy == "umt":
        hu = int(np.asarray(folds[0]["umt_w1"]).shape[0])
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if dtype == LOWRANK:  # factorise every fold first: the size depends on the ranks kept
            parts = [lowrank_int8(*umt_terms(fold), rank=rank) for fold in folds]
            r_max = max(p[0].shape[1] for p in parts)
            per_fold = g * (r_max + 4) + r_max * 2 * hu * 4 + (2 * hu + 1) * 4 + 800
        else:
            per_fold = 2 * g * hu * itemsize + (2 * hu + 1) * 4 + 400
        # the npz files are deflated: gene names and split pairs shrink ~10x, float terms hardly
        fixed = (
            _deflated_size(genes_arr)
            + uni.nbytes
            + ubias.nbytes
            + sum(_deflated_size(a) for a in split_arrays.values())
            + 2000
        )
        if size_budget_bytes is not None:
            fit = int((size_budget_bytes - fixed) // per_fold)
            if fit < 1:
                raise ValueError(
                    f"size budget {size_budget_bytes} bytes is too small for even one UMT fold "
                    f"(needs about {fixed + per_fold} bytes with dtype {dtype})"
                )
            if fit < len(folds):
                folds_shipped = fit
                reason = (
                    f"size budget of {size_budget_bytes} bytes: {fit} of {len(folds)} UMT folds fit "
                    f"({per_fold} bytes each in {dtype}); the score averages the first {fit}"
                )
        a_list, b_list = [], []
        for fold in folds[:folds_shipped]:
            a, b = umt_terms(fold)
            a_list.append(a)
            b_list.append(b)
        b1 = np.stack(
            [np.asarray(f["umt_b1"], np.float32).reshape(-1) for f in folds[:folds_shipped]]
        )
        w2 = np.stack(
            [np.asarray(f["umt_w2"], np.float32).reshape(-1) for f in folds[:folds_shipped]]
        )
        b2 = np.array(
            [np.asarray(f["umt_b2"]).reshape(-1)[0] for f in folds[:folds_shipped]], np.float32
        )
        if dtype == LOWRANK:
            parts = parts[:folds_shipped]
            r_max = max(p[0].shape[1] for p in parts)  # pad to one rank so the folds stack
            parts = [
                (
                    np.pad(u, ((0, 0), (0, r_max - u.shape[1]))),
                    sc,
                    np.pad(v, ((0, r_max - v.shape[0]), (0, 0))),
                )
                for u, sc, v in parts
            ]
            check = _storage_check(a_list, b_list, b1, w2, b2, lambda f: lowrank_terms(*parts[f]))
            check["rank"] = r_max
            arrays.update(
                {
                    "umt_u": np.stack([p[0] for p in parts]),
                    "umt_u_scale": np.stack([p[1] for p in parts]),
                    "umt_v": np.stack([p[2] for p in parts]),
                }
            )
            del parts
        else:
            if dtype == "float16":
                big = max(float(np.abs(x).max()) for x in a_list + b_list)
                if big >= 65000:
                    raise ValueError(
                        f"UMT terms reach {big:.3g}, beyond float16 range; use dtype='float32'"
                    )
                check = _storage_check(
                    a_list,
                    b_list,
                    b1,
                    w2,
                    b2,
                    lambda f: (a_list[f].astype(np.float16), b_list[f].astype(np.float16)),
                )
            arrays.update(
                {"umt_a": np.stack(a_list).astype(dtype), "umt_b": np.stack(b_list).astype(dtype)}
            )
        if check is not None and check["max_abs_diff"] >= STORAGE_TOLERANCE[dtype]:
            warnings.warn(
                f"{name}: {dtype} terms change sampled scores by up to {check['max_abs_diff']:.2g} "
                f"(>= {STORAGE_TOLERANCE[dtype]}); consider dtype='float32'",
                stacklevel=2,
            )
        arrays.update({"umt_b1": b1, "umt_w2": w2, "umt_b2": b2})
        del a_list, b_list

    manifest: dict[str, Any] = {
        "name": str(name),
        "format_version": FORMAT_VERSION if dtype == LOWRANK and strategy == "umt" else 1,
        "app_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "cancer": extra.pop("cancer", None) or str(name),
        "description": extra.pop("description", ""),
        "strategy": strategy,
        "selection": extra.pop("selection", None) or {"rule": DEFAULT_RULE},
        "cv": extra.pop("cv", None),
        "fold_ids": list(extra.pop("fold_ids", range(len(folds))))[: len(folds)],
        "folds_trained": len(folds),
        "folds_shipped": folds_shipped,
        "folds_shipped_reason": reason,
        "pair_order": "scores average p(A,B) and p(B,A): the SynLeaF heads are order-dependent",
        "fold_aggregation": "mean over shipped folds of the order-averaged probability; sd = population sd",
        "n_genes": g,
        "omics": list(extra.pop("omics", []) or []),
        "sample_counts": dict(extra.pop("sample_counts", {}) or {}),
        "kg": extra.pop("kg", None),
        "metrics": metrics,
        "headline": headline_metrics(metrics, strategy),
        "data_checksums": dict(extra.pop("data_checksums", {}) or {}),
        "packages": package_versions(extra.pop("packages", None)),
        "seed": extra.pop("seed", None),
        "dtype": dtype if strategy == "umt" else "float32",
        "dtype_check": check,
    }
    for k, v in extra.items():
        if k in _RESERVED:
            raise ValueError(f"manifest_extra may not set {k!r}: the writer computes it")
        manifest[k] = v

    with atomic_dir(dest) as tmp:
        write_model_npz(tmp / MODEL_FILE, arrays, stored=MMAP_MEMBERS)
        files: dict[str, dict[str, Any]] = {
            MODEL_FILE: {
                "sha256": sha256_file(tmp / MODEL_FILE),
                "bytes": (tmp / MODEL_FILE).stat().st_size,
            }
        }
        if split_arrays:
            with open(tmp / SPLITS_FILE, "wb") as fh:
                # numpy's stubs: a **dict of arrays could bind its allow_pickle flag
                np.savez_compressed(fh, **split_arrays)  # type: ignore[arg-type]
            files[SPLITS_FILE] = {
                "sha256": sha256_file(tmp / SPLITS_FILE),
                "bytes": (tmp / SPLITS_FILE).stat().st_size,
            }
        manifest["files"] = files
        manifest["size_bytes"] = int(sum(f["bytes"] for f in files.values()))
        if size_budget_bytes is not None and manifest["size_bytes"] > size_budget_bytes:
            raise ValueError(
                f"the bundle needs {manifest['size_bytes']} bytes, over the budget of "
                f"{size_budget_bytes}"
            )
        write_json(tmp / MANIFEST, manifest)
    return dest


def add_bundle_member(
    folder: str | Path,
    filename: str,
    arrays: Mapping[str, np.ndarray],
    key: str,
    meta: Mapping[str, Any],
) -> Path:
    """Add (or replace) one ``.npz`` member of a written bundle and record it in the manifest.

    The member is written atomically and deflated; its sha256 and size go into ``files``, ``meta``
    into ``manifest[key]``, and ``size_bytes`` is updated; the manifest is replaced atomically
    last, so a crash in between leaves the old, consistent bundle (plus an unlisted file that the
    next call overwrites).
    """
    from ..fileio import read_json, save_npz

    folder = Path(folder)
    if Path(filename).name != filename or not filename.endswith(".npz"):
        raise ValueError(f"not a plain .npz member name: {filename!r}")
    if key in _RESERVED:
        raise ValueError(f"{key!r} is computed by the writer")
    path = folder / filename
    save_npz(path, compress=True, **{k: np.asarray(v) for k, v in arrays.items()})
    manifest = read_json(folder / MANIFEST)
    manifest["files"][filename] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    manifest[key] = dict(meta)
    manifest["size_bytes"] = int(sum(f["bytes"] for f in manifest["files"].values()))
    write_json(folder / MANIFEST, manifest)
    return path


def set_manifest_entry(folder: str | Path, key: str, meta: Mapping[str, Any]) -> None:
    """Record ``meta`` under ``manifest[key]`` of a written bundle (no member file: e.g. that a
    step found nothing to add); the manifest is replaced atomically."""
    from ..fileio import read_json

    if key in _RESERVED:
        raise ValueError(f"{key!r} is computed by the writer")
    path = Path(folder) / MANIFEST
    manifest = read_json(path)
    manifest[key] = dict(meta)
    write_json(path, manifest)


def rename_bundle_manifest(folder: str | Path, new_name: str) -> None:
    """Change the ``name`` in a bundle's manifest (the manifest is not covered by the checksums)."""
    from ..fileio import read_json

    path = Path(folder) / MANIFEST
    manifest = read_json(path)
    if not isinstance(manifest, dict):
        raise BundleError(path, "not a valid manifest")
    manifest["name"] = new_name
    write_json(path, manifest)


__all__ = [
    "DEFAULT_RULE",
    "add_bundle_member",
    "checksum_files",
    "headline_metrics",
    "package_versions",
    "rename_bundle_manifest",
    "teacher_terms",
    "umt_terms",
    "write_bundle",
    "write_model_npz",
]
