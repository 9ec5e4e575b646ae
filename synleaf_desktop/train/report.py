"""Evaluation report of a run folder: EVALUATION.md + evaluation.csv.

For each scenario (context, cv): test AUC / AUPR / F1 mean ± SD over the finished folds
(population SD, as the paper) for only-omics, only-KG, UMT, UME, the selected strategy
(METHOD §2.6) and the baselines, next to the paper's SynLeaF numbers, plus what the
context had. Missing scenarios or folds are shown as such (partial grids give partial tables).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..fileio import read_json, write_text
from .grid import PAPER_SCENARIOS
from .selection import scenario_selection

#: SynLeaF test results reported in the paper (arXiv 2603.22369, Tables 1 and 2), as
#: transcribed in METHOD.md §5.2: (context, cv) -> AUC, AUC SD, AUPR, AUPR SD, F1, F1 SD
#: (F1 reported for pan only; F1 is the best-threshold F1).
PAPER_SYNLEAF: dict[
    tuple[str, int], tuple[float, float, float, float, float | None, float | None]
] = {
    ("BRCA", 1): (0.9654, 0.0038, 0.9743, 0.0020, None, None),
    ("BRCA", 2): (0.8474, 0.0502, 0.8707, 0.0563, None, None),
    ("CESC", 1): (0.8136, 0.0505, 0.8180, 0.0650, None, None),
    ("CESC", 2): (0.6845, 0.0444, 0.7190, 0.0530, None, None),
    ("COAD", 1): (0.7162, 0.0263, 0.7088, 0.0287, None, None),
    ("COAD", 2): (0.6317, 0.0244, 0.6120, 0.0316, None, None),
    ("KIRC", 1): (0.6940, 0.0990, 0.7162, 0.0855, None, None),
    ("KIRC", 2): (0.5822, 0.0573, 0.5978, 0.0770, None, None),
    ("LAML", 1): (0.6980, 0.0156, 0.7002, 0.0239, None, None),
    ("LAML", 2): (0.6296, 0.0195, 0.6378, 0.0205, None, None),
    ("LUAD", 1): (0.9000, 0.0259, 0.8873, 0.0273, None, None),
    ("LUAD", 2): (0.8161, 0.0854, 0.7924, 0.1110, None, None),
    ("OV", 1): (0.9827, 0.0144, 0.9855, 0.0103, None, None),
    ("OV", 2): (0.7990, 0.0850, 0.7252, 0.1149, None, None),
    ("SKCM", 1): (0.8088, 0.0307, 0.8471, 0.0436, None, None),
    ("SKCM", 2): (0.7630, 0.1576, 0.7876, 0.1566, None, None),
    ("pan", 1): (0.9652, 0.0012, 0.9669, 0.0008, 0.9099, 0.0018),
    ("pan", 2): (0.8624, 0.0236, 0.8754, 0.0226, 0.7955, 0.0246),
    ("pan", 3): (0.7407, 0.0271, 0.7611, 0.0417, 0.7153, 0.0156),
}
PAPER_SOURCE = (
    "SynLeaF paper (arXiv 2603.22369) Tables 1-2, via docs METHOD.md §5.2; test metrics of the "
    "selected strategy, 5-fold mean (SD)"
)

STRATEGIES = ("only_omics", "only_kg", "umt", "ume", "selected")
BASELINES = ("lr", "rf")
LABELS = {
    "only_omics": "only-omics",
    "only_kg": "only-KG",
    "umt": "UMT",
    "ume": "UME",
    "selected": "selected",
    "lr": "LogReg",
    "rf": "RandomForest",
}
METRICS = ("auc", "aupr", "f1_best", "f1_at_0.5")
MISSING = "–"


def collect_runs(runs_dir: str | Path) -> dict[tuple[str, int], dict[str, Any]]:
    """(context, cv) -> {"folds": {k: metrics.json}, "baselines": {k: baselines.json}}."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for path in sorted(Path(runs_dir).glob("*/cv*/fold*/metrics.json")):
        m = read_json(path)
        key = (m["context"], int(m["cv"]))
        entry = out.setdefault(key, {"folds": {}, "baselines": {}})
        entry["folds"][int(m["fold"])] = m
    for path in sorted(Path(runs_dir).glob("*/cv*/fold*/baselines.json")):
        b = read_json(path)
        out.setdefault((b["context"], int(b["cv"])), {"folds": {}, "baselines": {}})["baselines"][
            int(b["fold"])
        ] = b
    return out


def _stats(values: list[float | None]) -> tuple[float, float, int]:
    v = np.array([np.nan if x is None else x for x in values], dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return math.nan, math.nan, 0
    return float(v.mean()), float(v.std(ddof=0)), len(v)


def early_stopping_text(configs: list[dict[str, Any]]) -> str:
    """How the folds' stages were stopped, e.g. "20 ep / 100 steps", "off" or "mixed: ..."."""
    texts = []
    for c in configs:
        p, q = int(c.get("patience") or 0), int(c.get("patience_steps") or 0)
        texts.append("off" if p <= 0 else f"{p} ep" + (f" / {q} steps" if q > 0 else ""))
    uniq = list(dict.fromkeys(texts))
    return uniq[0] if len(uniq) == 1 else ("mixed: " + ", ".join(uniq) if uniq else "")


def summarize(runs: dict[tuple[str, int], dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (scenario, strategy) with mean/SD per metric; see :func:`write_report`."""
    rows: list[dict[str, Any]] = []
    keys = list(PAPER_SCENARIOS) + sorted(k for k in runs if k not in PAPER_SCENARIOS)
    for key in keys:
        entry = runs.get(key, {"folds": {}, "baselines": {}})
        folds = [entry["folds"][k] for k in sorted(entry["folds"])]
        sel = scenario_selection(folds) if folds else None
        ctx_info = folds[0].get("context_info", {}) if folds else {}
        base = {
            "context": key[0],
            "cv": key[1],
            "folds_done": len(folds),
            "selected_strategy": sel["selected"] if sel else "",
            "umt_mean_val_auc": sel["umt_val_auc"] if sel else math.nan,
            "ume_mean_val_auc": sel["ume_val_auc"] if sel else math.nan,
            "early_stopping": early_stopping_text([m.get("config", {}) for m in folds]),
            "omics_kinds": "+".join(ctx_info.get("omics_kinds", [])),
            "samples": ctx_info.get("num_samples", ""),
            "genes": ctx_info.get("num_genes", ""),
            "labelled_pairs": ctx_info.get("num_labels", ""),
            "positive_pairs": ctx_info.get("num_positive_labels", ""),
        }
        for strat in STRATEGIES + BASELINES:
            if strat in BASELINES:
                src = [entry["baselines"][k]["test"][strat] for k in sorted(entry["baselines"])]
            elif strat == "selected":
                src = [m["test"][sel["selected"]] for m in folds] if sel else []
            else:
                src = [m["test"][strat] for m in folds]
            row = dict(base, strategy=strat, n_folds=len(src))
            for met in METRICS:
                mean, sd, _ = _stats([s.get(met) for s in src])
                row[f"{met}_mean"], row[f"{met}_sd"] = mean, sd
            if strat == "selected" and key in PAPER_SYNLEAF:
                p = PAPER_SYNLEAF[key]
                row.update(
                    paper_auc=p[0],
                    paper_auc_sd=p[1],
                    paper_aupr=p[2],
                    paper_aupr_sd=p[3],
                    paper_f1=p[4] if p[4] is not None else math.nan,
                    paper_f1_sd=p[5] if p[5] is not None else math.nan,
                )
            rows.append(row)
    return rows


def _ms(mean: float, sd: float) -> str:
    return MISSING if not np.isfinite(mean) else f"{mean:.4f} ± {sd:.4f}"


def _num(x: float, nd: int = 4) -> str:
    return MISSING if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{x:.{nd}f}"


def render_markdown(rows: list[dict[str, Any]], runs_dir: str | Path) -> str:
    by = {(r["context"], r["cv"], r["strategy"]): r for r in rows}
    scen = list(dict.fromkeys((r["context"], r["cv"]) for r in rows))
    out = io.StringIO()
    w = out.write
    w("# SynLeaF Desktop: evaluation of the bundled models\n\n")
    w(
        f"Generated by `synleaf train report` from the run folder `{runs_dir}`. Test-set metrics are the "
        "mean ± population SD over the finished folds of each scenario; each fold uses the epoch with the best "
        "validation AUC. `selected` is UMT if its mean validation AUC over the folds is strictly greater than "
        "UME's, else UME (METHOD §2.6). F1 is the best-threshold F1 (threshold tuned on the test set, as the "
        "paper); F1 at 0.5 is in evaluation.csv. Pairs are scored in their stored order (paper protocol). "
        f"Missing cells ({MISSING}) are scenarios or folds not run yet.\n\n"
    )
    w(
        "Our data are not the paper's: the knowledge graph is built from GO/KEGG annotations (not SLKG 2.0) and "
        "the omics come from the cohorts available here (see the last table), so the paper's numbers are a "
        f"reference, not a target to match. Paper source: {PAPER_SOURCE}.\n\n"
    )
    w("## Selected strategy vs paper\n\n")
    w(
        "`early stop`: a stage stopped after this many epochs without a better validation AUC, and, where "
        "steps are given, at least that many optimizer steps (`--patience`, `--patience-steps`; the original "
        "code always ran every epoch). The best-validation epoch is kept either way. A stage waits max(epochs, steps / "
        "steps per epoch) epochs, so with five or more steps per epoch `20 ep` and `20 ep / 100 steps` stop "
        "at the same epoch.\n\n"
    )
    w(
        "| Context | CV | folds | early stop | selected | val AUC UMT / UME | test AUC | paper AUC | test AUPR "
        "| paper AUPR | test F1 | paper F1 |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    for c, cv in scen:
        r = by[(c, cv, "selected")]
        w(
            f"| {c} | {cv} | {r['folds_done']}/5 | {r['early_stopping'] or MISSING} | "
            f"{r['selected_strategy'].upper() or MISSING} | "
            f"{_num(r['umt_mean_val_auc'])} / {_num(r['ume_mean_val_auc'])} | {_ms(r['auc_mean'], r['auc_sd'])} | "
            f"{_paper(r, 'auc')} | {_ms(r['aupr_mean'], r['aupr_sd'])} | {_paper(r, 'aupr')} | "
            f"{_ms(r['f1_best_mean'], r['f1_best_sd'])} | {_paper(r, 'f1')} |\n"
        )
    for met, title in (("auc", "AUC"), ("aupr", "AUPR"), ("f1_best", "F1 (best threshold)")):
        w(
            f"\n## Test {title} by strategy\n\n| Context | CV | "
            + " | ".join(LABELS[s] for s in STRATEGIES + BASELINES)
            + " |\n|---|---|"
            + "---|" * len(STRATEGIES + BASELINES)
            + "\n"
        )
        for c, cv in scen:
            cells = [
                _ms(by[(c, cv, s)][f"{met}_mean"], by[(c, cv, s)][f"{met}_sd"])
                for s in STRATEGIES + BASELINES
            ]
            w(f"| {c} | {cv} | " + " | ".join(cells) + " |\n")
    w(
        "\nBaselines: logistic regression and random forest on symmetric pair features built from SVD-reduced "
        "omics rows and GO/KEGG annotation profiles (train/baselines.py), same folds.\n"
    )
    w(
        "\n## What each context had\n\n| Context | omics | samples | genes | labelled pairs | positives |\n"
        "|---|---|---|---|---|---|\n"
    )
    seen = set()
    for c, cv in scen:
        r = by[(c, cv, "selected")]
        if c in seen:
            continue
        seen.add(c)
        w(
            f"| {c} | {r['omics_kinds'] or MISSING} | {r['samples'] or MISSING} | {r['genes'] or MISSING} | "
            f"{r['labelled_pairs'] or MISSING} | {r['positive_pairs'] if r['positive_pairs'] != '' else MISSING} |\n"
        )
    return out.getvalue()


def _paper(r: dict[str, Any], met: str) -> str:
    if f"paper_{met}" not in r:
        return MISSING
    return _ms(r[f"paper_{met}"], r[f"paper_{met}_sd"]) if np.isfinite(r[f"paper_{met}"]) else "n/r"


def render_csv(rows: list[dict[str, Any]]) -> str:
    cols = (
        [
            "context",
            "cv",
            "strategy",
            "n_folds",
            "folds_done",
            "selected_strategy",
            "umt_mean_val_auc",
            "ume_mean_val_auc",
        ]
        + [f"{m}_{s}" for m in METRICS for s in ("mean", "sd")]
        + [
            "paper_auc",
            "paper_auc_sd",
            "paper_aupr",
            "paper_aupr_sd",
            "paper_f1",
            "paper_f1_sd",
            "omics_kinds",
            "samples",
            "genes",
            "labelled_pairs",
            "positive_pairs",
            "early_stopping",
            "repaired_auc_mean",
            "repaired_auc_sd",
        ]
    )
    buf = io.StringIO()
    wr = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    wr.writeheader()
    for r in rows:
        wr.writerow(
            {
                k: (
                    ""
                    if isinstance(v, float) and not np.isfinite(v)
                    else (f"{v:.6f}" if isinstance(v, float) else v)
                )
                for k, v in r.items()
            }
        )
    return buf.getvalue()


def summarize_transfer(
    scratch: dict[tuple[str, int], dict[str, Any]], transfer: dict[tuple[str, int], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Paired comparison of fine-tuned runs (``--init-from``) with scratch runs on the same folds.

    One row per (context, cv, strategy) over the folds finished in both: mean test AUC /
    AUPR of each, the paired AUC difference (transfer - scratch, mean ± SD) and the number
    of folds where transfer was better. ``selected`` is chosen separately in each run set
    (METHOD §2.6 on that set's validation AUCs).
    """
    rows: list[dict[str, Any]] = []
    for key in sorted(transfer):
        t_folds = transfer[key]["folds"]
        s_folds = scratch.get(key, {"folds": {}})["folds"]
        common = sorted(set(t_folds) & set(s_folds))
        if not common:
            continue
        ts = [t_folds[k] for k in common]
        ss = [s_folds[k] for k in common]
        t_sel, s_sel = scenario_selection(ts)["selected"], scenario_selection(ss)["selected"]
        sources = sorted({str(m.get("init_from") or "") for m in ts})
        for strat in STRATEGIES:
            ta = [m["test"][t_sel if strat == "selected" else strat] for m in ts]
            sa = [m["test"][s_sel if strat == "selected" else strat] for m in ss]
            row: dict[str, Any] = {
                "context": key[0],
                "cv": key[1],
                "strategy": strat,
                "n_folds": len(common),
                "selected_transfer": t_sel,
                "selected_scratch": s_sel,
                "init_from": ";".join(sources),
            }
            for met in ("auc", "aupr"):
                for name, src in (("scratch", sa), ("transfer", ta)):
                    row[f"{name}_{met}_mean"], row[f"{name}_{met}_sd"], _ = _stats(
                        [x.get(met) for x in src]
                    )
            diff = [t["auc"] - s["auc"] for t, s in zip(ta, sa, strict=True)]
            row["auc_diff_mean"], row["auc_diff_sd"], _ = _stats(diff)
            row["transfer_wins"] = int(sum(d > 0 for d in diff))
            rows.append(row)
    return rows


def render_transfer_markdown(
    rows: list[dict[str, Any]], pretrain: dict[tuple[str, int], dict[str, Any]]
) -> str:
    """The transfer section appended to EVALUATION.md."""
    out = io.StringIO()
    w = out.write
    w("\n## Transfer from a pan-cancer model (fine-tuning vs scratch)\n\n")
    w(
        "Idea from the Synergy-Transfer paper (docs/seeds/002): pretrain on the large pan-cancer label set, then "
        "fine-tune on a small cancer (`synleaf train --init-from PAN_FOLD`). To keep the test pairs unseen, the "
        "pretraining context is built with `synleaf data build --contexts pan --holdout KIRC,SKCM,CESC,OV`, which "
        "removes every pan pair labelled in any of the four target contexts (either gene order) before balancing "
        "and splitting. What is copied: the KG encoder (entity embeddings and both RGCN layers; the graph "
        "vocabulary is the same in every context) and every other tensor whose name and shape match (the KG "
        "head); the omics encoder differs in shape (samples, hidden sizes) and starts fresh. Same folds, seeds "
        "and training settings as the scratch runs; the paired difference is transfer minus scratch per fold.\n\n"
    )
    for (ctx, cv), entry in sorted(pretrain.items()):
        for k, m in sorted(entry["folds"].items()):
            info = m.get("context_info", {})
            hold = (info.get("meta") or {}).get("holdout", {})
            w(
                f"Pretraining run: `{ctx}` CV{cv} fold {k}: {info.get('num_labels', '?')} labelled pairs "
                f"({hold.get('pairs_removed', '?')} removed as held out), test AUC only-KG "
                f"{_num(m['test']['only_kg']['auc'])}, UMT {_num(m['test']['umt']['auc'])}, UME "
                f"{_num(m['test']['ume']['auc'])}; {m['wall_s']['total'] / 60:.1f} min.\n\n"
            )
    if not rows:
        w(f"No fine-tuned runs yet ({MISSING}).\n")
        return out.getvalue()
    w(
        "| Context | CV | folds | strategy | scratch AUC | transfer AUC | ΔAUC (paired) | transfer better | "
        "scratch AUPR | transfer AUPR |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    for r in rows:
        strat = LABELS[r["strategy"]]
        if r["strategy"] == "selected":
            strat += f" ({r['selected_scratch'].upper()} / {r['selected_transfer'].upper()})"
        w(
            f"| {r['context']} | {r['cv']} | {r['n_folds']} | {strat} | "
            f"{_ms(r['scratch_auc_mean'], r['scratch_auc_sd'])} | {_ms(r['transfer_auc_mean'], r['transfer_auc_sd'])} | "
            f"{r['auc_diff_mean']:+.4f} ± {r['auc_diff_sd']:.4f} | {r['transfer_wins']}/{r['n_folds']} | "
            f"{_ms(r['scratch_aupr_mean'], r['scratch_aupr_sd'])} | {_ms(r['transfer_aupr_mean'], r['transfer_aupr_sd'])} |\n"
        )
    sel = [r for r in rows if r["strategy"] == "selected"]
    if sel:
        diffs = [r["auc_diff_mean"] for r in sel]
        better = [f"{r['context']} CV{r['cv']}" for r in sel if r["auc_diff_mean"] > 0]
        folds = sum(r["transfer_wins"] for r in sel), sum(r["n_folds"] for r in sel)
        w(
            f"\nSelected strategy over the {len(sel)} scenarios: mean paired ΔAUC {np.mean(diffs):+.4f} "
            f"(range {min(diffs):+.4f} to {max(diffs):+.4f}); transfer better in {len(better)} scenarios "
            f"({', '.join(better) or 'none'}) and in {folds[0]} of {folds[1]} folds.\n"
        )
    return out.getvalue()


#: pair-specificity columns of the report: (key, label); keys of load_specificity
SPEC_COLUMNS = (
    ("only_omics", "only-omics"),
    ("only_kg", "only-KG"),
    ("umt", "UMT"),
    ("ume", "UME"),
    ("selected", "selected"),
    ("lr", "LR"),
    ("rf", "RF"),
    ("coinact", "co-inactivation"),
    ("kg", "shared terms"),
)


def load_specificity(
    model_csv: str | Path | None, evidence_csv: str | Path | None
) -> dict[tuple[str, int, str], dict[str, float]]:
    """Re-paired-control results: ``{(context, cv, key): {test_auc, repaired_auc, repaired_sd, folds}}``.

    ``model_csv``: per-fold rows of ``tests/benchmarks/bench_pair_specificity.py`` (the bundles'
    fold models: only-omics, only-KG, UMT, UME; ``selected`` is the bundle's strategy);
    ``evidence_csv``: the per-scenario summary of ``tests/benchmarks/bench_evidence.py``
    (co-inactivation, shared terms and the baselines, every scenario)."""
    import pandas as pd

    out: dict[tuple[str, int, str], dict[str, float]] = {}
    if model_csv is not None and Path(model_csv).is_file():
        df = pd.read_csv(model_csv)
        df["cvn"] = df["cv"].astype(str).str.replace("CV", "", regex=False).astype(int)
        for (c, _, strat), g in df.groupby(["context", "cvn", "strategy"]):
            cv = int(g["cvn"].iloc[0])  # the group's key, as an int (pandas types it Hashable)
            rec = {
                "test_auc": float(g["test_auc"].mean()),
                "repaired_auc": float(g["repaired_auc"].mean()),
                "repaired_sd": float(g["repaired_auc"].std(ddof=0)),
                "folds": len(g),
            }
            out[(str(c), cv, str(strat))] = rec
            if bool(g["selected"].iloc[0]):
                out[(str(c), cv, "selected")] = rec
    if evidence_csv is not None and Path(evidence_csv).is_file():
        ev = pd.read_csv(evidence_csv)
        for r in ev.to_dict(orient="records"):
            if r["score"] not in ("coinact", "kg", "lr", "rf"):
                continue
            out[(str(r["context"]), int(r["cv"]), str(r["score"]))] = {
                "test_auc": float(r["test_auc"]),
                "repaired_auc": float(r["repaired_auc"]),
                "repaired_sd": float(r["repaired_sd"]),
                "folds": int(r["folds"]),
            }
    return out


def render_specificity(
    spec: dict[tuple[str, int, str], dict[str, float]], scen: list[tuple[str, int]]
) -> str:
    """The EVALUATION.md section on re-paired controls (empty when there are no results)."""
    if not spec:
        return ""
    out = io.StringIO()
    w = out.write
    w("\n## Pair specificity: test positives against re-paired controls\n\n")
    w(
        "Each fold's test positives are scored against controls made by re-pairing the same genes among "
        "themselves (every gene keeps its number of appearances; no control is a labelled SL or non-SL pair of any "
        "label table; 3 seeded draws; `data/controls.py`). A score that only knows which genes are popular SL "
        "genes gets **0.5** here, however high its test AUC. Cells: re-paired-control AUC (test AUC in "
        "brackets), mean over folds. SynLeaF strategies are measured with the CV2 fold models shipped in the "
        "bundles (`python -m tests.benchmarks.bench_pair_specificity`); their CV1/CV3 fold models are not kept after "
        "training, so those cells are empty. Co-inactivation (the tumours' depletion p-value), shared annotation "
        "terms and the LR baseline are computed for every scenario by `python -m tests.benchmarks.bench_evidence`. "
        f"{MISSING} = not measured; n/a = no valid control could be drawn (KIRC: nearly every pair of its test "
        "genes is already labelled somewhere).\n\n"
    )
    w(
        "| Context | CV | "
        + " | ".join(lab for _, lab in SPEC_COLUMNS)
        + " |\n|---|---|"
        + "---|" * len(SPEC_COLUMNS)
        + "\n"
    )
    for c, cv in scen:
        cells = []
        for key, _ in SPEC_COLUMNS:
            r = spec.get((c, cv, key))
            if r is None:
                cells.append(MISSING)
            elif not np.isfinite(r["repaired_auc"]):
                cells.append(f"n/a ({r['test_auc']:.3f})")
            else:
                cells.append(f"{r['repaired_auc']:.3f} ({r['test_auc']:.3f})")
        w(f"| {c} | {cv} | " + " | ".join(cells) + " |\n")
    vals = [
        (k, r["repaired_auc"])
        for k, r in spec.items()
        if k[2] == "selected" and np.isfinite(r["repaired_auc"])
    ]
    if vals:
        n65 = sum(v >= 0.65 for _, v in vals)
        w(
            f"\nReading: the selected SynLeaF model reaches a re-paired-control AUC of at least 0.65 in {n65} of "
            f"{len(vals)} measured scenarios (range {min(v for _, v in vals):.3f}–{max(v for _, v in vals):.3f}): "
            "its test AUC comes mostly from knowing which genes have SL partners, not which pairs are SL. "
            "Co-inactivation in the cohorts' tumours and shared annotations carry little pair-specific signal "
            "on these data either.\n"
        )
    return out.getvalue()


def write_report(
    runs_dir: str | Path,
    out_dir: str | Path,
    transfer_dir: str | Path | None = None,
    specificity: tuple[Path | None, Path | None] | None = None,
) -> tuple[Path, Path]:
    """Write ``out_dir/EVALUATION.md`` and ``out_dir/evaluation.csv`` (atomically).

    ``transfer_dir`` (optional) holds ``finetune/`` runs made with ``--init-from`` and the
    ``pretrain/`` run they started from; a transfer section compares them with the scratch
    runs of ``runs_dir`` on the same folds and ``transfer.csv`` is written next to the others.
    """
    scratch = collect_runs(runs_dir)
    rows = summarize(scratch)
    out_dir = Path(out_dir)
    md, cs = out_dir / "EVALUATION.md", out_dir / "evaluation.csv"
    text = render_markdown(rows, runs_dir)
    spec = load_specificity(*specificity) if specificity is not None else {}
    if spec:
        scen = list(dict.fromkeys((r["context"], r["cv"]) for r in rows))
        text += render_specificity(spec, scen)
        for r in rows:
            key = "rf" if r["strategy"] == "rf" else r["strategy"]
            rec = spec.get((r["context"], r["cv"], key))
            r["repaired_auc_mean"] = rec["repaired_auc"] if rec else float("nan")
            r["repaired_auc_sd"] = rec["repaired_sd"] if rec else float("nan")
    # issue 13 part 4: pair-aware results, found next to the re-paired-control CSVs
    from . import report_pair_aware as rpa

    pa_dir = rpa.find_pair_aware(specificity)
    if pa_dir is not None:
        pa = rpa.load_pair_aware(pa_dir)
        text += rpa.render_pair_aware(
            pa, list(dict.fromkeys((r["context"], r["cv"]) for r in rows))
        )
        rows = rpa.merge_rows(rows, rpa.pair_aware_rows(pa, rows))
    if transfer_dir is not None:
        tdir = Path(transfer_dir)
        trows = summarize_transfer(scratch, collect_runs(tdir / "finetune"))
        text += render_transfer_markdown(trows, collect_runs(tdir / "pretrain"))
        cols = list(trows[0]) if trows else ["context", "cv", "strategy"]
        buf = io.StringIO()
        wr = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        wr.writeheader()
        for r in trows:
            wr.writerow(
                {
                    k: (
                        f"{v:.6f}"
                        if isinstance(v, float) and np.isfinite(v)
                        else ("" if isinstance(v, float) else v)
                    )
                    for k, v in r.items()
                }
            )
        write_text(out_dir / "transfer.csv", buf.getvalue())
    write_text(md, text)
    write_text(cs, render_csv(rows))
    return md, cs
