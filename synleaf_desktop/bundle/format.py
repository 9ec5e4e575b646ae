"""The deployable model bundle: one folder per scoring context, loaded without torch.

A bundle folder holds::

    <NAME>/manifest.json     metadata (see :mod:`synleaf_desktop.bundle.writer` for the keys)
    <NAME>/model.npz         per-gene scoring terms (uncompressed, so big members are memory-mapped)
    <NAME>/split_pairs.npz   optional: the CV split pairs of every trained fold

``model.npz`` (a standard ``.npz``: the two big UMT members stored uncompressed with 64-byte
aligned data, the rest deflated) members (G genes, F trained folds, Fu shipped UMT folds, H = 128):

==============  =================  =====================================================
``genes``       'U' [G]            HGNC symbols, the context's gene universe (row order)
``uni_terms``   float32 [F, G, 4]  per fold and gene: (u_o·o_g, v_o·o_g, u_k·k_g, v_k·k_g),
                                   where a single-modality head ``w = [u; v]`` scores
                                   ``logit(A, B) = u·e_A + v·e_B + b``
``uni_bias``    float32 [F, 2]     (b_omics, b_kg)
``umt_a``       dtype [Fu, G, H]   UMT only: ``W1[:, 0:128] o_g + W1[:, 256:384] k_g``
                                   (gene in first position; student embeddings)
``umt_b``       dtype [Fu, G, H]   UMT only: ``W1[:, 128:256] o_g + W1[:, 384:512] k_g``
                                   (gene in second position)
``umt_b1``      float32 [Fu, H]    UMT first-layer bias
``umt_w2``      float32 [Fu, H]    UMT second-layer weights
``umt_b2``      float32 [Fu]       UMT second-layer bias
==============  =================  =====================================================

so ``logit_UMT(A, B) = w2·relu(a_A + b_B + b1) + b2``; ``dtype`` is float16 or float32
(manifest ``dtype``). Format version 2 (manifest ``dtype`` = ``"int8-lowrank"``) stores the two
term matrices of each fold jointly instead of ``umt_a``/``umt_b``:

================  =================  ===================================================
``umt_u``         int8 [Fu, G, R]    coordinates of ``[a_g | b_g]`` on R singular directions
``umt_u_scale``   float32 [Fu, G]    per-gene scale of those coordinates
``umt_v``         float32 [Fu, R, 2H]  the directions: ``[a | b] = (u * scale) @ v``
================  =================  ===================================================

(about 4x smaller than float16 for R = H; the manifest's ``dtype_check`` gives the measured
score change against float32 terms). ``split_pairs.npz`` holds ``fold{k}_{train|val|test}`` int32 [n, 3]
(gene1 index, gene2 index, label) for every trained fold k.

Safety: nothing is unpickled. Small members are read with ``numpy.load(allow_pickle=False)``;
the big UMT members are memory-mapped after parsing their ``.npy`` header (object dtypes are
refused). Every file's sha256 is checked against the manifest. Member names come from an
allow-list and are opened only inside the bundle folder (no symlinks), and every member's contents
(dtypes, shapes, finite values, unique genes, split-pair indices) are checked by
:mod:`synleaf_desktop.bundle.validate` (in full once per content, cheaply afterwards).

Verification cost and the cache: hashing runs at ~1.7 GB/s here, i.e. ~30 ms for a 5-fold fp16
UMT bundle of 18k genes, ~90 ms for the whole 150 MB ``bundled_models/``. With ``verify=True``
(the default) a file is hashed once and the result is remembered in
``<user cache dir>/verified_bundles.json`` keyed by absolute path, size and mtime (ns); later
loads skip the hash while size and mtime are unchanged. Files modified less than
:data:`RACY_SECONDS` before they were hashed are never cached (their mtime could still collide
with a later edit, the "racy git" problem). ``verify="full"`` always hashes; ``verify=False``
skips the check (tests and tools that just wrote the bundle).
"""

from __future__ import annotations

import contextlib
import json
import struct
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import paths
from ..errors import InputError
from ..fileio import read_json, sha256_file, write_json

#: the version the writer gives int8-lowrank UMT bundles; float16/float32 bundles stay version 1
FORMAT_VERSION = 2
#: manifest format versions this app reads
READABLE_VERSIONS = (1, 2)
#: storage of the UMT terms: float16/float32 term matrices (format 1) or int8 low-rank (format 2)
LOWRANK = "int8-lowrank"
UMT_DTYPES = ("float16", "float32", LOWRANK)
MANIFEST = "manifest.json"
MODEL_FILE = "model.npz"
SPLITS_FILE = "split_pairs.npz"
STRATEGIES = ("umt", "ume")
EMBED_DIM = 128
SPLIT_PARTS = ("train", "val", "test")
#: the built-in contexts, in display order
BUILTIN_ORDER = ("BRCA", "CESC", "COAD", "KIRC", "LAML", "LUAD", "OV", "SKCM", "pan")
#: files modified less than this many seconds before hashing are not cached as verified
RACY_SECONDS = 2.0
_VERIFY_CACHE_FILE = "verified_bundles.json"
#: members memory-mapped instead of read into memory
MMAP_MEMBERS = ("umt_a", "umt_b", "umt_u")
_MMAP_MEMBERS = MMAP_MEMBERS


class BundleError(InputError):
    """A bundle folder is missing, incomplete, damaged or of an unknown format."""


# ----------------------------------------------------------------------
# manifest


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """Read and minimally validate ``<folder>/manifest.json`` (no array is read).

    Raises:
        BundleError: naming the file when it is missing, not JSON, or lacks required keys.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BundleError(
            folder, "not a model bundle folder (it does not exist or is not a folder)"
        )
    if not path.is_file():
        raise BundleError(
            path,
            "missing: a model bundle folder must contain manifest.json, model.npz; "
            "rebuild it with `synleaf bundle build` or re-export it",
        )
    try:
        manifest = read_json(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(
            path, f"not a valid JSON manifest ({exc}); the bundle is damaged"
        ) from None
    if not isinstance(manifest, dict):
        raise BundleError(path, "not a valid manifest (expected a JSON object)")
    missing = [
        k for k in ("name", "format_version", "strategy", "files", "n_genes") if k not in manifest
    ]
    if missing:
        raise BundleError(path, f"not a valid manifest: missing keys {missing}")
    if manifest["format_version"] not in READABLE_VERSIONS:
        raise BundleError(
            path,
            f"bundle format version {manifest['format_version']!r} is not supported "
            f"by this version of the app (it reads versions {READABLE_VERSIONS})",
        )
    if manifest["strategy"] not in STRATEGIES:
        raise BundleError(
            path, f"unknown strategy {manifest['strategy']!r} (expected one of {STRATEGIES})"
        )
    files = manifest["files"]
    if not isinstance(files, dict) or MODEL_FILE not in files:
        raise BundleError(
            path, f"not a valid manifest: 'files' must list {MODEL_FILE} with its sha256"
        )
    from .validate import check_manifest

    check_manifest(manifest, path)
    return manifest


# ----------------------------------------------------------------------
# checksum verification with a (path, size, mtime) cache

_cache_lock = threading.Lock()


def _cache_path() -> Path:
    return paths.user_cache_dir() / _VERIFY_CACHE_FILE


def _load_cache() -> dict[str, dict[str, Any]]:
    try:
        data = read_json(_cache_path())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def verify_files(
    folder: str | Path, manifest: dict[str, Any], mode: bool | str = True
) -> dict[str, str]:
    """Check every file listed in ``manifest["files"]`` against its sha256.

    Args:
        folder: the bundle folder.
        manifest: its manifest.
        mode: ``True``/``"cached"`` (hash unless the cache vouches for the same size and mtime),
            ``"full"`` (always hash) or ``False`` (only check that the files exist).

    Returns:
        ``{file name: "cached" | "hashed" | "skipped"}``.

    Raises:
        BundleError: naming the first file that is missing or whose checksum differs.
    """
    folder = Path(folder)
    if mode not in (True, False, "cached", "full"):
        raise ValueError(f"verify must be True, False, 'cached' or 'full', not {mode!r}")
    from .validate import member_path

    out: dict[str, str] = {}
    use_cache = mode in (True, "cached")
    with _cache_lock:
        cache = _load_cache() if use_cache else {}
        dirty = False
        for name, info in manifest["files"].items():
            path = member_path(folder, name)
            expected = info.get("sha256") if isinstance(info, dict) else None
            if not path.is_file():
                raise BundleError(
                    path, "missing: the bundle is incomplete; rebuild or re-install it"
                )
            if mode is False:
                out[name] = "skipped"
                continue
            if not expected:
                raise BundleError(folder / MANIFEST, f"no sha256 recorded for {name}")
            st = path.stat()
            key = str(path.resolve())
            rec = cache.get(key)
            if (
                use_cache
                and isinstance(rec, dict)
                and rec.get("size") == st.st_size
                and rec.get("mtime_ns") == st.st_mtime_ns
                and rec.get("sha256") == expected
            ):
                out[name] = "cached"
                continue
            try:
                digest = sha256_file(path)
            except OSError as exc:
                raise BundleError(path, f"cannot be read ({exc.strerror or exc})") from None
            if digest != expected:
                raise BundleError(
                    path,
                    f"checksum mismatch: the file is damaged or was changed after the "
                    f"bundle was written (sha256 {digest[:12]}..., manifest says "
                    f"{expected[:12]}...); rebuild or re-install this model",
                )
            out[name] = "hashed"
            if use_cache and time.time() - st.st_mtime > RACY_SECONDS:
                cache[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}
                dirty = True
        if dirty:
            # a read-only cache dir only costs time
            with contextlib.suppress(OSError):
                write_json(_cache_path(), cache)
    return out


# ----------------------------------------------------------------------
# npz access: small members loaded, big ones memory-mapped


def _stored_member_offsets(path: Path) -> dict[str, int]:
    """Byte offset of each uncompressed ``.npy`` member's start inside the zip file."""
    offsets: dict[str, int] = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            if not info.filename.endswith(".npy") or info.compress_type != zipfile.ZIP_STORED:
                continue
            fh.seek(info.header_offset)
            head = fh.read(30)
            sig, *_rest = struct.unpack("<IHHHHHIIIHH", head)
            if sig != 0x04034B50:
                raise BundleError(path, f"damaged zip entry {info.filename}")
            n_name, n_extra = struct.unpack("<HH", head[26:30])
            offsets[info.filename[:-4]] = info.header_offset + 30 + n_name + n_extra
    return offsets


def _memmap_member(path: Path, start: int) -> np.ndarray:
    """Memory-map one stored ``.npy`` member starting at byte ``start`` (read-only)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise BundleError(path, f"unsupported .npy version {version}")
        if dtype.hasobject:
            raise BundleError(path, "refusing an object array (it would need pickle)")
        offset = fh.tell()
    if int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype)
    return np.memmap(
        path, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C"
    )


def open_model_arrays(path: str | Path) -> dict[str, np.ndarray]:
    """All members of ``model.npz``: the UMT term matrices memory-mapped (when stored
    uncompressed), everything else read with ``numpy.load(allow_pickle=False)``."""
    path = Path(path)
    try:
        offsets = _stored_member_offsets(path)
        out: dict[str, np.ndarray] = {}
        with np.load(path, allow_pickle=False) as z:
            for key in z.files:
                if key in _MMAP_MEMBERS and key in offsets:
                    out[key] = _memmap_member(path, offsets[key])
                else:
                    out[key] = z[key]
        return out
    except BundleError:
        raise
    except Exception as exc:
        raise BundleError(
            path,
            f"cannot read the model arrays ({type(exc).__name__}: {exc}); the bundle is damaged",
        ) from None


# ----------------------------------------------------------------------


@dataclass
class Bundle:
    """One loaded context model (numpy only).

    Attributes:
        folder: the bundle folder.
        manifest: the parsed ``manifest.json``.
        arrays: ``model.npz`` members (see the module docstring for shapes).
    """

    folder: Path
    manifest: dict[str, Any]
    arrays: dict[str, np.ndarray]
    _gene_index: dict[str, int] | None = field(default=None, repr=False)
    _splits: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _checked_in_full: bool = field(default=False, repr=False)
    _contents_checked: bool = field(default=False, repr=False)

    @classmethod
    def load(cls, folder: str | Path, verify: bool | str = True, check: str = "auto") -> Bundle:
        """Load a bundle folder.

        Args:
            folder: the bundle folder (holding ``manifest.json``).
            verify: see :func:`verify_files` (default: sha256 with the verification cache).
            check: content checks of :mod:`synleaf_desktop.bundle.validate` after the shape
                checks: ``"full"`` (every value of every member), ``"cheap"`` (dtypes, small
                arrays, unique genes; the split pairs are checked when first read) or ``"auto"``
                (default): full once per content (by sha256, remembered in the user cache),
                cheap afterwards, and cheap when ``verify`` is False.

        Raises:
            BundleError: the folder, manifest or a file is missing, invalid or damaged.
        """
        from .validate import (
            check_members,
            member_path,
            npz_headers,
            remember_validated,
            was_validated,
        )

        if check not in ("auto", "full", "cheap"):
            raise ValueError(f"check must be 'auto', 'full' or 'cheap', not {check!r}")
        folder = Path(folder)
        manifest = read_manifest(folder)
        verify_files(folder, manifest, verify)
        known = check == "auto" and verify is not False and was_validated(manifest)
        full = check == "full" or (check == "auto" and verify is not False and not known)
        model_path = member_path(folder, MODEL_FILE)
        if full:
            npz_headers(
                model_path
            )  # before anything is unpacked: no object dtype, no oversized array
        arrays = open_model_arrays(model_path)
        bundle = cls(folder, manifest, arrays)
        try:
            try:
                bundle._check_shapes()
            except (IndexError, KeyError, TypeError, ValueError, AttributeError) as exc:
                if isinstance(exc, BundleError):
                    raise
                raise BundleError(
                    model_path,
                    f"the model arrays have unexpected shapes or types "
                    f"({type(exc).__name__}: {exc}); the bundle is damaged",
                ) from None
            bundle._gene_index, loaded = check_members(folder, manifest, arrays, full)
        except BaseException:
            bundle.close()
            raise
        bundle._checked_in_full = full
        bundle._contents_checked = full or known
        if SPLITS_FILE in loaded:
            bundle._splits = loaded[SPLITS_FILE]
        if full and verify is not False:
            remember_validated(manifest)
        return bundle

    def _check_shapes(self) -> None:
        a = self.arrays
        path = self.folder / MODEL_FILE
        for key in ("genes", "uni_terms", "uni_bias"):
            if key not in a:
                raise BundleError(path, f"missing array {key!r}")
        g = a["genes"]
        if g.ndim != 1 or g.dtype.kind != "U" or len(g) != int(self.manifest["n_genes"]):
            raise BundleError(
                path, "'genes' must be a 1-D string array of manifest n_genes entries"
            )
        f = a["uni_terms"].shape[0]
        if a["uni_terms"].shape != (f, len(g), 4) or a["uni_bias"].shape != (f, 2):
            raise BundleError(
                path,
                f"uni_terms/uni_bias have shapes {a['uni_terms'].shape}/"
                f"{a['uni_bias'].shape}, expected (F, {len(g)}, 4)/(F, 2)",
            )
        if self.strategy == "umt":
            lowrank = "umt_u" in a
            terms = ("umt_u", "umt_u_scale", "umt_v") if lowrank else ("umt_a", "umt_b")
            for key in (*terms, "umt_b1", "umt_w2", "umt_b2"):
                if key not in a:
                    raise BundleError(path, f"strategy 'umt' but array {key!r} is missing")
            fu = a[terms[0]].shape[0]
            h = a["umt_b1"].shape[1] if a["umt_b1"].ndim == 2 else -1
            if lowrank:
                r = a["umt_u"].shape[-1]
                ok = (
                    a["umt_u"].shape == (fu, len(g), r)
                    and a["umt_u"].dtype == np.int8
                    and a["umt_u_scale"].shape == (fu, len(g))
                    and a["umt_v"].shape == (fu, r, 2 * h)
                )
            else:
                ok = a["umt_a"].shape == (fu, len(g), h) and a["umt_b"].shape == (fu, len(g), h)
            if (
                not ok
                or a["umt_b1"].shape != (fu, h)
                or a["umt_w2"].shape != (fu, h)
                or a["umt_b2"].shape != (fu,)
                or fu < 1
            ):
                raise BundleError(path, "UMT term arrays have inconsistent shapes")

    # --- identity ------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def cancer(self) -> str:
        """The cancer the context models (``manifest["cancer"]``, default: the name)."""
        return str(self.manifest.get("cancer") or self.name)

    @property
    def strategy(self) -> str:
        """``"umt"`` or ``"ume"``: the stage-2 strategy the score uses."""
        return str(self.manifest["strategy"])

    @property
    def genes(self) -> np.ndarray:
        """'U' [G]: the gene universe (row order of every per-gene array)."""
        return self.arrays["genes"]

    @property
    def n_genes(self) -> int:
        return int(self.arrays["genes"].shape[0])

    @property
    def gene_index(self) -> dict[str, int]:
        """``{symbol: row}`` (built on first use)."""
        if self._gene_index is None:
            self._gene_index = {g: i for i, g in enumerate(self.genes.tolist())}
        return self._gene_index

    @property
    def folds(self) -> int:
        """Number of fold models the score averages (shipped UMT folds, or all UME folds)."""
        if self.strategy == "umt":
            return int(self.arrays["umt_u" if "umt_u" in self.arrays else "umt_a"].shape[0])
        return int(self.arrays["uni_terms"].shape[0])

    @property
    def folds_trained(self) -> int:
        default = int(self.arrays["uni_terms"].shape[0])
        return int(self.manifest.get("folds_trained", default))

    @property
    def dtype(self) -> str:
        return str(self.manifest.get("dtype", "float32"))

    @property
    def omics(self) -> list[str]:
        return list(self.manifest.get("omics") or [])

    @property
    def has_modalities(self) -> dict[str, bool]:
        """Which single-modality (teacher) scores the bundle can give."""
        return {"omics": True, "kg": True}

    @property
    def metrics(self) -> dict[str, Any]:
        """Per-strategy per-fold metrics as recorded by training (may be empty)."""
        return dict(self.manifest.get("metrics") or {})

    @property
    def headline(self) -> dict[str, Any]:
        """Summary metrics of the selected strategy (fold means and population SDs), e.g.
        ``{"val_auc": 0.93, "val_auc_sd": 0.01, "test_auc": ..., "n_folds": 5}``."""
        return dict(self.manifest.get("headline") or {})

    @property
    def size_bytes(self) -> int:
        return int(self.manifest.get("size_bytes", 0))

    # --- split pairs -----------------------------------------------------
    @property
    def has_splits(self) -> bool:
        return SPLITS_FILE in self.manifest["files"]

    def member_arrays(self, name: str) -> dict[str, np.ndarray] | None:
        """The arrays of an optional ``.npz`` member listed in the manifest (``calibration.npz``,
        ``evidence.npz``), read safely from inside the bundle folder; None when not listed."""
        if name not in self.manifest.get("files", {}):
            return None
        from .validate import load_member, member_path

        return load_member(member_path(self.folder, name))

    @property
    def split_pairs(self) -> dict[str, np.ndarray]:
        """``{"fold{k}_{part}": int32 [n, 3]}`` (empty when the bundle has none; read on first use)."""
        if self._splits is None:
            if not self.has_splits:
                self._splits = {}
            else:
                from .validate import check_split_pairs, load_member, member_path

                path = member_path(self.folder, SPLITS_FILE)
                if (
                    self._contents_checked
                ):  # this content passed the full check before (same sha256)
                    try:
                        with np.load(path, allow_pickle=False) as z:
                            splits = {k: z[k] for k in z.files}
                    except Exception as exc:
                        raise BundleError(
                            path, f"cannot read the split pairs ({type(exc).__name__}: {exc})"
                        ) from None
                else:
                    splits = load_member(path)
                check_split_pairs(path, splits, self.n_genes, full=not self._contents_checked)
                self._splits = splits
        return self._splits

    def training_pairs(self, folds: int | None = None) -> np.ndarray:
        """int64 [n, 2] unordered (min, max) gene-index pairs in the train part of the first
        ``folds`` folds (default: the folds the score uses); empty when no splits are shipped."""
        n = self.folds if folds is None else folds
        parts = [
            v[:, :2]
            for k, v in self.split_pairs.items()
            if k.endswith("_train") and int(k[4 : k.index("_")]) < n
        ]
        if not parts:
            return np.zeros((0, 2), np.int64)
        p = np.concatenate(parts).astype(np.int64)
        g = self.n_genes
        keys = np.unique(
            np.minimum(p[:, 0], p[:, 1]) * g + np.maximum(p[:, 0], p[:, 1])
        )  # 1-D: fast
        return np.stack([keys // g, keys % g], axis=1)

    def close(self) -> None:
        """Drop the memory maps (needed on Windows before the folder can be replaced)."""
        for key in _MMAP_MEMBERS:
            self.arrays.pop(key, None)

    def __repr__(self) -> str:
        return f"Bundle({self.name!r}, strategy={self.strategy}, genes={self.n_genes}, folds={self.folds})"


def is_bundle_folder(folder: str | Path) -> bool:
    """True if ``folder`` holds a manifest.json (cheap test, no validation)."""
    return (Path(folder) / MANIFEST).is_file()


def bundle_files_size(folder: str | Path) -> int:
    """Total bytes of the regular files in a bundle folder."""
    return sum(p.stat().st_size for p in Path(folder).iterdir() if p.is_file())


__all__ = [
    "BUILTIN_ORDER",
    "FORMAT_VERSION",
    "MANIFEST",
    "MODEL_FILE",
    "SPLITS_FILE",
    "STRATEGIES",
    "Bundle",
    "BundleError",
    "bundle_files_size",
    "is_bundle_folder",
    "open_model_arrays",
    "read_manifest",
    "verify_files",
]
