"""``synleaf library``: the user's imported data (the same library as the app's), from the
command line: list it, import into it, and train a model from it.

- ``synleaf library list [--json]``: the cohorts, label tables and graphs imported so far;
- ``synleaf library import PATH... [--name NAME]``: recognise the paths (a study folder or omics
  files, a label table, a knowledge graph; the app's format registry), read them and save them;
  prints what was recognised, as the app's preview does;
- ``synleaf library train NAME --cohort C --labels L [--cancer X] [--graph G] [--base MODEL]
  [--quick] [--device cpu|cuda:N] [--set "max_epochs=50; ..."]``: train a model from library
  entries and install it as one of your models, exactly as the app's training tab does
  (:func:`synleaf_desktop.app.training.run_training`: same settings, manifest and evidence).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "library", help="your imported cohorts, label tables and graphs; train a model from them"
    )
    s = p.add_subparsers(dest="library_action", metavar="ACTION")
    ls = s.add_parser("list", help="what has been imported (the app's library)")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=_list)
    imp = s.add_parser("import", help="import a study, a label table or a knowledge graph")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--name", default=None, help="store it under this name (one kind at a time)")
    imp.set_defaults(func=_import)
    tr = s.add_parser(
        "train",
        help="train a model from library entries and install it as one of your models",
    )
    tr.add_argument("name", help="the new model's name (letters, digits, _ . + -)")
    tr.add_argument("--cohort", required=True, help="an imported cohort (see `library list`)")
    tr.add_argument("--labels", required=True, help="an imported label table")
    tr.add_argument("--cancer", default="", help="use only the label rows of this cancer")
    tr.add_argument("--graph", default=None, help="an imported graph (default: the built-in one)")
    tr.add_argument("--base", default=None, help="a model trained here to fine-tune from")
    tr.add_argument("--quick", action="store_true", help="1 fold and few epochs: a first look")
    tr.add_argument("--device", default="cpu", help="cpu (default) or cuda:N")
    tr.add_argument(
        "--set",
        dest="settings",
        default="",
        metavar="SETTINGS",
        help='training settings as in the app, e.g. "max_epochs=50; hidden_dims=256,128"',
    )
    tr.add_argument("--quiet", action="store_true", help="no progress lines")
    tr.set_defaults(func=_train)
    p.set_defaults(func=lambda a: (p.print_help(), 1)[1])


def _printer(quiet: bool) -> Progress:
    last = [""]

    def show(fraction: float, message: str, info: dict[str, Any]) -> None:
        if not quiet and message and message != last[0]:
            last[0] = message
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    return Progress(show)


def _list(args: argparse.Namespace) -> int:
    from ..app.library import KINDS, Library

    lib = Library()
    entries = {k: lib.list(k) for k in KINDS}
    if args.json:
        out = {
            k: [{"name": e.name, "summary": e.info.get("summary_line", "")} for e in v]
            for k, v in entries.items()
        }
        print(json.dumps(out, indent=2))
        return 0
    for kind, items in entries.items():
        print(f"{kind}: {len(items)}")
        for e in items:
            print(f"  {e.label}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from ..app.imports import read_import
    from ..app.library import Library
    from ..app.lookup import save_import
    from ..io.formats import KIND_TITLES, group_paths

    groups = group_paths(args.paths)
    if args.name and len(groups) > 1:
        raise InputError(None, "--name works with one kind of input at a time")
    lib = Library()
    for kind, paths in groups.items():
        result = read_import(_printer(False), kind, paths)
        summary = {k: v for k, v in result.summary.items() if k != "omics"}
        print(f"{KIND_TITLES[kind]}: {json.dumps(summary, default=str)[:400]}")
        folder = {"study": "cohorts", "labels": "labels", "graph": "graphs"}[kind]
        name = lib.unique_name(folder, args.name or result.name)  # never replaces an entry
        stored, entry, _ = save_import(_printer(True), lib, result, name)
        print(f"saved {stored}/{entry}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from ..app.library import Library
    from ..app.training import BUILTIN_GRAPH, TrainRequest, parse_settings, run_training
    from ..bundle.registry import Registry

    req = TrainRequest(
        name=args.name,
        cohort=args.cohort,
        labels=args.labels,
        cancer=args.cancer,
        graph=args.graph or BUILTIN_GRAPH,
        base_model=args.base,
        device=args.device,
        quick=args.quick,
        config=parse_settings(args.settings) or None,
    )
    lib = Library()
    for kind, name in (("cohorts", req.cohort), ("labels", req.labels)) + (
        (("graphs", req.graph),) if req.graph != BUILTIN_GRAPH else ()
    ):
        if not lib.exists(kind, name):
            have = ", ".join(e.name for e in lib.list(kind)) or "none"
            raise InputError(None, f"no {kind[:-1]} named {name!r} in your library; have: {have}")
    problem = req.problem(existing=Registry().names())
    if problem:
        raise InputError(None, problem)
    name = run_training(_printer(args.quiet), req, lib)
    print(f"model {name} installed; score with: synleaf score GENE_A GENE_B --contexts {name}")
    return 0
