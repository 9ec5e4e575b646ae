"""``synleaf inspect PATH [PATH...] [--json]``: show what a study import would read."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect", help="show which omics files of a study are recognised and what they hold"
    )
    p.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a study folder, or omics files"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress messages on stderr")
    p.set_defaults(func=_inspect)


def _inspect(args: argparse.Namespace) -> int:
    from ..io.study import read_study

    def show(fraction: float, message: str, info: dict) -> None:
        if not args.quiet and message:
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    paths = args.paths[0] if len(args.paths) == 1 else args.paths
    cohort = read_study(paths, progress=Progress(show))
    summary = cohort.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(format_summary(summary))
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
