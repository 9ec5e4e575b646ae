"""PySide6 + pyqtgraph views over the layers below. The only place Qt is imported."""
