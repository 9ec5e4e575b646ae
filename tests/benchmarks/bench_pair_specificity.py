"""Benchmark (science): do the bundled models rank *pairs*, or only genes? (issue 13, part 1)

For every installed bundle and every shipped fold k, the fold's test positives (pairs the fold
model never trained on) are scored against:

- the fold's test negatives: the usual **test AUC**;
- **re-paired controls**: the same genes re-paired among themselves, each gene keeping its
  number of appearances (:func:`synleaf_desktop.data.controls.repaired_controls`; 3 seeded
  draws; no control is a labelled pair of the bundle's splits or of the shipped known-pairs
  table, in any context). A fold with fewer than 10 controls (or a quarter of its positives)
  per draw gets no re-paired figure (KIRC: nearly every pair of its test genes is labelled). A score that only knows which genes are popular SL genes gives
  **re-paired AUC 0.5**.

Every strategy a bundle can compute is reported with fold k's own model: only-omics and only-KG
(the teachers, shipped for every fold), UME (their mean) and UMT (UMT bundles only). These are
the CV2 fold models of the bundles; CV1/CV3 fold models are not kept after training.

Run: ``python -m tests.benchmarks.bench_pair_specificity [--draws 3] [--out CSV]``.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "pair_specificity.csv"
#: a fold's re-paired AUC is reported only with at least this many controls per draw, and at
#: least this share of its positives (else NaN: "no valid control could be drawn")
MIN_CONTROLS = 10
MIN_CONTROL_SHARE = 0.25


def fold_scores(scorer, k: int, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """Per strategy, fold k's order-averaged scores of pairs (i, j): float64 [n]. Always the
    fold models' own scores: for a pair-aware scorer (whose ``folds`` are stacked with pair
    evidence) its ``synleaf`` entry."""
    so_ab, sk_ab = scorer._teacher(i, j)
    so_ba, sk_ba = scorer._teacher(j, i)
    out = {"only_omics": 0.5 * (so_ab[k] + so_ba[k]), "only_kg": 0.5 * (sk_ab[k] + sk_ba[k])}
    out["ume"] = 0.5 * (out["only_omics"] + out["only_kg"])
    if scorer.strategy == "umt" and k < scorer.n_umt:
        p = scorer.pairs(i, j)
        out["umt"] = p.get("synleaf", p["folds"])[k]
    return out


def known_pairs_for(bundle) -> np.ndarray:
    """int [m, 2]: every labelled pair of the bundle's splits plus the shipped known-pairs table
    (all contexts), as gene indices of this bundle."""
    from synleaf_desktop.app.pair_aware import known_pairs

    return known_pairs(bundle)


def main(argv: list[str] | None = None) -> int:
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    from synleaf_desktop.bundle.registry import Registry
    from synleaf_desktop.data.controls import repaired_controls
    from synleaf_desktop.scoring import ScoringEngine

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--draws", type=int, default=3)
    p.add_argument("--contexts", default=None)
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    engine = ScoringEngine.from_registry(Registry())
    names = args.contexts.split(",") if args.contexts else list(engine.contexts)
    rows = []
    for name in names:
        t = time.perf_counter()
        sc = engine._scorers[engine._canonical(name)]
        b = sc.bundle
        if not b.has_splits:
            continue
        known = known_pairs_for(b)
        for k in range(b.folds):
            test = b.split_pairs[f"fold{k}_test"].astype(np.int64)
            pos, neg = test[test[:, 2] == 1], test[test[:, 2] == 0]
            controls, dropped = repaired_controls(
                pos[:, :2], exclude=known, n_draws=args.draws, seed=k, return_dropped=True
            )
            s_pos = fold_scores(sc, k, pos[:, 0], pos[:, 1])
            s_neg = fold_scores(sc, k, neg[:, 0], neg[:, 1])
            s_ctl = [fold_scores(sc, k, c[:, 0], c[:, 1]) for c in controls]
            # too few controls (nearly every pair of the test genes is labelled somewhere): no figure
            enough = min(len(c) for c in controls) >= max(
                MIN_CONTROLS, MIN_CONTROL_SHARE * len(pos)
            )
            for strat in s_pos:
                y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
                test_auc = roc_auc_score(y, np.r_[s_pos[strat], s_neg[strat]])
                rep = (
                    [
                        roc_auc_score(
                            np.r_[np.ones(len(pos)), np.zeros(len(c))],
                            np.r_[s_pos[strat], d[strat]],
                        )
                        for c, d in zip(controls, s_ctl, strict=True)
                    ]
                    if enough
                    else [float("nan")]
                )
                rows.append(
                    {
                        "context": name,
                        "cv": b.manifest.get("cv"),
                        "fold": k + 1,
                        "strategy": strat,
                        "selected": strat == b.strategy,
                        "test_auc": test_auc,
                        "repaired_auc": float(np.mean(rep)),
                        "repaired_auc_sd": float(np.std(rep)),
                        "n_pos": len(pos),
                        "n_controls": int(np.mean([len(c) for c in controls])),
                        "dropped_stubs": int(np.sum(dropped)),
                    }
                )
        print(f"{name}: {b.folds} folds in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    df = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out, index=False, float_format="%.4f")
    tab = df.groupby(["context", "strategy"]).agg(
        test_auc=("test_auc", "mean"),
        repaired_auc=("repaired_auc", "mean"),
        folds=("fold", "count"),
        selected=("selected", "first"),
    )
    print(tab.round(3).to_string())
    print(f"per-fold rows -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
