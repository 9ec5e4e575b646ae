"""Baselines on the same folds (scikit-learn): logistic regression and random forest.

Per-gene features:

* omics: the gene's K omics rows concatenated ([K*S]) and reduced with ``TruncatedSVD``
  (``svd_components``, default 32) fitted on the training genes only;
* annotation profile: binary vector over the non-gene KG entities (GO terms, pathways)
  linked to the gene by an edge in either direction, keeping terms linked to 5-2000
  universe genes (as DESIGN §6).

Pair features (symmetric, so the pair order does not matter):
``[o_a + o_b, |o_a - o_b|, t_a + t_b, t_a * t_b]`` (o: SVD omics, t: annotation profile;
sparse). LR: ``MaxAbsScaler`` + ``LogisticRegression(C=1, liblinear)``. RF:
``RandomForestClassifier(300 trees, sqrt features, min_samples_leaf=2)``.
Both are fitted on the training pairs; metrics on val and test as :mod:`.metrics`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler

from ..data.context import Context
from ..fileio import read_json, write_json
from ..progress import Progress, ensure
from .metrics import clean_json, pair_metrics

MIN_TERM_GENES = 5
MAX_TERM_GENES = 2000


def annotation_profiles(
    context: Context, min_genes: int = MIN_TERM_GENES, max_genes: int = MAX_TERM_GENES
) -> sp.csr_matrix:
    """Binary [G, T] CSR matrix: gene x (non-gene entity used by min..max universe genes)."""
    kg = context.kg
    g = context.num_genes
    ent_to_gene = np.full(kg.num_entities, -1, dtype=np.int64)
    ent_to_gene[kg.gene_entity] = np.arange(g)
    src, dst = kg.edge_index
    gene_types = {i for i, t in enumerate(kg.type_names) if t.lower() == "gene"}
    is_gene_ent = np.isin(kg.entity_types, list(gene_types)) if gene_types else ent_to_gene >= 0
    row_parts, col_parts = [], []
    for a, b in ((src, dst), (dst, src)):
        keep = (ent_to_gene[a] >= 0) & ~is_gene_ent[b]
        row_parts.append(ent_to_gene[a[keep]])
        col_parts.append(b[keep])
    rows, cols = np.concatenate(row_parts), np.concatenate(col_parts)
    m = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(g, kg.num_entities)
    )
    m.data[:] = 1.0
    m.sum_duplicates()
    m.data[:] = 1.0
    used = np.asarray((m > 0).sum(axis=0)).ravel()
    keep_cols = np.flatnonzero((used >= min_genes) & (used <= max_genes))
    return m[:, keep_cols].tocsr()


def gene_features(
    context: Context, train_genes: np.ndarray, svd_components: int = 32, seed: int = 0
) -> tuple[np.ndarray, sp.csr_matrix]:
    """(omics SVD features [G, c] fitted on ``train_genes``, annotation profiles [G, T])."""
    x = np.concatenate([context.omics[k] for k in context.omics_kinds], axis=1).astype(np.float32)
    c = int(min(svd_components, x.shape[1] - 1, len(train_genes) - 1))
    if c >= 1:
        svd = TruncatedSVD(n_components=c, random_state=seed).fit(x[train_genes])
        omics = svd.transform(x).astype(np.float32)
    else:
        omics = x
    return omics, annotation_profiles(context)


def pair_features(pairs: np.ndarray, omics: np.ndarray, prof: sp.csr_matrix) -> sp.csr_matrix:
    """Symmetric pair features [n, 2c + 2T] (see the module docstring)."""
    a, b = pairs[:, 0], pairs[:, 1]
    oa, ob = omics[a], omics[b]
    ta, tb = prof[a], prof[b]
    return sp.hstack(
        [sp.csr_matrix(oa + ob), sp.csr_matrix(np.abs(oa - ob)), ta + tb, ta.multiply(tb)]
    ).tocsr()


def run_baselines(
    context: Context,
    cv: int,
    fold: int,
    out_root: str | Path | None = None,
    seed: int = 2025,
    progress: Progress | None = None,
    svd_components: int = 32,
) -> dict[str, Any]:
    """Fit LR and RF on one fold; returns (and with ``out_root`` writes, resumably)
    ``{"val"|"test": {"lr"|"rf": metrics}, ...}`` to ``<fold>/baselines.json``."""
    progress = ensure(progress)
    path = (
        Path(out_root) / context.name / f"cv{cv}" / f"fold{fold}" / "baselines.json"
        if out_root
        else None
    )
    if path is not None and path.exists():
        return read_json(path)
    split = context.split(cv, fold)
    train = np.asarray(split["train"])
    train_genes = np.unique(train[:, :2])
    t0 = time.monotonic()
    omics, prof = gene_features(context, train_genes, svd_components, seed)
    x = {
        part: pair_features(np.asarray(split[part]), omics, prof)
        for part in ("train", "val", "test")
    }
    y = {part: np.asarray(split[part])[:, 2] for part in ("train", "val", "test")}
    models = {
        "lr": make_pipeline(
            MaxAbsScaler(), LogisticRegression(C=1.0, solver="liblinear", max_iter=2000)
        ),
        "rf": RandomForestClassifier(
            n_estimators=300, max_features="sqrt", min_samples_leaf=2, n_jobs=1, random_state=seed
        ),
    }
    result: dict[str, Any] = {
        "context": context.name,
        "cv": cv,
        "fold": fold,
        "val": {},
        "test": {},
        "wall_s": {},
        "features": {"omics_svd": int(omics.shape[1]), "annotation_terms": int(prof.shape[1])},
    }
    for i, (name, model) in enumerate(models.items()):
        progress.check()
        t = time.monotonic()
        model.fit(x["train"], y["train"])
        for part in ("val", "test"):
            result[part][name] = pair_metrics(y[part], model.predict_proba(x[part])[:, 1])
        result["wall_s"][name] = time.monotonic() - t
        progress.update(
            (i + 1) / len(models),
            f"baseline {name}: test AUC {result['test'][name]['auc']:.4f}",
            context=context.name,
            cv=cv,
            fold=fold,
            stage=f"baseline_{name}",
        )
    result["wall_s"]["total"] = time.monotonic() - t0
    if path is not None:
        write_json(path, clean_json(result))
    return result
