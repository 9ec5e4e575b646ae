"""The package's layers: ``io → data → model/train → bundle → scoring → app → gui/cli``.

Nothing outside gui/ imports Qt (or pyqtgraph); app/ (the use cases both front ends drive)
imports no Qt; scoring/ imports neither the training layer, the model layer nor torch; and no
module imports a layer above its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "synleaf_desktop"
QT_MODULES = {"PySide6", "PySide2", "PyQt5", "PyQt6", "qtpy", "pyqtgraph", "shiboken6"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            roots.add(str(node.args[0].value).split(".")[0])
    return roots


def test_no_qt_outside_gui():
    offenders = []
    files = [p for p in PKG.rglob("*.py") if "gui" not in p.relative_to(PKG).parts]
    assert files, "no package files found"
    for path in files:
        bad = _imported_roots(path) & QT_MODULES
        if bad:
            offenders.append(f"{path.relative_to(PKG.parent)} imports {sorted(bad)}")
    assert not offenders, "Qt imported below gui/:\n" + "\n".join(offenders)


def test_detector_sees_qt(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from PySide6.QtWidgets import QWidget\nimport importlib\nimportlib.import_module('pyqtgraph')\n"
    )
    assert _imported_roots(probe) >= {"PySide6", "pyqtgraph"}


def test_core_imports_without_qt():
    """Importing the core layers must not pull Qt into the process."""
    import subprocess
    import sys

    code = (
        "import sys, synleaf_desktop.io.genes, synleaf_desktop.data.context, synleaf_desktop.cli.main;"
        "bad=[m for m in sys.modules if m.split('.')[0] in {'PySide6','pyqtgraph'}];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


#: the layer of each top-level name under synleaf_desktop/ (files at the top are shared helpers)
LAYER = {
    "errors": 0,
    "fileio": 0,
    "paths": 0,
    "progress": 0,
    "__init__": 0,
    "io": 1,
    "data": 2,
    "model": 3,
    "train": 4,
    "bundle": 5,
    "scoring": 6,
    "app": 7,
    "gui": 8,
    "cli": 8,
}


def _package_imports(path: Path) -> set[str]:
    """Top-level synleaf_desktop names that ``path`` imports (relative or absolute)."""
    rel = path.relative_to(PKG)
    pkg_parts = list(rel.parts[:-1])
    out: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - node.level + 1]
                mod = base + (node.module.split(".") if node.module else [])
                if mod:
                    out.add(mod[0])
                else:  # "from .. import x": x is a top-level name
                    out.update(a.name for a in node.names)
            elif node.module and node.module.split(".")[0] == "synleaf_desktop":
                parts = node.module.split(".")
                out.add(parts[1] if len(parts) > 1 else node.names[0].name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "synleaf_desktop" and len(parts) > 1:
                    out.add(parts[1])
    return out


def _layer(name: str) -> int:
    return LAYER[name.removesuffix(".py")]


def test_no_module_imports_a_layer_above_its_own():
    offenders = []
    for path in PKG.rglob("*.py"):
        own = _layer(path.relative_to(PKG).parts[0])
        for name in _package_imports(path):
            if name not in LAYER and name.removesuffix(".py") not in LAYER:
                continue
            if _layer(name) > own:
                offenders.append(f"{path.relative_to(PKG.parent)} imports {name}")
    assert not offenders, "layering broken:\n" + "\n".join(sorted(offenders))


def test_app_imports_no_qt():
    files = sorted((PKG / "app").glob("*.py"))
    assert len(files) >= 8, "the app layer is missing"
    offenders = [
        f"{p.name} imports {sorted(_imported_roots(p) & QT_MODULES)}"
        for p in files
        if _imported_roots(p) & QT_MODULES
    ]
    assert not offenders, offenders


def test_scoring_imports_neither_train_model_nor_torch():
    offenders = []
    for path in sorted((PKG / "scoring").glob("*.py")):
        bad = (_imported_roots(path) & {"torch", "torch_geometric"}) | (
            _package_imports(path) & {"train", "model", "app", "gui", "cli"}
        )
        if bad:
            offenders.append(f"{path.name} imports {sorted(bad)}")
    assert not offenders, offenders


def test_layer_detector_sees_relative_imports(tmp_path):
    probe = PKG / "scoring" / "_probe_layering.py"
    try:
        probe.write_text("from ..train.config import TrainConfig\nfrom .. import gui\n")
        assert _package_imports(probe) == {"train", "gui"}
    finally:
        probe.unlink()


def test_app_layer_loads_without_qt():
    """Every app module imports in a process that never loads Qt."""
    import subprocess
    import sys

    mods = ", ".join(
        f"synleaf_desktop.app.{p.stem}"
        for p in sorted((PKG / "app").glob("*.py"))
        if p.stem != "__init__"
    )
    code = (
        f"import sys, {mods};"
        "bad=[m for m in sys.modules if m.split('.')[0] in {'PySide6','pyqtgraph'}];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
