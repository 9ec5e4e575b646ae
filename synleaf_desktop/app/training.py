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
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .. import paths
from ..bundle.build import bundle_from_runs
from ..bundle.registry import Registry
from ..errors import InputError
from ..progress import Progress
from ..train.config import TrainConfig, is_pan_name
from .bundles import files_evidence, finish_bundle
from .library import builtin_graph_checksums, load_builtin_graph

BUILTIN_GRAPH = "__builtin__"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")
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


def parse_settings(text: str) -> dict[str, Any]:
    """Training settings typed as ``"max_epochs=50; hidden_dims=256,128; teacher_mode=train"``
    (the training tab's "Settings" field): ``{name: value}`` with each value converted to the
    setting's type (int, float, bool, str, or a list of ints).

    Raises:
        InputError: not ``name=value`` pairs, an unknown name, or a value of the wrong type.
    """

    types = {f.name: str(f.type) for f in fields(TrainConfig)}
    out: dict[str, Any] = {}
    for item in (s.strip() for s in text.replace("\n", ";").split(";")):
        if not item:
            continue
        name, eq, value = (x.strip() for x in item.partition("="))
        if not eq or not name or not value:
            raise InputError(None, f"{item!r}: write settings as name=value, separated by ';'")
        out[name] = value
    TrainConfig.from_dict({k: None for k in out})  # unknown names: one clear message
    for name, value in list(out.items()):
        kind = types[name]
        try:
            if "list" in kind:
                out[name] = [int(x) for x in value.split(",") if x.strip()]
            elif "bool" in kind:
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                out[name] = value.lower() in ("true", "1", "yes")
            elif "int" in kind:
                out[name] = int(value)
            elif "float" in kind:
                out[name] = float(value)
        except ValueError:
            raise InputError(
                None, f"{name}={value}: expected {kind.replace(' | None', '')}"
            ) from None
    return out


def training_config(req: TrainRequest) -> TrainConfig:
    """The resolved training settings of a request: the method's defaults for a single-cancer
    or pan-cancer context (by the new model's name), :data:`QUICK_EPOCHS` for a quick run, then
    the request's overrides. Both :func:`estimate` and :func:`train_context` use it.

    Raises:
        InputError: an override is not a training setting.
    """
    quick = {"max_epochs": QUICK_EPOCHS} if req.quick else {}
    return TrainConfig.from_dict({**quick, **(req.config or {})}).resolved(
        pan=is_pan_name(req.name)
    )


def estimate(inp: EstimateInputs, req: TrainRequest) -> Estimate:
    """Rough time and peak memory of a training run (formula in the module docstring)."""
    train_cfg = training_config(req)
    g, s, k = max(inp.genes, 1), max(inp.samples, 1), max(inp.kinds, 1)
    hidden = list(train_cfg.hidden_dims or [])
    h1, h2 = (hidden + hidden[-1:])[:2]
    p = k * k * (2 * s * h1 + 2 * h1 * h2)
    mem = 4 * (3 * k * g * s + 4 * p + 8 * g * k * (h1 + h2)) + BASE_BYTES
    max_epochs = int(train_cfg.max_epochs or 1)
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
    graph_sums = (
        builtin_graph_checksums()
        if req.graph == BUILTIN_GRAPH
        else library.checksums("graphs", req.graph)
    )
    checksums = {
        **library.checksums("cohorts", req.cohort),
        **library.checksums("labels", req.labels),
        **graph_sums,
    }
    return train_context(
        progress.sub(0.10, 1.0),
        context,
        req,
        evidence_files=evidence_files,
        data_checksums=checksums,
    )


def train_context(
    progress: Progress,
    context: Any,
    req: TrainRequest,
    evidence_files: Any = None,
    data_checksums: dict[str, str] | None = None,
) -> str:
    """Train ``context`` (cv 2, ``req.folds`` folds), choose UMT or UME, install the user bundle.

    The run goes to ``runs_dir()/.<name>.running`` and is renamed to ``runs_dir()/<name>``
    when the model is installed; on cancel or error it is deleted and no model is installed.
    The bundle is written by :func:`synleaf_desktop.bundle.build.bundle_from_runs` (the path of
    the built-in models, same manifest fields), finished with ranks, held-out recall and cohort
    evidence (:func:`synleaf_desktop.app.bundles.finish_bundle`), then installed under the user
    models folder's lock (:meth:`Registry.add_user_bundle`: checked in full, atomic).

    Args:
        data_checksums: ``{input: sha256}`` of the library entries the context was built from.
    """
    from ..train.data import ContextTensors
    from ..train.device import resolve_device
    from ..train.fold import run_fold
    from ..train.selection import scenario_selection

    name = context.name
    registry = Registry()
    if name.lower() in {n.lower() for n in registry.names()}:
        raise InputError(None, f"a model named {name} already exists; choose another name")
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
    cfg = training_config(req)
    init_from = _base_fold(req.base_model) if req.base_model else None
    final_run = runs / name
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
        del tensors
        progress.update(0.9, "choosing between UMT and UME on the validation pairs", force=True)
        sel = scenario_selection(metrics)
        strategy = sel["selected"]
        staged = run / "bundle" / name
        bundle_from_runs(
            context,
            run,
            staged,
            cv=cv,
            folds=folds,
            dtype="float16",
            progress=progress.sub(0.9, 0.96),
            description=(
                f"trained here on {req.cohort} with {req.labels}"
                + (f" ({req.cancer})" if req.cancer else "")
                + (f", fine-tuned from {req.base_model}" if req.base_model else "")
            ),
            cancer=req.cancer or name,
            data_checksums=data_checksums or {},
            training={
                "quick": req.quick,
                "base_model": req.base_model,
                "inputs": context.meta.get("inputs", {}),
                "run_folder": str(final_run),
            },
        )
        # ranks, held-out recall, cohort evidence, the pair-aware choice and MODEL_CARD.md, as
        # the bundled models have
        finished = finish_bundle(
            staged,
            progress.sub(0.96, 0.99),
            evidence=files_evidence(name, evidence_files) if evidence_files else None,
            pair_aware=True,
        )
        progress.update(0.99, f"installing model {name}", force=True)
        progress.check()
        registry.add_user_bundle(staged, name)
        shutil.rmtree(run / "bundle", ignore_errors=True)
        if final_run.exists():
            shutil.rmtree(final_run)
        run.rename(final_run)
    except BaseException:
        shutil.rmtree(run, ignore_errors=True)
        raise
    pa = finished.get("pair_aware") or {}
    kind = "pair-aware score" if pa.get("chosen") else strategy.upper()
    progress.update(
        1.0,
        f"model {name} ready ({kind}, validation AUC {sel[strategy + '_val_auc']:.3f})",
        force=True,
    )
    return name


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

    try:
        info = Registry().get(model)
    except KeyError as exc:
        raise InputError(None, str(exc)) from None
    folder = (info.manifest.get("training") or {}).get("run_folder") or info.manifest.get(
        "run_folder"
    )
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
