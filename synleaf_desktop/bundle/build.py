"""Build deployable bundles from trained runs with the project's own training code.

``synleaf bundle build --data ../shared/data --out bundled_models`` does, per context:

1. build the training context from the data folder if the contexts cache lacks it;
2. train the CV2 folds 1-5 (resumable: folds already in the runs folder are reused);
3. pick the strategy per scenario (UMT vs UME by mean validation AUC over folds, METHOD §2.6);
4. export every fold's per-gene arrays in eval mode and write the bundle
   (:func:`synleaf_desktop.bundle.writer.write_bundle`), within a size budget.

Budget: UME bundles store 4 scalars per gene and fold (~2 MB for five folds); UMT bundles need
two [G, 128] matrices per fold (~9 MB per fold in fp16). The total budget is shared: UME
contexts take what they need and the rest is divided equally between UMT contexts, which
ship as many folds as fit; what one UMT context leaves of its share goes to the next one in
build order (the manifest says how many folds were trained and shipped, and why).

This module imports torch (through the training layer); loading and scoring bundles does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..data.context import Context
from ..fileio import read_json
from ..progress import Progress, ensure
from .card import write_model_card
from .format import BUILTIN_ORDER, MANIFEST, read_manifest

#: strategies and metrics copied from each fold's metrics.json into the manifest
STRATEGY_KEYS = ("only_omics", "only_kg", "umt", "ume")
METRIC_KEYS = ("auc", "aupr", "f1_best", "f1_at_0.5")
UME_BUNDLE_BYTES = 2_500_000  # generous estimate of a five-fold UME bundle (measured ~1.7 MB)
DEFAULT_BUDGET_MB = 150.0


def fold_metrics(
    runs_root: str | Path, name: str, cv: int, folds: Sequence[int]
) -> list[dict[str, Any]]:
    """The metrics.json of each finished fold (raises if one is missing)."""
    from ..train.fold import fold_dir

    out = []
    for k in folds:
        path = fold_dir(runs_root, name, cv, k) / "metrics.json"
        if not path.exists():
            raise FileNotFoundError(
                f"{name} cv{cv} fold{k} has not been trained: {path} is missing"
            )
        out.append(read_json(path))
    return out


def manifest_metrics(metrics: Sequence[dict[str, Any]]) -> dict[str, dict[str, list[float | None]]]:
    """``{strategy: {metric: [per fold]}}`` with val_*, test_* (stored pair order, the paper's
    protocol) and test_*_both_orders (the app's order-averaged scoring)."""
    out: dict[str, dict[str, list[float | None]]] = {}
    for strat in STRATEGY_KEYS:
        table: dict[str, list[float | None]] = {}
        for part, suffix in (("val", ""), ("test", ""), ("test_both_orders", "_both_orders")):
            prefix = "val" if part == "val" else "test"
            for metric in METRIC_KEYS:
                table[f"{prefix}_{metric}{suffix}"] = [
                    (m.get(part, {}).get(strat) or {}).get(metric) for m in metrics
                ]
        out[strat] = table
    return out


def _relative_inputs(inputs: dict[str, str]) -> dict[str, str]:
    """Input checksums keyed by their path below the data folder (not the builder's machine)."""
    out = {}
    for path, digest in sorted(inputs.items()):
        parts = Path(path).parts
        key = "/".join(parts[parts.index("data") + 1 :]) if "data" in parts else Path(path).name
        out[key] = digest
    return out


def bundle_from_runs(
    context: Context,
    runs_root: str | Path,
    dest: str | Path,
    cv: int = 2,
    folds: Sequence[int] = (1, 2, 3, 4, 5),
    dtype: str = "int8-lowrank",
    size_budget_bytes: int | None = None,
    strategy: str | None = None,
    progress: Progress | None = None,
    *,
    description: str | None = None,
    cancer: str | None = None,
    data_checksums: dict[str, str] | None = None,
    training: dict[str, Any] | None = None,
) -> Path:
    """Write the bundle of one context from its finished fold runs: the one path from fold runs
    to a bundle and its manifest, for the built-in models (``synleaf bundle build``) and for the
    models trained in the app (:func:`synleaf_desktop.app.training.train_context`), so that both
    carry the same manifest fields.

    Args:
        context: the loaded context (with omics: embeddings are recomputed in eval mode).
        runs_root: the runs folder given to ``synleaf train`` / ``train grid``.
        dest: the bundle folder (replaced atomically).
        cv: the CV scenario whose fold models are shipped (the paper's web server uses CV2).
        folds: the fold ids to ship, in order.
        dtype: storage type of the UMT term matrices.
        size_budget_bytes: cap on the bundle size (UMT ships fewer folds when needed).
        strategy: force "umt"/"ume" instead of the selection rule.
        description, cancer: the manifest's text (default: "SynLeaF UMT on BRCA, CV2 folds ..."
            and the context's label cancer).
        data_checksums: ``{input: sha256}`` of the data the context was built from (default:
            the context meta's ``inputs``, keyed by their path below the data folder).
        training: extra ``training`` entries (the app adds ``quick``, ``base_model``,
            ``inputs`` and ``run_folder``).
    """
    import torch

    from ..train.data import ContextTensors
    from ..train.export import fold_arrays
    from ..train.fold import fold_dir
    from ..train.selection import scenario_selection
    from .writer import DEFAULT_RULE, write_bundle

    progress = ensure(progress)
    metrics = fold_metrics(runs_root, context.name, cv, folds)
    selection = scenario_selection(metrics)
    chosen = strategy or selection["selected"]
    tensors = ContextTensors.from_context(context, torch.device("cpu"))
    arrays, splits = [], []
    for n, k in enumerate(folds):
        progress.update(n / len(folds), f"{context.name}: exporting fold {k}")
        fa = fold_arrays(fold_dir(runs_root, context.name, cv, k), context, tensors)
        if chosen == "ume":  # the student matrices are not shipped for UME
            fa = {
                key: v
                for key, v in fa.items()
                if not key.startswith(("omics_student", "kg_student", "umt_"))
            }
        arrays.append(fa)
        splits.append({part: arr.astype(np.int32) for part, arr in context.split(cv, k).items()})
    meta = context.meta
    first = metrics[0]
    extra = {
        "cancer": cancer or meta.get("source", {}).get("label_cancer") or context.name,
        "description": description
        or f"SynLeaF {chosen.upper()} on {context.name}, CV{cv} folds {list(folds)}",
        "cv": f"CV{cv}",
        "fold_ids": list(folds),
        "selection": {
            "rule": DEFAULT_RULE,
            "forced": strategy is not None,
            "val_auc": {"umt": selection["umt_val_auc"], "ume": selection["ume_val_auc"]},
        },
        "metrics": manifest_metrics(metrics),
        "omics": list(context.omics_kinds),
        "sample_counts": dict(meta.get("omics", {}).get("samples_per_omics", {})),
        "samples": len(context.samples),
        "kg": {
            "id": context.kg.kg_id,
            "entities": int(context.kg.num_entities),
            "relations": int(context.kg.num_relations),
            "edges": int(context.kg.edge_index.shape[1]),
            "pathway_policy": meta.get("kg", {}).get("pathways", {}).get("policy"),
        },
        "data_checksums": data_checksums
        if data_checksums is not None
        else _relative_inputs(meta.get("inputs", {})),
        "labels": {
            "positives": meta.get("labels", {}).get("positives"),
            "negatives": meta.get("labels", {}).get("negatives"),
            "source": meta.get("source", {}).get("labels"),
        },
        "packages": dict(first.get("versions", {})),
        "seed": {"context": meta.get("seed"), "folds": [m.get("seed") for m in metrics]},
        "training": {
            "config": first.get("config", {}),
            "epochs_run": [m.get("epochs_run") for m in metrics],
            "best_epoch": [m.get("best_epoch") for m in metrics],
            "wall_s": [m.get("wall_s", {}).get("total") for m in metrics],
            "device": first.get("device"),
            **(training or {}),
        },
        "context_built_at": meta.get("built_at"),
    }
    progress.update(0.95, f"{context.name}: writing the bundle")
    out = write_bundle(
        dest,
        context.name,
        context.genes,
        arrays,
        chosen,
        manifest_extra=extra,
        dtype=dtype,
        split_pairs=splits,
        size_budget_bytes=size_budget_bytes,
    )
    write_model_card(out)
    progress.update(1.0, f"{context.name}: bundle written")
    return out


def _tree_bytes(path: Path) -> int:
    return (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        if path.is_dir()
        else path.stat().st_size
    )


def umt_budget(
    total_bytes: int, selected: dict[str, str], out: Path, all_names: Sequence[str]
) -> int:
    """Per-UMT-context budget: the total minus what everything else in ``out`` takes, shared
    equally by the UMT contexts built in this run (:func:`build_bundles` passes what a context
    leaves of its share on to the next one, in build order).

    Everything else: the UME contexts of this run (:data:`UME_BUNDLE_BYTES` each), the existing
    bundles of contexts not built in this run (their size on disk; a missing one counts as one
    more UMT share, conservatively), and any other file in ``out`` (EVALUATION.md, tables, ...),
    so that the whole folder stays within ``total_bytes``."""
    fixed, n_umt = 0, 0
    for name in all_names:
        strat = selected.get(name)
        if strat is None:
            if (out / name / MANIFEST).exists():
                fixed += _tree_bytes(out / name)
            else:
                n_umt += 1
        elif strat == "ume":
            fixed += UME_BUNDLE_BYTES
        else:
            n_umt += 1
    if out.is_dir():
        names = set(all_names)
        fixed += sum(_tree_bytes(p) for p in out.iterdir() if p.name not in names)
    return max(0, (total_bytes - fixed) // max(n_umt, 1))


def build_bundles(
    data_dir: str | Path,
    out: str | Path,
    contexts_dir: str | Path,
    runs_root: str | Path,
    contexts: Sequence[str] | None = None,
    device: str = "auto",
    budget_mb: float = DEFAULT_BUDGET_MB,
    cv: int = 2,
    folds: Sequence[int] = (1, 2, 3, 4, 5),
    config: Any = None,
    dtype: str = "int8-lowrank",
    train: bool = True,
    progress: Progress | None = None,
    log: Callable[[str], None] = print,
    finish: Callable[[Path, Context, Progress], Any] | None = None,
    reserve_bytes: int = 0,
) -> list[dict[str, Any]]:
    """Build (or rebuild) the bundles of ``contexts`` (default: the nine built-ins) into ``out``.

    ``finish(folder, context, progress)`` runs on each written bundle (the app layer adds ranks,
    held-out recall and evidence there: :func:`synleaf_desktop.app.bundles.finish_bundle`);
    ``reserve_bytes`` per context is kept out of the UMT size budget for what it adds.

    Returns one summary dict per context: name, strategy, folds shipped, size, headline metrics.
    """
    from ..data.build import build_all
    from ..train.grid import run_grid
    from ..train.selection import scenario_selection

    progress = ensure(progress)
    names = list(contexts or BUILTIN_ORDER)
    out, contexts_dir, runs_root = Path(out), Path(contexts_dir), Path(runs_root)
    missing = [n for n in names if not (contexts_dir / n / "context.json").exists()]
    if missing:
        log(f"building contexts {', '.join(missing)} from {data_dir} into {contexts_dir}")
        build_all(data_dir, contexts_dir, contexts=missing, progress=progress.sub(0.0, 0.05))
    if train:
        run_grid(
            contexts_dir,
            runs_root,
            scenarios=[(n, cv) for n in names],
            folds=list(folds),
            config=config,
            device=device,
            progress=progress.sub(0.05, 0.9),
            log=log,
        )
    selected = {
        n: scenario_selection(fold_metrics(runs_root, n, cv, folds))["selected"] for n in names
    }
    all_names = sorted(set(BUILTIN_ORDER) | set(names))
    per_umt = umt_budget(
        int(budget_mb * 1e6) - reserve_bytes * len(all_names), selected, out, all_names
    )
    log(f"budget {budget_mb:.0f} MB: {per_umt / 1e6:.1f} MB per UMT context")
    rows = []
    carry = 0  # what earlier UMT contexts left of their share passes on, so the budget is used
    for n, name in enumerate(names):
        context = Context.load(contexts_dir / name)
        budget = per_umt + carry if selected[name] == "umt" else None
        sub = progress.sub(0.9 + 0.1 * n / len(names), 0.9 + 0.1 * (n + 1) / len(names))
        dest = bundle_from_runs(
            context,
            runs_root,
            out / name,
            cv=cv,
            folds=folds,
            dtype=dtype,
            size_budget_bytes=budget,
            progress=sub.sub(0.0, 0.5 if finish else 1.0),
        )
        if finish is not None:
            finish(dest, context, sub.sub(0.5, 1.0))
        man = read_manifest(dest)
        if budget is not None:
            carry = max(0, budget - int(man.get("size_bytes", budget)))
        rows.append(
            {
                "name": name,
                "strategy": man["strategy"],
                "folds_shipped": man.get("folds_shipped"),
                "folds_trained": man.get("folds_trained"),
                "size_mb": man.get("size_bytes", 0) / 1e6,
                "headline": man.get("headline", {}),
            }
        )
        log(
            f"{name}: {man['strategy'].upper()}, {man.get('folds_shipped')}/{man.get('folds_trained')} folds, "
            f"{man.get('size_bytes', 0) / 1e6:.1f} MB -> {dest}"
        )
        del context
    return rows
