"""``synleaf data``: build training contexts and show what is in them.

synleaf data build --data ../shared/data --out DIR [--contexts BRCA,OV] [--negatives matched]
synleaf data show DIR/NAME
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..errors import InputError
from ..progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="build training contexts (omics, graph, labels, CV splits)")
    s = p.add_subparsers(dest="data_command", metavar="ACTION")
    b = s.add_parser("build", help="build the built-in contexts from the shared data folder")
    b.add_argument(
        "--data", required=True, type=Path, help="the shared data folder (../shared/data)"
    )
    b.add_argument(
        "--out", required=True, type=Path, help="output folder; one sub-folder per context"
    )
    b.add_argument(
        "--contexts",
        default=None,
        help="comma-separated context names (default: BRCA,CESC,COAD,KIRC,LAML,LUAD,OV,SKCM,pan)",
    )
    b.add_argument(
        "--kg", type=Path, default=None, help="knowledge graph folder (default: resources/kg)"
    )
    b.add_argument(
        "--negatives",
        choices=("random", "matched"),
        default="random",
        help="generated negatives: random genes (default, as the paper) or genes matched to the "
        "positives' annotation counts (GO terms + pathways), a harder, fairer evaluation",
    )
    b.add_argument(
        "--holdout",
        default=None,
        help="with --contexts pan: remove every pair labelled in these single-cancer contexts "
        "(e.g. KIRC,SKCM,CESC,OV) from the pan labels and save the result as "
        "pan-minus-<NAMES>, a pretraining source for `synleaf train --init-from`",
    )
    b.add_argument("--quiet", action="store_true", help="no progress lines")
    b.set_defaults(func=_build)
    sh = s.add_parser("show", help="print the summary of a built context")
    sh.add_argument("folder", type=Path, help="a context folder (DIR/NAME)")
    sh.add_argument(
        "--details", action="store_true", help="also print label drops, KG restriction and inputs"
    )
    sh.set_defaults(func=_show)


def _progress_printer() -> Progress:
    last: dict[str, str | None] = {"msg": None}  # the message printed last

    def cb(fraction: float, message: str, info: dict) -> None:
        if message != last["msg"]:
            last["msg"] = message
            print(f"[{fraction * 100:5.1f}%] {message}", file=sys.stderr, flush=True)

    return Progress(cb)


def _build(args: argparse.Namespace) -> int:
    from ..data.build import build_all, format_tables
    from ..data.sources import BUILTIN_CONTEXTS

    names = (
        [n.strip() for n in args.contexts.split(",") if n.strip()]
        if args.contexts
        else list(BUILTIN_CONTEXTS)
    )
    unknown = [n for n in names if n not in BUILTIN_CONTEXTS]
    if unknown:
        raise InputError(
            None,
            f"unknown context(s) {', '.join(unknown)}; choose from {', '.join(BUILTIN_CONTEXTS)}",
        )
    if not (args.data / "omics").is_dir():
        raise InputError(
            args.data,
            "not the shared data folder (no omics/ sub-folder); pass --data ../shared/data",
        )
    holdout = [h.strip() for h in args.holdout.split(",") if h.strip()] if args.holdout else None
    if holdout and (
        names != ["pan"] or any(h not in BUILTIN_CONTEXTS or h == "pan" for h in holdout)
    ):
        raise InputError(
            None,
            "--holdout needs --contexts pan and single-cancer names, e.g. "
            "--contexts pan --holdout KIRC,SKCM,CESC,OV",
        )
    progress = None if args.quiet else _progress_printer()
    t0 = time.perf_counter()
    rows = build_all(
        args.data,
        args.out,
        contexts=names,
        progress=progress,
        kg_dir=args.kg,
        negatives=args.negatives,
        holdout=holdout,
    )
    print(format_tables(rows))
    print(f"\n{len(rows)} context(s) written to {args.out} in {time.perf_counter() - t0:.0f} s")
    return 0


def _show(args: argparse.Namespace) -> int:
    from ..data.build import format_tables
    from ..fileio import read_json

    info_path = args.folder / "context.json"
    if not info_path.exists():
        raise InputError(
            args.folder,
            "not a context folder (no context.json); pass DIR/NAME as written by "
            "`synleaf data build`",
        )
    info = read_json(info_path)
    meta = info.get("meta", {})
    row = meta.get("summary")
    if row is None:
        from ..data.build import summary_row
        from ..data.context import Context

        row = summary_row(Context.load(args.folder, omics=False))
    print(
        f"context {info['name']}: {info['num_genes']} genes x {info['num_samples']} samples, "
        f"omics {', '.join(info.get('omics_kinds', []))}; KG {info['kg']['num_entities']} entities, "
        f"{info['kg']['num_edges']} edges, {info['kg']['num_relations']} relations; seed {meta.get('seed')}"
    )
    print(format_tables([row]))
    if args.details:
        lab = meta.get("labels", {})
        print(
            f"\nlabels: {lab.get('rows_in')} pairs given, {lab.get('kept')} kept "
            f"({lab.get('positives')} +, {lab.get('negatives')} -), {lab.get('dropped')} dropped "
            f"({lab.get('dropped_positives')} +) for {lab.get('genes_out_count')} genes outside the "
            f"universe {lab.get('genes_out')}; duplicates merged: {lab.get('duplicates')}"
        )
        if "read" in lab:
            print(f"label files: {lab['read']}")
        kg = meta.get("kg", {})
        pw = kg.get("pathways", {})
        print(
            f"KG: {kg.get('edges_full')} edges -> {kg.get('edges_after_pathways')} after pathways "
            f"(kept {pw.get('kept_pathways')}, removed {pw.get('removed_pathways')}) -> {kg.get('edges')} "
            f"after removing {kg.get('edges_removed_genes')} edges of genes outside the universe"
        )
        for rel, (full, mid, final) in kg.get("per_relation", {}).items():
            print(f"  {rel:32s} {full:>9} {mid:>9} {final:>9}")
        print(f"universe: {meta.get('universe')}")
        if "negatives" in meta:
            print(f"generated negatives: {meta['negatives']}")
        for path, digest in meta.get("inputs", {}).items():
            print(f"input {digest[:16]}  {path}")
        for note in meta.get("source", {}).get("notes", []):
            print(f"note: {note}")
    return 0
