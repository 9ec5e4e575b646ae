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
        pytest.skip(
            f"needs the shared data folder, not found at {SHARED_DATA} "
            "(set SYNLEAF_SHARED_DATA to its path)"
        )
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own user data/config/cache dirs (never the real ones)."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("SYNLEAF_USER_DATA", str(base / "data"))
    monkeypatch.setenv("SYNLEAF_USER_CONFIG", str(base / "config"))
    monkeypatch.setenv("SYNLEAF_USER_CACHE", str(base / "cache"))


# ----------------------------------------------------------------------
# hypothesis profiles (the fuzz suite, tests/test_fuzz.py): SYNLEAF_FUZZ_PROFILE selects one.
# "default" keeps `make test` short; `make fuzz` runs "long" and prints the outcome counts.

try:
    from hypothesis import HealthCheck, settings

    _FUZZ_CHECKS = [
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ]
    settings.register_profile(
        "default",
        max_examples=50,
        deadline=None,
        suppress_health_check=_FUZZ_CHECKS,
        derandomize=True,
        database=None,
    )
    settings.register_profile(
        "long",
        max_examples=int(os.environ.get("SYNLEAF_FUZZ_EXAMPLES") or 600),
        deadline=None,
        suppress_health_check=_FUZZ_CHECKS,
        database=None,
    )
    settings.load_profile(os.environ.get("SYNLEAF_FUZZ_PROFILE", "default"))
except ImportError:  # pragma: no cover - hypothesis is in the test extras
    pass

#: outcome counts of the fuzz suite: {target: {"tried", "clear_error", "read_ok", "other"}}
FUZZ_COUNTS: dict[str, dict[str, int]] = {}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FUZZ_COUNTS:
        return
    tr = terminalreporter
    tr.section("fuzz outcomes (inputs tried / clear errors / correct reads / other exceptions)")
    total = {"tried": 0, "clear_error": 0, "read_ok": 0, "other": 0}
    for target in sorted(FUZZ_COUNTS):
        c = FUZZ_COUNTS[target]
        for k in total:
            total[k] += c.get(k, 0)
        tr.write_line(
            f"{target:28s} {c.get('tried', 0):7d} {c.get('clear_error', 0):7d} {c.get('read_ok', 0):7d} "
            f"{c.get('other', 0):7d}"
        )
    tr.write_line(
        f"{'total':28s} {total['tried']:7d} {total['clear_error']:7d} {total['read_ok']:7d} "
        f"{total['other']:7d}"
    )
    tr.write_line(f"profile: {os.environ.get('SYNLEAF_FUZZ_PROFILE', 'default')}")


# ----------------------------------------------------------------------
# model bundles: small valid ones, and a way to change a member while keeping the checksums valid
# (what a crafted or damaged bundle looks like to the app)


@pytest.fixture
def small_bundle(tmp_path):
    """``small_bundle(name="MINE", strategy="ume", dest=None, **kw)``: a valid 40-gene bundle
    written by the real writer (default under ``tmp_path/src/<name>``)."""
    from tests.bundle_fixtures import make_bundle

    def make(name: str = "MINE", strategy: str = "ume", dest: Path | None = None, **kw) -> Path:
        kw.setdefault("n_genes", 40)
        kw.setdefault("n_folds", 3)
        return make_bundle(dest or tmp_path / "src" / name, name, strategy=strategy, **kw)

    return make


def rewrite_member(
    folder: Path,
    member: str,
    *,
    arrays: dict | None = None,
    data: bytes | None = None,
    manifest: dict | None = None,
    allow_pickle: bool = False,
) -> Path:
    """Replace ``folder/member`` (``arrays`` saved with ``numpy.savez``, or raw ``data``), then
    record its sha256 and size in the manifest, updated with ``manifest``: the checksums stay
    valid, so only the bundle checks can catch what was changed. Returns the member path."""
    import json

    import numpy as np

    from synleaf_desktop.fileio import sha256_file

    path = folder / member
    if arrays is not None:
        with open(path, "wb") as fh:
            if allow_pickle:
                np.savez(fh, **arrays)  # np.savez pickles object arrays
            else:
                np.savez(fh, **{k: np.asarray(v) for k, v in arrays.items()})
    elif data is not None:
        path.write_bytes(data)
    man_path = folder / "manifest.json"
    man = json.loads(man_path.read_text())
    if path.exists() and not path.is_symlink():
        man.setdefault("files", {})[member] = {
            "sha256": sha256_file(path),
            "bytes": path.stat().st_size,
        }
    man.update(manifest or {})
    man_path.write_text(json.dumps(man))
    return path


@pytest.fixture
def model_arrays():
    """``model_arrays(folder) -> dict``: the arrays of a bundle's model.npz (loaded in memory)."""
    import numpy as np

    def load(folder: Path) -> dict:
        with np.load(folder / "model.npz", allow_pickle=False) as z:
            return {k: np.array(z[k]) for k in z.files}

    return load


@pytest.fixture
def open_main_window(qtbot):
    """Factory: ``open_main_window(bundled_dir, size=None)`` gives a main window on that
    bundled-models folder with its models loaded and default settings; closed at teardown."""
    opened = []

    def open_(bundled_dir, size=None):
        from synleaf_desktop.app.settings import Settings
        from synleaf_desktop.gui.main_window import MainWindow

        w = MainWindow(settings=Settings(), bundled_dir=bundled_dir, load_on_start=False)
        qtbot.addWidget(w)
        with qtbot.waitSignal(w.engineReady, timeout=30000):
            w.reload_models()
        if size is not None:
            w.resize(*size)
        w.show()
        opened.append(w)
        return w

    yield open_
    for w in opened:
        w.tasks.cancel_all(wait_ms=20000)


@pytest.fixture(scope="session")
def bundles(tmp_path_factory) -> Path:
    """Nine synthetic bundles (300 genes, 5 folds) through the real writer; RAD51 is not in
    KIRC, PARP1 and ATM are not in LAML."""
    from tests.bundle_fixtures import EXCLUDE, make_bundle_set

    root = tmp_path_factory.mktemp("bundled_models")
    make_bundle_set(root, n_genes=300, exclude=EXCLUDE, drop_fraction=0.0)
    return root


@pytest.fixture
def window(open_main_window, bundles):
    """A main window on the synthetic bundles, models loaded, default settings."""
    return open_main_window(bundles)
