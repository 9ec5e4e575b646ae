"""Shared fixtures. Tests needing ../shared/data use ``shared_data`` and skip clearly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SYNLEAF_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder ``../shared/data``; skips the test when it is absent."""
    if not (SHARED_DATA / "README.md").exists():
        pytest.skip(f"needs the shared data folder, not found at {SHARED_DATA} "
                    "(set SYNLEAF_SHARED_DATA to its path)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own user data/config/cache dirs (never the real ones)."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("SYNLEAF_USER_DATA", str(base / "data"))
    monkeypatch.setenv("SYNLEAF_USER_CONFIG", str(base / "config"))
    monkeypatch.setenv("SYNLEAF_USER_CACHE", str(base / "cache"))
