"""The pip distribution (issue 15): sdist -> wheel -> fresh venv -> `synleaf score` and the app.

The sdist is built from a copy of the source tree and the wheel from the unpacked sdist (what
``python -m build`` does), both offline with this venv's setuptools through the PEP 517 hooks
(no build isolation, nothing written into the repository). The wheel goes into a new venv with
pip ``--no-deps --no-index``; the dependencies (torch, PySide6, ...) are made visible to it by a
``.pth`` line naming this venv's site-packages, which adds the folder to ``sys.path`` without
running its ``.pth`` files, so the editable install of the checkout is NOT active there. The
installed commands then run from an empty folder with no SYNLEAF_HOME / SYNLEAF_RESOURCES /
SYNLEAF_BUNDLED_MODELS: they must find resources/ and bundled_models/ inside the installed package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = "synleaf_desktop/_data"
#: the data packages pyproject.toml maps onto the top-level folders
DATA_PACKAGES = {
    "synleaf_desktop._data.resources": "resources",
    "synleaf_desktop._data.bundled_models": "bundled_models",
}
#: resources/ sub-folders left out of the wheel (README images)
NOT_SHIPPED = ("screenshots",)
#: what the source tree copy for the sdist holds (as a checkout would; tests/ must stay out)
SOURCE_ITEMS = (
    "pyproject.toml",
    "README.md",
    "MANIFEST.in",
    "LICENSE",
    "synleaf_desktop",
    "resources",
    "bundled_models",
    "tests",
)
HOOK = "import sys, setuptools.build_meta as b; b.{hook}(sys.argv[1])"
BIN = "Scripts" if sys.platform == "win32" else "bin"
EXE = ".exe" if sys.platform == "win32" else ""


def _pyproject() -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(REPO / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def test_pyproject_lists_every_package_and_maps_the_data() -> None:
    """`packages` is a hand-written list (a `find` directive cannot add the mapped data
    folders): it must name every code package on disk, and the data packages must map onto
    resources/ and bundled_models/. Fast, no build."""
    st = _pyproject()["tool"]["setuptools"]
    code = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "synleaf_desktop").rglob("__init__.py")
    }
    listed = set(st["packages"])
    assert listed - set(DATA_PACKAGES) == code, (
        "pyproject.toml [tool.setuptools] packages is out of date: add "
        f"{sorted(code - listed)}, remove {sorted(listed - code - set(DATA_PACKAGES))}"
    )
    assert st["package-dir"] == DATA_PACKAGES
    assert st["include-package-data"] is False
    assert set(st["package-data"]) == set(DATA_PACKAGES)


# --- the build -----------------------------------------------------------------------------


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)  # same file system: instant, and nothing writes into these files
    except OSError:
        shutil.copy2(src, dst)
    return dst


def _copy_source(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "*.egg-info")
    dest.mkdir()
    for name in SOURCE_ITEMS:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore, copy_function=_link_or_copy)
        elif src.is_file():
            _link_or_copy(str(src), str(dest / name))


def _check_setuptools() -> None:
    from importlib.metadata import PackageNotFoundError, version

    req = next(r for r in _pyproject()["build-system"]["requires"] if r.startswith("setuptools"))
    need = re.fullmatch(r"setuptools\s*>=\s*(\d+)", req)
    assert need, f"unexpected build requirement {req!r}"
    try:
        have = version("setuptools")
    except PackageNotFoundError:
        have = "0 (not installed)"
    assert int(have.split(".")[0]) >= int(need.group(1)), (
        f"setuptools {have} in {sys.prefix}, the build needs {req}: "
        "run `make setup` (the test extra requires it)"
    )


def _hook(hook: str, source: Path, out: Path) -> Path:
    res = subprocess.run(
        [sys.executable, "-c", HOOK.format(hook=hook), str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, f"{hook} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    # a data sub-folder that setuptools takes for an unlisted package (see pyproject.toml)
    assert "would be ignored" not in res.stdout + res.stderr, res.stderr[-3000:]
    (made,) = out.iterdir()
    return made


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SYNLEAF_", "PYTHON", "PIP_")) and k != "VIRTUAL_ENV"
    }
    for var, sub in (
        ("SYNLEAF_USER_DATA", "data"),
        ("SYNLEAF_USER_CONFIG", "config"),
        ("SYNLEAF_USER_CACHE", "cache"),
    ):
        env[var] = str(tmp / "user" / sub)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _package_files(site: Path) -> set[str]:
    """Files of the installed package, without the interpreter's byte-code caches."""
    root = site / "synleaf_desktop"
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """sdist from a copy of the tree, wheel from the unpacked sdist, both in a temp folder."""
    _check_setuptools()
    tmp = tmp_path_factory.mktemp("wheel")
    times = {}
    t0 = time.monotonic()
    _copy_source(tmp / "src")
    sdist = _hook("build_sdist", tmp / "src", tmp / "sdist")
    times["sdist_s"] = time.monotonic() - t0
    with tarfile.open(sdist) as tar:
        sdist_names = tar.getnames()
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tmp / "unpacked", filter="data")
        else:  # pragma: no cover (Python < 3.10.12 / 3.11.4)
            tar.extractall(tmp / "unpacked")
    (unpacked,) = (tmp / "unpacked").iterdir()
    t0 = time.monotonic()
    wheel = _hook("build_wheel", unpacked, tmp / "dist")
    times["wheel_s"] = time.monotonic() - t0
    sdist_mb = sdist.stat().st_size / 1e6
    shutil.rmtree(tmp / "unpacked")  # ~240 MB with setuptools' build/lib copy
    sdist.unlink()
    yield {
        "tmp": tmp,
        "sdist_mb": sdist_mb,
        "sdist_names": sdist_names,
        "wheel": wheel,
        "source": tmp / "src",
        "times": times,
    }
    shutil.rmtree(tmp, ignore_errors=True)  # the venv and the wheel: ~200 MB


@pytest.fixture(scope="module")
def installed(dist):
    """A fresh venv with the wheel installed by its own pip, offline, and this venv's
    dependencies visible through a .pth line."""
    tmp = dist["tmp"]
    venv = tmp / "venv"
    env = _clean_env(tmp)
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300, env=env)
    py = venv / BIN / f"python{EXE}"
    dist["times"]["venv_s"] = time.monotonic() - t0
    t0 = time.monotonic()
    res = subprocess.run(
        [str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(dist["wheel"])],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    dist["times"]["install_s"] = time.monotonic() - t0
    assert res.returncode == 0, res.stdout + res.stderr
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout.strip()
    )
    deps = dict.fromkeys(sysconfig.get_path(k) for k in ("purelib", "platlib"))
    (site / "_synleaf_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    cwd = tmp / "cwd"
    cwd.mkdir()
    return {
        "py": py,
        "bin": venv / BIN,
        "site": site,
        "env": env,
        "cwd": cwd,
        "files": _package_files(site),
        "times": dist["times"],
    }


# --- the checks ----------------------------------------------------------------------------


@pytest.mark.slow
def test_sdist_and_wheel_hold_code_and_run_time_data_only(dist) -> None:
    src = dist["source"]
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    print(
        f"\nwheel {dist['wheel'].name}: {dist['wheel'].stat().st_size / 1e6:.1f} MB, "
        f"sdist {dist['sdist_mb']:.1f} MB"
    )
    # every module of the package
    code = {p.relative_to(src).as_posix() for p in (src / "synleaf_desktop").rglob("*.py")}
    assert code and not code - names, sorted(code - names)[:10]
    # every bundle, whole (manifest, members, model card), and the evaluation tables
    bundles = [p.parent for p in (src / "bundled_models").glob("*/manifest.json")]
    assert len(bundles) >= 9
    for folder in [src / "bundled_models", *bundles]:
        for f in folder.iterdir():
            if f.is_file() and not f.name.startswith("."):
                rel = f"{DATA}/{f.relative_to(src).as_posix()}"
                assert rel in names, rel
    # every resources file except the README screenshots; the files paths.py callers open
    shipped = [
        p
        for p in (src / "resources").rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and p.relative_to(src / "resources").parts[0] not in NOT_SHIPPED
    ]
    for f in shipped:
        assert f"{DATA}/{f.relative_to(src).as_posix()}" in names, f
    for rel in (
        "genes/genes.tsv.gz",
        "genes/aliases.tsv.gz",
        "genes/names.tsv.gz",
        "genes/ensembl.tsv.gz",
        "genes/coords_hg19.tsv.gz",
        "genes/coords_hg38.tsv.gz",
        "kg/graph.npz",
        "kg/graph.json",
        "kg_terms/terms.npz",
        "labels/known_pairs.tsv.gz",
        "icons/synleaf-desktop.svg",
    ):
        assert f"{DATA}/resources/{rel}" in names, rel
    # nothing else: no tests, venv, caches, hidden files, screenshots, top-level folders
    for n in names:
        top = n.split("/")[0]
        assert top == "synleaf_desktop" or re.fullmatch(r"synleaf_desktop-[^/]+\.dist-info", top), n
        assert "__pycache__" not in n and not n.endswith((".pyc", ".part", ".tmp")), n
        assert not any(part.startswith(".") for part in n.split("/")), n
        assert "/screenshots/" not in n and "/tests/" not in n and ".venv" not in n, n
    entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    scripts = zipfile.ZipFile(dist["wheel"]).read(entry).decode()
    assert "synleaf = synleaf_desktop.cli.main:main" in scripts
    assert re.search(r"^synleaf-desktop = ", scripts, re.M)
    metadata = zipfile.ZipFile(dist["wheel"]).read(entry.replace("entry_points.txt", "METADATA"))
    assert b"License-Expression: MIT" in metadata
    assert entry.replace("entry_points.txt", "licenses/LICENSE") in names, (
        "LICENSE not in the wheel"
    )
    # the sdist: the same data at the top level, no tests, no screenshots
    sd = {n.split("/", 1)[1] for n in dist["sdist_names"] if "/" in n}
    assert "resources/genes/genes.tsv.gz" in sd and "bundled_models/BRCA/manifest.json" in sd
    assert "LICENSE" in sd
    assert not any(n.startswith(("tests/", "resources/screenshots")) for n in sd), sorted(sd)


@pytest.mark.slow
def test_installed_package_finds_its_data_not_the_checkout(installed) -> None:
    probe = (
        "import json, sys, synleaf_desktop\n"
        "from synleaf_desktop import paths\n"
        "from synleaf_desktop.bundle.registry import Registry\n"
        "print(json.dumps({'file': synleaf_desktop.__file__,\n"
        "  'resources': str(paths.resources_dir()), 'bundled': str(paths.bundled_models_dir()),\n"
        "  'models': Registry().names(),\n"
        "  'editable': [m for m in sys.modules if 'editable' in m]\n"
        "    + [repr(f) for f in sys.meta_path if 'editable' in repr(f)]}))\n"
    )
    res = subprocess.run(
        [str(installed["py"]), "-c", probe],
        cwd=installed["cwd"],
        env=installed["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    pkg = installed["site"] / "synleaf_desktop"
    assert Path(got["file"]).resolve() == (pkg / "__init__.py").resolve()
    assert got["editable"] == []
    assert Path(got["resources"]).resolve() == (pkg / "_data" / "resources").resolve()
    assert Path(got["bundled"]).resolve() == (pkg / "_data" / "bundled_models").resolve()
    assert {"BRCA", "pan"} <= set(got["models"]) and len(got["models"]) >= 9
    assert REPO.as_posix() not in res.stdout


@pytest.mark.slow
def test_installed_cli_scores_a_pair(installed) -> None:
    t0 = time.monotonic()
    res = subprocess.run(
        [str(installed["bin"] / f"synleaf{EXE}"), "score", "RAD51", "BRCA1", "--contexts", "BRCA"],
        cwd=installed["cwd"],
        env=installed["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    installed["times"]["score_s"] = time.monotonic() - t0
    print("\n" + res.stdout)
    assert res.returncode == 0, res.stderr[-3000:]
    lines = res.stdout.splitlines()
    assert lines[0].startswith("RAD51 x BRCA1")
    assert lines[1].split()[:2] == ["context", "score"]
    row = next(ln.split() for ln in lines[2:] if ln.startswith("BRCA "))
    assert 0.0 <= float(row[1]) <= 1.0
    assert _package_files(installed["site"]) == installed["files"], "wrote into the package"


@pytest.mark.slow
def test_installed_app_starts_loads_the_models_and_shows_a_pair(installed) -> None:
    """`synleaf-desktop --screenshot` builds the main window, waits until the bundled models
    are loaded and the pair is shown, saves the window and exits 0 (1 if it never got there)."""
    shot = installed["cwd"].parent / "app.png"
    t0 = time.monotonic()
    res = subprocess.run(
        [
            str(installed["bin"] / f"synleaf-desktop{EXE}"),
            "--screenshot",
            str(shot),
            "--pair",
            "RAD51",
            "BRCA1",
            "--timeout",
            "120",
        ],
        cwd=installed["cwd"],
        env=installed["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    installed["times"]["app_s"] = time.monotonic() - t0
    print("\n" + json.dumps({k: round(v, 1) for k, v in installed["times"].items()}))
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _package_files(installed["site"]) == installed["files"], "wrote into the package"
