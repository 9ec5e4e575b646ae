"""``synleaf train``: train SynLeaF folds, run the paper's grid, write the evaluation report.

* ``synleaf train --context BRCA --cv 2 --folds 1-5 --out runs`` one scenario (resumable);
* ``synleaf train grid --contexts-dir cache/contexts --out runs [--scenarios ...] [--baselines]``;
* ``synleaf train report --runs runs --out bundled_models``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..progress import Progress

DEFAULT_CONTEXTS = Path("cache/contexts")


def _training_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--device", default="auto", help="auto (CUDA, then MPS, else CPU) | cpu | cuda[:N] | mps"
    )
    p.add_argument(
        "--contexts-dir",
        type=Path,
        default=DEFAULT_CONTEXTS,
        help=f"folder of built contexts (default {DEFAULT_CONTEXTS})",
    )
    p.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        help="upper bound per stage (default 200 single / 30 pan)",
    )
    p.add_argument(
        "--patience",
        type=int,
        default=None,
        help="stop a stage after N epochs without a better validation AUC (0 = never; "
        "default 20 single / 6 pan)",
    )
    p.add_argument(
        "--patience-steps",
        type=int,
        default=None,
        help="... and at least N optimizer steps without one (default 100 single / 0 pan)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="pairs per step (0 = whole training set; default 512 single / 8192 pan)",
    )
    p.add_argument("--hidden-dims", default=None, help="VAE hidden sizes, e.g. 512,256")
    p.add_argument(
        "--teacher-mode",
        choices=["eval", "train"],
        default="eval",
        help="UMT teachers: eval = embeddings computed once (default); train = upstream behaviour",
    )
    p.add_argument(
        "--standard-vae-heads", action="store_true", help="plain linear mu/logvar heads (no ReLU)"
    )
    p.add_argument("--seed", type=int, default=None, help="base seed (default: the context's)")
    p.add_argument(
        "--checkpoint-every",
        type=float,
        default=120.0,
        help="seconds between resumable in-stage checkpoints (default 120)",
    )
    p.add_argument(
        "--drop-optimizer-state",
        action="store_true",
        help="final stage checkpoints without optimizer state (about 4x smaller; "
        "enough for export and scoring, not for continued training)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch CPU threads (default: all cores but one, at least 1)",
    )
    p.add_argument("--quiet", action="store_true", help="only the final table")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train SynLeaF on a context (and grid / report)",
        description="Train the SynLeaF pipeline (only-omics and only-KG teachers, UMT, UME) on "
        "folds of a built context. Resumable: finished folds and stages are skipped.",
    )
    p.add_argument("--context", help="context name (under --contexts-dir) or context folder")
    p.add_argument(
        "--cv", type=int, default=1, choices=[1, 2, 3], help="cross-validation scheme (default 1)"
    )
    p.add_argument("--folds", default="1-5", help="folds, e.g. 1-5 or 1,3 (default 1-5)")
    p.add_argument("--out", type=Path, default=Path("runs"), help="run folder (default runs/)")
    p.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="a finished fold folder of another run (e.g. runs/pan/cv2/fold1) to initialise from "
        "(KG encoder if the graph is the same; other layers where shapes match)",
    )
    _training_options(p)
    p.set_defaults(func=_train)
    s = p.add_subparsers(dest="train_action", metavar="ACTION")
    g = s.add_parser("grid", help="the paper's 19 scenarios x 5 folds, resumable")
    g.add_argument("--out", type=Path, required=True, help="run folder")
    g.add_argument("--scenarios", default="all", help="all | NAME:CV,... | NAME (its paper CVs)")
    g.add_argument("--folds", default="1-5", help="folds (default 1-5)")
    g.add_argument(
        "--baselines", action="store_true", help="also fit logistic regression and random forest"
    )
    _training_options(g)
    g.set_defaults(func=_grid)
    r = s.add_parser("report", help="write EVALUATION.md and evaluation.csv from a run folder")
    r.add_argument("--runs", type=Path, required=True, help="run folder")
    r.add_argument(
        "--out",
        type=Path,
        default=Path("bundled_models"),
        help="output folder (default bundled_models)",
    )
    r.add_argument(
        "--transfer",
        type=Path,
        default=None,
        help="folder with pretrain/ and finetune/ runs (--init-from) to compare with the scratch runs",
    )
    r.add_argument(
        "--specificity",
        type=Path,
        nargs=2,
        default=None,
        metavar=("MODELS_CSV", "EVIDENCE_CSV"),
        help="re-paired-control results: tests/benchmarks/results/pair_specificity.csv and "
        "evidence_summary.csv",
    )
    r.set_defaults(func=_report)


def _config(args):
    from ..train.config import TrainConfig

    hidden = None
    if args.hidden_dims:
        try:
            hidden = [int(x) for x in args.hidden_dims.split(",") if x.strip()]
        except ValueError:
            raise InputError(
                None, f"--hidden-dims {args.hidden_dims!r}: give sizes like 512,256"
            ) from None
    return TrainConfig.from_dict(
        {
            "hidden_dims": hidden,
            "max_epochs": args.max_epochs,
            "patience": args.patience,
            "patience_steps": args.patience_steps,
            "batch_size": args.batch_size,
            "teacher_mode": args.teacher_mode,
            "standard_vae_heads": args.standard_vae_heads,
            "seed": args.seed,
            "checkpoint_every_s": args.checkpoint_every,
            "keep_optimizer": not args.drop_optimizer_state,
        }
    )


class _Printer:
    """Prints one progress line per epoch at most every ``interval`` seconds, and stage changes."""

    def __init__(self, quiet: bool, interval: float = 5.0) -> None:
        self.quiet = quiet
        self.interval = interval
        self.last = 0.0
        self.stage = None

    def __call__(self, fraction: float, message: str, info: dict[str, Any]) -> None:
        if self.quiet or "epoch" not in info:
            return
        now = time.monotonic()
        new_stage = info.get("stage") != self.stage
        if (
            not new_stage
            and now - self.last < self.interval
            and info["epoch"] < info.get("max_epochs", 0)
        ):
            return
        self.stage, self.last = info.get("stage"), now
        gn = " ".join(
            f"|g_{k}| {info[f'grad_norm_{k}']:.3g}"
            for k in ("omics", "kg")
            if info.get(f"grad_norm_{k}") is not None
        )
        best = info.get("best_val_auc")
        print(
            f"[{info.get('context')} cv{info.get('cv')} fold{info.get('fold')}] {info['stage']:5s} epoch "
            f"{info['epoch']:3d}/{info.get('max_epochs')} loss {info.get('loss', float('nan')):.4f} "
            f"val AUC {_f(info.get('val_auc'))} (best {_f(best)} @ {info.get('best_epoch')}) {gn} "
            f"{info.get('wall_s', 0):.0f} s",
            flush=True,
        )


def _f(x) -> str:
    return "  n/a " if x is None or x != x else f"{x:.4f}"


def _setup(args):
    from ..train.device import configure_threads, resolve_device

    configure_threads(args.threads)
    return resolve_device(args.device)


def _train(args: argparse.Namespace) -> int:
    from ..data.context import Context
    from ..train.data import ContextTensors
    from ..train.fold import run_fold
    from ..train.grid import find_context, parse_folds

    if not args.context:
        raise InputError(
            None,
            "name a context: synleaf train --context BRCA [--cv 2 --folds 1-5] "
            "(or use `synleaf train grid` / `synleaf train report`)",
        )
    dev = _setup(args)
    folder = find_context(args.contexts_dir, args.context)
    folds = parse_folds(args.folds)
    context = Context.load(folder)
    cfg = _config(args)
    tensors = ContextTensors.from_context(context, dev)
    print(
        f"context {context.name}: {context.num_genes} genes, omics {'+'.join(context.omics_kinds)} x "
        f"{len(context.samples)} samples, KG {context.kg.num_entities} entities / "
        f"{context.kg.edge_index.shape[1]} edges; device {dev}; out {args.out}",
        flush=True,
    )
    progress = Progress(_Printer(args.quiet))
    results = []
    for k in folds:
        results.append(
            run_fold(
                context,
                args.cv,
                k,
                args.out,
                cfg,
                dev,
                progress,
                init_from=args.init_from,
                tensors=tensors,
            )
        )
    _print_table(results)
    return 0


def _print_table(results: list[dict[str, Any]]) -> None:
    strategies = ("only_omics", "only_kg", "umt", "ume")
    print("\nfold  " + "  ".join(f"{s:>17s}" for s in strategies) + "   epochs o/k/u   wall")
    print("      " + "  ".join(f"{'val AUC / test AUC':>17s}" for _ in strategies))
    for m in results:
        cells = [f"{_f(m['val'][s]['auc'])} / {_f(m['test'][s]['auc'])}" for s in strategies]
        ep = m["epochs_run"]
        print(
            f"{m['fold']:>4d}  "
            + "  ".join(f"{c:>17s}" for c in cells)
            + f"   {ep['omics']}/{ep['kg']}/{ep['umt']}   {m['wall_s']['total']:.0f} s"
        )
    if len(results) > 1:
        from ..train.selection import scenario_selection

        sel = scenario_selection(results)
        print(
            f"selected strategy over these folds: {sel['selected'].upper()} (mean val AUC UMT "
            f"{_f(sel['umt_val_auc'])} vs UME {_f(sel['ume_val_auc'])})"
        )


def _grid(args: argparse.Namespace) -> int:
    from ..train.grid import parse_folds, parse_scenarios, run_grid

    dev = _setup(args)
    summary = run_grid(
        args.contexts_dir,
        args.out,
        parse_scenarios(args.scenarios),
        parse_folds(args.folds),
        _config(args),
        str(dev),
        baselines=args.baselines,
        progress=Progress(_Printer(args.quiet)),
    )
    trained = sum(e["status"] == "trained" for e in summary)
    skipped = sum(e["status"].startswith("skipped") for e in summary)
    missing = len(summary) - trained - skipped
    print(f"grid: {trained} fold(s) trained, {skipped} already done, {missing} not available")
    return 0


def _report(args: argparse.Namespace) -> int:
    from ..train.report import write_report

    md, cs = write_report(
        args.runs,
        args.out,
        transfer_dir=args.transfer,
        specificity=tuple(args.specificity) if args.specificity else None,
    )
    print(f"wrote {md} and {cs}")
    return 0
