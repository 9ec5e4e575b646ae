"""Nothing under synleaf_desktop/ outside gui/ imports Qt (or pyqtgraph)."""

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
