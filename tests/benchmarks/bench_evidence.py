"""Benchmark (science): pair-level evidence on its own, on the paper's 19 scenarios x 5 folds.

For every scenario (8 cancers x CV1, CV2; pan x CV1, CV2, CV3) and fold, on the fold's test
pairs of the built context (``cache/contexts/<NAME>``):

- **test AUC**: test positives vs the fold's test negatives;
- **re-paired AUC**: test positives vs re-paired controls (the same genes paired among
  themselves, degree kept, never a known SL / non-SL pair of any label table:
  :func:`synleaf_desktop.data.controls.repaired_controls`, 3 seeded draws, mean).
  0.5 = the score ranks genes, not pairs.

Scores:

- ``coinact``: co-inactivation depletion score ``log10 P(X >= k) - log10 P(X <= k)``
  (:mod:`synleaf_desktop.scoring.evidence`; > 0 = fewer co-inactivated tumours than
  chance); pairs with no evidence (a gene never inactivated) get the neutral **0**;
- ``coinact_lor``: ``-log odds ratio`` (0.5 pseudo-count); no evidence -> 0;
- ``kg``: sum over shared GO BP / KEGG terms of ``-ln(n_genes / N)``
  (:mod:`synleaf_desktop.scoring.kg_evidence`); nothing shared -> 0;
- ``lr`` / ``rf``: the baselines of :mod:`synleaf_desktop.train.baselines`, refitted on the
  fold's training pairs exactly as there (``--baselines lr,rf``; default ``lr``).

Also reported per context: the inactivation source, ``evidence.npz`` size (compressed), the
share of test positives with evidence. Writes ``tests/benchmarks/results/evidence_folds.csv``
(one row per scenario, fold, score) and ``evidence_summary.csv`` (mean over folds).

Run: ``python -m tests.benchmarks.bench_evidence --data ../shared/data --contexts-dir cache/contexts``
(``--scenarios BRCA:1,pan:3`` for a subset). Asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def known_pairs(data: Path, genes: np.ndarray, cache: dict, sl_only: bool = False) -> np.ndarray:
    """int64 [m, 2]: every labelled pair (SL or not, any cancer, ELISL + SynLethDB) in ``genes``
    indices; ``sl_only``: the SL pairs only."""
    from synleaf_desktop.data.sources import ELISL_FILES, SYNLETHDB_FILES
    from synleaf_desktop.io.labels import read_label_files

    if "pairs" not in cache:
        frames = [
            read_label_files([data / f for f in ELISL_FILES]).pairs,
            read_label_files([data / f for f in SYNLETHDB_FILES], cancer="pan").pairs,
        ]
        cache["pairs"] = [
            (
                f["gene1"].to_numpy(dtype=str),
                f["gene2"].to_numpy(dtype=str),
                f["label"].to_numpy() == 1,
            )
            for f in frames
        ]
    idx = {g: i for i, g in enumerate(np.asarray(genes).astype(str).tolist())}
    out = []
    for g1, g2, sl in cache["pairs"]:
        a = np.array([idx.get(g, -1) for g in g1.tolist()])
        b = np.array([idx.get(g, -1) for g in g2.tolist()])
        ok = (a >= 0) & (b >= 0) & (sl if sl_only else True)
        out.append(np.stack([a[ok], b[ok]], axis=1))
    return np.concatenate(out).astype(np.int64)


def npz_size(arrays: dict) -> int:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return len(buf.getvalue())


def baseline_models(context, split, seed: int, which: list[str]):
    """Fitted baseline scorers ``name -> pairs [n, 2] -> scores`` for one fold (as train/baselines.py)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MaxAbsScaler

    from synleaf_desktop.train.baselines import gene_features, pair_features

    train = np.asarray(split["train"])
    omics, prof = gene_features(context, np.unique(train[:, :2]), 32, seed)
    x, y = pair_features(train, omics, prof), train[:, 2]
    makers = {
        "lr": lambda: make_pipeline(
            MaxAbsScaler(), LogisticRegression(C=1.0, solver="liblinear", max_iter=2000)
        ),
        "rf": lambda: RandomForestClassifier(
            n_estimators=300, max_features="sqrt", min_samples_leaf=2, n_jobs=1, random_state=seed
        ),
    }
    out = {}
    for name in which:
        model = makers[name]().fit(x, y)
        out[name] = (
            lambda m: lambda p: m.predict_proba(pair_features(np.asarray(p), omics, prof))[:, 1]
        )(model)
    return out


def evidence_scorers(store, terms, trow) -> dict:
    """The pair-evidence scorers ``name -> pairs [n, 2] -> scores`` of one context: its
    :class:`EvidenceStore`, the :class:`TermIndex` and the context genes' term rows."""
    return {
        "coinact": lambda q: store.pairs(q)["score"],
        "coinact_lor": lambda q: np.nan_to_num(-store.pairs(q)["log_or"], nan=0.0),
        "kg": lambda q: terms.pair_scores(trow[q[:, 0]], trow[q[:, 1]]),
    }


def main(argv: list[str] | None = None) -> int:
    from synleaf_desktop.data.context import Context
    from synleaf_desktop.data.controls import auc, repaired_auc, repaired_controls
    from synleaf_desktop.data.inactivation import evidence_arrays, inactivation_for_builtin
    from synleaf_desktop.data.splits import context_seed
    from synleaf_desktop.scoring.evidence import EvidenceStore
    from synleaf_desktop.scoring.kg_evidence import TermIndex
    from synleaf_desktop.train.fold import run_seed
    from synleaf_desktop.train.grid import FOLDS, find_context, parse_scenarios

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    p.add_argument("--contexts-dir", type=Path, default=REPO / "cache" / "contexts")
    p.add_argument("--scenarios", default="all", help="all | NAME:CV,... (default: the paper's 19)")
    p.add_argument("--draws", type=int, default=3)
    p.add_argument("--baselines", default="lr", help="comma list of lr, rf, or 'none' (default lr)")
    p.add_argument("--terms", type=Path, default=REPO / "resources" / "kg_terms" / "terms.npz")
    p.add_argument(
        "--exclude",
        choices=("all", "sl"),
        default="all",
        help="pairs never used as controls: every labelled pair (default, the issue's rule) or SL pairs "
        "only (KIRC's test genes have every pair among them labelled, so 'all' leaves no control)",
    )
    p.add_argument("--out", type=Path, default=HERE / "results")
    args = p.parse_args(argv)
    which = [b for b in args.baselines.split(",") if b and b != "none"]
    scenarios = parse_scenarios(args.scenarios)
    by_ctx: dict[str, list[int]] = {}
    for name, cv in scenarios:
        by_ctx.setdefault(name, []).append(cv)
    terms = TermIndex.load(args.terms)
    label_cache: dict = {}
    rows: list[dict] = []
    ctx_info: list[dict] = []
    args.out.mkdir(parents=True, exist_ok=True)
    for name, cvs in by_ctx.items():
        t0 = time.perf_counter()
        ctx = Context.load(find_context(args.contexts_dir, name), omics=bool(which))
        calls = inactivation_for_builtin(args.data, name)
        arrays = evidence_arrays(calls, ctx.genes)
        store = EvidenceStore.from_arrays(arrays, ctx.genes)
        size = npz_size(arrays)
        src = store.meta
        desc = " + ".join(
            f"{k}: {src[k]['fmt']} ({src[k]['samples']} tumours)"
            for k in ("mutation", "copy_number")
            if src.get(k)
        )
        ctx_info.append(
            {
                "context": name,
                "source": desc,
                "samples": store.n_samples,
                "evidence_npz_bytes": size,
                "genes": len(ctx.genes),
                "genes_ever_inactivated": src["genes_ever_inactivated"],
            }
        )
        print(
            f"\n== {name}: {desc}; {store.n_samples} tumours; {src['genes_ever_inactivated']} of {len(ctx.genes)} "
            f"genes ever inactivated; evidence.npz {size / 1e3:.0f} kB ({time.perf_counter() - t0:.1f} s)"
        )
        known = known_pairs(args.data, ctx.genes, label_cache, sl_only=args.exclude == "sl")
        ctx_known = (
            ctx.labels[:, :2] if args.exclude == "all" else ctx.labels[ctx.labels[:, 2] == 1, :2]
        )
        known = np.concatenate([known, ctx_known])
        scorers = evidence_scorers(store, terms, terms.rows(ctx.genes))
        for cv in cvs:
            for k in FOLDS:
                if (cv, k) not in ctx.splits:
                    print(f"{name} cv{cv} fold{k}: no split")
                    continue
                t1 = time.perf_counter()
                split = ctx.split(cv, k)
                test = np.asarray(split["test"])
                pos, neg = test[test[:, 2] == 1, :2], test[test[:, 2] == 0, :2]
                seed = run_seed(context_seed(name), cv, k)
                draws, dropped = repaired_controls(
                    pos, known, args.draws, seed, return_dropped=True
                )
                fold_scorers = dict(scorers)
                if which:
                    fold_scorers.update(baseline_models(ctx, split, seed, which))
                cover = float(store.pairs(pos)["valid"].mean()) if len(pos) else float("nan")
                for sname, fn in fold_scorers.items():
                    s_pos = fn(pos)
                    # a draw can be empty when every positive shares one hub gene (KIRC): AUC NaN
                    rep = repaired_auc(
                        s_pos,
                        pos,
                        draws,
                        control_scores=[fn(d) if len(d) else np.zeros(0) for d in draws],
                    )
                    rows.append(
                        {
                            "context": name,
                            "cv": cv,
                            "fold": k,
                            "score": sname,
                            "test_auc": auc(s_pos, fn(neg)),
                            "repaired_auc": rep["mean"],
                            "repaired_sd": rep["sd"],
                            "n_pos": len(pos),
                            "n_neg": len(neg),
                            "n_controls": float(np.mean(rep["n_controls"])),
                            "dropped_stubs": int(sum(dropped)),
                            "pos_with_evidence": cover,
                        }
                    )
                print(
                    f"{name} cv{cv} fold{k}: {len(pos)} pos, {len(neg)} neg, controls "
                    f"{[len(d) for d in draws]}; "
                    + ", ".join(
                        f"{r['score']} {r['test_auc']:.3f}/{r['repaired_auc']:.3f}"
                        for r in rows[-len(fold_scorers) :]
                    )
                    + f" ({time.perf_counter() - t1:.1f} s)",
                    flush=True,
                )
        # free this context's evidence before the next one loads (the scorers hold it too)
        del ctx, store, arrays, calls, scorers
        fold_scorers = {}

    fold_csv = args.out / "evidence_folds.csv"
    with open(fold_csv, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    # summary: mean over folds per scenario and score
    import pandas as pd

    df = pd.DataFrame(rows)
    summ = (
        df.groupby(["context", "cv", "score"], sort=False)
        .agg(
            folds=("fold", "count"),
            test_auc=("test_auc", "mean"),
            test_sd=("test_auc", "std"),
            repaired_auc=("repaired_auc", "mean"),
            repaired_sd=("repaired_auc", "std"),
            n_pos=("n_pos", "mean"),
            pos_with_evidence=("pos_with_evidence", "mean"),
        )
        .reset_index()
    )
    summ.to_csv(args.out / "evidence_summary.csv", index=False, float_format="%.4f")
    with open(args.out / "evidence_contexts.json", "w") as fh:
        json.dump(ctx_info, fh, indent=1)
    wide = summ.pivot_table(
        index=["context", "cv"], columns="score", values=["test_auc", "repaired_auc"], sort=False
    )
    order = [s for s in ("coinact", "coinact_lor", "kg", "lr", "rf") if s in set(summ["score"])]
    print("\nmean over folds: test AUC / re-paired-control AUC")
    print(f"{'scenario':10s} {'pos':>6s} {'ev%':>5s} " + " ".join(f"{s:>13s}" for s in order))
    for (c, cv), r in wide.iterrows():
        sub = summ[(summ["context"] == c) & (summ["cv"] == cv)].iloc[0]
        print(
            f"{c + ' cv' + str(cv):10s} {sub['n_pos']:6.0f} {100 * sub['pos_with_evidence']:5.1f} "
            + " ".join(f"  {r[('test_auc', s)]:.3f}/{r[('repaired_auc', s)]:.3f}" for s in order)
        )
    print("\ncontext  source; evidence.npz size")
    for info in ctx_info:
        print(f"{info['context']:5s} {info['source']}; {info['evidence_npz_bytes'] / 1e3:.0f} kB")
    print(
        f"\nwrote {fold_csv}, {args.out / 'evidence_summary.csv'}, {args.out / 'evidence_contexts.json'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
