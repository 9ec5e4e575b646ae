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
    ``python -m synleaf_desktop.data.kg_terms`` write to :func:`resources_out_dir` unless given
    ``--out``, and refuse to write into an installed copy).
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


def installed_data() -> bool:
    """Whether :func:`repo_root` is the data of an installed wheel or of the frozen app (part of
    the installed program, not a source tree or a ``SYNLEAF_HOME`` the user chose)."""
    if os.environ.get("SYNLEAF_HOME"):
        return False
    import sys

    return bool(getattr(sys, "_MEIPASS", None)) or (_INSTALLED_DATA / "resources").is_dir()


def resources_out_dir() -> Path:
    """Default output folder of the developer commands that rebuild ``resources/``
    (``synleaf resources build``, ``python -m synleaf_desktop.data.kg_terms``): the source
    tree's ``resources/``, or ``SYNLEAF_RESOURCES``.

    Raises:
        SynleafError: in an installed wheel or the frozen app without ``SYNLEAF_RESOURCES``:
            they must not write into the installed program; the message asks for ``--out``.
    """
    if installed_data() and not os.environ.get("SYNLEAF_RESOURCES"):
        from .errors import SynleafError

        raise SynleafError(
            f"this is an installed copy of SynLeaF Desktop ({repo_root()}); its resources are part "
            "of the program and are not rebuilt in place: pass --out FOLDER"
        )
    return resources_dir()


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
