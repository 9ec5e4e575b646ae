"""Where things live: package resources, bundled models, user data (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "SynLeaF Desktop"
_PKG_ROOT = Path(__file__).resolve().parent


def repo_root() -> Path:
    """Directory holding ``resources/`` and ``bundled_models/`` (source tree or frozen app)."""
    env = os.environ.get("SYNLEAF_HOME")
    if env:
        return Path(env)
    import sys

    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
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
