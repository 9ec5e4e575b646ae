"""One fold of the full SynLeaF pipeline on a real context: both teachers, UMT, UME, selection.

Run: ``python -m tests.benchmarks.bench_train_fold [--context BRCA] [--cv 1] [--fold 1]
[--contexts-dir cache/contexts] [--out DIR] [--threads N] [--batch-size N] [--patience N] [--patience-steps N]
[--max-epochs N] [--hidden-dims 512,256]``

Prints wall time, peak RSS, epochs and seconds per epoch per stage, and the validation/test
AUCs of every strategy. Targets (issue): single cancer <= 10 min and <= 6 GB; pan <= 45 min
and <= 12 GB on a 2-core laptop CPU. No assertion on time.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from synleaf_desktop.data.context import Context
from synleaf_desktop.progress import Progress
from synleaf_desktop.train.config import TrainConfig
from synleaf_desktop.train.device import configure_threads
from synleaf_desktop.train.fold import run_fold


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--context", default="BRCA")
    ap.add_argument("--cv", type=int, default=1)
    ap.add_argument("--fold", type=int, default=1)
    ap.add_argument("--contexts-dir", type=Path, default=Path("cache/contexts"))
    ap.add_argument(
        "--out", type=Path, default=None, help="run folder (default: a temporary one, removed)"
    )
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--patience", type=int, default=None)
    ap.add_argument("--patience-steps", type=int, default=None)
    ap.add_argument("--max-epochs", type=int, default=None)
    ap.add_argument("--hidden-dims", default=None)
    ap.add_argument("--teacher-mode", default="eval", choices=["eval", "train"])
    ap.add_argument("--standard-vae-heads", action="store_true")
    args = ap.parse_args(argv)
    threads = configure_threads(args.threads)
    t0 = time.perf_counter()
    ctx = Context.load(args.contexts_dir / args.context)
    load_s = time.perf_counter() - t0
    print(
        f"{ctx.name}: {ctx.num_genes} genes, omics {'+'.join(ctx.omics_kinds)} x {len(ctx.samples)} samples, "
        f"split sizes {[len(v) for v in ctx.split(args.cv, args.fold).values()]}; loaded in {load_s:.1f} s; "
        f"torch threads {threads}",
        flush=True,
    )
    hidden = [int(x) for x in args.hidden_dims.split(",")] if args.hidden_dims else None
    cfg = TrainConfig(
        hidden_dims=hidden,
        batch_size=args.batch_size,
        patience=args.patience,
        patience_steps=args.patience_steps,
        max_epochs=args.max_epochs,
        teacher_mode=args.teacher_mode,
        checkpoint_every_s=300,
        standard_vae_heads=args.standard_vae_heads,
    )
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_fold_"))
    last = [0.0]

    def cb(fraction, message, info):
        if "epoch" in info and (time.perf_counter() - last[0] > 20 or info["epoch"] == 1):
            last[0] = time.perf_counter()
            print(
                f"  {time.perf_counter() - t0:7.1f} s  {message}  loss {info['loss']:.4f}",
                flush=True,
            )

    t1 = time.perf_counter()
    m = run_fold(ctx, args.cv, args.fold, out, cfg, "cpu", Progress(cb))
    wall = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    c = m["config"]
    print(
        f"\nconfig: hidden {c['hidden_dims']}, batch {c['batch_size']}, max epochs {c['max_epochs']}, "
        f"patience {c['patience']} epochs / {c.get('patience_steps', 0)} steps, "
        f"teacher mode {c['teacher_mode']}, standard VAE heads {c['standard_vae_heads']}"
    )
    print(
        f"fold wall (training + evaluation) {wall:.1f} s = {wall / 60:.2f} min; with context load "
        f"{wall + load_s:.1f} s; peak RSS {peak:.2f} GB"
    )
    for stage, strat in (("omics", "only_omics"), ("kg", "only_kg"), ("umt", "umt")):
        ep = m["epochs_run"][stage]
        print(
            f"  {stage:5s}: {ep:3d} epochs (best {m['best_epoch'][strat]:3d}, early stop "
            f"{m['stopped_early'][stage]}), {m['wall_s'][stage]:7.1f} s, {m['wall_s'][stage] / max(ep, 1):.2f} s/epoch"
        )
    print(
        f"  teacher embeddings {m['wall_s']['teacher_embeddings']:.1f} s, evaluation {m['wall_s']['evaluate']:.1f} s"
    )
    print("strategy     val AUC  test AUC  test AUPR  test F1best  test AUC (both orders)")
    for s in ("only_omics", "only_kg", "umt", "ume"):
        v, t, b = m["val"][s], m["test"][s], m["test_both_orders"][s]
        print(
            f"{s:11s} {v['auc']:.4f}   {t['auc']:.4f}    {t['aupr']:.4f}     {t['f1_best']:.4f}      {b['auc']:.4f}"
        )
    sel = "umt" if m["val"]["umt"]["auc"] > m["val"]["ume"]["auc"] else "ume"
    print(f"this fold alone would select {sel.upper()}")
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
