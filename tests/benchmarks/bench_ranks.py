"""Benchmark (science): are scores comparable between contexts? Raw scores against genome-wide ranks.

For each installed context, the same seeded sample of random gene pairs (default 3,000; pairs of
two different genes of the context's universe) is scored, and the raw score is set beside the
genome-wide rank (:mod:`synleaf_desktop.scoring.calibration`): with raw scores the median random
pair differs wildly between contexts; with ranks it sits near the 50th percentile everywhere, so
heatmap colours and cross-context orderings compare like with like. Also prints a few known SL
pairs in every context, raw and ranked.

Run: ``python -m tests.benchmarks.bench_ranks [--pairs 3000]``. Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

EXAMPLES = (("RAD51", "BRCA1"), ("PARP1", "BRCA2"), ("PARP1", "ATM"))


def main(argv: list[str] | None = None) -> int:
    from synleaf_desktop.bundle.registry import Registry
    from synleaf_desktop.scoring import ScoringEngine
    from synleaf_desktop.scoring.calibration import describe_top

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pairs", type=int, default=3000)
    args = p.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)  # contexts without a rank map print nan
    engine = ScoringEngine.from_registry(Registry())
    print(f"{args.pairs} random pairs per context (seed 0)")
    print(
        f"{'context':8} {'raw median':>10} {'raw p99':>8} {'raw > 0.5':>9} | {'pct median':>10} {'pct p99':>8} "
        f"{'in top 1 %':>10} {'held-out SL median pct':>22}"
    )
    for name in engine.contexts:
        sc = engine._scorers[name]
        rng = np.random.default_rng(0)
        i = rng.integers(0, sc.n_genes, args.pairs)
        j = rng.integers(0, sc.n_genes - 1, args.pairs)
        j = j + (j >= i)
        s = sc.pairs(i, j)["folds"].mean(axis=0)
        rk = engine.ranks(name, s)
        cal = engine.calibration(name)
        held = (
            f"{np.median(cal.percentile(cal.heldout)):22.1f}"
            if cal is not None and cal.n_heldout
            else f"{'-':>22}"
        )
        print(
            f"{name:8} {np.median(s):10.3f} {np.percentile(s, 99):8.3f} {np.mean(s > 0.5):9.1%} | "
            f"{np.nanmedian(rk['percentile']):10.1f} {np.nanpercentile(rk['percentile'], 99):8.2f} "
            f"{np.nanmean(rk['top_fraction'] <= 0.01):10.1%} {held}"
        )
    print("\nknown SL pairs: raw score / genome-wide rank / held-out recall")
    for a, b in EXAMPLES:
        res = engine.score_pair(a, b)
        cells = []
        for name, cs in res.contexts.items():
            if cs.score is None:
                cells.append(f"{name} -")
            else:
                rec = "-" if cs.heldout_recall is None else f"{cs.heldout_recall:.2f}"
                cells.append(f"{name} {cs.score:.3f}/{describe_top(cs.top_fraction)}/{rec}")
        print(f"{a} x {b}: " + "; ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
