"""The pair-aware score for a model trained in the app (issue 13, part 4).

The built-in models got their pair-aware stacker from ``tests/benchmarks/bench_pair_aware.py``
on the 19-scenario grid; a model trained here gets the same thing from its own folds, so that
it carries the same manifest entry (``pair_aware``) and, where the rule says so, the same
``pair_model.npz`` as a built-in model:

1. per fold, the pair features (cohort co-inactivation from the bundle's ``evidence.npz``,
   shared GO BP / KEGG terms from ``resources/kg_terms``; no gene-degree feature) of the fold's
   training, validation and test pairs, and the fold models' order-averaged scores of them;
2. the variants ``pa`` (pair + SynLeaF), ``pa_rc`` (the same with re-paired controls of the
   training / validation positives as extra negatives) and ``pa_all`` (pair + SynLeaF + the
   fold's only-omics and only-KG teachers) fitted by :func:`synleaf_desktop.train.pair_aware.fit_fold`
   (sub-model on training pairs, stacker on validation pairs; test pairs never fitted on);
3. the variant with the best mean out-of-fold validation AUC is compared with the fold models
   on the test pairs: it becomes the model's score (:data:`~synleaf_desktop.train.pair_aware.RULE`) where its mean test AUC is
   higher and its mean re-paired-control AUC (test positives against their genes re-paired,
   3 seeded draws) is not lower.

The figures are recorded in ``manifest["pair_aware"]`` either way (``chosen`` true or false),
and the model card shows them. Call it after the evidence and before the rank map
(:func:`synleaf_desktop.app.bundles.finish_bundle` does).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..progress import Progress, ensure
from ..train.pair_aware import RULE, VARIANT_INPUTS, auc, rule_met

#: re-paired-control draws per fold; a draw smaller than this (or than a quarter of the
#: positives) makes the fold's re-paired AUC undefined, as in the benchmark
DRAWS = 3
MIN_CONTROLS = 10
MIN_CONTROL_SHARE = 0.25


def _aupr(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    y = np.asarray(y).astype(int)
    return float(average_precision_score(y, s)) if len(np.unique(y)) == 2 else float("nan")


def fold_scores(scorer: Any, k: int, pairs: np.ndarray) -> dict[str, np.ndarray]:
    """Fold ``k``'s order-averaged probabilities of ``pairs`` (int [n, 2] gene rows):
    ``synleaf`` (the selected strategy), ``only_omics``, ``only_kg``; each float64 [n]."""
    if not len(pairs):
        return {n: np.zeros(0) for n in ("synleaf", "only_omics", "only_kg")}
    i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    so_ab, sk_ab = scorer._teacher(i, j)
    so_ba, sk_ba = scorer._teacher(j, i)
    return {
        "synleaf": scorer.pairs(i, j)["folds"][k],
        "only_omics": 0.5 * (so_ab[k] + so_ba[k]),
        "only_kg": 0.5 * (sk_ab[k] + sk_ba[k]),
    }


def known_pairs(bundle: Any) -> np.ndarray:
    """int [m, 2]: every labelled pair of the bundle's splits and of the shipped known-pairs
    table, as gene rows (controls must not be any of them)."""
    parts = [v[:, :2].astype(np.int64) for v in bundle.split_pairs.values()]
    try:
        from ..io.known_pairs import default_known_pairs

        kp = default_known_pairs()
    except Exception:  # the table is optional: the splits' pairs are always excluded
        kp = None
    if kp is not None and hasattr(kp, "table"):
        idx = bundle.gene_index
        a = np.array([idx.get(x, -1) for x in kp.table["gene1"].astype(str)], np.int64)
        b = np.array([idx.get(x, -1) for x in kp.table["gene2"].astype(str)], np.int64)
        ok = (a >= 0) & (b >= 0)
        parts.append(np.stack([a[ok], b[ok]], axis=1))
    return np.concatenate(parts) if parts else np.zeros((0, 2), np.int64)


def _round(x: Any) -> Any:
    """4 decimals for a finite float, None for NaN (JSON has no NaN), other values as they are."""
    if isinstance(x, float):
        return round(x, 4) if math.isfinite(x) else None
    return x


def _mean(xs: list[float]) -> float:
    v = [x for x in xs if math.isfinite(x)]
    return float(np.mean(v)) if v else float("nan")


def _controls(pos: np.ndarray, known: np.ndarray, n: int, seed: int) -> list[np.ndarray]:
    """``n`` seeded re-pairings of ``pos`` [m, 2] that are no labelled pair (int [c, 2] each)."""
    from ..data.controls import repaired_controls

    out = repaired_controls(pos, known, n, seed)
    return [np.asarray(c, np.int64).reshape(-1, 2) for c in out]


def _record(
    r: dict[str, list[float]],
    pred: dict[str, np.ndarray],
    val_auc: float,
    y_test: np.ndarray,
    n_ctl: int,
) -> None:
    """Append one fold's figures of a method to ``r``: validation AUC, test AUC and AUPR, and
    the re-paired-control AUC (test positives against each of ``n_ctl`` control draws
    ``pred["ctl<d>"]``, mean; NaN when ``n_ctl`` is 0)."""
    r["val"].append(val_auc)
    r["test"].append(auc(y_test, pred["test"]))
    r["aupr"].append(_aupr(y_test, pred["test"]))
    pos = pred["test"][y_test == 1]
    reps = [
        auc(np.r_[np.ones(len(pos)), np.zeros(len(pred[f"ctl{d}"]))], np.r_[pos, pred[f"ctl{d}"]])
        for d in range(n_ctl)
    ]
    r["rep"].append(float(np.mean(reps)) if reps else float("nan"))


def fit_pair_aware(
    folder: str | Path, progress: Progress | None = None, seed: int = 0
) -> dict[str, Any]:
    """Fit the pair-aware variants on a written bundle's folds, apply :data:`~synleaf_desktop.train.pair_aware.RULE` and record
    the result: ``pair_model.npz`` + ``manifest["pair_aware"]`` (``chosen`` true) where it
    wins, else ``manifest["pair_aware"]`` with ``chosen`` false and the figures. Rewrites the
    card. Returns the manifest entry.

    Needs the bundle's split pairs (``split_pairs.npz``) and the shipped annotations; without
    them the entry says why and nothing is fitted."""
    from ..bundle.card import write_model_card
    from ..bundle.format import Bundle
    from ..bundle.pair_member import add_pair_model
    from ..bundle.writer import set_manifest_entry
    from ..scoring.context import ContextScorer
    from ..scoring.pair_index import PairFeatureIndex
    from ..scoring.pair_model import FEATURES
    from ..scoring.pair_scorer import _bundle_evidence, shipped_terms
    from ..train import pair_aware as PA

    folder = Path(folder)
    progress = ensure(progress)
    bundle = Bundle.load(folder, verify=False)
    try:
        scorer = ContextScorer(bundle)
        n_folds = scorer.n_umt if scorer.strategy == "umt" else int(scorer.T.shape[0])
        terms = shipped_terms()
        have = bundle.has_splits and all(
            f"fold{k}_{p}" in bundle.split_pairs
            for k in range(n_folds)
            for p in ("train", "val", "test")
        )
        if terms is None or not have:
            entry: dict[str, Any] = {
                "chosen": False,
                "rule": RULE,
                "reason": "not fitted: "
                + (
                    "the gene annotations (resources/kg_terms) are missing"
                    if terms is None
                    else "the bundle has no split pairs for its folds"
                ),
            }
            set_manifest_entry(folder, "pair_aware", entry)
            write_model_card(folder)
            return entry
        variants = dict(VARIANT_INPUTS)
        if n_folds != int(scorer.T.shape[0]):  # fewer UMT folds shipped than teacher folds
            variants.pop("pa_all")
        feats = PairFeatureIndex(bundle.genes, _bundle_evidence(bundle), terms)
        known = known_pairs(bundle)
        per: dict[str, dict[str, list[float]]] = {
            m: {"val": [], "test": [], "aupr": [], "rep": []} for m in ("selected", *variants)
        }
        fitted: dict[str, list[Any]] = {v: [] for v in variants}
        for k in range(n_folds):
            progress.update(k / n_folds, f"pair evidence: fold {k + 1} of {n_folds}", force=True)
            progress.check()
            tr, va, te = (
                bundle.split_pairs[f"fold{k}_{p}"].astype(np.int64)
                for p in ("train", "val", "test")
            )
            fseed = seed + 1000 * k
            pos = te[te[:, 2] == 1, :2]
            draws = _controls(pos, known, DRAWS, fseed)
            enough = bool(draws) and min(len(d) for d in draws) >= max(
                MIN_CONTROLS, MIN_CONTROL_SHARE * len(pos)
            )
            sets = {
                "train": tr[:, :2],
                "val": va[:, :2],
                "test": te[:, :2],
                "rc_tr": _controls(tr[tr[:, 2] == 1, :2], known, 1, fseed + 7919)[0],
                "rc_va": _controls(va[va[:, 2] == 1, :2], known, 1, fseed + 104729)[0],
            }
            sets.update({f"ctl{d}": c for d, c in enumerate(draws)})
            X = {
                s: feats.pairs(p[:, 0], p[:, 1]) if len(p) else np.zeros((0, len(FEATURES)))
                for s, p in sets.items()
            }
            base = {s: fold_scores(scorer, k, p) for s, p in sets.items()}
            y_tr, y_va, y_te = (a[:, 2].astype(int) for a in (tr, va, te))

            n_ctl = len(draws) if enough else 0
            _record(
                per["selected"],
                {s: b["synleaf"] for s, b in base.items()},
                auc(y_va, base["val"]["synleaf"]),
                y_te,
                n_ctl,
            )
            for v, inputs in variants.items():
                rc = v.endswith("_rc")
                bsets = {s: {n: base[s][n] for n in inputs if n != "pair"} for s in sets}
                extra_val = (X["rc_va"], bsets["rc_va"]) if rc else None
                m = PA.fit_fold(
                    X["train"],
                    y_tr,
                    X["val"],
                    y_va,
                    bsets["val"],
                    inputs,
                    extra_neg_train=X["rc_tr"] if rc else None,
                    extra_neg_val=extra_val,
                )
                fitted[v].append(m)
                val_auc = PA.cv_val_auc(
                    m.sub, X["val"], y_va, bsets["val"], inputs, seed=fseed, extra_neg_val=extra_val
                )
                _record(per[v], {s: m.predict(X[s], bsets[s]) for s in sets}, val_auc, y_te, n_ctl)
        val = {v: _mean(per[v]["val"]) for v in variants}
        finite = {v: x for v, x in val.items() if math.isfinite(x)}
        best = max(finite, key=lambda v: (finite[v], -list(variants).index(v))) if finite else "pa"
        test_best, test_sel = _mean(per[best]["test"]), _mean(per["selected"]["test"])
        rep_best, rep_sel = _mean(per[best]["rep"]), _mean(per["selected"]["rep"])
        pairs_won = sum(
            a > b
            for a, b in zip(per[best]["test"], per["selected"]["test"], strict=True)
            if math.isfinite(a) and math.isfinite(b)
        )
        figures = {
            "val_auc_selected": _mean(per["selected"]["val"]),
            "val_auc_pair_aware": val[best],
            "test_auc_selected": test_sel,
            "test_auc_pair_aware": test_best,
            "test_aupr_selected": _mean(per["selected"]["aupr"]),
            "test_aupr_pair_aware": _mean(per[best]["aupr"]),
            "repaired_auc_selected": rep_sel,
            "repaired_auc_pair_aware": rep_best,
            "fold_wins_test_auc": int(pairs_won),
        }
        entry = {
            "variant": best,
            "stack_inputs": list(variants[best]),
            "features": list(FEATURES),
            "folds": n_folds,
            "rule": RULE,
            "val_auc_variants": {v: _round(x) for v, x in val.items()},
            "figures": {k2: _round(x) for k2, x in figures.items()},
            "source": "synleaf_desktop.app.pair_aware.fit_pair_aware (this model's own folds)",
        }
        arrays = PA.to_arrays(
            fitted[best],
            FEATURES,
            {
                "context": bundle.name,
                "variant": best,
                "strategy": "pair_aware",
                "base": bundle.strategy,
            },
        )
    finally:
        bundle.close()
    progress.update(1.0, "pair evidence: done", force=True)
    if rule_met(test_best, test_sel, rep_best, rep_sel):
        add_pair_model(folder, arrays, entry)
        entry = dict(entry, chosen=True)
    else:
        entry = dict(entry, chosen=False)
        set_manifest_entry(folder, "pair_aware", entry)
        write_model_card(folder)
    return entry


__all__ = ["fit_pair_aware", "fold_scores", "known_pairs"]
