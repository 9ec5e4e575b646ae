"""One (context, cv, fold) of the full SynLeaF pipeline (METHOD §2.4-§2.6, §3).

Stage 1 trains the only-omics and only-KG teachers; stage 2 trains UMT (frozen teachers,
feature distillation) and evaluates UME (mean of the teachers' probabilities, no training).
Both strategies are recorded per fold; the choice between them is made per scenario over
folds (:mod:`.selection`).

Run folder: ``OUT/<context>/cv<c>/fold<k>/`` with ``omics.pt``, ``kg.pt``, ``umt.pt``
(see :mod:`.engine`), ``history.json`` and ``metrics.json`` (written last: its presence
means the fold is complete).
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .. import __version__
from ..data.context import Context
from ..errors import InputError
from ..fileio import read_json, write_json
from ..model.nets import KGModel, ModelSpec, OmicsModel, UMTModel
from ..progress import Progress, ensure
from .config import TrainConfig, is_pan_context
from .data import ContextTensors, fold_pairs
from .device import resolve_device
from .engine import StageResult, load_checkpoint, train_stage
from .metrics import clean_json, pair_metrics
from .optim import xavier_init_
from .stages import KGStage, OmicsStage, UMTStage
from .transfer import transfer_into

STRATEGIES = ("only_omics", "only_kg", "umt", "ume")
#: share of a fold's progress bar per stage
_SPAN = {"omics": (0.0, 0.4), "kg": (0.4, 0.6), "umt": (0.6, 0.97)}


def fold_dir(out_root: str | Path, context_name: str, cv: int, fold: int) -> Path:
    return Path(out_root) / context_name / f"cv{cv}" / f"fold{fold}"


def run_seed(base: int, cv: int, fold: int) -> int:
    """Seed of one run, from the context seed, cv and fold."""
    return (int(base) * 1_000_003 + cv * 101 + fold) % (2**31 - 1)


def context_seed(context: Context, cfg: TrainConfig) -> int:
    if cfg.seed is not None:
        return int(cfg.seed)
    s = context.meta.get("seed", 2025)
    return int(s) if isinstance(s, (int, np.integer)) else 2025


def model_spec(context: Context, cfg: TrainConfig) -> ModelSpec:
    kg = context.kg
    return ModelSpec(
        num_omics=len(context.omics_kinds),
        in_dim=len(context.samples),
        num_entities=int(kg.num_entities),
        num_relations=int(kg.num_relations),
        **cfg.architecture(),
        omics_kinds=list(context.omics_kinds),
        relation_names=list(kg.relation_names),
        kg_id=kg.kg_id,
    )


def context_summary(context: Context, cv: int, fold: int) -> dict[str, Any]:
    """What the context had (for reports)."""
    split = context.splits.get((cv, fold), {})
    return {
        "name": context.name,
        "omics_kinds": list(context.omics_kinds),
        "num_samples": len(context.samples),
        "num_genes": int(context.num_genes),
        "num_labels": len(context.labels),
        "num_positive_labels": int(np.asarray(context.labels)[:, 2].sum())
        if len(context.labels)
        else 0,
        "split_sizes": {k: len(v) for k, v in split.items()},
        "kg": {
            "num_entities": int(context.kg.num_entities),
            "num_relations": int(context.kg.num_relations),
            "num_edges": int(context.kg.edge_index.shape[1]),
            "kg_id": context.kg.kg_id,
        },
        "meta": context.meta,
    }


def versions() -> dict[str, str]:
    import sklearn

    return {
        "synleaf_desktop": __version__,
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "platform": platform.platform(),
    }


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (0 if unknown)."""
    try:
        import resource

        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(r if sys.platform == "darwin" else r * 1024)
    except (ImportError, OSError):
        try:
            import psutil

            mi = psutil.Process().memory_info()
            return int(getattr(mi, "peak_wset", mi.rss))
        except Exception:  # pragma: no cover
            return 0


def _probs(stage, pairs: torch.Tensor, device) -> np.ndarray:
    stage.model.eval()
    return torch.sigmoid(stage.logits(pairs.to(device))).cpu().numpy().astype(np.float64)


def _both_orders(stage, pairs: torch.Tensor, device) -> np.ndarray:
    swapped = pairs[:, [1, 0, 2]]
    return 0.5 * (_probs(stage, pairs, device) + _probs(stage, swapped, device))


def run_fold(
    context: Context,
    cv: int,
    fold: int,
    out_root: str | Path,
    config: TrainConfig | None = None,
    device: str | torch.device = "auto",
    progress: Progress | None = None,
    init_from: str | Path | None = None,
    tensors: ContextTensors | None = None,
) -> dict[str, Any]:
    """Train and evaluate one fold; resumable. Returns the metrics.json content.

    Args:
        context: a loaded :class:`Context` (with omics).
        out_root: run root; the fold goes to ``out_root/<name>/cv<cv>/fold<fold>``.
        config: training settings (None defaults are resolved for single/pan).
        device: "auto" | "cpu" | "cuda[:N]" | "mps" | torch.device.
        progress: per-epoch updates (info: context, cv, fold, stage, epoch, max_epochs, loss,
            val_auc, best_val_auc, grad_norm_omics, grad_norm_kg, wall_s) and cancel.
        init_from: a fold folder of another run (e.g. pan-cancer) whose weights initialise
            this run where shapes (and, for the KG, the graph vocabulary) match.
        tensors: reuse the device tensors of this context across folds.
    """
    progress = ensure(progress)
    dev = resolve_device(device)
    cfg = (config or TrainConfig()).resolved(is_pan_context(context))
    out = fold_dir(out_root, context.name, cv, fold)
    metrics_path = out / "metrics.json"
    if metrics_path.exists():
        return read_json(metrics_path)
    out.mkdir(parents=True, exist_ok=True)
    pairs = fold_pairs(context, cv, fold)
    tensors = tensors or ContextTensors.from_context(context, dev)
    spec = model_spec(context, cfg)
    seed = run_seed(context_seed(context, cfg), cv, fold)
    init_dir = Path(init_from) if init_from else None
    if init_dir is not None and not (init_dir / "kg.pt").exists():
        raise InputError(
            init_dir,
            "--init-from must be a finished fold folder (with omics.pt and kg.pt) of another run",
        )
    extra = {
        "spec": spec.to_dict(),
        "config": cfg.to_dict(),
        "seed": seed,
        "init_from": str(init_dir) if init_dir else None,
    }
    info = {"context": context.name, "cv": cv, "fold": fold}
    transfers: dict[str, Any] = {}

    def new(stage_name: str, cls):
        torch.manual_seed(seed + {"omics": 1, "kg": 2, "umt": 3}[stage_name])
        m = cls(spec)
        xavier_init_(m)
        if (
            init_dir is not None
            and (init_dir / f"{stage_name}.pt").exists()
            and not (out / f"{stage_name}.pt").exists()
        ):
            transfers[stage_name] = transfer_into(m, init_dir / f"{stage_name}.pt", spec)
        m.to(dev)
        if isinstance(m, KGModel):
            m.encoder.set_graph(tensors.graph)
        elif isinstance(m, UMTModel):
            m.kg.set_graph(tensors.graph)
        return m

    results: dict[str, StageResult] = {}
    rss: dict[str, int] = {}
    omics_stage = OmicsStage(new("omics", OmicsModel), tensors, cfg)
    results["omics"] = train_stage(
        omics_stage,
        pairs,
        cfg,
        out / "omics.pt",
        seed + 11,
        progress.sub(*_SPAN["omics"]),
        info,
        extra,
    )
    rss["omics"] = peak_rss_bytes()
    kg_stage = KGStage(new("kg", KGModel), tensors, cfg)
    results["kg"] = train_stage(
        kg_stage, pairs, cfg, out / "kg.pt", seed + 22, progress.sub(*_SPAN["kg"]), info, extra
    )
    rss["kg"] = peak_rss_bytes()
    t = time.monotonic()
    genes = torch.unique(torch.cat([p[:, :2].reshape(-1) for p in pairs.values()])).to(dev)
    umt_stage = UMTStage(
        new("umt", UMTModel), tensors, cfg, omics_stage.model.encoder, kg_stage.model.encoder, genes
    )
    teacher_s = time.monotonic() - t
    results["umt"] = train_stage(
        umt_stage, pairs, cfg, out / "umt.pt", seed + 33, progress.sub(*_SPAN["umt"]), info, extra
    )
    rss["umt"] = peak_rss_bytes()

    progress.update(0.98, "evaluating", force=True, **info, stage="evaluate")
    t = time.monotonic()
    metrics: dict[str, Any] = {}
    for part in ("val", "test"):
        y = pairs[part][:, 2].numpy()
        p_o = _probs(omics_stage, pairs[part], dev)
        p_k = _probs(kg_stage, pairs[part], dev)
        p_u = _probs(umt_stage, pairs[part], dev)
        metrics[part] = {
            "only_omics": pair_metrics(y, p_o),
            "only_kg": pair_metrics(y, p_k),
            "umt": pair_metrics(y, p_u),
            "ume": pair_metrics(y, 0.5 * (p_o + p_k)),
        }
    y = pairs["test"][:, 2].numpy()
    b_o = _both_orders(omics_stage, pairs["test"], dev)
    b_k = _both_orders(kg_stage, pairs["test"], dev)
    metrics["test_both_orders"] = {
        "only_omics": pair_metrics(y, b_o),
        "only_kg": pair_metrics(y, b_k),
        "umt": pair_metrics(y, _both_orders(umt_stage, pairs["test"], dev)),
        "ume": pair_metrics(y, 0.5 * (b_o + b_k)),
    }
    eval_s = time.monotonic() - t
    rss["evaluate"] = peak_rss_bytes()

    result = {
        "format": 1,
        "context": context.name,
        "cv": cv,
        "fold": fold,
        "seed": seed,
        "val": metrics["val"],
        "test": metrics["test"],
        "test_both_orders": metrics["test_both_orders"],
        "best_epoch": {
            "only_omics": results["omics"].best_epoch,
            "only_kg": results["kg"].best_epoch,
            "umt": results["umt"].best_epoch,
        },
        "epochs_run": {k: r.epochs_run for k, r in results.items()},
        "stopped_early": {k: r.stopped_early for k, r in results.items()},
        "wall_s": {
            **{k: r.wall_s for k, r in results.items()},
            "teacher_embeddings": teacher_s,
            "evaluate": eval_s,
            "total": sum(r.wall_s for r in results.values()) + teacher_s + eval_s,
        },
        "resumed_from_checkpoint": {k: r.skipped for k, r in results.items()},
        "peak_rss_bytes": rss,
        "device": str(dev),
        "threads": torch.get_num_threads(),
        "config": cfg.to_dict(),
        "spec": spec.to_dict(),
        "init_from": extra["init_from"],
        "transfer": transfers,
        "context_info": context_summary(context, cv, fold),
        "versions": versions(),
        "notes": [
            "metrics on pairs in their stored order (paper protocol); test_both_orders averages "
            "p(A,B) and p(B,A) as the app scores",
            "f1_best tunes the threshold on the scored set",
        ],
    }
    write_json(out / "history.json", clean_json({k: r.history for k, r in results.items()}))
    write_json(metrics_path, clean_json(result))
    progress.update(1.0, f"{context.name} cv{cv} fold{fold} done", force=True, **info, stage="done")
    return read_json(metrics_path)


def load_fold_models(
    fold_path: str | Path, tensors: ContextTensors | None = None, device: str | torch.device = "cpu"
) -> dict[str, torch.nn.Module]:
    """Rebuild the trained networks of a fold folder in eval mode: ``{"omics", "kg"[, "umt"]}``."""
    fold_path = Path(fold_path)
    dev = resolve_device(device)
    models: dict[str, torch.nn.Module] = {}
    for name, cls in (("omics", OmicsModel), ("kg", KGModel), ("umt", UMTModel)):
        path = fold_path / f"{name}.pt"
        if not path.exists():
            if name == "umt":
                continue
            raise InputError(path, f"missing {name}.pt: this fold has not finished stage 1")
        ck = load_checkpoint(path)
        m = cls(ModelSpec.from_dict(ck["spec"]))
        m.load_state_dict(ck["model"])
        m.to(dev).eval()
        if tensors is not None:
            if isinstance(m, KGModel):
                m.encoder.set_graph(tensors.graph)
            elif isinstance(m, UMTModel):
                m.kg.set_graph(tensors.graph)
        models[name] = m
    return models
