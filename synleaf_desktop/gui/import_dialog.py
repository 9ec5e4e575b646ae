"""Importing user data: what a dropped path is, reading it off the GUI thread, and the
preview dialog that shows what was recognised BEFORE anything is saved.

Dropped or chosen paths are sorted into three kinds:

* ``"study"``: a cBioPortal study folder or single omics files (``data_mutations.txt``,
  ``data_linear_cna.txt``, ``*.seg`` ...) -> :func:`synleaf_desktop.io.study.read_study`;
* ``"labels"``: an SL label table (gene pair columns and a label column)
  -> :func:`synleaf_desktop.io.labels.read_label_files`;
* ``"graph"``: a knowledge-graph table (head, relation, tail), an SLKG export or a saved
  graph folder -> :func:`synleaf_desktop.io.kg.read_kg`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
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

from ..errors import InputError
from ..progress import Progress
from .contexts_panel import OMICS_LONG

KIND_TITLES = {
    "study": "omics study (cohort)",
    "labels": "SL label table",
    "graph": "knowledge graph",
}
_KG_COLUMNS = (
    {"head", "relation", "tail"},
    {"head", "rel", "tail"},
    {"subject", "predicate", "object"},
    {"id", "labels", "start", "end", "type"},
    {"h", "r", "t"},
)
_LABEL_GENE_COLUMNS = (
    {"gene1", "gene2"},
    {"genea", "geneb"},
    {"geneaname", "genebname"},
    {"n1name", "n2name"},
    {"symbol1", "symbol2"},
    {"gene1name", "gene2name"},
    {"genesymbol1", "genesymbol2"},
)


def _key(name: str) -> str:
    from ..io.labels import column_key

    return column_key(name)


def header_keys(path: Path) -> set[str]:
    """Normalised column names of a text table's first non-blank, non-``#`` line (gzip aware)."""
    from ..io.tabular import header_columns

    return {_key(c) for c in header_columns(path, skip_comments=True)}


def classify(path: str | Path) -> str:
    """``"study"``, ``"labels"`` or ``"graph"`` for one dropped path.

    Raises:
        InputError: the path does not exist or is none of the three (names what was expected).
    """
    from ..io.study import recognise

    p = Path(path)
    if not p.exists():
        raise InputError(p, "not found; it may have been moved or deleted")
    if p.is_dir():
        if (
            (p / "graph.npz").exists()
            or (p / "relation_map_by_cancer.tsv.gz").exists()
            or (p / "kg2id.txt").exists()
        ):
            return "graph"
        return "study"
    name = p.name.lower()
    if recognise(p) is not None or name.startswith("meta_"):
        return "study"
    if name in ("graph.npz", "graph.json"):
        return "graph"
    keys = header_keys(p)
    if any(cols <= keys for cols in _KG_COLUMNS):
        return "graph"
    if any(cols <= keys for cols in _LABEL_GENE_COLUMNS) or {"sl", "label", "class"} & keys:
        return "labels"
    raise InputError(
        p,
        "not recognised. Drop a cBioPortal study folder or omics files named like "
        "data_mutations.txt / data_linear_cna.txt / data_mrna_seq_v2_rsem_zscores*.txt, "
        "an SL label table with columns gene1, gene2, label (optional cancer), or a "
        "knowledge-graph table with columns head, relation, tail",
    )


def group_paths(paths: list[str | Path]) -> dict[str, list[Path]]:
    """Classify each path; returns kind -> paths (kinds in study, labels, graph order)."""
    groups: dict[str, list[Path]] = {}
    for p in paths:
        groups.setdefault(classify(p), []).append(Path(p))
    return {k: groups[k] for k in ("study", "labels", "graph") if k in groups}


@dataclass
class ImportResult:
    """What a reader produced, waiting for the user's OK in the preview.

    Attributes:
        kind: ``"study"``, ``"labels"`` or ``"graph"``.
        obj: the Cohort, LabelTable or KnowledgeGraph.
        sources: the paths read.
        name: suggested name to store it under.
        summary: JSON-able summary shown in the preview.
    """

    kind: str
    obj: Any
    sources: list[Path]
    name: str
    summary: dict[str, Any] = field(default_factory=dict)


def _suggest_name(paths: list[Path]) -> str:
    p = paths[0]
    if p.is_dir():
        return p.name
    stem = p.name
    for suf in (".gz", ".txt", ".tsv", ".csv", ".tab", ".maf", ".seg"):
        if stem.lower().endswith(suf):
            stem = stem[: -len(suf)]
    if len(paths) > 1 or stem.lower().startswith("data_"):
        return p.parent.name or stem
    return stem


def read_import(progress: Progress, kind: str, paths: list[Path]) -> ImportResult:
    """Read ``paths`` as ``kind`` (runs in a worker thread)."""
    from .library import label_summary

    progress.update(0.0, f"reading {', '.join(p.name for p in paths[:3])}")
    if kind == "study":
        from ..io.study import read_study

        src: Any = paths[0] if len(paths) == 1 and paths[0].is_dir() else paths
        cohort = read_study(src, progress=progress.sub(0.0, 1.0), name=_suggest_name(paths))
        return ImportResult("study", cohort, paths, cohort.name, cohort.summary())
    if kind == "labels":
        from ..io.labels import read_label_files

        table = read_label_files(paths)
        progress.update(1.0, "done", force=True)
        return ImportResult("labels", table, paths, _suggest_name(paths), label_summary(table))
    if kind == "graph":
        from ..io.kg import read_kg

        if len(paths) != 1:
            raise InputError(paths[1], "import one knowledge graph at a time")
        graph = read_kg(paths[0])
        progress.update(1.0, "done", force=True)
        summary = graph.summary()
        summary["unresolved_genes"] = graph.meta.get(
            "unresolved_genes", graph.meta.get("unresolved", 0)
        )
        return ImportResult("graph", graph, paths, _suggest_name(paths), summary)
    raise ValueError(f"unknown import kind {kind!r}")


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

    ``name()`` is the name the user chose. Nothing is written by the dialog itself.
    """

    def __init__(self, result: ImportResult, parent=None) -> None:
        super().__init__(parent)
        self.result = result
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
        return self.name_edit.text().strip() or self.result.name

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
        for kind, o in omics.items():
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
