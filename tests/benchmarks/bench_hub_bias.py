"""Benchmark (science): do the bundled models score well-studied genes high with *any* partner?

For each bundled context, every gene is scored against the same random sample of partner
genes (both orders, mean over the shipped folds, as the app scores). A gene's *mean partner
score* is then compared with whether it has a known SL partner in the bundle's own labelled
pairs (``split_pairs.npz``: train, validation and test pairs of every fold):

- Spearman rho between the mean partner score and the number of known SL partners;
- enrichment: the share of genes with a known SL partner among the 200 highest-mean genes,
  against their share among all genes.

A model that scores pairs on their specific biology would rank genes by mean partner score
with little relation to how many SL partners they have in the literature. A strong enrichment
means a gene's score partly says "this gene is a known SL gene". This is the bias the README's
limitations describe. The same is printed for the omics-only and KG-only teachers.

Run: ``python -m tests.benchmarks.bench_hub_bias [--partners 300] [--contexts pan,BRCA]``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def known_sl_degree(folder, n_genes: int) -> np.ndarray:
    """int [G]: positive labelled pairs per gene over all splits of the bundle (pairs counted once)."""
    z = np.load(folder / "split_pairs.npz", allow_pickle=False)
    pos = np.concatenate([z[k][z[k][:, 2] == 1, :2] for k in z.files]).astype(np.int64)
    pos = np.unique(np.sort(pos, axis=1), axis=0)
    return np.bincount(pos.ravel(), minlength=n_genes)


def main(argv: list[str] | None = None) -> int:
    from scipy.stats import spearmanr

    from synleaf_desktop.bundle.registry import Registry
    from synleaf_desktop.scoring import ScoringEngine

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--partners", type=int, default=300, help="random partner genes per context (default 300)")
    p.add_argument("--contexts", default=None, help="comma-separated contexts (default: all bundled)")
    p.add_argument("--top", type=int, default=200)
    args = p.parse_args(argv)
    engine = ScoringEngine.from_registry(Registry())
    names = args.contexts.split(",") if args.contexts else list(engine.contexts)
    rng = np.random.default_rng(0)
    print(f"{args.partners} random partners per gene; top = the {args.top} genes with the highest mean partner score")
    for name in names:
        t = time.perf_counter()
        sc = engine._scorers[engine._canonical(name)]
        if not sc.bundle.has_splits:
            print(f"{name}: no split_pairs.npz, skipped")
            continue
        g = sc.n_genes
        deg = known_sl_degree(sc.bundle.folder, g)
        part = rng.choice(g, args.partners, replace=False)
        i = np.repeat(np.arange(g), len(part))
        j = np.tile(part, g)
        keep = i != j
        i, j = i[keep], j[keep]
        res = sc.pairs(i, j)
        n = np.bincount(i, minlength=g)
        base = float(np.mean(deg > 0))
        parts = []
        for key, label in (("folds", "score"), ("omics", "omics-only"), ("kg", "KG-only")):
            s = res[key].mean(axis=0) if key == "folds" else res[key]
            mean = np.bincount(i, weights=s, minlength=g) / n
            top = np.argsort(-mean)[: args.top]
            share = float(np.mean(deg[top] > 0))
            parts.append(f"{label}: rho {spearmanr(mean, deg).statistic:+.3f}, top {share:.2f} "
                         f"({share / base if base else float('nan'):.1f}x)")
        print(f"{name:5s} ({sc.strategy}, {g} genes; {base:.3f} of genes have a known SL partner): "
              + " | ".join(parts) + f"  [{time.perf_counter() - t:.0f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
