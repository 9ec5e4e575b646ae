"""``synleaf bundle build``: train (resumably) and write the deployable bundles."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ..progress import Progress

#: kept out of the UMT size budget per context for calibration.npz and evidence.npz
RESERVE_BYTES = 1_500_000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bundle", help="build deployable model bundles")
    s = p.add_subparsers(dest="bundle_command", metavar="ACTION")
    b = s.add_parser(
        "build",
        help="train the CV2 folds of each context (resumable) and write its bundle",
        description="Builds missing contexts from --data, trains the CV2 folds 1-5 of each "
        "context (folds already in --runs are reused), selects UMT or UME by mean "
        "validation AUC and writes one bundle per context into --out.",
    )
    b.add_argument(
        "--data", required=True, type=Path, help="the shared data folder (../shared/data)"
    )
    b.add_argument("--out", required=True, type=Path, help="bundle root, e.g. bundled_models")
    b.add_argument(
        "--contexts-dir",
        type=Path,
        default=Path("cache/contexts"),
        help="training contexts cache (built from --data when missing; default cache/contexts)",
    )
    b.add_argument(
        "--runs", type=Path, default=Path("runs"), help="training runs folder (default runs)"
    )
    b.add_argument(
        "--contexts",
        default=None,
        help="comma list (default: BRCA,CESC,COAD,KIRC,LAML,LUAD,OV,SKCM,pan)",
    )
    b.add_argument("--device", default="auto", help="auto | cpu | cuda[:N] | mps")
    b.add_argument(
        "--budget-mb", type=float, default=150.0, help="size budget of all bundles together (MB)"
    )
    b.add_argument(
        "--dtype",
        choices=["int8-lowrank", "float16", "float32"],
        default="int8-lowrank",
        help="storage of the UMT terms (default int8-lowrank: about 4x smaller than float16; the "
        "manifest's dtype_check gives the measured score change)",
    )
    b.add_argument("--no-train", action="store_true", help="only write bundles from finished runs")
    b.set_defaults(func=_build)
    f = s.add_parser(
        "finish",
        help="(re)compute the ranks, held-out recall and evidence of written bundles",
        description="Adds calibration.npz (genome-wide rank map, held-out recall, typical ranks) to "
        "existing bundle folders from their own models and split pairs, and rewrites "
        "their model cards; `bundle build` does this for every bundle it writes. No "
        "retraining.",
    )
    f.add_argument("--out", required=True, type=Path, help="bundle root, e.g. bundled_models")
    f.add_argument("--contexts", required=True, help="comma list of bundle folders under --out")
    f.add_argument(
        "--threads", type=int, default=None, help="scoring threads (default: CPU count, at most 8)"
    )
    f.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the shared data folder: also (re)compute the built-in contexts' cohort evidence",
    )
    f.set_defaults(func=_finish)


def _finish(args: argparse.Namespace) -> int:
    from ..app.bundles import builtin_evidence, finish_bundle

    def show(fraction: float, message: str, info: dict) -> None:
        print(f"[{100 * fraction:5.1f}%] {message}", file=sys.stderr, flush=True)

    for name in [c.strip() for c in args.contexts.split(",") if c.strip()]:
        folder = args.out / name
        if Path(name).name != name or not (folder / "manifest.json").is_file():
            raise InputError(folder, "not a bundle folder under --out")
        res = finish_bundle(
            folder,
            Progress(show, min_interval=5.0),
            n_threads=args.threads,
            evidence=builtin_evidence(args.data) if args.data else None,
        )
        c = res["calibration"]
        err = c["rank_error"]
        print(
            f"{name}: {c['n_pairs']:,} pairs ranked in {c['seconds']['total']:.0f} s; rank-map error "
            f"{err['max_top_1pct']:.2g} (top 1 %) / {err['max_rest']:.2g} percentile points; "
            f"{c['heldout_n']} held-out SL pairs"
        )
    return 0


def _build(args: argparse.Namespace) -> int:
    from ..bundle.build import build_bundles

    names = [c.strip() for c in args.contexts.split(",") if c.strip()] if args.contexts else None

    def show(fraction: float, message: str, info: dict) -> None:
        if info.get("stage") and info.get("epoch"):
            return
        print(f"[{100 * fraction:5.1f}%] {message}", file=sys.stderr, flush=True)

    from ..app.bundles import builtin_evidence, finish_bundle

    def finish(folder: Path, context: object, progress: Progress) -> None:
        finish_bundle(folder, progress, evidence=builtin_evidence(args.data))

    rows = build_bundles(
        args.data,
        args.out,
        args.contexts_dir,
        args.runs,
        contexts=names,
        device=args.device,
        budget_mb=args.budget_mb,
        dtype=args.dtype,
        train=not args.no_train,
        progress=Progress(show, min_interval=5.0),
        finish=finish,
        reserve_bytes=RESERVE_BYTES,
    )
    total = sum(r["size_mb"] for r in rows)
    print(f"{'context':8} {'strategy':8} {'folds':>7} {'MB':>7}  headline")
    for r in rows:
        h = r["headline"]
        print(
            f"{r['name']:8} {r['strategy']:8} {r['folds_shipped']}/{r['folds_trained']:<5} {r['size_mb']:7.1f}  "
            + ", ".join(
                f"{k} {h[k]:.4f}" for k in ("val_auc", "test_auc") if isinstance(h.get(k), float)
            )
        )
    print(f"total {total:.1f} MB")
    return 0
