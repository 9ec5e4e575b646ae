"""``synleaf inspect PATH [PATH...] [--json]``: show what an import would read, without saving
anything. Paths are sorted by the import format registry (:mod:`synleaf_desktop.io.formats`),
as the app's import dialog does: omics studies show their files, label tables and knowledge
graphs their counts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import InputError
from ..progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect",
        help="show what an import would read: a study's omics files, a label table, a graph",
    )
    p.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="a study folder or omics files, an SL label table, a knowledge graph",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress messages on stderr")
    p.set_defaults(func=_inspect)


def _inspect(args: argparse.Namespace) -> int:
    from ..app.imports import read_import
    from ..io.formats import KIND_TITLES, classify
    from ..io.study import read_study

    def show(fraction: float, message: str, info: dict) -> None:
        if not args.quiet and message:
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    # a file the registry does not recognise goes with the study: read_study lists it as ignored
    kinds: dict[str, list[Path]] = {}
    for path in args.paths:
        try:
            kind = classify(path)
        except InputError:
            if not path.exists():
                raise
            kind = "study"
        kinds.setdefault(kind, []).append(path)
    out: dict[str, object] = {}
    text: list[str] = []
    if "study" in kinds:
        paths = kinds["study"]
        cohort = read_study(paths[0] if len(paths) == 1 else paths, progress=Progress(show))
        summary = cohort.summary()
        out["study"] = summary
        text.append(format_summary(summary))
    for kind in ("labels", "graph"):
        if kind in kinds:
            result = read_import(Progress(show), kind, kinds[kind])
            out[kind] = result.summary
            text.append(f"{KIND_TITLES[kind]} ({', '.join(p.name for p in kinds[kind])}):")
            text += [f"  {k}: {v}" for k, v in result.summary.items()]
    if args.json:
        # one study alone keeps its own summary at the top level (as before)
        print(json.dumps(out["study"] if list(out) == ["study"] else out, indent=2, default=str))
        return 0
    print("\n".join(text))
    return 0


def format_summary(s: dict) -> str:
    """Plain-text rendering of :meth:`Cohort.summary`."""
    from ..io.omics import OMICS_LABELS

    lines = [f"cohort {s['name']}: {s['samples']} samples"]
    for kind, o in s["omics"].items():
        lines.append(
            f"  {kind} ({OMICS_LABELS.get(kind, kind)}): {o['fmt']}  {o['genes']} genes x "
            f"{o['samples_with_data']} samples with data  <- {o['file']}"
        )
        if o["unresolved"]:
            ex = ", ".join(o["unresolved_examples"][:8])
            lines.append(f"      {o['unresolved']} unresolved gene names (dropped), e.g. {ex}")
        for w in o["warnings"]:
            lines.append(f"      note: {w}")
    for kind, alts in s["alternatives_not_used"].items():
        for a in alts:
            lines.append(f"  not used ({kind}, {a['fmt']}): {a['file']}")
    for f in s["ignored_files"]:
        lines.append(f"  ignored (not an omics file): {f}")
    return "\n".join(lines)
