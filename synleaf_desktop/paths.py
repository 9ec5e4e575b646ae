"""Where things live: package resources, bundled models, user data (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "SynLeaF Desktop"
_PKG_ROOT = Path(__file__).resolve().parent
#: where a wheel install keeps ``resources/`` and ``bundled_models/`` (pyproject.toml maps the
#: top-level folders there); absent in the source tree and in editable installs
_INSTALLED_DATA = _PKG_ROOT / "_data"


def repo_root() -> Path:
    """Directory holding ``resources/`` and ``bundled_models/``, first match of:

    1. ``SYNLEAF_HOME``;
    2. the frozen app's ``sys._MEIPASS`` (PyInstaller's ``_internal/``);
    3. ``synleaf_desktop/_data`` of an installed wheel;
    4. the source tree (the folder above the package; also editable installs).

    ``SYNLEAF_RESOURCES`` / ``SYNLEAF_BUNDLED_MODELS`` override the two folders one by one.
    The app and ``synleaf score`` only read it (``synleaf resources build`` and
    ``python -m synleaf_desktop.data.kg_terms`` write to ``resources_dir()`` unless given
    ``--out``).
    """
    env = os.environ.get("SYNLEAF_HOME")
    if env:
        return Path(env)
    import sys

    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    if (_INSTALLED_DATA / "resources").is_dir():
        return _INSTALLED_DATA
    return _PKG_ROOT.parent


def resources_dir() -> Path:
    """The shipped ``resources/`` folder (gene table, coordinates, knowledge graph)."""
    return Path(os.environ.get("SYNLEAF_RESOURCES", repo_root() / "resources"))


def bundled_models_dir() -> Path:
    """The shipped ``bundled_models/`` folder."""
    return Path(os.environ.get("SYNLEAF_BUNDLED_MODELS", repo_root() / "bundled_models"))


def user_data_dir() -> Path:
    """Per-user data (imported cohorts, labels, graphs, user models). Overridable for tests
    with ``SYNLEAF_USER_DATA``."""
    env = os.environ.get("SYNLEAF_USER_DATA")
    path = Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return path


def user_models_dir() -> Path:
    return user_data_dir() / "models"


def user_config_dir() -> Path:
    env = os.environ.get("SYNLEAF_USER_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_cache_dir() -> Path:
    env = os.environ.get("SYNLEAF_USER_CACHE")
    return Path(env) if env else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
