"""The epoch loop of one stage: batches, validation, best-epoch selection, early stopping,
checkpoints, resume and cancel.

Files (in the fold folder):

* ``<stage>.pt``          final: best-validation-AUC weights, optimizer state (end of
                          training), history, best epoch. Its presence means "stage done".
* ``<stage>.partial.pt``  resumable state at an epoch boundary (current weights, optimizer,
                          best weights so far, history, RNG states, patience counter),
                          written every ``checkpoint_every_s`` seconds; removed when the
                          stage finishes.

All writes are atomic (temp file + rename). Cancel (``Progress.cancel``) is checked between
steps; a cancelled stage leaves the last partial checkpoint and resumes from it with the
same result as an uninterrupted run (same RNG streams on CPU).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import InputError
from ..fileio import atomic_path
from ..progress import Progress
from .config import TrainConfig
from .metrics import pair_metrics
from .optim import grad_norm, make_optimizer
from .stages import Stage

CHECKPOINT_FORMAT = 1


@dataclass
class StageResult:
    """Outcome of one stage.

    Attributes:
        stage: "omics" | "kg" | "umt".
        best_epoch: 1-based epoch with the best validation AUC.
        epochs_run: epochs trained.
        best_val: validation metrics at the best epoch.
        history: one dict per epoch.
        wall_s: training wall time (summed over resumed sessions).
        stopped_early: patience ran out before max_epochs.
        skipped: the final checkpoint existed; nothing was trained now.
    """

    stage: str
    best_epoch: int
    epochs_run: int
    best_val: dict[str, float]
    history: list[dict[str, Any]] = field(default_factory=list)
    wall_s: float = 0.0
    stopped_early: bool = False
    skipped: bool = False


def set_seed(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)


def save_checkpoint(path: Path, obj: dict[str, Any]) -> None:
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Safe load (``weights_only=True``) onto the CPU."""
    return torch.load(path, map_location="cpu", weights_only=True)


def _check_spec(path: Path, ck: dict[str, Any], extra: dict[str, Any] | None) -> None:
    """A checkpoint is reused only for the same architecture."""
    want = (extra or {}).get("spec")
    if want is not None and ck.get("spec") is not None and ck["spec"] != want:
        diff = sorted(k for k in set(want) | set(ck["spec"]) if want.get(k) != ck["spec"].get(k))
        raise InputError(
            path,
            f"this checkpoint was trained with another model setup (differs in {diff}); "
            "remove the fold folder or train into another --out folder",
        )


def _cpu_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def _batches(n: int, batch_size: int, gen: torch.Generator) -> list[torch.Tensor]:
    """A random permutation of range(n) cut into near-equal batches of <= batch_size
    (never a tiny last batch: BatchNorm needs more than one gene)."""
    perm = torch.randperm(n, generator=gen)
    if batch_size <= 0 or batch_size >= n:
        return [perm]
    return list(torch.tensor_split(perm, math.ceil(n / batch_size)))


def train_stage(
    stage: Stage,
    pairs: dict[str, torch.Tensor],
    cfg: TrainConfig,
    path: Path,
    seed: int,
    progress: Progress,
    info: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> StageResult:
    """Train ``stage.model`` (already initialised and on its device) or load it when done.

    Args:
        pairs: ``{"train", "val"}`` int64 [n, 3] CPU tensors.
        path: the final checkpoint path ``<fold>/<stage>.pt``.
        seed: the stage seed (torch global RNG and the batch-order generator).
        progress: receives one update per epoch with ``info`` plus epoch figures;
            its :meth:`~Progress.check` is called between steps.
        extra: JSON-able entries stored in the checkpoints (model spec, config, ...).

    On return the model holds the best-epoch weights.
    """
    info = dict(info or {})
    model = stage.model
    device = next(model.parameters()).device
    partial = path.with_name(path.stem + ".partial.pt")
    if path.exists():
        ck = load_checkpoint(path)
        _check_spec(path, ck, extra)
        model.load_state_dict(ck["model"])
        return StageResult(
            stage.name,
            ck["best_epoch"],
            ck["epochs_run"],
            ck["best_val"],
            ck["history"],
            ck["wall_s"],
            ck.get("stopped_early", False),
            skipped=True,
        )

    opt = make_optimizer(model, cfg.lr, cfg.weight_decay, cfg.lookahead_k, cfg.lookahead_alpha)
    set_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    history: list[dict[str, Any]] = []
    best_auc, best_epoch, best_state, best_val, bad, wall_before = -math.inf, 0, None, {}, 0, 0.0
    start = 0
    if partial.exists():
        ck = load_checkpoint(partial)
        _check_spec(partial, ck, extra)
        model.load_state_dict(ck["current"])
        opt.load_state_dict(ck["optimizer"])
        history, start, bad, wall_before = ck["history"], ck["epoch"], ck["bad"], ck["wall_s"]
        best_auc, best_epoch, best_state, best_val = (
            ck["best_auc"],
            ck["best_epoch"],
            ck["best_state"],
            ck["best_val"],
        )
        torch.set_rng_state(ck["rng"])
        if device.type == "cuda" and ck.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(ck["cuda_rng"], device)
        gen.set_state(ck["gen"])

    train = pairs["train"].to(device)
    val = pairs["val"]
    y_val = val[:, 2].numpy()
    val = val.to(device)
    groups = stage.grad_groups()
    t0 = time.monotonic()
    last_save = t0
    stopped = False
    max_epochs, batch_size = cfg.max_epochs, cfg.batch_size
    assert max_epochs is not None and batch_size is not None, "train with a resolved() config"
    epoch = start
    for epoch in range(start + 1, max_epochs + 1):
        te = time.monotonic()
        model.train()
        sums: dict[str, float] = {}
        gsum = {k: 0.0 for k in groups}
        batches = _batches(len(train), batch_size, gen)
        for idx in batches:
            progress.check()
            batch = train[idx.to(device)]
            loss, parts = stage.loss(batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            for k, params in groups.items():
                gsum[k] += grad_norm(params)
            opt.step()
            w = len(idx) / len(train)
            sums["loss"] = sums.get("loss", 0.0) + float(loss.detach()) * w
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + float(v.detach()) * w
        model.eval()
        p_val = torch.sigmoid(stage.logits(val)).cpu().numpy()
        vm = pair_metrics(y_val, p_val)
        auc = vm["auc"] if not math.isnan(vm["auc"]) else -math.inf
        if best_state is None or auc > best_auc:
            best_auc, best_epoch, best_val, bad = auc, epoch, vm, 0
            best_state = _cpu_state(model)
        else:
            bad += 1
        row = {
            "epoch": epoch,
            **sums,
            "val_auc": vm["auc"],
            "val_aupr": vm["aupr"],
            **{f"grad_norm_{k}": v / len(batches) for k, v in gsum.items()},
            "steps": len(batches),
            "time_s": time.monotonic() - te,
        }
        history.append(row)
        wait = cfg.patience_epochs(len(batches))
        stopped = wait > 0 and bad >= wait and epoch < max_epochs
        wall = wall_before + time.monotonic() - t0
        progress.update(
            epoch / max_epochs,
            f"{stage.name}: epoch {epoch}/{max_epochs} val AUC {vm['auc']:.4f}",
            **info,
            stage=stage.name,
            epoch=epoch,
            max_epochs=max_epochs,
            loss=row["loss"],
            bce=row.get("bce"),
            val_auc=vm["auc"],
            best_val_auc=best_val.get("auc"),
            best_epoch=best_epoch,
            grad_norm_omics=row.get("grad_norm_omics"),
            grad_norm_kg=row.get("grad_norm_kg"),
            wall_s=wall,
        )
        if stopped or epoch >= max_epochs:
            break
        if time.monotonic() - last_save >= cfg.checkpoint_every_s:
            save_checkpoint(
                partial,
                {
                    "format": CHECKPOINT_FORMAT,
                    "stage": stage.name,
                    "epoch": epoch,
                    "current": _cpu_state(model),
                    "optimizer": opt.state_dict(),
                    "history": history,
                    "bad": bad,
                    "wall_s": wall,
                    "best_auc": best_auc,
                    "best_epoch": best_epoch,
                    "best_state": best_state,
                    "best_val": best_val,
                    "rng": torch.get_rng_state(),
                    "gen": gen.get_state(),
                    "cuda_rng": torch.cuda.get_rng_state(device) if device.type == "cuda" else None,
                    **(extra or {}),
                },
            )
            last_save = time.monotonic()
    wall = wall_before + time.monotonic() - t0
    assert best_state is not None  # set by the first epoch, or by the resumed checkpoint
    model.load_state_dict(best_state)
    save_checkpoint(
        path,
        {
            "format": CHECKPOINT_FORMAT,
            "stage": stage.name,
            "complete": True,
            "model": best_state,
            "optimizer": opt.state_dict() if cfg.keep_optimizer else None,
            "best_epoch": best_epoch,
            "epochs_run": epoch,
            "best_val": best_val,
            "history": history,
            "wall_s": wall,
            "stopped_early": stopped,
            **(extra or {}),
        },
    )
    partial.unlink(missing_ok=True)
    return StageResult(stage.name, best_epoch, epoch, best_val, history, wall, stopped)
