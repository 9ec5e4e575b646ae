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

Partner lists (``--lists``; needs bundles with a rank map, issue 12): for a seeded sample of
query genes that have a known SL partner, each context's top-K partner list is built twice, by
score (= by genome-wide rank) and by rank above the partner's typical rank (the app's hub
discount, ``order="above_typical"``), and the following are printed:

- hub share: the share of list slots taken by the context's 1 % most promiscuous genes (lowest
  typical rank with random partners; 1 % expected if lists ignored hubs);
- distinct: distinct partners over all lists / slots (1 = every list different);
- known@K: the share of query genes whose top K holds one of their known SL partners from the
  bundle's *test* splits (the fold that held the pair out is part of the ensemble; a rough check
  that discounting hubs does not throw away real partners).

Run: ``python -m tests.benchmarks.bench_hub_bias [--partners 300] [--contexts pan,BRCA] [--lists]``.
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
    p.add_argument(
        "--partners", type=int, default=300, help="random partner genes per context (default 300)"
    )
    p.add_argument(
        "--contexts", default=None, help="comma-separated contexts (default: all bundled)"
    )
    p.add_argument("--top", type=int, default=200)
    p.add_argument("--lists", action="store_true", help="partner-list figures (needs rank maps)")
    p.add_argument("--queries", type=int, default=60, help="query genes per context for --lists")
    p.add_argument("--k", type=int, default=20, help="partner list length for --lists")
    args = p.parse_args(argv)
    if args.lists:
        return partner_lists(args)
    engine = ScoringEngine.from_registry(Registry())
    names = args.contexts.split(",") if args.contexts else list(engine.contexts)
    rng = np.random.default_rng(0)
    print(
        f"{args.partners} random partners per gene; top = the {args.top} genes with the highest mean partner score"
    )
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
            parts.append(
                f"{label}: rho {spearmanr(mean, deg).statistic:+.3f}, top {share:.2f} "
                f"({share / base if base else float('nan'):.1f}x)"
            )
        print(
            f"{name:5s} ({sc.strategy}, {g} genes; {base:.3f} of genes have a known SL partner): "
            + " | ".join(parts)
            + f"  [{time.perf_counter() - t:.0f} s]"
        )
    return 0


def partner_lists(args: argparse.Namespace) -> int:
    """The ``--lists`` figures (see the module docstring)."""
    from synleaf_desktop.bundle.registry import Registry
    from synleaf_desktop.scoring import ScoringEngine

    engine = ScoringEngine.from_registry(Registry())
    names = args.contexts.split(",") if args.contexts else list(engine.contexts)
    print(
        f"{args.queries} query genes with a known SL partner per context; lists of {args.k} partners"
    )
    print(f"{'context':8} {'order':14} {'hub share':>9} {'distinct':>8} {'known@K':>8}")
    for name in names:
        cal = engine.calibration(name)
        sc = engine._scorers[engine._canonical(name)]
        if cal is None or cal.typical_top is None or not sc.bundle.has_splits:
            print(f"{name}: no rank map or no split pairs, skipped")
            continue
        g = sc.n_genes
        hubs = set(np.argsort(cal.typical_top)[: max(1, g // 100)].tolist())
        z = np.load(sc.bundle.folder / "split_pairs.npz", allow_pickle=False)
        test = np.concatenate(
            [z[k][z[k][:, 2] == 1, :2] for k in z.files if k.endswith("_test")]
        ).astype(np.int64)
        known: dict[int, set[int]] = {}
        for a, b in test:
            known.setdefault(int(a), set()).add(int(b))
            known.setdefault(int(b), set()).add(int(a))
        rng = np.random.default_rng(0)
        queries = rng.choice(sorted(known), min(args.queries, len(known)), replace=False)
        for order in ("score", "above_typical"):
            slots, hub, found, seen = 0, 0, 0, set()
            for q in queries:
                df = engine.partners(str(sc.genes[q]), top=args.k, contexts=[name], order=order)[
                    name
                ]
                idx = sc.indices(df["partner"].tolist())
                slots += len(idx)
                hub += sum(int(x) in hubs for x in idx)
                seen.update(int(x) for x in idx)
                found += bool(known[int(q)] & set(int(x) for x in idx))
            print(
                f"{name:8} {order:14} {hub / max(slots, 1):9.3f} {len(seen) / max(slots, 1):8.3f} "
                f"{found / len(queries):8.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
