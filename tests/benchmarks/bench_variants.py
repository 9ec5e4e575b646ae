"""Paired comparison of a training option against the default on the same folds.

The issue asks that every deviation from the original SynLeaF code be measured and kept
behind an option. This benchmark trains the chosen scenarios' folds with one option changed,
next to a finished reference run (e.g. the evaluation grid), and prints per-fold test AUCs of
every strategy, the selected strategy per scenario, and the paired difference variant minus
reference.

Run (from the repository root; the reference is a run folder of ``synleaf train grid``):

    python -m tests.benchmarks.bench_variants --reference /work/runs/grid \
        --scenarios OV:2,KIRC:2 --out /tmp/variant_teacher_train --teacher-mode train

    python -m tests.benchmarks.bench_variants --reference /work/runs/grid \
        --scenarios pan:2 --folds 1 --out /work/runs/hidden512 --hidden-dims 512,256 --report-only

    python -m tests.benchmarks.bench_variants     # the committed variants, against the committed grid

Committed variants live in ``tests/benchmarks/results/evaluation/variants/<name>/`` (``variant.json`` plus
the folds' ``metrics.json``), next to the grid's in ``tests/benchmarks/results/evaluation/runs/``. A variant
whose ``variant.json`` names a ``reference_variant`` is compared with that folder instead of the
grid: the variants measured before the early-stopping default changed are paired with
``previous_patience`` (the grid as it was then), so every comparison keeps its own reference.

Options that change only the UMT stage (``--teacher-mode``) reuse the reference run's teacher
checkpoints (same seed, same architecture), so the comparison isolates UMT; every other option
retrains all stages. Folds already finished in ``--out`` are not retrained (resumable).
``--report-only`` prints the table from what is there. No assertion on anything.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

from synleaf_desktop.data.context import Context
from synleaf_desktop.train.config import TrainConfig
from synleaf_desktop.train.device import configure_threads
from synleaf_desktop.train.fold import STRATEGIES, fold_dir, run_fold
from synleaf_desktop.train.grid import find_context, parse_folds, parse_scenarios
from synleaf_desktop.train.selection import scenario_selection


def _metrics(path: Path) -> dict | None:
    p = path / "metrics.json"
    return json.loads(p.read_text()) if p.exists() else None


def _config(args) -> TrainConfig:
    hidden = [int(x) for x in args.hidden_dims.split(",")] if args.hidden_dims else None
    return TrainConfig(
        hidden_dims=hidden,
        teacher_mode=args.teacher_mode,
        patience=args.patience,
        patience_steps=args.patience_steps,
        standard_vae_heads=args.standard_vae_heads,
        keep_optimizer=False,
    )


def _umt_only(args) -> bool:
    """True when the variant changes nothing before the UMT stage (teachers can be reused)."""
    return (
        not args.hidden_dims
        and not args.standard_vae_heads
        and args.patience is None
        and args.patience_steps is None
    )


def train_variant(args, scenarios, folds) -> None:
    cfg = _config(args)
    for name, cv in scenarios:
        ctx = Context.load(find_context(args.contexts_dir, name))
        for k in folds:
            ref = fold_dir(args.reference, ctx.name, cv, k)
            out = fold_dir(args.out, ctx.name, cv, k)
            if _metrics(ref) is None:
                print(
                    f"{ctx.name} cv{cv} fold{k}: no finished reference fold in {ref}; skipped",
                    flush=True,
                )
                continue
            if (out / "metrics.json").exists():
                continue
            if _umt_only(args):
                out.mkdir(parents=True, exist_ok=True)
                for stage in ("omics.pt", "kg.pt"):
                    if not (out / stage).exists():
                        shutil.copy2(ref / stage, out / stage)
            t = time.perf_counter()
            run_fold(ctx, cv, k, args.out, cfg, "cpu")
            print(
                f"{ctx.name} cv{cv} fold{k}: trained in {time.perf_counter() - t:.0f} s", flush=True
            )


def report(args, scenarios, folds) -> None:
    print(f"variant: {args.label or _describe(args)}; reference: {args.reference}")
    all_d: list[float] = []
    all_s: dict[str, list[float]] = {s: [] for s in STRATEGIES}
    for name, cv in scenarios:
        pairs = []
        for k in folds:
            ref = _metrics(fold_dir(args.reference, name, cv, k))
            var = _metrics(fold_dir(args.out, name, cv, k))
            if ref is not None and var is not None:
                pairs.append((k, ref, var))
        if not pairs:
            print(f"\n{name} CV{cv}: no fold finished in both runs")
            continue
        sel_r = scenario_selection([r for _, r, _ in pairs])["selected"]
        sel_v = scenario_selection([v for _, _, v in pairs])["selected"]
        print(
            f"\n{name} CV{cv}: {len(pairs)} paired fold(s); selected reference {sel_r.upper()}, "
            f"variant {sel_v.upper()}"
        )
        print("fold  " + "  ".join(f"{s:>15s}" for s in STRATEGIES) + "   UMT stage s, ref/var")
        d_sel: list[float] = []
        deltas = {s: [] for s in STRATEGIES}
        for k, r, v in pairs:
            cells = []
            for s in STRATEGIES:
                a, b = r["test"][s]["auc"], v["test"][s]["auc"]
                deltas[s].append(b - a)
                cells.append(f"{a:.3f}->{b:.3f}")
            d_sel.append(v["test"][sel_v]["auc"] - r["test"][sel_r]["auc"])
            print(
                f"{k:4d}  "
                + "  ".join(f"{c:>15s}" for c in cells)
                + f"   {r['wall_s']['umt']:.0f}/{v['wall_s']['umt']:.0f}"
            )
        print(
            "mean  "
            + "  ".join(f"{np.mean(deltas[s]):+15.3f}" for s in STRATEGIES)
            + "   (variant - reference)"
        )
        print(
            f"selected strategy: reference {np.mean([r['test'][sel_r]['auc'] for _, r, _ in pairs]):.3f}, "
            f"variant {np.mean([v['test'][sel_v]['auc'] for _, _, v in pairs]):.3f}, paired difference "
            f"{np.mean(d_sel):+.3f} ± {np.std(d_sel):.3f}, variant better in "
            f"{sum(x > 0 for x in d_sel)}/{len(d_sel)} folds"
        )
        all_d += d_sel
        for s in STRATEGIES:
            all_s[s] += deltas[s]
    if all_d:
        print(
            f"\nover all paired folds: selected-strategy test AUC difference {np.mean(all_d):+.3f} "
            f"(variant better in {sum(x > 0 for x in all_d)}/{len(all_d)})"
        )
        for s in STRATEGIES:
            d = all_s[s]
            print(
                f"  {s:10s}: mean difference {np.mean(d):+.3f} ± {np.std(d):.3f}, variant better in "
                f"{sum(x > 0 for x in d)}/{len(d)}, equal in {sum(x == 0 for x in d)}"
            )


def _describe(args) -> str:
    parts = []
    if args.hidden_dims:
        parts.append(f"hidden dims {args.hidden_dims}")
    if args.teacher_mode != "eval":
        parts.append(f"teacher mode {args.teacher_mode}")
    if args.standard_vae_heads:
        parts.append("standard VAE heads")
    if args.patience is not None:
        parts.append(
            f"patience {args.patience}" + (" (no early stopping)" if args.patience == 0 else "")
        )
    if args.patience_steps is not None:
        parts.append(f"patience steps {args.patience_steps}")
    return ", ".join(parts) or "defaults"


VARIANTS_DIR = Path("tests/benchmarks/results/evaluation/variants")


def _save_description(args) -> None:
    """variant.json in the variant's run folder: what was changed, on which scenarios."""
    args.out.mkdir(parents=True, exist_ok=True)
    desc = {
        "label": args.label or _describe(args),
        "hidden_dims": args.hidden_dims,
        "teacher_mode": args.teacher_mode,
        "standard_vae_heads": args.standard_vae_heads,
        "patience": args.patience,
        "patience_steps": args.patience_steps,
        "scenarios": args.scenarios,
        "folds": args.folds,
    }
    path = args.out / "variant.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    if old.get("scenarios"):  # several calls into one folder: the union of what they ran
        seen = old["scenarios"].split(",")
        desc["scenarios"] = ",".join(seen + [x for x in args.scenarios.split(",") if x not in seen])
        folds = sorted(set(parse_folds(old.get("folds"))) | set(parse_folds(args.folds)))
        desc["folds"] = ",".join(str(k) for k in folds)
    path.write_text(json.dumps(desc, indent=1))


def _from_description(args, folder: Path):
    d = json.loads((folder / "variant.json").read_text())
    return argparse.Namespace(
        **{
            **vars(args),
            "out": folder,
            "label": d.get("label"),
            "hidden_dims": d.get("hidden_dims"),
            "teacher_mode": d.get("teacher_mode", "eval"),
            "standard_vae_heads": bool(d.get("standard_vae_heads")),
            "patience": d.get("patience"),
            "patience_steps": d.get("patience_steps"),
            "reference": (folder.parent / d["reference_variant"])
            if d.get("reference_variant")
            else args.reference,
            "scenarios": d["scenarios"],
            "folds": d.get("folds", "1-5"),
        }
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--reference",
        type=Path,
        default=Path("tests/benchmarks/results/evaluation/runs"),
        help="finished run folder (default: the committed evaluation grid)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="run folder of the variant (default: report every committed variant in "
        f"{VARIANTS_DIR})",
    )
    ap.add_argument("--scenarios", default=None, help="e.g. OV:2,KIRC:2 (needed to train)")
    ap.add_argument("--folds", default="1-5")
    ap.add_argument("--contexts-dir", type=Path, default=Path("cache/contexts"))
    ap.add_argument("--hidden-dims", default=None)
    ap.add_argument("--teacher-mode", default="eval", choices=["eval", "train"])
    ap.add_argument("--standard-vae-heads", action="store_true")
    ap.add_argument(
        "--patience", type=int, default=None, help="0 = no early stopping (the original)"
    )
    ap.add_argument("--patience-steps", type=int, default=None)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--label", default=None, help="name of the variant in the printout")
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args(argv)
    if args.out is None:
        folders = sorted(p.parent for p in VARIANTS_DIR.glob("*/variant.json"))
        if not folders:
            print(
                f"no committed variants in {VARIANTS_DIR}; pass --out and --scenarios to train one"
            )
        for folder in folders:
            v = _from_description(args, folder)
            print(f"\n===== {folder.name} =====")
            report(v, parse_scenarios(v.scenarios), parse_folds(v.folds))
        return
    if args.report_only and not args.scenarios and (args.out / "variant.json").exists():
        args = _from_description(args, args.out)
    if not args.scenarios:
        ap.error("--scenarios is needed (or --report-only on a folder with variant.json)")
    scenarios = parse_scenarios(args.scenarios)
    folds = parse_folds(args.folds)
    if not args.report_only:
        configure_threads(args.threads)
        _save_description(args)
        train_variant(args, scenarios, folds)
    report(args, scenarios, folds)


if __name__ == "__main__":
    main()
