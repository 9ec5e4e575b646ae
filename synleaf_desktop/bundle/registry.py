"""The registry of bundled and user models.

Bundled models live in ``paths.bundled_models_dir()/<NAME>/`` (shipped with the app, read-only);
user models (retrained or imported) in ``paths.user_models_dir()/<NAME>/``. Both are the same
bundle format (:mod:`synleaf_desktop.bundle.format`) and load through the same code.

Order of :meth:`Registry.list`: the nine built-ins in the order BRCA, CESC, COAD, KIRC, LAML,
LUAD, OV, SKCM, pan (any other bundled model after them, by name), then user models by name.
Names are unique: a user model cannot take the name of a bundled one.

Installing and replacing (:meth:`Registry.add_user_bundle`): the source folder is checked in
full first (:func:`synleaf_desktop.bundle.validate.validate_bundle`; nothing is written when it
fails), then, holding the user models folder's lock file from the name check to the final
rename, its files are copied into a temporary folder, their checksums verified again on the
copy, and the copy put in place with :func:`synleaf_desktop.fileio.replace_dir` (a crash
leaves the old or the new model). The first listing of a registry cleans up after crashed
writes (:func:`synleaf_desktop.fileio.recover_folder`), restoring a model a crash left
unlisted. Loading (:meth:`Registry.load_bundles`) skips a model that fails its checks, with a
message in :attr:`Registry.problems`, so one broken model never blocks the others.
"""

from __future__ import annotations

import builtins
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import paths
from ..fileio import atomic_dir, ensure_free_space, folder_lock, os_errors, recover_folder
from .format import BUILTIN_ORDER, MANIFEST, Bundle, BundleError, read_manifest, verify_files
from .names import resolve_name
from .validate import MODEL_CARD, check_model_name, member_path, remember_validated, validate_bundle


@dataclass(frozen=True)
class ModelInfo:
    """Lightweight description of one model (read from its manifest only).

    Attributes:
        name: context name; kind: ``"bundled"`` or ``"user"``; folder: its folder.
        strategy: ``"umt"``/``"ume"``; headline: fold-mean metrics of that strategy
        (``val_auc``, ``test_auc``, ... and ``*_sd``); omics: omics kinds used;
        n_genes: universe size; folds_shipped / folds_trained; size_bytes; created;
        cancer; description; manifest: the full manifest.
    """

    name: str
    kind: str
    folder: Path
    strategy: str
    headline: dict[str, Any]
    omics: list[str]
    n_genes: int
    folds_shipped: int
    folds_trained: int
    size_bytes: int
    created: str
    cancer: str
    description: str
    manifest: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], kind: str, folder: Path) -> ModelInfo:
        return cls(
            name=str(manifest["name"]),
            kind=kind,
            folder=folder,
            strategy=str(manifest["strategy"]),
            headline=dict(manifest.get("headline") or {}),
            omics=list(manifest.get("omics") or []),
            n_genes=int(manifest["n_genes"]),
            folds_shipped=int(manifest.get("folds_shipped", 0)),
            folds_trained=int(manifest.get("folds_trained", 0)),
            size_bytes=int(manifest.get("size_bytes", 0)),
            created=str(manifest.get("created", "")),
            cancer=str(manifest.get("cancer") or manifest["name"]),
            description=str(manifest.get("description", "")),
            manifest=manifest,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the full manifest)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "strategy": self.strategy,
            "val_auc": self.headline.get("val_auc"),
            "test_auc": self.headline.get("test_auc"),
            "headline": self.headline,
            "omics": self.omics,
            "n_genes": self.n_genes,
            "folds_shipped": self.folds_shipped,
            "folds_trained": self.folds_trained,
            "size_bytes": self.size_bytes,
            "created": self.created,
            "cancer": self.cancer,
            "description": self.description,
            "folder": str(self.folder),
        }


def _builtin_key(name: str) -> tuple[int, str]:
    return (
        (BUILTIN_ORDER.index(name), "")
        if name in BUILTIN_ORDER
        else (len(BUILTIN_ORDER), name.lower())
    )


class Registry:
    """Bundled + user models.

    Args:
        bundled_dir: default ``paths.bundled_models_dir()``.
        user_dir: default ``paths.user_models_dir()``.

    Attributes:
        problems: ``[(folder, message)]`` of folders skipped by the last :meth:`list` (no or bad manifest).
    """

    def __init__(
        self, bundled_dir: str | Path | None = None, user_dir: str | Path | None = None
    ) -> None:
        self.bundled_dir = (
            Path(bundled_dir) if bundled_dir is not None else paths.bundled_models_dir()
        )
        self.user_dir = Path(user_dir) if user_dir is not None else paths.user_models_dir()
        self.problems: list[tuple[Path, str]] = []
        #: what the start-up clean-up did (e.g. "restored MINE (a replacement was interrupted)")
        self.recovered: list[str] = []
        self._recovered = False

    def recover(self) -> list[str]:
        """Clean up after crashed installs in the user models folder (see :func:`recover_folder`):
        finish or undo interrupted replacements, restore a model a crash left unlisted, delete
        abandoned temporary copies. Runs once per registry, at its first listing."""
        self._recovered = True
        if self.user_dir.is_dir():
            self.recovered = recover_folder(self.user_dir)
        return self.recovered

    # --- listing -----------------------------------------------------------
    def _scan(self, root: Path, kind: str) -> list[ModelInfo]:
        out: list[ModelInfo] = []
        if not root.is_dir():
            return out
        for folder in sorted(root.iterdir()):
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            if not (folder / MANIFEST).is_file():
                # only folders that hold model files but no manifest are worth a warning
                # (bundled_models/evaluation/ holds the evaluation tables, not a model)
                if any(p.suffix == ".npz" for p in folder.iterdir()):
                    self.problems.append((folder, "no manifest.json: not a model bundle"))
                continue
            try:
                out.append(ModelInfo.from_manifest(read_manifest(folder), kind, folder))
            except (BundleError, KeyError, TypeError, ValueError, OSError) as exc:
                self.problems.append(
                    (folder, f"{kind} model folder {folder.name!r} skipped: {exc}")
                )
        return out

    def list(self) -> list[ModelInfo]:
        """All models, built-ins first (fixed order), then user models by name. Reads manifests only."""
        if not self._recovered:
            self.recover()
        self.problems = []
        bundled = sorted(
            self._scan(self.bundled_dir, "bundled"), key=lambda m: _builtin_key(m.name)
        )
        names = {m.name for m in bundled}
        user = []
        for m in sorted(self._scan(self.user_dir, "user"), key=lambda m: m.name.lower()):
            if m.name in names:
                self.problems.append(
                    (m.folder, f"user model {m.name!r} has the name of another model; ignored")
                )
                continue
            names.add(m.name)
            user.append(m)
        return bundled + user

    def names(self) -> builtins.list[str]:
        return [m.name for m in self.list()]

    def get(self, name: str) -> ModelInfo:
        """The model called ``name`` (:func:`~synleaf_desktop.bundle.names.resolve_name`)."""
        models = self.list()
        found = resolve_name(name, [m.name for m in models])
        for m in models:
            if m.name == found:
                return m
        raise KeyError(
            f"no model named {name!r}; installed: {', '.join(m.name for m in models) or 'none'}"
        )

    def load(self, name: str, verify: bool | str = True) -> Bundle:
        return Bundle.load(self.get(name).folder, verify=verify)

    def load_all(
        self, names: builtins.list[str] | None = None, verify: bool | str = True
    ) -> builtins.list[Bundle]:
        """Load the listed models (default: all), in registry order; a model that fails its
        checks is skipped and reported in :attr:`problems`."""
        infos = self.list() if names is None else self.select(names)
        return [b for _, b in self.load_bundles(infos, verify=verify)]

    def select(self, names: Iterable[str]) -> builtins.list[ModelInfo]:
        """The models ``names`` mean, in registry order, without loading any.

        Raises:
            KeyError: a name matches no installed model (the message lists them).
        """
        infos = self.list()
        chosen = set()
        for n in names:
            found = resolve_name(n, [m.name for m in infos])
            if found is None:
                raise KeyError(
                    f"unknown context {n!r}; available: {', '.join(m.name for m in infos) or 'none'}"
                )
            chosen.add(found)
        return [m for m in infos if m.name in chosen]

    def load_bundles(
        self, infos: builtins.list[ModelInfo], verify: bool | str = True
    ) -> builtins.list[tuple[ModelInfo, Bundle]]:
        """Load ``infos`` in order, skipping (and adding to :attr:`problems`, with a message naming
        the model) every one that is missing, damaged or fails the bundle checks."""
        out = []
        for m in infos:
            try:
                out.append((m, Bundle.load(m.folder, verify=verify)))
            except (BundleError, OSError) as exc:
                self.problems.append((m.folder, f"{m.kind} model {m.name!r} skipped: {exc}"))
        return out

    def kinds(self) -> dict[str, str]:
        """``{name: "bundled" | "user"}``."""
        return {m.name: m.kind for m in self.list()}

    # --- user models -------------------------------------------------------
    def add_user_bundle(
        self, src: str | Path, name: str | None = None, overwrite: bool = False
    ) -> ModelInfo:
        """Install a bundle folder as a user model, after checking it in full.

        The source is checked first (manifest, member allow-list, paths, every checksum, every
        array: :func:`~synleaf_desktop.bundle.validate.validate_bundle`); nothing is written if
        it fails. Then, holding the user models folder's lock from the name check to the final
        rename, the files are copied into a temporary folder, their checksums verified again on
        the copy, and the copy put in place (replacing a model only with ``overwrite``).

        Args:
            src: a bundle folder.
            name: store it under this name (rewrites the manifest name); default its manifest name.
            overwrite: replace an existing user model of that name.

        Raises:
            BundleError: the source is not a valid bundle, or the name is taken / not allowed.
            StorageError: the user models folder cannot be written (read-only, permission
                denied, disk full); nothing was changed.
        """
        src = Path(src)
        manifest = validate_bundle(src)
        new_name = check_model_name(name or manifest["name"], src)
        files = [*manifest["files"], MANIFEST]
        if (src / MODEL_CARD).exists() or (src / MODEL_CARD).is_symlink():
            files.append(MODEL_CARD)
        sources = {f: member_path(src, f) for f in files}
        needed = sum(p.stat().st_size for p in sources.values())
        dest = self.user_dir / new_name
        action = f"installing model {new_name}"
        with (
            os_errors(self.user_dir, action, needed),
            folder_lock(self.user_dir, action="installing a model"),
        ):
            self.recover()
            listed = self.list()
            same = resolve_name(new_name, [m.name for m in listed])
            other = next((m for m in listed if m.name == same), None)
            if other is not None and (other.kind == "bundled" or not overwrite):
                raise BundleError(
                    src,
                    f"a {other.kind} model named {other.name!r} already exists; "
                    + (
                        "choose another name"
                        if other.kind == "bundled"
                        else "remove it first or choose another name"
                    ),
                )
            if other is not None and other.folder.name != new_name:
                dest = other.folder  # same name in another case: replace that folder
            ensure_free_space(self.user_dir, needed, action)
            with atomic_dir(dest) as tmp:
                for f, path in sources.items():
                    shutil.copyfile(path, tmp / f, follow_symlinks=False)
                    shutil.copystat(path, tmp / f, follow_symlinks=False)
                if new_name != manifest["name"]:
                    from .writer import rename_bundle_manifest

                    rename_bundle_manifest(tmp, new_name)
                installed = read_manifest(tmp)
                if installed["files"] != manifest["files"]:
                    raise BundleError(
                        src / MANIFEST, "the manifest changed while the model was being copied"
                    )
                verify_files(tmp, installed, "full")  # the copy is what was checked, byte for byte
        remember_validated(installed)
        return ModelInfo.from_manifest(read_manifest(dest), "user", dest)

    def remove_user_bundle(self, name: str) -> Path:
        """Delete the user model ``name``; returns its former folder. Bundled models cannot be removed."""
        info = self.get(name)
        if info.kind != "user":
            raise BundleError(
                info.folder, f"{info.name!r} is a bundled model and cannot be removed"
            )
        with (
            os_errors(info.folder, f"removing model {info.name}"),
            folder_lock(self.user_dir, action="removing a model"),
        ):
            trash = info.folder.with_name(f".{info.folder.name}.removing")
            if trash.exists():
                shutil.rmtree(trash)
            info.folder.rename(trash)
            shutil.rmtree(trash, ignore_errors=True)
        return info.folder


__all__ = ["ModelInfo", "Registry"]
