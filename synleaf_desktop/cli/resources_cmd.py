"""``synleaf resources build``: derive the shipped gene table, coordinates and graph."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from .. import paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resources", help="build the shipped resources from ../shared/data")
    s = p.add_subparsers(dest="resources_command", metavar="ACTION")
    b = s.add_parser(
        "build",
        help="derive resources/ (gene table, gene coordinates, knowledge graph, known-pairs table)",
    )
    b.add_argument(
        "--data", required=True, type=Path, help="the shared data folder (../shared/data)"
    )
    b.add_argument(
        "--out",
        type=Path,
        default=None,
        help="resources folder (default: the source tree's; required in an installed copy)",
    )
    b.add_argument(
        "--only",
        choices=["genes", "coords", "kg", "known-pairs"],
        action="append",
        help="build only these parts (repeatable)",
    )
    b.set_defaults(func=_build)


def _build(args: argparse.Namespace) -> int:
    out = args.out or paths.resources_out_dir()
    parts = args.only or ["genes", "coords", "kg", "known-pairs"]
    if "genes" in parts:
        from ..io.genes import build_gene_table

        for name, n in build_gene_table(args.data / "kg", out).items():
            print(f"{name}: {n} rows")
    if "coords" in parts:
        coords = importlib.import_module("synleaf_desktop.io.coords")
        for name, n in coords.build_coordinates(args.data, out).items():
            print(f"{name}: {n} rows")
    if "known-pairs" in parts:
        from ..io.genes import load_resolver
        from ..io.known_pairs import build_known_pairs

        # resolve with the gene table being written (or the shipped one)
        resolver = load_resolver(out) if (Path(out) / "genes" / "genes.tsv.gz").is_file() else None
        r = build_known_pairs(args.data / "labels", out, resolver=resolver)
        print(
            f"{r['path']}: {r['rows']} rows, {r['pairs']} pairs ({r['synlethdb_rows']} SynLethDB rows, "
            f"{r['elisl_rows']} ELISL rows, {r['dropped']} unresolvable or self-pairs dropped), "
            f"{r['bytes'] / 1e6:.2f} MB"
        )
    if "kg" in parts:
        kg = importlib.import_module("synleaf_desktop.io.kg")
        graph = kg.build_annotation_kg(args.data / "kg")
        dest = graph.save(Path(out) / "kg")
        print(
            f"kg: {graph.num_entities} entities, {graph.num_edges} edges, "
            f"{graph.num_relations} relations -> {dest}"
        )
    return 0
