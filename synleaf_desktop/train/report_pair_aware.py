"""EVALUATION.md section and evaluation.csv rows for the pair-aware models (issue 13, part 4).

Inputs are the committed results of ``tests/benchmarks/bench_pair_aware.py``:
``pair_aware_summary.csv`` (mean over folds per scenario and method, fold wins) and
``pair_aware_choice.json`` (per CV2 context: the variant chosen on validation pairs, its
figures and the default rule). :func:`write_report` finds them next to the re-paired-control
CSV it is given (``--specificity``), so ``make eval-report`` picks them up unchanged.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from .pair_aware import VARIANT_INPUTS
from .pair_aware import rule_met as _rule

SUMMARY = "pair_aware_summary.csv"
CHOICE = "pair_aware_choice.json"
MISSING = "–"
#: evaluation.csv strategy names of the new rows -> benchmark method
CSV_ROWS = {"pair_aware": "pa_best", "pair_aware_lr": "pn"}
CANCERS = ("BRCA", "CESC", "COAD", "KIRC", "LAML", "LUAD", "OV", "SKCM")
#: the stacked variants a bundle can ship, in the benchmark's tie order
PA_VARIANTS = tuple(VARIANT_INPUTS)


def find_pair_aware(specificity: tuple[Any, Any] | None) -> Path | None:
    """The folder holding the pair-aware results: that of the re-paired-control CSVs."""
    if not specificity:
        return None
    for p in specificity:
        if p is not None and (Path(p).parent / SUMMARY).is_file():
            return Path(p).parent
    return None


def load_pair_aware(folder: str | Path) -> dict[str, Any]:
    """``{"summary": {(context, cv, method): record}, "choice": {context: record}}``."""
    import pandas as pd

    folder = Path(folder)
    df = pd.read_csv(folder / SUMMARY)
    summ = {(str(r["context"]), int(r["cv"]), str(r["method"])): r for r in df.to_dict("records")}
    choice = {}
    if (folder / CHOICE).is_file():
        choice = json.loads((folder / CHOICE).read_text())
    return {"summary": summ, "choice": choice}


def _f(x: Any, nd: int = 3) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return MISSING
    return f"{v:.{nd}f}" if math.isfinite(v) else "n/a"


def _cell(r: dict | None) -> str:
    """test AUC / AUPR / re-paired AUC."""
    if r is None:
        return MISSING
    return f"{_f(r['test_auc'])} / {_f(r['test_aupr'])} / {_f(r['repaired_auc'])}"


def _wins(r: dict | None, ref: str) -> str:
    if r is None:
        return MISSING
    v = r.get(f"wins_vs_{ref}")
    return (
        MISSING
        if v is None or (isinstance(v, float) and not math.isfinite(v))
        else f"{int(v)}/{int(r['folds'])}"
    )


def ge_baselines(s: dict, c: str, cv: int, method: str = "pa_best") -> bool:
    """Whether ``method``'s mean test AUC in the scenario is at or above the better of LR and RF
    (a baseline without a figure is not counted against it)."""
    r = s.get((c, cv, method))
    if r is None:
        return False
    base = [float(s[(c, cv, m)]["test_auc"]) for m in ("lr", "rf") if (c, cv, m) in s]
    base = [b for b in base if math.isfinite(b)]
    return bool(base) and float(r["test_auc"]) >= max(base)


def goals(pa: dict[str, Any]) -> dict[str, Any]:
    """Where the issue's goals land (CV2, the benchmark's own per-fold figures).

    The shipped model of a context is pair-aware where ``choice[ctx]["default"]``, else the
    selected strategy. Returns counts for the shipped and for the current (today's) model:
    re-paired AUC >= 0.65 among the 8 cancers, test AUC >= max(LR, RF) among 9 contexts."""
    s, ch = pa["summary"], pa["choice"]
    out: dict[str, Any] = {}
    for label in ("today", "shipped"):
        rep, auc, n_rep, n_auc = 0, 0, 0, 0
        for c in (*CANCERS, "pan"):
            meth = "selected"
            if label == "shipped" and ch.get(c, {}).get("default"):
                meth = "pa_best"
            r = s.get((c, 2, meth))
            if r is None or (c, 2, "lr") not in s or (c, 2, "rf") not in s:
                continue
            n_auc += 1
            auc += ge_baselines(s, c, 2, meth)
            if c in CANCERS:
                n_rep += 1
                rep += bool(np.isfinite(r["repaired_auc"]) and r["repaired_auc"] >= 0.65)
        out[label] = {
            "repaired_ge_065": rep,
            "of_cancers": n_rep,
            "auc_ge_baselines": auc,
            "of_contexts": n_auc,
        }
    return out


def picked_variant(s: dict, c: str, cv: int) -> str:
    """The variant with the best mean validation AUC (the benchmark's rule, ties in order)."""
    val = {v: float(s[(c, cv, v)]["val_auc"]) for v in PA_VARIANTS if (c, cv, v) in s}
    val = {v: x for v, x in val.items() if math.isfinite(x)}
    return max(val, key=lambda v: (val[v], -PA_VARIANTS.index(v))) if val else MISSING


def rule_met(s: dict, c: str, cv: int) -> str:
    """The default rule applied to a scenario: mean test AUC above the selected strategy's and
    mean re-paired AUC not lower (n/a controls: not compared)."""
    r, sel = s.get((c, cv, "pa_best")), s.get((c, cv, "selected"))
    if r is None or sel is None:
        return MISSING
    met = _rule(
        float(r["test_auc"]),
        float(sel["test_auc"]),
        float(r["repaired_auc"]),
        float(sel["repaired_auc"]),
    )
    return "yes" if met else "no"


def render_pair_aware(pa: dict[str, Any], scen: list[tuple[str, int]]) -> str:
    """The EVALUATION.md section (empty without results)."""
    s, ch = pa["summary"], pa["choice"]
    if not s:
        return ""
    out = io.StringIO()
    w = out.write
    w("\n## Pair-aware models: pair evidence stacked on the fold scores\n\n")
    w(
        "`python -m tests.benchmarks.bench_pair_aware` (`train/pair_aware.py`, features in "
        "`scoring/pair_model.py`). Per fold, a logistic sub-model on pair features only (cohort "
        "co-inactivation: depletion score, -log OR, log observed/expected, no-evidence flag; shared GO BP / KEGG "
        "terms: log count, Jaccard, most specific and summed -ln(genes/N), direct edge; **no gene-degree "
        "feature**) is fitted on the fold's training pairs; a logistic stacker fitted on the fold's **validation** "
        "pairs combines its logit with the SynLeaF fold score's logit (`pa`), optionally trained with re-paired "
        "controls of the training / validation positives as extra negatives (`pa_rc`), or also with the fold's "
        "only-omics and only-KG teacher scores (`pa_all`; every input is shipped in the bundle). Test pairs are "
        "never fitted on. Per context, one of these is picked on validation AUC (out-of-fold within the "
        "validation pairs, mean of 5 folds). All methods are measured in the same benchmark on the same folds and "
        "controls (fold scores averaged over both pair orders, so `selected` differs slightly from the "
        "stored-order figures above). Cells: test AUC / test AUPR / re-paired-control AUC, mean of 5 folds; "
        "n/a = no valid control could be drawn.\n\n"
    )
    w("### CV2 (the bundles' fold models)\n\n")
    w(
        "| Context | variant | val AUC selected → pair-aware | selected | pair-aware | LR | RF | "
        "pair-aware folds won vs selected / LR / RF (test AUC) | default |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    )
    for c, cv in scen:
        if cv != 2 or (c, cv, "pa_best") not in s:
            continue
        r = s[(c, cv, "pa_best")]
        info = ch.get(c, {})
        w(
            f"| {c} | {info.get('variant', MISSING)} | {_f(info.get('val_auc_current'))} → "
            f"{_f(info.get('val_auc_pair_aware'))} | {_cell(s.get((c, cv, 'selected')))} | {_cell(r)} | "
            f"{_cell(s.get((c, cv, 'lr')))} | {_cell(s.get((c, cv, 'rf')))} | "
            f"{_wins(r, 'selected')} / {_wins(r, 'lr')} / {_wins(r, 'rf')} | "
            f"{'pair-aware' if info.get('default') else 'unchanged'} |\n"
        )
    w(
        "\n`variant`: `pa`, `pa_rc` or `pa_all` (pair + SynLeaF + the fold's only-omics and only-KG teacher "
        "scores), whichever has the best validation AUC. `default`: the variant becomes the context's default "
        "where its mean CV2 test AUC is above the selected strategy's and its mean re-paired AUC is not lower "
        "(the issue's rule). The validation comparison is shown but not required: the selected strategy's "
        "validation AUC is in-sample (its epoch was chosen on those pairs) while the stacker's is out-of-fold; "
        "a validation-only rule would switch only the contexts where the arrow goes up and the test AUC "
        "also rises.\n"
    )
    g = goals(pa)
    t, sh = g["today"], g["shipped"]
    w(
        f"\nGoals (CV2, figures of this benchmark): re-paired-control AUC ≥ 0.65 for the shipped model in "
        f"**{sh['repaired_ge_065']} of {sh['of_cancers']}** cancers (goal 6 of 8; today "
        f"{t['repaired_ge_065']}); test AUC at or above the better of LR and RF in **{sh['auc_ge_baselines']} of "
        f"{sh['of_contexts']}** contexts (goal 7 of 9; today {t['auc_ge_baselines']}).\n"
    )
    other = [(c, cv) for c, cv in scen if cv != 2 and (c, cv, "pa_best") in s]
    n_other = sum(cv != 2 for _, cv in scen)
    if other:
        coverage = (
            f"All {n_other} CV1 / CV3 scenarios."
            if len(other) == n_other
            else f"{len(other)} of the {n_other} CV1 / CV3 scenarios; the others were not retrained (CPU time)."
        )
        w("\n### CV1 / CV3 with the SynLeaF score (fold models retrained for this table)\n\n")
        w(
            "The grid does not keep CV1 / CV3 fold models, so these scenarios' five fold models were "
            "retrained (`synleaf train --cv N`, the grid's seeds and settings; they reproduce the grid's runs up to "
            "the floating-point nondeterminism of multi-threaded CPU training) and written as a fold bundle "
            "(`bench_pair_aware --runs runs --fold-bundles ...`); the stacker is fitted exactly as for CV2. "
            + coverage
            + " `rule met`: the CV2 default rule applied to this scenario (mean test AUC "
            "above the selected strategy's, mean re-paired AUC not lower).\n\n"
        )
        w(
            "| Context | CV | variant | selected | pair-aware | LR | RF | pair-aware folds won vs selected / LR / RF "
            "(test AUC) | rule met |\n|---|---|---|---|---|---|---|---|---|\n"
        )
        for c, cv in other:
            r = s[(c, cv, "pa_best")]
            w(
                f"| {c} | {cv} | {picked_variant(s, c, cv)} | {_cell(s.get((c, cv, 'selected')))} | {_cell(r)} | "
                f"{_cell(s.get((c, cv, 'lr')))} | {_cell(s.get((c, cv, 'rf')))} | "
                f"{_wins(r, 'selected')} / {_wins(r, 'lr')} / {_wins(r, 'rf')} | {rule_met(s, c, cv)} |\n"
            )
        met = sum(rule_met(s, c, cv) == "yes" for c, cv in other)
        ge = sum(ge_baselines(s, c, cv) for c, cv in other)
        w(
            f"\nRule met in **{met} of {len(other)}**; pair-aware test AUC at or above the better of LR and RF "
            f"in **{ge} of {len(other)}**.\n"
        )
    w("\n### All 19 scenarios without the SynLeaF score\n\n")
    w(
        "CV1 / CV3 SynLeaF fold models are not kept by the grid"
        + (
            ""
            if not other
            else " (retrained above)"
            if len(other) == n_other
            else " (retrained above only where listed)"
        )
        + ", so a variant without the SynLeaF score covers the whole grid: the pair sub-model stacked with "
        "the LR baseline's score (`pn`; `pn_rc` with re-paired controls as extra negatives), against LR and RF "
        "refitted on the same folds. `pair only`: the sub-model alone.\n\n"
    )
    w(
        "| Context | CV | pair only | pair + LR | pair + LR, controls | LR | RF | pair + LR folds won vs LR / RF |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    for c, cv in scen:
        r = s.get((c, cv, "pn"))
        if r is None:
            continue
        w(
            f"| {c} | {cv} | {_cell(s.get((c, cv, 'pair_only')))} | {_cell(r)} | {_cell(s.get((c, cv, 'pn_rc')))} | "
            f"{_cell(s.get((c, cv, 'lr')))} | {_cell(s.get((c, cv, 'rf')))} | {_wins(r, 'lr')} / {_wins(r, 'rf')} |\n"
        )
    return out.getvalue()


def pair_aware_rows(pa: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """evaluation.csv rows ``pair_aware`` (the validation-picked variant with the SynLeaF score:
    CV2, and CV1 / CV3 scenarios whose fold models were retrained) and ``pair_aware_lr`` (every scenario, pair sub-model + LR), scenario columns copied
    from the scenario's ``selected`` row; F1 columns empty (not measured)."""
    s = pa["summary"]
    base = {(r["context"], r["cv"]): r for r in rows if r["strategy"] == "selected"}
    out = []
    for (c, cv), b in base.items():
        for strat, meth in CSV_ROWS.items():
            r = s.get((c, cv, meth))
            if r is None:
                continue
            row = {
                k: v
                for k, v in b.items()
                if not k.startswith(("auc_", "aupr_", "f1_", "paper_", "repaired_"))
            }
            row.update(
                strategy=strat,
                n_folds=int(r["folds"]),
                auc_mean=float(r["test_auc"]),
                auc_sd=float(r["test_auc_sd"]),
                aupr_mean=float(r["test_aupr"]),
                aupr_sd=float(r["test_aupr_sd"]),
                repaired_auc_mean=float(r["repaired_auc"]),
                repaired_auc_sd=float(r["repaired_sd"]),
            )
            out.append(row)
    return out


def merge_rows(rows: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with each extra row placed after the last row of its scenario."""
    by: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in extra:
        by.setdefault((r["context"], r["cv"]), []).append(r)
    out: list[dict[str, Any]] = []
    for n, r in enumerate(rows):
        out.append(r)
        key = (r["context"], r["cv"])
        nxt = rows[n + 1] if n + 1 < len(rows) else None
        if nxt is None or (nxt["context"], nxt["cv"]) != key:
            out.extend(by.pop(key, []))
    for rest in by.values():
        out.extend(rest)
    return out
