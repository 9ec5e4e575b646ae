"""``synleaf resources build``: derive the shipped gene table, coordinates and graph."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from .. import paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resources", help="build the shipped resources from ../shared/data")
    s = p.add_subparsers(dest="resources_command", metavar="ACTION")
    b = s.add_parser("build", help="derive resources/ (gene table, gene coordinates, knowledge graph)")
    b.add_argument("--data", required=True, type=Path, help="the shared data folder (../shared/data)")
    b.add_argument("--out", type=Path, default=None, help="resources folder (default: the shipped one)")
    b.add_argument("--only", choices=["genes", "coords", "kg"], action="append",
                   help="build only these parts (repeatable)")
    b.set_defaults(func=_build)


def _build(args: argparse.Namespace) -> int:
    out = args.out or paths.resources_dir()
    parts = args.only or ["genes", "coords", "kg"]
    if "genes" in parts:
        from ..io.genes import build_gene_table

        for name, n in build_gene_table(args.data / "kg", out).items():
            print(f"{name}: {n} rows")
    if "coords" in parts:
        coords = importlib.import_module("synleaf_desktop.io.coords")
        for name, n in coords.build_coordinates(args.data, out).items():
            print(f"{name}: {n} rows")
    if "kg" in parts:
        kg = importlib.import_module("synleaf_desktop.io.kg")
        graph = kg.build_annotation_kg(args.data / "kg")
        dest = graph.save(Path(out) / "kg")
        print(f"kg: {graph.num_entities} entities, {graph.num_edges} edges, "
              f"{graph.num_relations} relations -> {dest}")
    return 0
