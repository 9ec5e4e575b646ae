"""PySide6 + pyqtgraph views over the layers below. The only place Qt is imported.

Importing this package turns off shiboken's ``__feature__`` import hook. PySide6 replaces
``builtins.__import__`` with a hook that, on every later import, reads the imported
module's source (``inspect.getsource``) to see whether it uses PySide6's optional
``from __feature__ import snake_case / true_property`` switches. This app never uses them,
and it imports large packages later, in worker threads (torch and torch_geometric when
training starts: 4.96 s with the hook, 3.66 s without, measured here). The original import
function, which PySide6 keeps as ``builtins.__orig_import__``, is put back.
"""

from __future__ import annotations

import builtins

import PySide6.QtCore  # noqa: F401  (installs the hook that is removed below)


def _restore_import() -> None:
    orig = getattr(builtins, "__orig_import__", None)
    if orig is not None and builtins.__import__ is not orig:
        builtins.__import__ = orig


_restore_import()
