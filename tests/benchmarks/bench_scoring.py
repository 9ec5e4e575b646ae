"""Benchmark: bundles and the numpy scoring engine at realistic size.

Writes nine synthetic bundles (BRCA ... pan; UMT or UME as in the reproduction's CV2
selections; ~18k genes, 5 folds, float16 UMT terms) to a temporary folder through the real
writer, then measures:

1. bundle sizes (UME and UMT, 5 folds, fp16) and what a 150 MB ``bundled_models/`` budget allows;
2. cold start, in a fresh subprocess: import + load all nine bundles ready to score (first
   with checksums hashed, then with the verification cache), plus the first pair lookup (which
   loads the gene-name resolver); checks that ``torch`` was never imported;
3. one pair across the nine contexts (median / p95 over random pairs);
4. partners of one gene across the nine contexts (``cross_context``): first call (includes the
   float16 -> float32 materialisation of the UMT terms) and warm calls;
5. genome-wide scoring of one UME and one UMT context (all ~1.6e8 pairs, top 1000), each in a
   fresh subprocess: pairs/s and peak RSS.

Run: ``python -m tests.benchmarks.bench_scoring [--genes 18000] [--threads N] [--skip-genome]
[--keep DIR] [--bundles bundled_models]``; ``--bundles`` measures a copy of real bundles (as
many folds as they ship) instead of the synthetic set. Prints figures only; asserts nothing about time. Page cache is warm (the
bundles were just written); a cold disk adds read time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
MB = 1e6


def _rss_mb() -> float:
    """Peak RSS of this process in MB: VmHWM (reset by exec, unlike ru_maxrss, which a child
    started by subprocess inherits from its parent on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_set(root: Path, n_genes: int) -> dict[str, float]:
    from synleaf_desktop.bundle.format import BUILTIN_ORDER
    from tests.bundle_fixtures import make_bundle_set

    t = time.perf_counter()
    make_bundle_set(root, n_genes=n_genes, n_folds=5, dtype="float16", drop_fraction=0.005)
    print(f"wrote nine bundles of ~{n_genes} genes in {time.perf_counter() - t:.1f} s -> {root}")
    sizes = {}
    for name in BUILTIN_ORDER:
        m = json.loads((root / name / "manifest.json").read_text())
        sizes[name] = sum(p.stat().st_size for p in (root / name).iterdir()) / MB
        print(
            f"  {name:5s} {m['strategy']}  genes {m['n_genes']}  folds {m['folds_shipped']}/{m['folds_trained']}"
            f"  {sizes[name]:6.1f} MB  (model.npz {m['files']['model.npz']['bytes'] / MB:.1f} MB"
            + (
                f", split_pairs {m['files']['split_pairs.npz']['bytes'] / MB:.2f} MB"
                if "split_pairs.npz" in m["files"]
                else ""
            )
            + (
                f"; fp16 max |diff| {m['dtype_check']['max_abs_diff']:.1e}"
                if m.get("dtype_check")
                else ""
            )
            + ")"
        )
    return sizes


def budget_report(sizes: dict[str, float], n_genes: int, total_mb: float = 150.0) -> None:
    from tests.bundle_fixtures import DEFAULT_STRATEGIES

    umt = [n for n in sizes if DEFAULT_STRATEGIES.get(n) == "umt"]
    ume_total = sum(v for n, v in sizes.items() if n not in umt)
    per_fold = 2 * n_genes * 128 * 2 / MB
    fixed_umt = statistics.mean(sizes[n] - 5 * per_fold for n in umt)
    per_bundle = (total_mb - ume_total) / len(umt)
    fit = int((per_bundle - fixed_umt) // per_fold)
    print(
        f"all nine, 5 folds each: {sum(sizes.values()):.1f} MB (budget {total_mb:.0f} MB); UME total "
        f"{ume_total:.1f} MB; one UMT fold = {per_fold:.1f} MB fp16"
    )
    print(
        f"  with {total_mb:.0f} MB shared equally by the {len(umt)} UMT bundles ({per_bundle:.1f} MB each): "
        f"{min(fit, 5)} UMT folds per bundle fit (write_bundle(size_budget_bytes=...) ships the first n)"
    )


COLD = r"""
import json, sys, time
t0 = time.perf_counter()
from synleaf_desktop.bundle.registry import Registry
from synleaf_desktop.scoring import ScoringEngine
t1 = time.perf_counter()
engine = ScoringEngine.from_registry(Registry(sys.argv[1], sys.argv[2]))
t2 = time.perf_counter()
res = engine.score_pair("BRCA1", "RAD51")
t3 = time.perf_counter()
res = engine.score_pair("brca1", "5888")  # an alias-case symbol and an Entrez ID (RAD51)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first_pair": t3 - t2, "first_alias_pair": t4 - t3,
                  "contexts": len(engine.contexts),
                  "torch_loaded": any(m.split(".")[0] in ("torch", "torch_geometric") for m in sys.modules)}))
"""


def cold_start(root: Path, cache: Path) -> None:
    # make the files old enough for the verification cache (fresh files are always re-hashed)
    old = time.time() - 3600
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (old, old))
    env = dict(
        os.environ,
        SYNLEAF_USER_CACHE=str(cache),
        SYNLEAF_USER_DATA=str(cache / "data"),
        PYTHONPATH=str(REPO),
    )
    for label in ("hash (first run)", "verification cache"):
        t = time.perf_counter()
        res = subprocess.run(
            [sys.executable, "-c", COLD, str(root), str(cache / "no_user_models")],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=600,
        )
        wall = time.perf_counter() - t
        if res.returncode:
            print(res.stderr)
            raise SystemExit(1)
        d = json.loads(res.stdout)
        print(
            f"cold start [{label}]: process wall {wall:.2f} s; import {d['import']:.3f} s, load "
            f"{d['contexts']} bundles {d['load']:.3f} s; first pair by symbols {1e3 * d['first_pair']:.1f} ms "
            f"(ready: {d['import'] + d['load'] + d['first_pair']:.3f} s); first pair by alias/Entrez "
            f"{d['first_alias_pair']:.3f} s (loads the gene resolver); torch imported: {d['torch_loaded']}"
        )


def in_process(root: Path, n_pairs: int = 200) -> None:
    from synleaf_desktop.bundle.registry import Registry
    from synleaf_desktop.scoring import ScoringEngine

    engine = ScoringEngine.from_registry(Registry(root, root / "no_user_models"), verify=False)
    engine.resolver  # noqa: B018  load it outside the timings
    genes = engine.bundle("pan").genes
    rng = np.random.default_rng(0)
    picks = rng.choice(len(genes), size=(n_pairs, 2))
    times = []
    for a, b in picks:
        t = time.perf_counter()
        engine.score_pair(str(genes[a]), str(genes[b]))
        times.append(time.perf_counter() - t)
    times.sort()
    print(
        f"pair lookup, nine contexts: median {1e3 * statistics.median(times):.2f} ms, p95 "
        f"{1e3 * times[int(0.95 * len(times))]:.2f} ms ({n_pairs} random pairs)"
    )
    t = time.perf_counter()
    engine.cross_context("BRCA1", top=50)
    first = time.perf_counter() - t
    engine.release_cache()
    t = time.perf_counter()
    engine.warm_up()
    warm_up = time.perf_counter() - t
    warm = []
    for g in ("TP53", "ATM", "PARP1", "KRAS", "MYC", "PTEN", "CHEK1", "ATR"):
        t = time.perf_counter()
        engine.cross_context(g, top=50)
        warm.append(time.perf_counter() - t)
    t = time.perf_counter()
    engine.partners("BRCA1", top=50)
    part = time.perf_counter() - t
    print(
        f"partners across nine contexts (cross_context, top 50 each): first call {1e3 * first:.0f} ms "
        f"(includes fp16->fp32 materialisation of the UMT terms; engine.warm_up() alone {1e3 * warm_up:.0f} ms), "
        f"warm median {1e3 * statistics.median(warm):.0f} ms"
        f" (min {1e3 * min(warm):.0f}); partners() warm {1e3 * part:.0f} ms; peak RSS {_rss_mb():.0f} MB"
    )


GENOME = r"""
import json, sys, time
from tests.benchmarks.bench_scoring import _rss_mb
from synleaf_desktop.bundle.format import Bundle
from synleaf_desktop.scoring import ScoringEngine
engine = ScoringEngine([Bundle.load(sys.argv[1], verify=False)])
threads = int(sys.argv[3]) or None
t = time.perf_counter()
s = engine.genome_wide(engine.contexts[0], sys.argv[2], top=1000, n_threads=threads)
s["wall"] = time.perf_counter() - t
s["peak_rss_mb"] = _rss_mb()
print(json.dumps(s))
"""


def kernel(root: Path, rows: int = 48) -> None:
    """Single-thread speed of the block kernels (no thread pool, no selection, no file)."""
    from synleaf_desktop.bundle.format import Bundle
    from synleaf_desktop.scoring.context import ContextScorer, single_thread_blas

    strategies = _strategies(root)
    for name in [
        next((n for n in ("LUAD", "BRCA", *strategies) if strategies.get(n) == s), None)
        for s in ("ume", "umt")
    ]:
        if name is None:
            continue
        sc = ContextScorer(Bundle.load(root / name, verify=False))
        sc.block(0, 2, 1)  # materialise / warm up
        with single_thread_blas():
            t = time.perf_counter()
            sc.block(100, 100 + rows, 101)
            dt = time.perf_counter() - t
        n = rows * (sc.n_genes - 101)
        print(
            f"block kernel {name} ({sc.strategy}), one thread: {n / dt / 1e6:.2f} M pairs/s "
            f"({n:,} pairs in {dt:.2f} s)"
        )


def _strategies(root: Path) -> dict[str, str]:
    return {
        d.name: json.loads((d / "manifest.json").read_text())["strategy"]
        for d in sorted(root.iterdir())
        if (d / "manifest.json").exists()
    }


def genome(root: Path, threads: int) -> None:
    strategies = _strategies(root)
    picks = [
        next((n for n in ("LUAD", "BRCA", *strategies) if strategies.get(n) == s), None)
        for s in ("ume", "umt")
    ]
    for name in [n for n in picks if n]:  # one UME and one UMT context
        out = root / f"genome_{name}.tsv"
        res = subprocess.run(
            [sys.executable, "-c", GENOME, str(root / name), str(out), str(threads)],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=dict(os.environ, PYTHONPATH=str(REPO)),
            timeout=3600,
        )
        if res.returncode:
            print(res.stderr)
            raise SystemExit(1)
        d = json.loads(res.stdout.strip().splitlines()[-1])
        print(
            f"genome-wide {name} ({strategies[name]}, {d['folds']} folds, {d['n_genes']} genes): "
            f"{d['pairs']:,} pairs in {d['seconds']:.1f} s = {d['pairs_per_second'] / 1e6:.2f} M pairs/s with "
            f"{d['threads']} threads; peak RSS {d['peak_rss_mb']:.0f} MB; top-1000 min score "
            f"{d['min_written_score']:.4f}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--genes", type=int, default=18000)
    p.add_argument(
        "--threads", type=int, default=0, help="genome-wide worker threads (0 = default)"
    )
    p.add_argument("--skip-genome", action="store_true")
    p.add_argument(
        "--keep", type=Path, default=None, help="write (or reuse) the bundles here and keep them"
    )
    p.add_argument(
        "--bundles", type=Path, default=None, help="measure a copy of these real bundles"
    )
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="synleaf_bench_scoring_"))
    root = args.keep or tmp / "bundled_models"
    try:
        print(
            f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; numpy {np.__version__}"
        )
        if args.bundles is not None:
            shutil.copytree(
                args.bundles, root, ignore=shutil.ignore_patterns("evaluation", "*.md", "*.csv")
            )
            for name, strat in _strategies(root).items():
                m = json.loads((root / name / "manifest.json").read_text())
                size = sum(f.stat().st_size for f in (root / name).iterdir()) / MB
                print(
                    f"  {name:5s} {strat}  genes {m['n_genes']}  folds {m['folds_shipped']}/{m['folds_trained']}"
                    f"  {size:6.1f} MB"
                )
        elif not (root / "pan" / "manifest.json").exists():
            sizes = write_set(root, args.genes)
        else:
            sizes = {
                d.name: sum(f.stat().st_size for f in d.iterdir()) / MB
                for d in root.iterdir()
                if d.is_dir()
            }
            print(f"reusing bundles in {root}")
        if args.bundles is None:
            budget_report(sizes, args.genes)
        cold_start(root, tmp / "cache")
        in_process(root)
        kernel(root)
        if not args.skip_genome:
            genome(root, args.threads)
        print(f"load average now {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
