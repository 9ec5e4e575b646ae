"""Exports: the score table (CSV/TSV) of exactly what is shown, and the JSON run report.

(The heatmap image is written by :meth:`HeatmapWidget.export_image`.) All writes are
atomic. No Qt here apart from reading version strings.
"""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..errors import InputError
from ..fileio import atomic_path, read_json, sha256_file, write_json
from ..io.known_pairs import EVIDENCE_COLUMNS, default_known_pairs
from ..scoring.calibration import RANK_NOTE, RECALL_NOTE
from .grid import ScoreGrid

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": "\t", ".tab": "\t"}


def export_table(
    grid: ScoreGrid, path: str | Path, single_fold: Any = (), evidence: bool = True
) -> Path:
    """Write :meth:`ScoreGrid.to_frame` as CSV (``.csv``) or TSV (``.tsv``/``.txt``/``.tab``).

    The first line is a ``#`` comment naming the app version and the date
    (:func:`provenance_line`). Scores keep full float precision; cells that cannot be scored
    are empty (``NA`` in R, ``NaN`` in pandas), as is ``<ctx>_sd`` for the contexts in
    ``single_fold`` (one fold model); ``<ctx>_in_training`` is 1/0. With ``evidence``, the
    columns ``known_source``, ``known_pmid``, ``known_cell_line`` from the shipped known-pairs
    table follow (empty where the pair has none).

    Raises:
        InputError: an unsupported file type (the message lists the supported ones).
    """
    path = Path(path)
    sep = TABLE_SUFFIXES.get(path.suffix.lower())
    if sep is None:
        raise InputError(
            path,
            f"cannot write a {path.suffix or 'file without a type'!s} table; supported "
            "formats: .csv (comma-separated), .tsv, .txt or .tab (tab-separated). "
            "Spreadsheet programs such as Excel open both",
        )
    frame = grid.to_frame(single_fold=single_fold)
    if evidence:
        known = default_known_pairs()
        if known is not None:
            ev = known.evidence_columns([a for a, _ in grid.pairs], [b for _, b in grid.pairs])
            for k in EVIDENCE_COLUMNS:
                frame[k] = ev[k]
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(f"{provenance_line()}\n")
        frame.to_csv(fh, sep=sep, index=False, na_rep="", float_format="%.6g", lineterminator="\n")
    return path


def provenance_line() -> str:
    """The ``#`` comment line that starts every exported table (read the table with
    ``pandas.read_csv(path, comment="#")`` or R's ``read.delim(path, comment.char="#")``)."""
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return (
        f"# SynLeaF Desktop {__version__}; exported {created}; scores are model outputs in [0, 1], "
        "not calibrated probabilities; <ctx>_percentile / <ctx>_top_fraction: genome-wide rank among all "
        "gene pairs of the context (comparable between contexts); <ctx>_heldout_recall: share of held-out "
        "known SL pairs scoring at least as high (not a probability of SL)"
    )


def versions() -> dict[str, str]:
    """Versions of the app and the libraries that produced the numbers and pictures."""
    out = {
        "synleaf_desktop": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
    }
    for mod in ("pandas", "PySide6", "pyqtgraph", "torch"):
        m = sys.modules.get(mod)
        if m is None and mod != "torch":  # never import torch just to report it
            try:
                m = __import__(mod)
            except ImportError:
                m = None
        if m is not None:
            out[mod] = str(getattr(m, "__version__", "?"))
    return out


def model_record(name: str, info: dict[str, Any]) -> dict[str, Any]:
    """One context's entry in the report: metadata + checksum of its manifest and files."""
    rec: dict[str, Any] = {"name": name}
    for key in (
        "kind",
        "strategy",
        "score_kind",
        "omics",
        "samples",
        "n_samples",
        "metrics",
        "validation",
        "test",
        "val_auc",
        "test_auc",
        "created",
        "version",
        "base_model",
        "kg_id",
        "description",
    ):
        if key in info:
            rec[key] = info[key]
    folder = info.get("path") or info.get("folder")
    if folder:
        folder = Path(folder)
        rec["path"] = str(folder)
        manifest = folder / "manifest.json"
        if manifest.is_file():
            rec["manifest_sha256"] = sha256_file(manifest)
            try:
                files = read_json(manifest).get("files", {})
            except (OSError, ValueError):
                files = {}
            rec["files_sha256"] = {
                k: (v.get("sha256") if isinstance(v, dict) else v) for k, v in files.items()
            }
    for key in ("manifest_sha256", "checksums"):
        if key in info and key not in rec:
            rec[key] = info[key]
    return rec


def build_report(
    grid: ScoreGrid,
    infos: dict[str, dict[str, Any]],
    inputs: dict[str, Any] | None = None,
    exported: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The run report: what was asked, which models (with checksums) and data answered, and
    the software versions.

    Args:
        grid: what is shown.
        infos: context name -> ``context_info`` for every context shown.
        inputs: loaded label tables, imported cohorts/graphs (name -> description).
        exported: files written together with the report (kind -> path).
    """
    mean = grid.mean()
    return {
        "report": "SynLeaF Desktop run report",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "query": grid.query,
        "mode": grid.mode,
        "contexts": list(grid.contexts),
        "pairs": [list(p) for p in grid.pairs],
        "n_pairs": len(grid.pairs),
        "unresolved": list(grid.unresolved),
        "not_available_cells": int(np.isnan(grid.score).sum()),
        "score_note": (
            "score = mean over cross-validation models and both gene orders; where a model's "
            "score_kind is pair-aware, each fold's score is first stacked with the pair's cohort "
            "co-inactivation and shared annotations (its model card); "
            "n/a = a gene is not in that context's model"
        ),
        "rank_note": f"{RANK_NOTE}; {RECALL_NOTE}",
        "ranked_contexts": [c for j, c in enumerate(grid.contexts) if grid.has_ranks(j)],
        "summary": {
            "mean_score_max": None if not np.isfinite(mean).any() else float(np.nanmax(mean)),
            "mean_score_min": None if not np.isfinite(mean).any() else float(np.nanmin(mean)),
        },
        "models": [model_record(name, infos.get(name, {})) for name in grid.contexts],
        "inputs": inputs or {},
        "exported": exported or {},
        "versions": versions(),
    }


def export_report(
    path: str | Path,
    grid: ScoreGrid,
    infos: dict[str, dict[str, Any]],
    inputs: dict[str, Any] | None = None,
    exported: dict[str, str] | None = None,
) -> Path:
    """Write :func:`build_report` as JSON (atomic)."""
    path = Path(path)
    write_json(path, build_report(grid, infos, inputs, exported))
    return path
