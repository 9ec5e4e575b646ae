"""Benchmark: build the nine built-in training contexts from ../shared/data.

Times :func:`synleaf_desktop.data.build.build_all` per context and phase (reading inputs,
building, saving) with wall seconds and peak RSS (polled every 20 ms), then prints the
per-context table of ``synleaf data build``.

Run: ``python -m tests.benchmarks.bench_data_build [--data ../shared/data] [--out DIR]
[--contexts BRCA,OV]`` (default output: a temporary folder, removed afterwards).
Prints figures only; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from synleaf_desktop.data.build import build_all, format_tables
from synleaf_desktop.data.sources import BUILTIN_CONTEXTS, load_kg
from synleaf_desktop.io.genes import default_resolver
from synleaf_desktop.progress import Progress
from tests.benchmarks._rss import RssPeak

MB = 1024 * 1024
REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument(
        "--out", type=Path, default=None, help="keep the contexts here (default: temporary)"
    )
    ap.add_argument("--contexts", default=None, help="comma-separated names (default: all nine)")
    args = ap.parse_args(argv)
    names = args.contexts.split(",") if args.contexts else list(BUILTIN_CONTEXTS)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_contexts_"))

    rss = RssPeak()
    t0 = time.perf_counter()
    resolver = default_resolver()
    kg = load_kg()
    setup_s, setup_peak = time.perf_counter() - t0, rss.take()
    print(f"setup (resolver + KG load): {setup_s:.1f} s, peak RSS {setup_peak / MB:.0f} MB")

    phases: dict[str, dict[str, float]] = {}
    state = {"ctx": None, "phase": None, "t": time.perf_counter()}

    def close_phase() -> None:
        if state["ctx"] is not None and state["phase"] is not None:
            rec = phases.setdefault(state["ctx"], {})
            rec[f"{state['phase']}_s"] = time.perf_counter() - state["t"]
            rec[f"{state['phase']}_peak_mb"] = rss.take() / MB

    def on_progress(fraction: float, message: str, info: dict) -> None:
        ctx, _, what = message.partition(": ")
        if ctx not in names:
            return
        if what == "saving":
            phase = "save"
        elif what.startswith("reading") or what in ("pooling", "inputs read"):
            phase = "read"
        else:
            phase = "build"
        if (ctx, phase) != (state["ctx"], state["phase"]):
            close_phase()
            state.update(ctx=ctx, phase=phase, t=time.perf_counter())

    def on_built(row: dict) -> None:
        close_phase()
        state.update(ctx=None, phase=None, t=time.perf_counter())

    t1 = time.perf_counter()
    rows = build_all(
        args.data,
        out,
        contexts=names,
        progress=Progress(on_progress),
        resolver=resolver,
        kg=kg,
        on_built=on_built,
    )
    total = time.perf_counter() - t1
    rss.stop()

    print(
        f"\n{'context':8s} {'read s':>7s} {'build s':>8s} {'save s':>7s} {'total s':>8s} "
        f"{'peak RSS MB (read/build/save)':>31s} {'on disk MB':>10s}"
    )
    for name in names:
        p = phases.get(name, {})
        tot = sum(p.get(f"{k}_s", 0.0) for k in ("read", "build", "save"))
        size = (
            sum(f.stat().st_size for f in (out / name).iterdir()) / MB
            if (out / name).exists()
            else 0.0
        )
        peaks = "/".join(f"{p.get(f'{k}_peak_mb', 0):.0f}" for k in ("read", "build", "save"))
        print(
            f"{name:8s} {p.get('read_s', 0):7.1f} {p.get('build_s', 0):8.1f} {p.get('save_s', 0):7.1f} "
            f"{tot:8.1f} {peaks:>31s} {size:10.1f}"
        )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nall {len(names)} contexts: {total:.1f} s wall; process peak RSS {max_rss:.0f} MB (ru_maxrss)\n"
    )
    print(format_tables(rows))
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
