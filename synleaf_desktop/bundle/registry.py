"""The registry of bundled and user models.

Bundled models live in ``paths.bundled_models_dir()/<NAME>/`` (shipped with the app, read-only);
user models (retrained or imported) in ``paths.user_models_dir()/<NAME>/``. Both are the same
bundle format (:mod:`synleaf_desktop.bundle.format`) and load through the same code.

Order of :meth:`Registry.list`: the nine built-ins in the order BRCA, CESC, COAD, KIRC, LAML,
LUAD, OV, SKCM, pan (any other bundled model after them, by name), then user models by name.
Names are unique: a user model cannot take the name of a bundled one.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import paths
from ..fileio import atomic_dir
from .format import BUILTIN_ORDER, MANIFEST, Bundle, BundleError, read_manifest

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")


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
    def from_manifest(cls, manifest: dict[str, Any], kind: str, folder: Path) -> "ModelInfo":
        return cls(
            name=str(manifest["name"]), kind=kind, folder=folder, strategy=str(manifest["strategy"]),
            headline=dict(manifest.get("headline") or {}), omics=list(manifest.get("omics") or []),
            n_genes=int(manifest["n_genes"]), folds_shipped=int(manifest.get("folds_shipped", 0)),
            folds_trained=int(manifest.get("folds_trained", 0)), size_bytes=int(manifest.get("size_bytes", 0)),
            created=str(manifest.get("created", "")), cancer=str(manifest.get("cancer") or manifest["name"]),
            description=str(manifest.get("description", "")), manifest=manifest,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the full manifest)."""
        return {"name": self.name, "kind": self.kind, "strategy": self.strategy,
                "val_auc": self.headline.get("val_auc"), "test_auc": self.headline.get("test_auc"),
                "headline": self.headline, "omics": self.omics, "n_genes": self.n_genes,
                "folds_shipped": self.folds_shipped, "folds_trained": self.folds_trained,
                "size_bytes": self.size_bytes, "created": self.created, "cancer": self.cancer,
                "description": self.description, "folder": str(self.folder)}


def _builtin_key(name: str) -> tuple[int, str]:
    return (BUILTIN_ORDER.index(name), "") if name in BUILTIN_ORDER else (len(BUILTIN_ORDER), name.lower())


class Registry:
    """Bundled + user models.

    Args:
        bundled_dir: default ``paths.bundled_models_dir()``.
        user_dir: default ``paths.user_models_dir()``.

    Attributes:
        problems: ``[(folder, message)]`` of folders skipped by the last :meth:`list` (no or bad manifest).
    """

    def __init__(self, bundled_dir: str | Path | None = None, user_dir: str | Path | None = None) -> None:
        self.bundled_dir = Path(bundled_dir) if bundled_dir is not None else paths.bundled_models_dir()
        self.user_dir = Path(user_dir) if user_dir is not None else paths.user_models_dir()
        self.problems: list[tuple[Path, str]] = []

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
            except (BundleError, KeyError, TypeError, ValueError) as exc:
                self.problems.append((folder, str(exc)))
        return out

    def list(self) -> list[ModelInfo]:
        """All models, built-ins first (fixed order), then user models by name. Reads manifests only."""
        self.problems = []
        bundled = sorted(self._scan(self.bundled_dir, "bundled"), key=lambda m: _builtin_key(m.name))
        names = {m.name for m in bundled}
        user = []
        for m in sorted(self._scan(self.user_dir, "user"), key=lambda m: m.name.lower()):
            if m.name in names:
                self.problems.append((m.folder, f"user model {m.name!r} has the name of another model; ignored"))
                continue
            names.add(m.name)
            user.append(m)
        return bundled + user

    def names(self) -> list[str]:
        return [m.name for m in self.list()]

    def get(self, name: str) -> ModelInfo:
        """The model called ``name`` (exact, else case-insensitive)."""
        models = self.list()
        for m in models:
            if m.name == name:
                return m
        for m in models:
            if m.name.lower() == name.lower():
                return m
        raise KeyError(f"no model named {name!r}; installed: {', '.join(m.name for m in models) or 'none'}")

    def load(self, name: str, verify: bool | str = True) -> Bundle:
        return Bundle.load(self.get(name).folder, verify=verify)

    def load_all(self, names: list[str] | None = None, verify: bool | str = True) -> list[Bundle]:
        """Load the listed models (default: all), in registry order."""
        infos = self.list()
        if names is not None:
            wanted = {n.lower() for n in names}
            infos = [m for m in infos if m.name.lower() in wanted]
        return [Bundle.load(m.folder, verify=verify) for m in infos]

    def kinds(self) -> dict[str, str]:
        """``{name: "bundled" | "user"}``."""
        return {m.name: m.kind for m in self.list()}

    # --- user models -------------------------------------------------------
    def add_user_bundle(self, src: str | Path, name: str | None = None, overwrite: bool = False) -> ModelInfo:
        """Copy a bundle folder into the user models (atomically), after verifying it in full.

        Args:
            src: a bundle folder.
            name: store it under this name (rewrites the manifest name); default its manifest name.
            overwrite: replace an existing user model of that name.

        Raises:
            BundleError: the source is not a valid bundle, or the name is taken / not allowed.
        """
        src = Path(src)
        bundle = Bundle.load(src, verify="full")
        new_name = name or bundle.name
        if not _NAME.match(new_name):
            raise BundleError(src, f"model name {new_name!r} is not allowed: use letters, digits and _ . + - "
                                   "(at most 64 characters); pass another name")
        taken = {m.name.lower(): m for m in self.list()}
        other = taken.get(new_name.lower())
        if other is not None and (other.kind == "bundled" or not overwrite):
            raise BundleError(src, f"a {other.kind} model named {other.name!r} already exists; "
                                   + ("choose another name" if other.kind == "bundled"
                                      else "remove it first or choose another name"))
        dest = self.user_dir / new_name
        files = list(bundle.manifest["files"]) + [MANIFEST]
        files += [f for f in ("MODEL_CARD.md",) if (src / f).is_file()]
        bundle.close()
        with atomic_dir(dest) as tmp:
            for f in files:
                shutil.copy2(src / f, tmp / f)
            if new_name != bundle.name:
                from .writer import rename_bundle_manifest

                rename_bundle_manifest(tmp, new_name)
        return ModelInfo.from_manifest(read_manifest(dest), "user", dest)

    def remove_user_bundle(self, name: str) -> Path:
        """Delete the user model ``name``; returns its former folder. Bundled models cannot be removed."""
        info = self.get(name)
        if info.kind != "user":
            raise BundleError(info.folder, f"{info.name!r} is a bundled model and cannot be removed")
        trash = info.folder.with_name(f".{info.folder.name}.removing")
        if trash.exists():
            shutil.rmtree(trash)
        info.folder.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
        return info.folder


__all__ = ["ModelInfo", "Registry"]
