"""Guards against the Qt binding bug that crashed the app: PySide6-Essentials 6.12.0 drops a
reference to ``None`` on every void QGraphicsItem call; on Python < 3.12 the process then dies
with "Fatal Python error: none_dealloc" (pyproject pins < 6.12 there)."""

from __future__ import annotations

import sys

import pytest


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal on Python >= 3.12")
def test_void_qt_calls_keep_none_alive(qapp):
    from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene

    scene = QGraphicsScene()
    item = QGraphicsRectItem()
    scene.addItem(item)
    before = sys.getrefcount(None)
    for _ in range(500):
        item.setPos(1.0, 2.0)
        item.setVisible(True)
    assert sys.getrefcount(None) - before > -50, (
        "this PySide6 build leaks references to None (PySide6 6.12.0?); install PySide6-Essentials < 6.12"
    )


def test_feature_import_hook_removed():
    import builtins

    import synleaf_desktop.gui  # noqa: F401

    assert builtins.__import__ is getattr(builtins, "__orig_import__", builtins.__import__)
