"""Local training as one background job (no Qt): data from the user's library -> context ->
SynLeaF training -> a user model bundle that the registry lists like the bundled ones.

The time and memory estimate shown before starting
--------------------------------------------------

With G genes (largest omics table of the cohort), S samples, K omics kinds, N labelled
pairs after 1:1 balancing (2 x positives), F folds (5, or 1 for a quick run), E epochs per
stage (``max_epochs`` M with early stopping off; with patience P epochs and Q steps,
E = min(M, max(M/2, 2 P')) with P' = max(P, Q / steps per epoch) and 0.7 N training pairs in
steps of 512, since early stopping usually ends around there) and three trained stages (omics teacher,
KG teacher, UMT student):

* memory (bytes) ~ 4 * (3 * K * G * S            omics tables: raw, normalised, on device
                      + 4 * P                    weights, gradients, two Adam moments
                      + 8 * G * K * (h1 + h2))   activations of every gene in a step
                   + 6e8                         Python, PyTorch and the graph
  with P = K * K * (2 * S * h1 + 2 * h1 * h2)    the K x K matrix of VAE encoders/decoders,
  h1 = 512, h2 = 256 (METHOD §2.1);
* time (seconds) ~ 10 + F * 3 * E * (0.15 + 6 * K * K * G_used * (S * h1 + h1 * h2) / speed),
  with G_used = min(G, 2 N) the genes in the training pairs, ``speed`` = 8e10 FLOP/s on a
  CPU (float32) or 1.5e12 on a GPU, 0.15 s per epoch of fixed cost (validation, checkpoints,
  Python) and 10 s of start-up (imports, building the context). The CPU constants are fitted to
  the seconds per epoch recorded in the bundled models' manifests (``training.wall_s`` over
  ``epochs_run``, one thread: 0.15 to 0.2 s for OV, CESC, KIRC, SKCM, about 1.3 s for BRCA), and
  give about 27 s for a quick run on the TCGA OV study (reported in issue 16: 27 s, where the earlier
  constants estimated 84 s).

It is a rough guide; the panel re-estimates the time left from the real progress once
training runs.
"""

from __future__ import annotations

import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import paths
from ..errors import InputError
from ..progress import Progress

BUILTIN_GRAPH = "__builtin__"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")
H1, H2 = 512, 256
CPU_FLOPS = 8e10
GPU_FLOPS = 1.5e12
BASE_BYTES = 6e8
EPOCH_OVERHEAD_S = 0.15
START_S = 10.0
QUICK_EPOCHS = 20
#: the cross-validation scenario of app-trained models, as the bundled ones: CV2 (each test
#: pair has one gene unseen in training, METHOD §1.8); CV1 (random pairs) when the labels are
#: too few for gene-disjoint folds
CV = 2


@dataclass
class TrainRequest:
    """What the user chose in the training panel.

    Attributes:
        name: the new context's name; cohort / labels / graph: library entry names
            (graph :data:`BUILTIN_GRAPH` = the shipped graph); cancer: label rows to use
            ("" = all); base_model: a context to fine-tune from (None = from scratch);
            device: "cpu" or "cuda:N"; quick: 1 fold and at most :data:`QUICK_EPOCHS` epochs;
            config: :class:`~synleaf_desktop.train.config.TrainConfig` overrides (tests, experts).
    """

    name: str
    cohort: str
    labels: str
    cancer: str = ""
    graph: str = BUILTIN_GRAPH
    base_model: str | None = None
    device: str = "cpu"
    quick: bool = False
    config: dict[str, Any] | None = None

    def problem(self, existing: list[str] | None = None) -> str:
        """What prevents starting ("" if nothing), worded for the user."""
        if not _NAME.match(self.name):
            return (
                f"The name {self.name!r} cannot be used: use letters, digits and _ . + - "
                "(start with a letter or digit, at most 64 characters)."
            )
        taken = {n.lower() for n in (existing or [])}
        if self.name.lower() in taken:
            return f"A model named {self.name} already exists; choose another name."
        return ""

    @property
    def folds(self) -> int:
        return 1 if self.quick else 5


@dataclass
class EstimateInputs:
    genes: int
    samples: int
    kinds: int
    pairs: int


@dataclass
class Estimate:
    seconds: float
    peak_bytes: float
    folds: int


def estimate_inputs(library: Any, req: TrainRequest) -> EstimateInputs:
    """Sizes for :func:`estimate` from the library's stored summaries (no data loaded)."""
    cohorts = {e.name: e for e in library.list("cohorts")}
    labels = {e.name: e for e in library.list("labels")}
    c = cohorts.get(req.cohort)
    lab = labels.get(req.labels)
    genes = samples = kinds = pairs = 0
    if c is not None:
        s = c.info.get("summary", {})
        omics = s.get("omics", {})
        genes = max((int(o.get("genes", 0)) for o in omics.values()), default=0)
        samples = int(s.get("samples", 0))
        kinds = len(omics)
    if lab is not None:
        per = lab.info.get("summary", {}).get("per_cancer", {})
        if req.cancer:
            pos = int(per.get(req.cancer, {}).get("positive", 0))
        else:
            pos = sum(int(v.get("positive", 0)) for v in per.values())
        pairs = 2 * pos
    return EstimateInputs(genes, samples, kinds, pairs)


def estimate(inp: EstimateInputs, req: TrainRequest) -> Estimate:
    """Rough time and peak memory of a training run (formula in the module docstring)."""
    from ..train.config import SINGLE_DEFAULTS, TrainConfig

    cfg = dict(req.config or {})
    g, s, k = max(inp.genes, 1), max(inp.samples, 1), max(inp.kinds, 1)
    h1, h2 = (list(cfg.get("hidden_dims") or [H1, H2]) + [H2])[:2]
    p = k * k * (2 * s * h1 + 2 * h1 * h2)
    mem = 4 * (3 * k * g * s + 4 * p + 8 * g * k * (h1 + h2)) + BASE_BYTES
    max_epochs = int(
        cfg.get("max_epochs") or (QUICK_EPOCHS if req.quick else SINGLE_DEFAULTS["max_epochs"])
    )
    train_cfg = TrainConfig.from_dict(cfg).resolved(pan=False)
    train_pairs = 0.7 * inp.pairs
    steps = max(1, math.ceil(train_pairs / train_cfg.batch_size)) if train_cfg.batch_size else 1
    patience = train_cfg.patience_epochs(steps)
    epochs = max_epochs if patience <= 0 else min(max_epochs, max(max_epochs / 2, 2 * patience))
    g_used = min(g, max(2 * inp.pairs, 1))
    flops_per_epoch = 6 * k * k * g_used * (s * h1 + h1 * h2)
    speed = GPU_FLOPS if req.device.startswith("cuda") else CPU_FLOPS
    seconds = START_S + req.folds * 3 * epochs * (EPOCH_OVERHEAD_S + flops_per_epoch / speed)
    return Estimate(seconds, float(mem), req.folds)


def cuda_devices(progress: Progress) -> list[str]:
    """Names of the CUDA devices PyTorch sees (imports torch: run in a worker)."""
    try:
        import torch
    except ImportError:
        return []
    if not torch.cuda.is_available():
        return []
    return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]


def runs_dir() -> Path:
    """Where training runs (checkpoints) are kept: ``<user data>/runs``."""
    return paths.user_data_dir() / "runs"


def load_inputs(progress: Progress, library: Any, req: TrainRequest) -> tuple[Any, Any, Any]:
    """(cohort, label table of the chosen rows, knowledge graph)."""
    from .library import load_builtin_graph

    progress.update(0.0, f"loading cohort {req.cohort}")
    cohort = library.load_cohort(req.cohort)
    progress.update(0.3, f"loading labels {req.labels}")
    table = library.load_labels(req.labels)
    if req.cancer:
        table = table.for_cancer(req.cancer)
    if len(table) == 0:
        raise InputError(
            None,
            f"the label table {req.labels} has no rows for {req.cancer or 'any cancer'}; "
            "choose other label rows",
        )
    progress.update(0.6, "loading the knowledge graph")
    graph = load_builtin_graph() if req.graph == BUILTIN_GRAPH else library.load_graph(req.graph)
    progress.update(1.0, "inputs loaded", force=True)
    return cohort, table, graph


def run_training(progress: Progress, req: TrainRequest, library: Any) -> str:
    """Train a model from the library's data and install it as a user model.

    Progress: 0-3 % inputs, 3-10 % context, 10-95 % training (per-epoch ``info`` with stage,
    fold, epoch, loss, val_auc, grad norms), 95-100 % bundle. On cancel or error the run folder
    is removed and no model is installed (the bundle is written atomically, last). A finished
    run's checkpoints are kept in ``runs_dir()/<name>`` so that later models can start from it.

    Returns:
        the new model's name.
    """
    from ..data.build import build_context

    problem = req.problem()
    if problem:
        raise InputError(None, problem)
    cohort, table, graph = load_inputs(progress.sub(0.0, 0.03), library, req)
    progress.update(0.03, "building the training context (gene universe, graph, labels, splits)")
    context = build_context(
        req.name,
        cohort,
        table,
        graph,
        progress=progress.sub(0.03, 0.10),
        release_cohort=True,
        cancer_pathway=_pathway_policy(req),
        extra_meta={
            "inputs": {
                "cohort": req.cohort,
                "labels": req.labels,
                "label_rows": req.cancer or "all",
                "graph": "built-in" if req.graph == BUILTIN_GRAPH else req.graph,
            }
        },
    )
    from ..data.inactivation import cohort_inputs

    evidence_files = cohort_inputs(cohort)  # the raw files, for the cohort evidence of the bundle
    del cohort, graph
    return train_context(progress.sub(0.10, 1.0), context, req, evidence_files=evidence_files)


def train_context(
    progress: Progress, context: Any, req: TrainRequest, evidence_files: Any = None
) -> str:
    """Train ``context`` (cv 2, ``req.folds`` folds), choose UMT or UME, write the user bundle.

    The run goes to ``runs_dir()/.<name>.running`` and is renamed to ``runs_dir()/<name>``
    when the bundle is written; on cancel or error it is deleted.
    """
    from ..bundle.writer import write_bundle
    from ..train.config import TrainConfig
    from ..train.data import ContextTensors
    from ..train.device import resolve_device
    from ..train.export import fold_arrays
    from ..train.fold import fold_dir, run_fold
    from ..train.selection import scenario_selection

    name = context.name
    dest = paths.user_models_dir() / name
    if dest.exists():
        raise InputError(dest, f"a model named {name} already exists; choose another name")
    runs = runs_dir()
    run = runs / f".{name}.running"
    if run.exists():
        shutil.rmtree(run)
    run.mkdir(parents=True)
    folds = list(range(1, req.folds + 1))
    cv = CV if all((CV, k) in context.splits for k in folds) else 1
    missing = [k for k in folds if (cv, k) not in context.splits]
    if missing:
        raise InputError(
            None,
            f"the context has no cross-validation split for fold(s) {missing}: too few "
            "labelled pairs; import more SL pairs",
        )
    cfg = TrainConfig(
        **{**({"max_epochs": QUICK_EPOCHS} if req.quick else {}), **(req.config or {})}
    )
    init_from = _base_fold(req.base_model) if req.base_model else None
    try:
        dev = resolve_device(req.device)
        progress.update(0.0, f"moving data to {dev}", force=True)
        tensors = ContextTensors.from_context(context, dev)
        metrics = []
        n = len(folds)
        for i, k in enumerate(folds):
            sub = _FoldProgress(progress.sub(0.9 * i / n, 0.9 * (i + 1) / n), fold=k, n_folds=n)
            metrics.append(
                run_fold(context, cv, k, run, cfg, dev, sub, init_from=init_from, tensors=tensors)
            )
        progress.update(0.9, "choosing between UMT and UME on the validation pairs", force=True)
        sel = scenario_selection(metrics)
        strategy = sel["selected"]
        progress.update(0.92, "exporting per-gene terms for fast scoring", force=True)
        cpu = (
            tensors
            if dev.type == "cpu"
            else ContextTensors.from_context(context, resolve_device("cpu"))
        )
        arrays = []
        for k in folds:
            progress.check()
            arrays.append(fold_arrays(fold_dir(run, name, cv, k), context, cpu))
        per = _manifest_metrics(metrics)
        split_pairs = [
            {p: np.asarray(context.split(cv, k)[p], np.int64) for p in ("train", "val", "test")}
            for k in folds
        ]
        meta = context.meta
        manifest = {
            "cancer": req.cancer or name,
            "description": (
                f"trained here on {req.cohort} with {req.labels}"
                + (f" ({req.cancer})" if req.cancer else "")
                + (f", fine-tuned from {req.base_model}" if req.base_model else "")
            ),
            "cv": f"CV{cv}",
            "fold_ids": folds,
            "metrics": per,
            "selection": {
                "rule": "higher mean validation AUC over the folds; a tie goes to UME",
                "val_auc": {"umt": sel["umt_val_auc"], "ume": sel["ume_val_auc"]},
            },
            "omics": list(context.omics_kinds),
            "sample_counts": dict(meta.get("omics", {}).get("samples_per_omics", {})),
            "kg": {"id": context.kg.kg_id, "edges": int(context.kg.edge_index.shape[1])},
            "training": {
                "config": cfg.to_dict(),
                "device": str(dev),
                "quick": req.quick,
                "base_model": req.base_model,
                "inputs": meta.get("inputs", {}),
                "labels": {
                    k: v for k, v in meta.get("labels", {}).items() if k != "genes_out_names"
                },
            },
            "seed": meta.get("seed"),
            "run_folder": str(runs / name),
        }
        progress.update(0.97, f"writing model {name}", force=True)
        final_run = runs / name
        if final_run.exists():
            shutil.rmtree(final_run)
        write_bundle(
            dest,
            name,
            np.asarray(context.genes).astype(str),
            arrays,
            strategy,
            manifest,
            split_pairs=split_pairs,
        )
        from ..app.bundles import files_evidence, finish_bundle

        # ranks, held-out recall, cohort evidence and MODEL_CARD.md, as the bundled models have
        try:
            finish_bundle(
                dest,
                progress.sub(0.97, 0.995),
                evidence=files_evidence(name, evidence_files) if evidence_files else None,
            )
        except BaseException:  # cancelled or failed while ranking: no model is left behind
            shutil.rmtree(dest, ignore_errors=True)
            raise
        run.rename(final_run)
    except BaseException:
        shutil.rmtree(run, ignore_errors=True)
        raise
    progress.update(
        1.0,
        f"model {name} ready ({strategy.upper()}, validation AUC {sel[strategy + '_val_auc']:.3f})",
        force=True,
    )
    return name


def _manifest_metrics(metrics: list[dict[str, Any]]) -> dict[str, dict[str, list[Any]]]:
    """Per-fold metrics in the layout of the bundled models' manifests (``bundle.build``)."""
    try:
        from ..bundle.build import manifest_metrics
    except ImportError:  # older bundle layer: the same keys, val/test AUC and AUPR only
        return {
            strat: {
                f"{part}_{m}": [x[part][strat][m] for x in metrics]
                for part in ("val", "test")
                for m in ("auc", "aupr")
            }
            for strat in ("umt", "ume", "only_omics", "only_kg")
        }
    return manifest_metrics(metrics)


class _FoldProgress(Progress):
    """Adds the fold number to every update's info (for the per-fold curves)."""

    def __init__(self, parent: Progress, fold: int, n_folds: int) -> None:
        super().__init__(None)
        self._parent = parent
        self._cancel = parent._cancel
        self._extra = {"fold": fold, "n_folds": n_folds}

    def update(self, fraction: float, message: str = "", force: bool = False, **info: Any) -> None:
        if info:
            info = {**info, **self._extra}
        self._parent.update(fraction, message, force=force, **info)


def _base_fold(model: str) -> Path:
    """Fold 1 of the training run of ``model`` (kept for models trained in this app)."""
    from ..bundle.registry import Registry

    try:
        info = Registry().get(model)
    except KeyError as exc:
        raise InputError(None, str(exc)) from None
    folder = info.manifest.get("run_folder")
    candidates = [Path(folder)] if folder else []
    candidates.append(runs_dir() / model)
    for root in candidates:
        for cv in (CV, 1):
            fold = root / model / f"cv{cv}" / "fold1"
            if (fold / "kg.pt").exists():
                return fold
    raise InputError(
        None,
        f"{model} cannot be fine-tuned from: its training checkpoints are not on this "
        "computer (bundled models ship scoring terms only). Train from scratch, or start "
        "from a model you trained here.",
    )


def base_models(infos: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Models whose training checkpoints are here, so a new model can start from them."""
    out = []
    for name, info in infos:
        roots = [runs_dir() / name] + ([Path(info["run_folder"])] if info.get("run_folder") else [])
        if any(
            (r / name / f"cv{cv}" / "fold1" / "kg.pt").exists() for r in roots for cv in (CV, 1)
        ):
            out.append(name)
    return out


def _pathway_policy(req: TrainRequest) -> Any:
    """Keep the label rows' cancer pathway when it is one of the known cancers, else by name."""
    from ..data.kg_restrict import AUTO, CANCER_PATHWAYS, resolve_pathway_policy

    if req.cancer and (req.cancer in CANCER_PATHWAYS or req.cancer.upper() in CANCER_PATHWAYS):
        return resolve_pathway_policy(req.cancer)
    return AUTO
