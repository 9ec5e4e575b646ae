"""The paper's evaluation grid: 19 scenarios (8 cancers x CV1, CV2; pan x CV1, CV2, CV3)
x 5 folds, resumable (finished folds are skipped, half-trained stages resume)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ..data.context import Context
from ..errors import InputError
from ..progress import Progress, ensure
from .baselines import run_baselines
from .config import TrainConfig
from .data import ContextTensors
from .device import resolve_device
from .fold import context_seed, fold_dir, run_fold, run_seed

SINGLE_CANCERS = ("BRCA", "CESC", "COAD", "KIRC", "LAML", "LUAD", "OV", "SKCM")
PAPER_SCENARIOS: tuple[tuple[str, int], ...] = tuple(
    [(c, cv) for c in SINGLE_CANCERS for cv in (1, 2)] + [("pan", cv) for cv in (1, 2, 3)]
)
FOLDS = (1, 2, 3, 4, 5)


def parse_scenarios(spec: str | None) -> list[tuple[str, int]]:
    """ "all" (default) | comma list of NAME:CV or NAME (= that context's paper CVs)."""
    if not spec or spec.strip().lower() == "all":
        return list(PAPER_SCENARIOS)
    out: list[tuple[str, int]] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        if ":" in item:
            name, cv = item.split(":", 1)
            try:
                cvi = int(cv)
            except ValueError:
                raise InputError(
                    None, f"scenario {item!r}: the CV after ':' must be 1, 2 or 3"
                ) from None
            if cvi not in (1, 2, 3):
                raise InputError(None, f"scenario {item!r}: the CV after ':' must be 1, 2 or 3")
            out.append((name, cvi))
        else:
            cvs = [cv for n, cv in PAPER_SCENARIOS if n.lower() == item.lower()] or [1, 2]
            out.extend((item, cv) for cv in cvs)
    return out


def parse_folds(spec: str | None) -> list[int]:
    """ "1-5", "1,3,5" or "2" -> sorted fold numbers."""
    if not spec:
        return list(FOLDS)
    folds: set[int] = set()
    try:
        for part in spec.split(","):
            part = part.strip()
            if "-" in part:
                a, b = part.split("-", 1)
                folds.update(range(int(a), int(b) + 1))
            elif part:
                folds.add(int(part))
    except ValueError:
        raise InputError(
            None, f"folds {spec!r}: use a range like 1-5 or a list like 1,3,5"
        ) from None
    if not folds or min(folds) < 1:
        raise InputError(None, f"folds {spec!r}: fold numbers start at 1")
    return sorted(folds)


def find_context(contexts_dir: str | Path, name: str) -> Path:
    """The folder of context ``name`` under ``contexts_dir`` (exact name first, then any case),
    or ``name`` itself when it is a context folder."""
    direct = Path(name)
    if (direct / "context.json").exists():
        return direct
    root = Path(contexts_dir)
    if (root / name / "context.json").exists():
        return root / name
    if root.is_dir():
        for p in sorted(root.iterdir()):
            if p.name.lower() == name.lower() and (p / "context.json").exists():
                return p
    raise InputError(
        root / name,
        f"no context {name!r} here (a folder with context.json); build it with "
        "`synleaf data build` or pass --contexts-dir",
    )


def run_grid(
    contexts_dir: str | Path,
    out: str | Path,
    scenarios: list[tuple[str, int]] | None = None,
    folds: list[int] | None = None,
    config: TrainConfig | None = None,
    device: str = "auto",
    baselines: bool = False,
    progress: Progress | None = None,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Run every (scenario, fold); skip finished folds; missing contexts are reported and skipped.

    Returns one entry per (context, cv, fold): {"context", "cv", "fold", "status", "metrics"?}.
    """
    progress = ensure(progress)
    dev = resolve_device(device)
    scenarios = scenarios or list(PAPER_SCENARIOS)
    folds = folds or list(FOLDS)
    by_context: dict[str, list[int]] = {}
    for name, cv in scenarios:
        by_context.setdefault(name, []).append(cv)
    jobs = sum(len(cvs) * len(folds) for cvs in by_context.values())
    done = 0
    summary: list[dict[str, Any]] = []
    for name, cvs in by_context.items():
        try:
            folder = find_context(contexts_dir, name)
        except InputError as exc:
            log(f"skip {name}: {exc}")
            summary += [
                {"context": name, "cv": cv, "fold": k, "status": "no context"}
                for cv in cvs
                for k in folds
            ]
            done += len(cvs) * len(folds)
            continue
        pending = [
            (cv, k)
            for cv in cvs
            for k in folds
            if not (fold_dir(out, name, cv, k) / "metrics.json").exists()
            or (baselines and not (fold_dir(out, name, cv, k) / "baselines.json").exists())
        ]
        context = Context.load(folder, omics=bool(pending))
        tensors = ContextTensors.from_context(context, dev) if pending else None
        for cv in cvs:
            for k in folds:
                sub = progress.sub(done / jobs, (done + 1) / jobs)
                entry: dict[str, Any] = {"context": context.name, "cv": cv, "fold": k}
                if (cv, k) not in context.splits:
                    log(f"skip {context.name} cv{cv} fold{k}: the context has no such split")
                    entry["status"] = "no split"
                else:
                    finished = (fold_dir(out, context.name, cv, k) / "metrics.json").exists()
                    try:
                        entry["metrics"] = run_fold(
                            context, cv, k, out, config, dev, sub, tensors=tensors
                        )
                        if baselines:
                            seed = run_seed(context_seed(context, config or TrainConfig()), cv, k)
                            entry["baselines"] = run_baselines(context, cv, k, out, seed=seed)
                    except InputError as exc:  # e.g. an empty split: report it, go on with the grid
                        log(f"skip {context.name} cv{cv} fold{k}: {exc}")
                        entry["status"] = "error"
                        entry["error"] = str(exc)
                    else:
                        entry["status"] = "skipped (done)" if finished else "trained"
                        t = entry["metrics"]["test"]
                        log(
                            f"{context.name} cv{cv} fold{k}: {entry['status']}; test AUC omics "
                            f"{_f(t['only_omics']['auc'])} kg {_f(t['only_kg']['auc'])} umt {_f(t['umt']['auc'])} "
                            f"ume {_f(t['ume']['auc'])}"
                        )
                summary.append(entry)
                done += 1
        del tensors, context
        gc.collect()
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    return summary


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.4f}"
