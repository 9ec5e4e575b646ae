"""``synleaf-desktop`` entry point (placeholder window until the GUI lands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from .. import __version__

    app = QApplication.instance() or QApplication(sys.argv if argv is None else ["synleaf-desktop", *argv])
    win = QMainWindow()
    win.setWindowTitle(f"SynLeaF Desktop {__version__}")
    win.setCentralWidget(QLabel("SynLeaF Desktop: the application window is being built."))
    win.resize(900, 600)
    win.show()
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
