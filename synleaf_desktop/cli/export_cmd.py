"""``synleaf export genome-wide``: score every pair of one context (format: see score_cmd)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..progress import Progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export score tables (genome-wide pairs of one context)")
    s = p.add_subparsers(dest="export_command", metavar="WHAT")
    g = s.add_parser(
        "genome-wide",
        help="every unordered gene pair of one context: top N or score >= T",
        description="Score all ~G^2/2 pairs of a context (1.6e8 for 18k genes) and write the "
        "top N and/or every pair with score >= T to a TSV.",
    )
    g.add_argument("--context", required=True, metavar="C")
    g.add_argument(
        "--top", type=int, default=None, metavar="N", help="keep the N best pairs (sorted)"
    )
    g.add_argument(
        "--threshold", type=float, default=None, metavar="T", help="keep pairs with score >= T"
    )
    g.add_argument(
        "--top-fraction",
        type=float,
        default=None,
        metavar="F",
        help="keep pairs in the top F of the context's genome-wide ranking (e.g. 0.0001 = top 0.01 %%; "
        "needs a bundle with a rank map)",
    )
    g.add_argument("--out", type=Path, required=True, metavar="FILE.tsv")
    g.add_argument(
        "--threads", type=int, default=None, help="worker threads (default: CPU count, max 8)"
    )
    g.add_argument(
        "--labels",
        type=Path,
        action="append",
        default=None,
        metavar="FILE",
        help="label file(s) for the known_label column; repeatable",
    )
    g.set_defaults(func=_genome_wide)
    p.set_defaults(func=lambda a: (p.print_help(), 1)[1])


class _StderrProgress:
    """Progress callback printing one updating line (or a line every 10% when not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last_decile = -1
        self.t0 = time.monotonic()

    def __call__(self, fraction: float, message: str, info: dict[str, Any]) -> None:
        text = f"{message}  {100 * fraction:5.1f}%  {time.monotonic() - self.t0:6.1f}s"
        if self.tty:
            print("\r" + text, end="", file=sys.stderr, flush=True)
            if fraction >= 1.0:
                print(file=sys.stderr)
        else:
            decile = int(fraction * 10)
            if decile != self.last_decile:
                self.last_decile = decile
                print(text, file=sys.stderr, flush=True)


def _genome_wide(args: argparse.Namespace) -> int:
    from .score_cmd import load_engine

    if args.top is None and args.threshold is None and args.top_fraction is None:
        raise InputError(None, "give --top N, --threshold T and/or --top-fraction F")
    if args.top_fraction is not None and args.threshold is not None:
        raise InputError(None, "give --threshold T or --top-fraction F, not both")
    if args.top_fraction is not None and not 0.0 < args.top_fraction <= 1.0:
        raise InputError(None, "--top-fraction must be in (0, 1], e.g. 0.001 for the top 0.1 %")
    if args.top is not None and args.top < 1:
        raise InputError(None, "--top must be at least 1")
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise InputError(None, "--threshold must be between 0 and 1")
    engine = load_engine(args.labels, args.context)
    name = engine.select(args.context)[0]
    if args.top_fraction is not None:
        cal = engine.calibration(name)
        if cal is None:
            raise InputError(
                None,
                f"{name} has no rank map (an older bundle): use --threshold or --top, or "
                f"`synleaf bundle finish` on its folder",
            )
        args.threshold = cal.score_at_top_fraction(args.top_fraction)
        print(
            f"{name}: top {100 * args.top_fraction:g} % of the ranking = score >= {args.threshold:.6f}",
            file=sys.stderr,
        )
    progress = Progress(_StderrProgress(), min_interval=0.5 if sys.stderr.isatty() else 0.0)
    summary = engine.genome_wide(
        name,
        args.out,
        top=args.top,
        threshold=args.threshold,
        progress=progress,
        n_threads=args.threads,
    )
    print(
        f"{name}: wrote {summary['written']:,} pairs to {summary['out']} ({summary['pairs']:,} pairs scored in "
        f"{summary['seconds']:.1f} s, {summary['pairs_per_second'] / 1e6:.2f} M pairs/s, "
        f"{summary['threads']} threads)",
        file=sys.stderr,
    )
    return 0
