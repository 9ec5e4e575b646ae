"""The user's imported data, kept under :func:`synleaf_desktop.paths.user_data_dir`::

    cohorts/<name>/   cohort.npz + cohort.json (Cohort.save) + info.json
    labels/<name>/    labels.csv.gz (gene1,gene2,label,cancer) + info.json
    graphs/<name>/    graph.npz + graph.json (KnowledgeGraph.save) + info.json

``info.json`` holds the import summary shown in the preview (counts, unresolved names,
source paths, date), so lists can be shown without loading the data. Everything is
written atomically (a folder appears complete or not at all); a disk error (read-only
folder, disk full) becomes a one-line :class:`~synleaf_desktop.errors.StorageError` saying
what was needed and that nothing was changed. No Qt here.
"""

from __future__ import annotations

import builtins
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import paths
from ..fileio import atomic_dir, os_errors, read_json, recover_folder, sha256_file, write_json
from ..io.kg import KnowledgeGraph
from ..io.labels import read_labels
from ..io.study import Cohort

KINDS = ("cohorts", "labels", "graphs")
INFO = "info.json"
LABELS_FILE = "labels.csv.gz"
_BAD = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(name: str) -> str:
    """A folder-safe version of a user-given name (letters, digits, ``._ -``)."""
    name = _BAD.sub("_", str(name)).strip(" .") or "imported"
    return name[:80]


@dataclass
class Entry:
    """One stored item: ``kind`` in :data:`KINDS`, its ``name``, ``path`` and ``info``."""

    kind: str
    name: str
    path: Path
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        s = self.info.get("summary_line") or ""
        return f"{self.name} ({s})" if s else self.name


class Library:
    """Imported cohorts, label tables and graphs of this user."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else paths.user_data_dir()

    def folder(self, kind: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of {KINDS}")
        return self.root / kind

    def list(self, kind: str) -> list[Entry]:
        """Stored items of ``kind``, sorted by name (incomplete folders are skipped)."""
        base = self.folder(kind)
        if not base.is_dir():
            return []
        recover_folder(base)  # what a crash during a save left behind
        out = []
        for p in sorted(base.iterdir(), key=lambda q: q.name.lower()):
            if not p.is_dir() or p.name.startswith("."):
                continue
            try:
                info = read_json(p / INFO)
            except (OSError, ValueError):
                continue
            out.append(Entry(kind, p.name, p, info))
        return out

    def unique_name(self, kind: str, name: str) -> str:
        """``name`` made folder-safe and not yet used (``name 2``, ``name 3`` ...)."""
        base = safe_name(name)
        taken = (
            {p.name.lower() for p in self.folder(kind).iterdir()}
            if self.folder(kind).is_dir()
            else set()
        )
        cand, i = base, 2
        while cand.lower() in taken:
            cand = f"{base} {i}"
            i += 1
        return cand

    def checksums(self, kind: str, name: str) -> dict[str, str]:
        """``{"<kind>/<name>/<file>": sha256}`` of every file of a stored item (what a model
        trained on it records in its manifest's ``data_checksums``)."""
        root = self.folder(kind) / safe_name(name)
        return {
            f"{kind}/{root.name}/{p.relative_to(root).as_posix()}": sha256_file(p)
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    def exists(self, kind: str, name: str) -> bool:
        return (self.folder(kind) / safe_name(name)).is_dir()

    def remove(self, kind: str, name: str) -> None:
        p = self.folder(kind) / safe_name(name)
        if p.is_dir():
            shutil.rmtree(p)

    # ------------------------------------------------------------------
    # (in this class body ``list`` is the method above: annotations say ``builtins.list``)
    def _info(
        self, kind: str, name: str, summary: dict[str, Any], sources: builtins.list[str], line: str
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "name": name,
            "imported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "sources": sources,
            "summary_line": line,
            "summary": summary,
        }

    def save_cohort(
        self, cohort: Any, name: str, sources: builtins.list[str] | None = None
    ) -> Entry:
        """Store an :class:`~synleaf_desktop.io.study.Cohort` (replacing one of that name)."""
        name = safe_name(name)
        dest = self.folder("cohorts") / name
        summary = cohort.summary()
        kinds = list(summary.get("omics", {}))
        genes = max((o.get("genes", 0) for o in summary.get("omics", {}).values()), default=0)
        line = f"{summary.get('samples', 0)} samples, {genes} genes, {', '.join(kinds)}"
        info = self._info("cohorts", name, summary, sources or [], line)
        needed = int(
            sum(
                np.asarray(m.values).nbytes + np.asarray(m.genes).size * 16
                for m in cohort.omics.values()
            )
        )
        with os_errors(dest, f"saving cohort {name}", needed), atomic_dir(dest) as tmp:
            cohort.save(tmp / "cohort")
            write_json(tmp / INFO, info)
        return Entry("cohorts", name, dest, info)

    def load_cohort(self, name: str) -> Any:

        return Cohort.load(self.folder("cohorts") / safe_name(name) / "cohort")

    def save_labels(
        self, table: Any, name: str, sources: builtins.list[str] | None = None
    ) -> Entry:
        """Store a :class:`~synleaf_desktop.io.labels.LabelTable` as ``labels.csv.gz``."""
        name = safe_name(name)
        dest = self.folder("labels") / name
        summary = label_summary(table)
        line = f"{summary['positive']} SL, {summary['negative']} non-SL, {len(summary['cancers'])} cancer(s)"
        if not summary.get("trainable", True):
            line += "; too few to train a model"
        info = self._info("labels", name, summary, sources or [], line)
        needed = len(table.pairs) * 40
        with os_errors(dest, f"saving label table {name}", needed), atomic_dir(dest) as tmp:
            table.to_csv(tmp / LABELS_FILE)
            write_json(tmp / INFO, info)
        return Entry("labels", name, dest, info)

    def load_labels(self, name: str) -> Any:

        return read_labels(self.folder("labels") / safe_name(name) / LABELS_FILE)

    def save_graph(self, graph: Any, name: str, sources: builtins.list[str] | None = None) -> Entry:
        """Store a :class:`~synleaf_desktop.io.kg.KnowledgeGraph`."""
        name = safe_name(name)
        dest = self.folder("graphs") / name
        summary = graph.summary()
        line = f"{summary['num_entities']} entities, {summary['num_edges']} edges"
        info = self._info("graphs", name, summary, sources or [], line)
        needed = int(graph.edge_index.nbytes // 2 + graph.num_entities * 40)
        with os_errors(dest, f"saving graph {name}", needed), atomic_dir(dest) as tmp:
            graph.save(tmp / "graph")
            write_json(tmp / INFO, info)
        return Entry("graphs", name, dest, info)

    def load_graph(self, name: str) -> Any:

        return KnowledgeGraph.load(self.folder("graphs") / safe_name(name) / "graph")


def builtin_graph_dir() -> Path:
    """The knowledge graph shipped with the app (``resources/kg``)."""
    return paths.resources_dir() / "kg"


def builtin_graph_checksums() -> dict[str, str]:
    """``{"resources/kg/<file>": sha256}`` of the shipped knowledge graph's files."""
    root = builtin_graph_dir()
    return {
        f"resources/kg/{p.relative_to(root).as_posix()}": sha256_file(p)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def load_builtin_graph() -> Any:

    return KnowledgeGraph.load(builtin_graph_dir())


def label_summary(table: Any) -> dict[str, Any]:
    """Counts of a LabelTable for previews: positives, negatives, per cancer, unresolved names."""
    pairs = table.pairs
    counts = table.counts() if len(pairs) else None
    per = {}
    if counts is not None:
        for cancer, row in counts.iterrows():
            per[str(cancer) or "(none)"] = {
                "positive": int(row["positive"]),
                "negative": int(row["negative"]),
            }
    rep = table.report
    return {
        "pairs": len(pairs),
        "positive": int((pairs["label"] == 1).sum()) if len(pairs) else 0,
        "negative": int((pairs["label"] == 0).sum()) if len(pairs) else 0,
        "cancers": sorted(per),
        "per_cancer": per,
        "rows_read": int(getattr(rep, "n_rows", 0)),
        "unresolved": list(getattr(rep, "unresolved", []))[:200],
        "n_unresolved": len(getattr(rep, "unresolved", [])),
        "notes": rep.summary() if hasattr(rep, "summary") else "",
        "warnings": list(getattr(rep, "warnings", [])),
        "trainable": bool(getattr(rep, "trainable", True)),
        "not_trainable": dict(getattr(rep, "not_trainable", {})),
    }
