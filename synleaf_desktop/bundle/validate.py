"""Checks of a model bundle: the one gate every path that admits a bundle goes through.

Used by :meth:`Bundle.load <synleaf_desktop.bundle.format.Bundle.load>` (the registry, the
scoring engine, the GUI) and by :meth:`Registry.add_user_bundle
<synleaf_desktop.bundle.registry.Registry.add_user_bundle>` (``synleaf models add``, the GUI's
*Add a model folder*).

What is checked
===============

- **Manifest** (:func:`check_manifest`, on every read): types of the keys the app uses
  (``n_genes`` a positive integer, ``files`` a mapping of member name to ``{"sha256": 64 hex
  digits}``, ...) and names (:func:`name_problem`).
- **Members**: every key of ``files`` is a plain file name from :data:`MEMBERS` (the
  allow-list; anything else, ``../x`` or ``/etc/x`` included, is refused); a member is read
  only through :func:`member_path`, which refuses symlinks and any path that resolves outside
  the bundle folder. ``manifest.json`` and ``MODEL_CARD.md`` are the only other files an
  install copies (:data:`UNHASHED_FILES`).
- **Contents**, with the same safe loaders the scorer uses (``numpy.load(allow_pickle=False)``,
  memory maps after parsing the ``.npy`` header): dtypes, shapes, finite values, gene names
  (valid, unique), split-pair indices within the universe and labels 0/1.

Levels: a *full* check reads every value of every member; a *cheap* check (dtypes, the small
arrays' values, unique genes; the other members are checked in full when first read) is what a
load does when the full check already passed for the same content: :func:`Bundle.load
<synleaf_desktop.bundle.format.Bundle.load>` remembers a passed full check by the members'
sha256 in ``<user cache dir>/validated_bundles.json``, so each bundle content is read in full
once (~50 ms for an 18k-gene UMT bundle), not at every start. User bundles are checked in full
when they are added, and their checksums verified again on the installed copy.

To add a member: write its check (``fn(path, arrays, n_genes)`` raising :class:`BundleError`)
and add one line to :data:`MEMBERS`.
"""

from __future__ import annotations

import contextlib
import re
import threading
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import paths
from ..fileio import read_json, write_json
from .format import MANIFEST, MODEL_FILE, SPLIT_PARTS, SPLITS_FILE, BundleError

CALIBRATION_FILE = "calibration.npz"
EVIDENCE_FILE = "evidence.npz"
PAIR_MODEL_FILE = "pair_model.npz"
MODEL_CARD = "MODEL_CARD.md"
#: files of a bundle folder that are not in ``files`` (not hashed) but copied on install
UNHASHED_FILES = (MANIFEST, MODEL_CARD)
#: bump when the checks get stricter: contents validated by an older version are checked again
VALIDATOR_VERSION = 1
#: no array of a bundle may declare more bytes than this (a zip bomb would otherwise be unpacked)
MAX_ARRAY_BYTES = 1 << 30
_VALIDATED_FILE = "validated_bundles.json"
_VALIDATED_KEEP = 500

#: model names: letters, digits, ``_ . + -``; no ``..``, no trailing ``.``, no Windows device name
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")
_WINDOWS_RESERVED = frozenset(
    [
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{i}" for i in range(1, 10)),
        *(f"LPT{i}" for i in range(1, 10)),
    ]
)
#: gene names: HGNC symbols use letters, digits and ``- _ . @ : + '``
_GENE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@:+'-]{0,63}$")
_SPLIT_KEY = re.compile(r"^fold(\d{1,3})_(" + "|".join(SPLIT_PARTS) + r")$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def name_problem(name: Any) -> str | None:
    """Why ``name`` cannot name a model (and its folder), or None if it can."""
    if not isinstance(name, str) or not _MODEL_NAME.match(name):
        return "use letters, digits and _ . + - (at most 64 characters, starting with a letter or digit)"
    if ".." in name or name.endswith("."):
        return "'..' and a trailing '.' are not allowed (some systems drop trailing dots from folder names)"
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        return f"{name.split('.')[0]!r} is a reserved device name on Windows"
    return None


def check_model_name(name: Any, where: str | Path | None) -> str:
    """``name`` if it can name a model; else :class:`BundleError` saying why."""
    why = name_problem(name)
    if why is not None:
        raise BundleError(where, f"model name {name!r} is not allowed: {why}; pass another name")
    return str(name)


# ----------------------------------------------------------------------
# manifest


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x: Any) -> bool:
    return x is None or (isinstance(x, (int, float)) and not isinstance(x, bool))


def check_manifest(manifest: Mapping[str, Any], path: str | Path) -> None:
    """Types and names of a manifest's keys (after the keys and format version were checked).

    Raises:
        BundleError: naming ``path`` (the manifest) and the first bad key.
    """

    def bad(msg: str) -> BundleError:
        return BundleError(path, f"not a valid manifest: {msg}")

    why = name_problem(manifest["name"])
    if why is not None:
        raise bad(f"'name' {manifest['name']!r} cannot name a model ({why})")
    n = manifest["n_genes"]
    if not _is_int(n) or n < 1:
        raise bad(f"'n_genes' must be a positive whole number, not {n!r}")
    files = manifest["files"]
    if not isinstance(files, dict) or MODEL_FILE not in files:
        raise bad(f"'files' must list {MODEL_FILE} with its sha256")
    for name, info in files.items():
        if name not in MEMBERS:
            raise bad(
                f"'files' lists {name!r}, which is not a bundle member (allowed: {', '.join(MEMBERS)})"
            )
        if (
            not isinstance(info, dict)
            or not isinstance(info.get("sha256"), str)
            or not _SHA256.match(info["sha256"])
        ):
            raise bad(f"'files'/{name} needs a 'sha256' of 64 lower-case hex digits")
        if "bytes" in info and (not _is_int(info["bytes"]) or info["bytes"] < 0):
            raise bad(f"'files'/{name}/bytes must be a whole number of bytes")
    for key in ("folds_trained", "folds_shipped", "size_bytes"):
        if key in manifest and (not _is_int(manifest[key]) or manifest[key] < 0):
            raise bad(f"{key!r} must be a whole number >= 0, not {manifest[key]!r}")
    for key in ("headline", "metrics", "sample_counts", "selection"):
        if manifest.get(key) is not None and not isinstance(manifest[key], dict):
            raise bad(f"{key!r} must be an object")
    if not all(_is_num(v) or isinstance(v, str) for v in (manifest.get("headline") or {}).values()):
        raise bad("'headline' values must be numbers")
    omics = manifest.get("omics")
    if omics is not None and (
        not isinstance(omics, list) or not all(isinstance(o, str) for o in omics)
    ):
        raise bad("'omics' must be a list of names")
    for key in ("cancer", "description", "created", "cv"):
        if manifest.get(key) is not None and not isinstance(manifest[key], str):
            raise bad(f"{key!r} must be text")
    from .format import UMT_DTYPES

    if manifest.get("dtype") is not None and manifest["dtype"] not in UMT_DTYPES:
        raise bad(f"'dtype' must be one of {', '.join(UMT_DTYPES)}, not {manifest['dtype']!r}")


# ----------------------------------------------------------------------
# paths


def member_path(folder: str | Path, name: str) -> Path:
    """The path of bundle member ``name`` inside ``folder``, after checking that ``name`` is
    an allowed plain file name, that the file is not a symlink and that it resolves inside
    the folder.

    Raises:
        BundleError: any of these fails.
    """
    folder = Path(folder)
    if name not in MEMBERS and name not in UNHASHED_FILES:
        raise BundleError(
            folder, f"{name!r} is not a bundle member (allowed: {', '.join(MEMBERS)})"
        )
    path = folder / name
    if path.is_symlink():
        raise BundleError(path, "is a symbolic link; a model bundle must hold its files itself")
    try:
        inside = path.resolve().parent == folder.resolve()
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise BundleError(path, "resolves outside the bundle folder; refused")
    return path


# ----------------------------------------------------------------------
# npz headers and members


def npz_headers(path: Path) -> dict[str, tuple[np.dtype, tuple[int, ...]]]:
    """``{member: (dtype, shape)}`` of an ``.npz`` read from the ``.npy`` headers only.

    Raises:
        BundleError: not a zip of ``.npy`` members, an object dtype, or an array declaring
            more than :data:`MAX_ARRAY_BYTES`.
    """
    out: dict[str, tuple[np.dtype, tuple[int, ...]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
                if not info.filename.endswith(".npy") or key in out:
                    raise BundleError(
                        path,
                        f"unexpected zip entry {info.filename!r} (expected distinct .npy arrays)",
                    )
                with zf.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version == (1, 0):
                        shape, _fortran, dtype = np.lib.format.read_array_header_1_0(fh)
                    elif version == (2, 0):
                        shape, _fortran, dtype = np.lib.format.read_array_header_2_0(fh)
                    else:
                        raise BundleError(
                            path, f"member {key!r}: unsupported .npy version {version}"
                        )
                if dtype.hasobject:
                    raise BundleError(
                        path, f"member {key!r} is an object array (it would need pickle); refused"
                    )
                if int(np.prod(shape, dtype=np.float64)) * dtype.itemsize > MAX_ARRAY_BYTES:
                    raise BundleError(
                        path,
                        f"member {key!r} declares {shape} {dtype} values, more than a bundle "
                        "may hold; refused",
                    )
                out[key] = (dtype, tuple(int(s) for s in shape))
    except BundleError:
        raise
    except Exception as exc:
        raise BundleError(
            path, f"cannot read the arrays ({type(exc).__name__}: {exc}); the bundle is damaged"
        ) from None
    return out


def load_member(path: Path) -> dict[str, np.ndarray]:
    """Every array of a (small) member ``.npz``, read safely (headers checked first)."""
    npz_headers(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except Exception as exc:
        raise BundleError(
            path, f"cannot read the arrays ({type(exc).__name__}: {exc}); the bundle is damaged"
        ) from None


def _finite(a: np.ndarray) -> bool:
    """All values finite (a float sum is NaN/inf exactly when one value is; one pass, no temporary)."""
    if a.dtype.kind not in "fc":
        return True
    if a.size == 0:
        return True
    with np.errstate(all="ignore"):
        return bool(np.isfinite(np.add.reduce(a.reshape(-1), dtype=np.float64)))


def _need(cond: bool, path: Path, msg: str) -> None:
    if not cond:
        raise BundleError(path, msg)


# ----------------------------------------------------------------------
# per-member checks: fn(path, arrays, n_genes, full)


def check_model(
    path: Path, a: Mapping[str, np.ndarray], n_genes: int, full: bool = True
) -> dict[str, int]:
    """``model.npz`` contents (its array shapes are checked by ``Bundle._check_shapes``): at
    least one gene, numeric arrays, finite values, unique gene names. Returns ``{gene: row}``.

    The cheap level (``full=False``) skips the values of the big memory-mapped UMT term
    matrices and the gene-name syntax; everything else is checked at both levels.
    """
    from .format import MMAP_MEMBERS

    _need("genes" in a, path, "missing array 'genes'")
    g = a["genes"]
    _need(
        g.ndim == 1 and g.dtype.kind == "U" and len(g) == n_genes,
        path,
        "'genes' must be a 1-D string array of manifest n_genes entries",
    )
    _need(len(g) >= 1, path, "the bundle has no genes")
    for key, arr in a.items():
        if key == "genes":
            continue
        if arr.dtype.kind not in "fiu":
            raise BundleError(path, f"{key!r} must hold numbers, not {arr.dtype}")
        if (full or key not in MMAP_MEMBERS) and not _finite(arr):
            raise BundleError(path, f"{key!r} holds NaN or infinite values; the model is damaged")
    names = g.tolist()
    index = {name: i for i, name in enumerate(names)}
    if len(index) < len(names):
        seen: set[str] = set()
        dup = next(x for x in names if x in seen or seen.add(x))  # type: ignore[func-returns-value]
        raise BundleError(
            path,
            f"gene {dup!r} appears more than once in 'genes' "
            f"({len(names) - len(index)} duplicates)",
        )
    if full:
        bad = next(
            (x for x in names if not _GENE_NAME.match(x) or ".." in x or x.endswith(".")), None
        )
        _need(bad is None, path, f"gene name {bad!r} is not a gene symbol")
    return index


def check_split_pairs(
    path: Path, a: Mapping[str, np.ndarray], n_genes: int, full: bool = True
) -> None:
    """``split_pairs.npz``: ``fold{k}_{train|val|test}`` int [n, 3] with gene indices in
    ``[0, n_genes)`` and labels 0/1 (``a`` may map names to ``(dtype, shape)`` headers when
    ``full`` is False)."""
    for key, arr in a.items():
        if not _SPLIT_KEY.match(key):
            raise BundleError(path, f"unexpected array {key!r} (expected fold<k>_train/val/test)")
        dtype, shape = arr if isinstance(arr, tuple) else (arr.dtype, arr.shape)
        if dtype.kind not in "iu" or len(shape) != 2 or shape[1] != 3:
            raise BundleError(path, f"{key!r} must be an integer array [n, 3], not {dtype} {shape}")
        if full and not isinstance(arr, tuple) and arr.size:
            ij = arr[:, :2]
            lo, hi = int(ij.min()), int(ij.max())
            if lo < 0 or hi >= n_genes:
                raise BundleError(
                    path, f"{key!r} holds gene indices outside 0..{n_genes - 1} (from {lo} to {hi})"
                )
            lab = arr[:, 2]
            if int(lab.min()) < 0 or int(lab.max()) > 1:
                raise BundleError(path, f"{key!r} holds labels other than 0 and 1")


def check_numeric_member(
    path: Path, a: Mapping[str, np.ndarray], n_genes: int, full: bool = True
) -> None:
    """Generic member: numeric arrays (or plain strings: no object, void or complex arrays) of at
    most 2 dimensions, numbers all finite; a 2-D array has one row per gene."""
    for key, arr in a.items():
        dtype, shape = arr if isinstance(arr, tuple) else (arr.dtype, arr.shape)
        if dtype.kind not in "biufU":
            raise BundleError(path, f"{key!r} must hold numbers (or text), not {dtype}")
        if len(shape) > 2:
            raise BundleError(path, f"{key!r} has {len(shape)} dimensions (at most 2 allowed)")
        if len(shape) == 2 and shape[0] != n_genes:
            raise BundleError(
                path, f"{key!r} has {shape[0]} rows, expected one per gene ({n_genes})"
            )
        if full and not isinstance(arr, tuple) and not _finite(arr):
            raise BundleError(path, f"{key!r} holds NaN or infinite values")


def _need_keys(path: Path, a: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in a]
    _need(not missing, path, f"missing array(s) {missing}")


def check_calibration(
    path: Path, a: Mapping[str, np.ndarray], n_genes: int, full: bool = True
) -> None:
    """``calibration.npz`` (:mod:`synleaf_desktop.scoring.calibration`): the generic checks, and
    ``rank_score`` / ``rank_tail`` 1-D of one length >= 1 (tail fractions in [0, 1]),
    ``n_pairs`` >= 1, ``heldout`` 1-D."""
    check_numeric_member(path, a, n_genes, full)
    _need_keys(path, a, ("rank_score", "rank_tail", "n_pairs", "heldout"))
    shape = {k: (v[1] if isinstance(v, tuple) else v.shape) for k, v in a.items()}
    _need(
        len(shape["rank_score"]) == 1
        and shape["rank_score"] == shape["rank_tail"]
        and shape["rank_score"][0] >= 1,
        path,
        "rank_score and rank_tail must be 1-D of one length >= 1",
    )
    _need(
        len(shape["heldout"]) == 1 and int(np.prod(shape["n_pairs"])) >= 1,
        path,
        "heldout must be 1-D and n_pairs hold a number",
    )
    if full:
        tail = np.asarray(a["rank_tail"], np.float64)
        _need(
            bool(((tail >= 0) & (tail <= 1)).all()), path, "rank_tail must hold fractions in [0, 1]"
        )
        _need(float(np.asarray(a["n_pairs"]).reshape(-1)[0]) >= 1, path, "n_pairs must be >= 1")


def check_evidence(
    path: Path, a: Mapping[str, np.ndarray], n_genes: int, full: bool = True
) -> None:
    """``evidence.npz`` (:mod:`synleaf_desktop.scoring.evidence`): the generic checks, and
    ``inact_bits`` uint8 [G, ceil(S/8)], ``profile_counts`` [G, k], ``profiled`` [k],
    ``gene_types`` [G], ``samples`` text [S], ``meta_json`` (when present) a JSON text."""
    meta = a.get("meta_json")
    rest = {k: v for k, v in a.items() if k != "meta_json"}
    check_numeric_member(path, rest, n_genes, full)
    _need_keys(path, a, ("inact_bits", "profile_counts", "profiled", "gene_types", "samples"))
    info = {k: (v if isinstance(v, tuple) else (v.dtype, v.shape)) for k, v in a.items()}
    bits_t, bits_s = info["inact_bits"]
    s = info["samples"][1]
    _need(
        bits_t == np.uint8 and len(bits_s) == 2 and len(s) == 1 and bits_s[1] == -(-s[0] // 8),
        path,
        "inact_bits must be uint8 [genes, ceil(samples / 8)]",
    )
    _need(info["samples"][0].kind == "U", path, "samples must be text")
    pc, pr, gt = info["profile_counts"][1], info["profiled"][1], info["gene_types"][1]
    _need(
        len(pc) == 2 and len(pr) == 1 and pc[1] == pr[0] and gt == (n_genes,),
        path,
        "profile_counts [genes, k], profiled [k] and gene_types [genes] do not fit",
    )
    if meta is not None:
        m_t, m_s = meta if isinstance(meta, tuple) else (meta.dtype, meta.shape)
        _need(m_t.kind == "U" and len(m_s) == 0, path, "meta_json must be one text")
        if full and not isinstance(meta, tuple):
            import json

            try:
                json.loads(str(meta[()]))
            except ValueError:
                raise BundleError(path, "meta_json is not valid JSON") from None


def check_pair_model(
    path: Path, a: Mapping[str, np.ndarray], n_genes: int, full: bool = True
) -> None:
    """``pair_model.npz`` (:mod:`synleaf_desktop.scoring.pair_model`, issue 13 part 4): float
    ``sub_mean`` / ``sub_scale`` / ``sub_coef`` [K, F], ``sub_intercept`` [K], ``stack_mean`` /
    ``stack_scale`` / ``stack_coef`` [K, S], ``stack_intercept`` [K] (K <= 64 folds, F, S <= 64),
    all finite, scales > 0; ``meta_json`` one JSON text. Not per gene: ``n_genes`` is unused."""
    keys = (
        "sub_mean",
        "sub_scale",
        "sub_coef",
        "sub_intercept",
        "stack_mean",
        "stack_scale",
        "stack_coef",
        "stack_intercept",
    )
    _need_keys(path, a, (*keys, "meta_json"))
    info = {k: (v if isinstance(v, tuple) else (v.dtype, v.shape)) for k, v in a.items()}
    extra = sorted(set(info) - set(keys) - {"meta_json"})
    _need(not extra, path, f"unexpected array(s) {extra}")
    for k in keys:
        _need(info[k][0].kind in "fiu", path, f"{k!r} must hold numbers")
    kf, ks = info["sub_coef"][1], info["stack_coef"][1]
    _need(
        len(kf) == 2
        and len(ks) == 2
        and kf[0] == ks[0]
        and 1 <= kf[0] <= 64
        and 1 <= kf[1] <= 64
        and 1 <= ks[1] <= 64,
        path,
        "sub_coef [K, F] / stack_coef [K, S] do not fit",
    )
    for k in ("sub_mean", "sub_scale"):
        _need(info[k][1] == kf, path, f"{k!r} must have the shape of sub_coef")
    for k in ("stack_mean", "stack_scale"):
        _need(info[k][1] == ks, path, f"{k!r} must have the shape of stack_coef")
    for k in ("sub_intercept", "stack_intercept"):
        _need(info[k][1] == (kf[0],), path, f"{k!r} must be [K]")
    m_t, m_s = info["meta_json"]
    _need(m_t.kind == "U" and len(m_s) == 0, path, "meta_json must be one text")
    if full and not any(isinstance(v, tuple) for v in a.values()):
        import json

        for k in keys:
            _need(
                bool(np.isfinite(np.asarray(a[k], np.float64)).all()),
                path,
                f"{k!r} holds NaN or infinite values",
            )
        _need(
            bool(
                (np.asarray(a["sub_scale"]) > 0).all() and (np.asarray(a["stack_scale"]) > 0).all()
            ),
            path,
            "scales must be > 0",
        )
        try:
            json.loads(str(np.asarray(a["meta_json"])[()]))
        except ValueError:
            raise BundleError(path, "meta_json is not valid JSON") from None


@dataclass(frozen=True)
class MemberRule:
    """How one bundle member is checked.

    Attributes:
        required: every bundle has it.
        check: ``fn(path, arrays, n_genes, full)`` raising :class:`BundleError`; ``arrays``
            are the loaded arrays (or ``(dtype, shape)`` headers, which the checks accept too).
    """

    required: bool
    check: Callable[..., Any]


#: the allow-list of hashed bundle members and their checks (one line per member)
MEMBERS: dict[str, MemberRule] = {
    MODEL_FILE: MemberRule(True, check_model),
    SPLITS_FILE: MemberRule(False, check_split_pairs),
    CALIBRATION_FILE: MemberRule(False, check_calibration),
    EVIDENCE_FILE: MemberRule(False, check_evidence),
    PAIR_MODEL_FILE: MemberRule(False, check_pair_model),
}


# ----------------------------------------------------------------------
# remembering full checks by content


_cache_lock = threading.Lock()


def _validated_path() -> Path:
    return paths.user_cache_dir() / _VALIDATED_FILE


def _content_keys(manifest: Mapping[str, Any]) -> list[str]:
    n = manifest["n_genes"]
    return [
        f"v{VALIDATOR_VERSION}:{name}:{info['sha256']}:{n}:{manifest['strategy']}"
        for name, info in sorted(manifest["files"].items())
    ]


_memo: tuple[Any, list[str]] | None = None


def _load_validated() -> list[str]:
    global _memo
    path = _validated_path()
    try:
        st = path.stat()
        stamp = (str(path), st.st_size, st.st_mtime_ns)
        if _memo is not None and _memo[0] == stamp:
            return list(_memo[1])
        data = read_json(path)
    except (OSError, ValueError):
        return []
    keys = [k for k in data if isinstance(k, str)] if isinstance(data, list) else []
    _memo = (stamp, keys)
    return list(keys)


def was_validated(manifest: Mapping[str, Any]) -> bool:
    """A full check already passed for exactly these member contents (by sha256)."""
    with _cache_lock:
        known = set(_load_validated())
    return all(k in known for k in _content_keys(manifest))


def remember_validated(manifest: Mapping[str, Any]) -> None:
    """Record that the members listed in ``manifest`` (by sha256) passed a full check."""
    with _cache_lock:
        known = _load_validated()
        new = [k for k in _content_keys(manifest) if k not in known]
        if not new:
            return
        # a read-only cache dir only costs time
        with contextlib.suppress(OSError):
            write_json(_validated_path(), (known + new)[-_VALIDATED_KEEP:])


# ----------------------------------------------------------------------
# whole bundles


def check_members(
    folder: Path, manifest: Mapping[str, Any], model_arrays: Mapping[str, np.ndarray], full: bool
) -> tuple[dict[str, int], dict[str, dict[str, np.ndarray]]]:
    """Check every member listed in the manifest (model arrays already opened).

    Returns:
        (``{gene: row}``, ``{member: arrays}`` of the other members, read and checked in full;
        empty at the cheap level, which leaves them until they are first read).
    """
    n = int(manifest["n_genes"])
    index = check_model(folder / MODEL_FILE, model_arrays, n, full=full)
    loaded: dict[str, dict[str, np.ndarray]] = {}
    if not full:  # the other members are read (and the split pairs checked) when first used
        return index, loaded
    for name in manifest["files"]:
        if name == MODEL_FILE:
            continue
        path = member_path(folder, name)
        arrays = load_member(path)
        MEMBERS[name].check(path, arrays, n, True)
        loaded[name] = arrays
    return index, loaded


def validate_bundle(folder: str | Path) -> dict[str, Any]:
    """The full check of a bundle folder that is about to be admitted; reads nothing outside it.

    Manifest (keys, types, names, member allow-list), every member's sha256 (hashed now),
    every member's contents. Returns the manifest.

    Raises:
        BundleError: the first problem found, naming the file.
    """
    from .format import Bundle

    folder = Path(folder)
    bundle = Bundle.load(folder, verify="full", check="full")
    manifest = bundle.manifest
    bundle.close()
    return manifest


__all__ = [
    "CALIBRATION_FILE",
    "EVIDENCE_FILE",
    "MEMBERS",
    "MODEL_CARD",
    "UNHASHED_FILES",
    "MemberRule",
    "check_calibration",
    "check_evidence",
    "check_manifest",
    "check_members",
    "check_model",
    "check_model_name",
    "check_numeric_member",
    "check_pair_model",
    "check_split_pairs",
    "load_member",
    "member_path",
    "name_problem",
    "npz_headers",
    "remember_validated",
    "validate_bundle",
    "was_validated",
]
