"""Reading an import (a study, a label table or a graph) into memory, off the GUI thread, so
that the user can preview what was recognised before anything is saved to the library."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io.kg import read_kg
from ..io.labels import read_label_files
from ..io.study import read_study
from ..progress import Progress
from .library import label_summary


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

    progress.update(0.0, f"reading {', '.join(p.name for p in paths[:3])}")
    if kind == "study":
        src: Any = paths[0] if len(paths) == 1 and paths[0].is_dir() else paths
        cohort = read_study(src, progress=progress.sub(0.0, 1.0), name=_suggest_name(paths))
        return ImportResult("study", cohort, paths, cohort.name, cohort.summary())
    if kind == "labels":
        table = read_label_files(paths)
        progress.update(1.0, "done", force=True)
        return ImportResult("labels", table, paths, _suggest_name(paths), label_summary(table))
    if kind == "graph":
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
