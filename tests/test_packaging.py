"""Fast checks of the installer recipe (packaging/): no PyInstaller run, no build."""

from __future__ import annotations

import ast
import configparser
import importlib
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "packaging" / "synleaf.spec"
DESKTOP = REPO / "packaging" / "linux" / "synleaf-desktop.desktop"
ICONS = REPO / "resources" / "icons"


def _pyproject() -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(REPO / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def _spec_namespace() -> dict:
    """The spec's constants and helper functions, executed without PyInstaller (the Analysis /
    EXE / COLLECT calls and anything else that needs PyInstaller are left out)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    keep = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            keep.append(node)
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            try:
                ast.literal_eval(node.value)
            except ValueError:
                continue
            keep.append(node)
    ns: dict = {"Path": Path, "ROOT": REPO, "sys": sys}
    exec(compile(ast.Module(body=keep, type_ignores=[]), str(SPEC), "exec"), ns)
    return ns


def test_spec_parses_and_names_the_pyproject_entry_points() -> None:
    ns = _spec_namespace()
    proj = _pyproject()["project"]
    declared = {**proj["scripts"], **proj["gui-scripts"]}
    assert ns["ENTRY_POINTS"] == declared
    assert set(ns["GUI_EXECUTABLES"]) == set(proj["gui-scripts"])
    for target in declared.values():
        module, func = target.split(":")
        assert callable(getattr(importlib.import_module(module), func)), target
    assert ns["APP_NAME"] == "SynLeaF-Desktop"


def test_spec_freezes_every_module_of_the_package() -> None:
    """The CLI imports its command groups by name, so they must be listed as hidden imports."""
    from synleaf_desktop.cli.main import GROUPS

    mods = set(_spec_namespace()["_package_modules"]())
    assert {f"synleaf_desktop.cli.{g}" for g in GROUPS} <= mods
    assert {
        "synleaf_desktop",
        "synleaf_desktop.gui.app",
        "synleaf_desktop.bundle.card",
        "synleaf_desktop.train.fold",
    } <= mods
    assert not any("__pycache__" in m or m.endswith(".__init__") for m in mods)


def test_spec_launchers_call_the_entry_points(tmp_path: Path) -> None:
    ns = _spec_namespace()
    for name, target in ns["ENTRY_POINTS"].items():
        path = ns["_launcher"](name, target, tmp_path)
        src = path.read_text(encoding="utf-8")
        ast.parse(src)
        module, func = target.split(":")
        assert f"from {module} import {func}" in src and f"sys.exit({func}())" in src


def test_spec_ships_resources_and_filters_test_files() -> None:
    ns = _spec_namespace()
    datas = ns["_data_files"]()
    dests = {Path(src).relative_to(REPO).as_posix(): dest.replace("\\", "/") for src, dest in datas}
    assert dests["resources/genes/genes.tsv.gz"] == "resources/genes"
    assert dests["resources/kg/graph.npz"] == "resources/kg"
    assert dests["resources/icons/synleaf-desktop.png"] == "resources/icons"
    # the shared annotations and the known-pairs table are read at run time too
    assert dests["resources/kg_terms/terms.npz"] == "resources/kg_terms"
    assert dests["resources/labels/known_pairs.tsv.gz"] == "resources/labels"
    assert not any(k.startswith("resources/screenshots/") for k in dests)
    assert dests.pop("LICENSE") == "."
    assert all(k.startswith(("resources/", "bundled_models/")) for k in dests)
    keep, keep_bin = ns["_keep"], ns["_keep_binary"]
    assert keep(("torch/_C/__init__.py", "x", "DATA"))
    assert not keep(("torch/include/ATen/ATen.h", "x", "DATA"))
    assert keep_bin(("torch/bin/torch_shm_manager", "x", "BINARY"))
    assert keep_bin(("torch/lib/libtorch_cpu.so", "x", "BINARY"))
    assert not keep_bin(("torch/bin/test_jit", "x", "BINARY"))
    assert not keep_bin(("torch/test/Dict_test", "x", "BINARY"))
    assert not keep_bin(("torch/lib/libtorchbind_test.so", "x", "BINARY"))


def test_spec_excludes_nothing_the_app_imports() -> None:
    """Every module synleaf_desktop imports (statically) must survive the spec's EXCLUDES."""
    excludes = _spec_namespace()["EXCLUDES"]
    imported: set[str] = set()
    for path in (REPO / "synleaf_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module)
    assert {"torch", "PySide6.QtWidgets", "pyqtgraph"} <= imported  # the scan works
    clash = sorted(m for m in imported for e in excludes if m == e or m.startswith(e + "."))
    assert not clash, f"packaging/synleaf.spec excludes modules the app imports: {clash}"


def test_desktop_entry_has_the_required_keys() -> None:
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str  # keys are case-sensitive
    cp.read(DESKTOP, encoding="utf-8")
    entry = cp["Desktop Entry"]
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "Terminal"):
        assert entry.get(key), key
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0].endswith("synleaf-desktop")
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Science" in entry["Categories"].split(";")
    assert (ICONS / f"{entry['Icon']}.svg").is_file() and (ICONS / f"{entry['Icon']}.png").is_file()


def test_icons_exist_and_are_valid() -> None:
    root = ET.parse(ICONS / "synleaf-desktop.svg").getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"
    png = (ICONS / "synleaf-desktop.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (256, 256)


def test_build_and_install_scripts_are_valid_shell() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash not found")
    for script in (
        REPO / "packaging" / "build_linux.sh",
        REPO / "packaging" / "linux" / "install.sh",
    ):
        assert script.stat().st_mode & 0o111, f"{script} is not executable"
        res = subprocess.run([bash, "-n", str(script)], capture_output=True, text=True, timeout=20)
        assert res.returncode == 0, res.stderr
    assert "packaging/synleaf.spec" in (REPO / "packaging" / "build_linux.sh").read_text(
        encoding="utf-8"
    )


def test_frozen_app_finds_resources_and_models_inside_itself(monkeypatch, tmp_path: Path) -> None:
    """In the frozen app sys._MEIPASS is the _internal/ folder: resources and bundled models live there."""
    from synleaf_desktop import paths

    for var in ("SYNLEAF_HOME", "SYNLEAF_RESOURCES", "SYNLEAF_BUNDLED_MODELS"):
        monkeypatch.delenv(var, raising=False)
    internal = tmp_path / "SynLeaF-Desktop" / "_internal"
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    assert paths.resources_dir() == internal / "resources"
    assert paths.bundled_models_dir() == internal / "bundled_models"
    monkeypatch.setenv("SYNLEAF_BUNDLED_MODELS", str(tmp_path / "mine"))
    assert paths.bundled_models_dir() == tmp_path / "mine"


def test_resource_builders_refuse_to_write_into_an_installed_copy(
    monkeypatch, tmp_path: Path
) -> None:
    """`synleaf resources build` and the kg_terms builder default to the source tree's
    resources/; in the frozen app (or a wheel) they ask for --out instead of writing into the
    installed program, and write nothing."""
    from synleaf_desktop import paths
    from synleaf_desktop.cli.main import main
    from synleaf_desktop.data import kg_terms

    for var in ("SYNLEAF_HOME", "SYNLEAF_RESOURCES", "SYNLEAF_BUNDLED_MODELS"):
        monkeypatch.delenv(var, raising=False)
    assert paths.installed_data() is False
    assert paths.resources_out_dir() == paths.resources_dir()
    internal = tmp_path / "_internal"
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    assert paths.installed_data() is True
    with pytest.raises(Exception, match="pass --out FOLDER"):
        paths.resources_out_dir()
    assert main(["resources", "build", "--data", str(tmp_path / "data")]) == 2
    with pytest.raises(SystemExit) as exc:
        kg_terms.main(["--data", str(tmp_path / "data")])
    assert exc.value.code == 2
    assert not internal.exists()
    # a folder the user named is fine: SYNLEAF_RESOURCES, or SYNLEAF_HOME (not the program's)
    monkeypatch.setenv("SYNLEAF_RESOURCES", str(tmp_path / "res"))
    assert paths.resources_out_dir() == tmp_path / "res"
    monkeypatch.delenv("SYNLEAF_RESOURCES")
    monkeypatch.setenv("SYNLEAF_HOME", str(tmp_path / "home"))
    assert paths.installed_data() is False
    assert paths.resources_out_dir() == tmp_path / "home" / "resources"
