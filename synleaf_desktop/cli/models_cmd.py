"""``synleaf models``: list, add, remove and show the installed models (formats: see score_cmd)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list, add or remove scoring models (bundled and user)")
    s = p.add_subparsers(dest="models_command", metavar="ACTION")
    ls = s.add_parser("list", help="installed models with their headline metrics")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=_list)
    add = s.add_parser(
        "add", help="install a model bundle folder as a user model (verified, copied)"
    )
    add.add_argument("folder", type=Path, metavar="FOLDER")
    add.add_argument(
        "--name", default=None, help="install under this name (default: the bundle's name)"
    )
    add.add_argument(
        "--overwrite", action="store_true", help="replace a user model of the same name"
    )
    add.set_defaults(func=_add)
    rm = s.add_parser("remove", help="delete a user model")
    rm.add_argument("name", metavar="NAME")
    rm.set_defaults(func=_remove)
    show = s.add_parser("show", help="print a model's manifest (JSON)")
    show.add_argument("name", metavar="NAME")
    show.set_defaults(func=_show)
    p.set_defaults(func=lambda a: (p.print_help(), 1)[1])


def _registry():
    from ..bundle.registry import Registry

    return Registry()


def _fmt(x: object, nd: int = 3) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def _list(args: argparse.Namespace) -> int:
    from ..scoring.engine import BUILD_HINT

    reg = _registry()
    models = reg.list()
    for msg in reg.recovered:
        print(f"note: {msg}", file=sys.stderr)
    for folder, msg in reg.problems:
        print(f"warning: skipped {folder}: {msg}", file=sys.stderr)
    if args.json:
        print(json.dumps([m.to_dict() for m in models], indent=2))
    elif models:
        rows = [
            [
                m.name,
                m.kind,
                m.strategy,
                _fmt(m.headline.get("val_auc")),
                _fmt(m.headline.get("test_auc")),
                ",".join(m.omics) or "-",
                str(m.n_genes),
                f"{m.folds_shipped}/{m.folds_trained}",
                f"{m.size_bytes / 1e6:.1f}",
            ]
            for m in models
        ]
        header = [
            "name",
            "kind",
            "strategy",
            "val_auc",
            "test_auc",
            "omics",
            "genes",
            "folds",
            "size_mb",
        ]
        widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
        for r in [header, *rows]:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    if not models:
        print(f"error: {BUILD_HINT}", file=sys.stderr)
        return 2
    return 0


def _add(args: argparse.Namespace) -> int:
    info = _registry().add_user_bundle(args.folder, name=args.name, overwrite=args.overwrite)
    print(
        f"added user model {info.name} ({info.strategy}, {info.n_genes} genes, "
        f"{info.folds_shipped}/{info.folds_trained} folds) -> {info.folder}"
    )
    return 0


def _remove(args: argparse.Namespace) -> int:
    try:
        folder = _registry().remove_user_bundle(args.name)
    except KeyError as exc:
        raise InputError(None, str(exc.args[0])) from None
    print(f"removed user model {args.name} ({folder})")
    return 0


def _show(args: argparse.Namespace) -> int:
    try:
        info = _registry().get(args.name)
    except KeyError as exc:
        raise InputError(None, str(exc.args[0])) from None
    print(json.dumps({"kind": info.kind, "folder": str(info.folder), **info.manifest}, indent=2))
    return 0
