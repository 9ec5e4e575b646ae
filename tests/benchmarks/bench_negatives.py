"""Benchmark: how much of the baselines' AUC is the annotation-count shortcut? (DESIGN §6)

Compares, on CV1 test folds, contexts whose generated negatives are drawn uniformly
(``--negatives random``, the paper's protocol, e.g. ``cache/contexts``) with contexts
built with ``--negatives matched`` (generated negatives' genes matched on annotation
count to the positives' genes, :mod:`synleaf_desktop.data.matched`). Build the latter
first, e.g.::

    synleaf data build --data ../shared/data --out /tmp/ctx_matched --contexts pan,BRCA --negatives matched

Models, per fold (fitted on the fold's train pairs, scored on its test pairs):

* ``deg_sum``: no fitting; score = log(1 + deg_a) + log(1 + deg_b), deg = annotation
  count (:func:`matched.annotation_degree`);
* ``deg_lr``: logistic regression on [sum, |difference|, product] of the two log degrees;
* ``pos_freq``: no fitting; score = log(1 + p_a) + log(1 + p_b), p = the gene's number of
  positive pairs in the fold's training set (the "hub gene" shortcut of the label graph);
* ``lr`` / ``rf``: the baselines of :func:`synleaf_desktop.train.baselines.run_baselines`,
  same gene and pair features (:func:`baselines.gene_features`, :func:`baselines.pair_features`)
  and the same models, except that the forest's size is ``--rf-trees`` (300 there);
  ``--rf-trees 0`` skips it.

Also printed per context: the KS statistic between the annotation degrees of positive-pair
genes and of generated-negative genes (CV1), and wall time / peak RSS.

Run: ``python -m tests.benchmarks.bench_negatives [--random-dir cache/contexts]
[--matched-dir /tmp/ctx_matched] [--contexts pan,BRCA] [--folds 1,2,3,4,5] [--rf-trees 300]``.
Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from synleaf_desktop.data.balance import pair_keys
from synleaf_desktop.data.context import Context
from synleaf_desktop.data.matched import annotation_degree, degree_ks
from synleaf_desktop.train.baselines import gene_features, pair_features
from synleaf_desktop.train.metrics import pair_metrics

REPO = Path(__file__).resolve().parents[2]
MODELS = ("deg_sum", "deg_lr", "pos_freq", "lr", "rf")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def degree_features(pairs: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Symmetric [n, 3] features of a pair's log annotation counts: sum, |diff|, product."""
    la, lb = np.log1p(degree[pairs[:, 0]]), np.log1p(degree[pairs[:, 1]])
    return np.column_stack([la + lb, np.abs(la - lb), la * lb])


def pos_freq_score(train: np.ndarray, test: np.ndarray, num_genes: int) -> np.ndarray:
    """[n_test] log(1 + p_a) + log(1 + p_b), p: positive training pairs per gene."""
    p = np.bincount(train[train[:, 2] == 1, :2].ravel(), minlength=num_genes)
    return np.log1p(p[test[:, 0]]) + np.log1p(p[test[:, 1]])


def run_fold(
    ctx: Context, degree: np.ndarray, fold: int, rf_trees: int, seed: int = 2025
) -> dict[str, dict]:
    """Test metrics of the four models on CV1 fold ``fold``: ``{model: pair_metrics}``."""
    split = ctx.split(1, fold)
    tr, te = np.asarray(split["train"]), np.asarray(split["test"])
    out: dict[str, dict] = {}
    t = time.monotonic()
    out["deg_sum"] = pair_metrics(te[:, 2], degree_features(te, degree)[:, 0])
    deg_lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    deg_lr.fit(degree_features(tr, degree), tr[:, 2])
    out["deg_lr"] = pair_metrics(te[:, 2], deg_lr.predict_proba(degree_features(te, degree))[:, 1])
    out["deg_lr"]["wall_s"] = time.monotonic() - t
    out["pos_freq"] = pair_metrics(te[:, 2], pos_freq_score(tr, te, ctx.num_genes))

    t = time.monotonic()
    omics, prof = gene_features(ctx, np.unique(tr[:, :2]), 32, seed)
    xtr, xte = pair_features(tr, omics, prof), pair_features(te, omics, prof)
    feat_s = time.monotonic() - t
    t = time.monotonic()
    lr = make_pipeline(MaxAbsScaler(), LogisticRegression(C=1.0, solver="liblinear", max_iter=2000))
    lr.fit(xtr, tr[:, 2])
    out["lr"] = pair_metrics(te[:, 2], lr.predict_proba(xte)[:, 1])
    out["lr"]["wall_s"] = time.monotonic() - t + feat_s
    if rf_trees > 0:
        t = time.monotonic()
        rf = RandomForestClassifier(
            n_estimators=rf_trees,
            max_features="sqrt",
            min_samples_leaf=2,
            n_jobs=1,
            random_state=seed,
        )
        rf.fit(xtr, tr[:, 2])
        out["rf"] = pair_metrics(te[:, 2], rf.predict_proba(xte)[:, 1])
        out["rf"]["wall_s"] = time.monotonic() - t
    return out


def generated_ks(ctx: Context, degree: np.ndarray) -> tuple[int, float]:
    """(generated CV1 negatives, KS of their genes' degrees vs the positive pairs' genes)."""
    parts = ctx.split(1, 1)
    allp = np.concatenate([parts[p] for p in ("train", "val", "test")])
    lab = ctx.labels
    gen = allp[~np.isin(pair_keys(allp[:, 0], allp[:, 1]), pair_keys(lab[:, 0], lab[:, 1]))]
    pos = lab[lab[:, 2] == 1]
    return len(gen), degree_ks(degree, pos[:, :2], gen[:, :2])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--random-dir", type=Path, default=REPO / "cache" / "contexts")
    ap.add_argument("--matched-dir", type=Path, default=Path("/tmp/ctx_matched"))
    ap.add_argument("--contexts", default="pan,BRCA")
    ap.add_argument("--folds", default="1,2,3,4,5")
    ap.add_argument("--rf-trees", type=int, default=300)
    ap.add_argument(
        "--skip-baselines", action="store_true", help="only the annotation-count models"
    )
    args = ap.parse_args(argv)
    folds = [int(f) for f in args.folds.split(",")]
    names = [n.strip() for n in args.contexts.split(",") if n.strip()]
    results: dict[tuple[str, str], dict[str, list[float]]] = {}
    t_all = time.perf_counter()
    for name in names:
        for scheme, root in (("random", args.random_dir), ("matched", args.matched_dir)):
            folder = root / name
            if not (folder / "context.json").exists():
                print(f"{name} {scheme}: no context at {folder}; skipped")
                continue
            t0 = time.perf_counter()
            ctx = Context.load(folder, omics=not args.skip_baselines)
            built = ctx.meta.get("negatives", {}).get("scheme", "random")
            if built != scheme:
                print(f"warning: {folder} was built with negatives={built!r}, expected {scheme!r}")
            degree = annotation_degree(ctx.kg, ctx.num_genes)
            n_gen, ks = generated_ks(ctx, degree)
            print(
                f"{name} {scheme}: loaded in {time.perf_counter() - t0:.1f} s; CV1 generated negatives {n_gen}, "
                f"KS(degree: generated vs positive genes) = {ks:.3f}",
                flush=True,
            )
            res = results.setdefault((name, scheme), {m: [] for m in MODELS})
            for k in folds:
                t = time.perf_counter()
                if args.skip_baselines:
                    split = ctx.split(1, k)
                    tr, te = np.asarray(split["train"]), np.asarray(split["test"])
                    fold = {
                        "deg_sum": pair_metrics(te[:, 2], degree_features(te, degree)[:, 0]),
                        "pos_freq": pair_metrics(te[:, 2], pos_freq_score(tr, te, ctx.num_genes)),
                    }
                else:
                    fold = run_fold(ctx, degree, k, args.rf_trees)
                for m, met in fold.items():
                    res[m].append(met["auc"])
                aucs = "  ".join(f"{m} {met['auc']:.4f}" for m, met in fold.items())
                print(
                    f"  fold {k}: {aucs}  ({time.perf_counter() - t:.0f} s, peak RSS {_peak_rss_mb():.0f} MB)",
                    flush=True,
                )
            del ctx

    print(
        f"\nCV1 test AUC, mean ± sd over folds {args.folds} (RF: {args.rf_trees} trees); "
        f"total {time.perf_counter() - t_all:.0f} s, peak RSS {_peak_rss_mb():.0f} MB"
    )
    head = f"{'context':8s} {'negatives':9s} " + " ".join(f"{m:>16s}" for m in MODELS)
    print(head)
    print("-" * len(head))
    for (name, scheme), res in results.items():
        cells = []
        for m in MODELS:
            v = np.asarray(res[m])
            cells.append(
                f"{v.mean():.3f} ± {v.std(ddof=1) if len(v) > 1 else 0:.3f}" if len(v) else "-"
            )
        print(f"{name:8s} {scheme:9s} " + " ".join(f"{c:>16s}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
