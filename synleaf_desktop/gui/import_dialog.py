"""The import preview dialog: what was recognised in a dropped study, label table or graph,
shown BEFORE anything is saved. Which kind a path is comes from the format registry
(:mod:`synleaf_desktop.io.formats`); reading it is :func:`synleaf_desktop.app.imports.read_import`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..app.details import OMICS_LONG
from ..app.imports import ImportResult
from ..io.formats import KIND_TITLES


def _table(headers: list[str], rows: list[list[Any]], stretch: int | None = None) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            item = QTableWidgetItem(str(v))
            if isinstance(v, (int, float)):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, c, item)
    hh = t.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        hh.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        hh.setStretchLastSection(True)
    t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    height = (
        t.horizontalHeader().sizeHint().height() + sum(t.rowHeight(r) for r in range(len(rows))) + 6
    )
    t.setFixedHeight(min(height, 260))
    return t


class ImportPreviewDialog(QDialog):
    """Shows an :class:`ImportResult`; **Save** stores it, **Cancel** keeps nothing.

    ``import_result`` is what it shows, ``name()`` the name the user chose. Nothing is written by
    the dialog itself.
    """

    def __init__(self, result: ImportResult, parent=None) -> None:
        super().__init__(parent)
        self.import_result = result
        self.setWindowTitle(f"Import {KIND_TITLES[result.kind]}")
        self.setMinimumWidth(780)
        lay = QVBoxLayout(self)
        head = QLabel(
            f"Recognised: <b>{KIND_TITLES[result.kind]}</b> from "
            + ", ".join(p.name for p in result.sources[:4])
            + (f" and {len(result.sources) - 4} more" if len(result.sources) > 4 else "")
        )
        head.setWordWrap(True)
        lay.addWidget(head)
        note = QLabel("Nothing has been saved yet. Check what was read, name it, then click Save.")
        note.setObjectName("hint")
        lay.addWidget(note)
        form = QFormLayout()
        self.name_edit = QLineEdit(result.name)
        self.name_edit.setToolTip("The name it will be listed under (training panel, contexts)")
        form.addRow("Name:", self.name_edit)
        lay.addLayout(form)
        s = result.summary
        self.problems: list[str] = []
        if result.kind == "study":
            self._study(lay, s)
        elif result.kind == "labels":
            self._labels(lay, s)
        else:
            self._graph(lay, s)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        lay.addWidget(buttons)

    def name(self) -> str:
        return self.name_edit.text().strip() or self.import_result.name

    def _list_box(
        self, lay: QVBoxLayout, title: str, items: list[str], total: int | None = None
    ) -> None:
        if not items:
            return
        n = total if total is not None else len(items)
        lab = QLabel(f"{title} ({n}):")
        lay.addWidget(lab)
        box = QPlainTextEdit("\n".join(map(str, items)) + ("\n…" if n > len(items) else ""))
        box.setReadOnly(True)
        box.setMaximumHeight(90)
        lay.addWidget(box)
        self.problems.extend(items)

    def _study(self, lay: QVBoxLayout, s: dict[str, Any]) -> None:
        omics = s.get("omics", {})
        rows = []
        for kind, o in omics.items():
            rows.append(
                [
                    OMICS_LONG.get(kind, kind),
                    Path(o.get("file") or "").name or "(pooled)",
                    o.get("fmt", ""),
                    o.get("genes", 0),
                    o.get("samples_with_data", 0),
                    o.get("unresolved", 0),
                ]
            )
        lay.addWidget(QLabel(f"<b>{s.get('samples', 0)}</b> samples in total; omics found:"))
        lay.addWidget(
            _table(
                ["Omics", "File", "Format", "Genes", "Samples with data", "Unrecognised names"],
                rows,
                stretch=1,
            )
        )
        missing = [OMICS_LONG[k] for k in OMICS_LONG if k not in omics]
        if missing:
            hint = QLabel(
                "Not in this study: " + ", ".join(missing) + ". That is fine: models train on the "
                "omics a cohort has."
            )
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            lay.addWidget(hint)
        unresolved = []
        for o in omics.values():
            unresolved.extend(o.get("unresolved_examples", []))
        total = sum(int(o.get("unresolved", 0)) for o in omics.values())
        self._list_box(
            lay, "Gene names that could not be recognised (left out)", unresolved[:60], total
        )
        warnings = list(s.get("warnings", []))
        for kind, alts in (s.get("alternatives_not_used") or {}).items():
            for a in alts:
                warnings.append(
                    f"{OMICS_LONG.get(kind, kind)}: also found {Path(a.get('file', '')).name} "
                    f"({a.get('fmt', '')}), not used"
                )
        ignored = s.get("ignored_files") or []
        if ignored:
            warnings.append(
                f"{len(ignored)} other files ignored: "
                + ", ".join(Path(f).name for f in ignored[:8])
                + (" …" if len(ignored) > 8 else "")
            )
        self._list_box(lay, "Notes", warnings)

    def _labels(self, lay: QVBoxLayout, s: dict[str, Any]) -> None:
        lay.addWidget(
            QLabel(
                f"<b>{s.get('pairs', 0)}</b> gene pairs: <b>{s.get('positive', 0)}</b> SL, "
                f"<b>{s.get('negative', 0)}</b> non-SL ({s.get('rows_read', 0)} rows read)"
            )
        )
        per = s.get("per_cancer", {})
        rows = [[c, v.get("positive", 0), v.get("negative", 0)] for c, v in per.items()]
        if rows:
            lay.addWidget(_table(["Cancer", "SL pairs", "non-SL pairs"], rows))
        if s.get("notes"):
            n = QLabel(str(s["notes"]))
            n.setObjectName("hint")
            n.setWordWrap(True)
            lay.addWidget(n)
        self._list_box(
            lay,
            "Gene names that could not be recognised (their rows left out)",
            list(s.get("unresolved", []))[:60],
            s.get("n_unresolved"),
        )
        self._list_box(lay, "Notes", list(s.get("warnings", [])))

    def _graph(self, lay: QVBoxLayout, s: dict[str, Any]) -> None:
        lay.addWidget(
            QLabel(
                f"<b>{s.get('num_entities', 0)}</b> entities, <b>{s.get('num_edges', 0)}</b> edges, "
                f"<b>{s.get('num_relations', 0)}</b> relation types (reverse relations included)"
            )
        )
        ents = s.get("entities", {})
        lay.addWidget(_table(["Entity type", "Count"], [[k, v] for k, v in ents.items()]))
        rels = s.get("edges", {})
        lay.addWidget(_table(["Relation", "Edges"], [[k, v] for k, v in list(rels.items())[:30]]))
        self._list_box(lay, "Notes", list(s.get("warnings", [])))
