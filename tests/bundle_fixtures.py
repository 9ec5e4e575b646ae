"""Synthetic model bundles for tests, benchmarks and GUI development.

The bundles go through the real writer (:func:`synleaf_desktop.bundle.writer.write_bundle`) from
random exported arrays of realistic scale (teacher/student embeddings ~ N(0, 1), head weights
giving logits with an SD of ~2), over real HGNC symbols from the shipped gene table, so names,
aliases and Entrez IDs resolve as for real models. Scores mean nothing biologically.

    from tests.bundle_fixtures import make_bundle, make_bundle_set
    make_bundle_set(tmp / "bundled_models", n_genes=500)           # the nine contexts
    make_bundle(tmp / "models" / "MYCTX", "MYCTX", n_genes=300, n_folds=5, strategy="umt", seed=1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synleaf_desktop.bundle.format import BUILTIN_ORDER, EMBED_DIM
from synleaf_desktop.bundle.writer import write_bundle

#: genes always present (unless excluded explicitly), handy in tests and demos
CORE_GENES = (
    "BRCA1",
    "BRCA2",
    "RAD51",
    "TP53",
    "PARP1",
    "ADAR",
    "ATM",
    "ATR",
    "CHEK1",
    "PTEN",
    "KRAS",
    "MYC",
)
#: the reproduction's CV2 selections (METHOD.md section 4)
DEFAULT_STRATEGIES = {
    "BRCA": "umt",
    "CESC": "ume",
    "COAD": "ume",
    "KIRC": "umt",
    "LAML": "umt",
    "LUAD": "ume",
    "OV": "umt",
    "SKCM": "umt",
    "pan": "ume",
}
DEFAULT_OMICS = ["mut", "cna", "exp", "myl"]


def symbol_pool(n: int, seed: int = 0) -> list[str]:
    """``n`` protein-coding HGNC symbols (the core genes first, the rest drawn with ``seed``), sorted."""
    from synleaf_desktop.io.genes import default_resolver

    r = default_resolver()
    genes = r.genes
    coding = genes.loc[genes["gene_type"] == "protein-coding", "symbol"].astype(str).to_numpy()
    coding = np.array(sorted(set(coding.tolist()) - set(CORE_GENES)))
    rng = np.random.default_rng(seed)
    k = max(0, n - len(CORE_GENES))
    if k > len(coding):
        raise ValueError(f"only {len(coding) + len(CORE_GENES)} protein-coding symbols available")
    pick = rng.choice(len(coding), size=k, replace=False)
    out = list(CORE_GENES[:n]) + coding[pick].tolist()
    return sorted(out)


def synthetic_folds(
    n_genes: int, n_folds: int, strategy: str, seed: int
) -> list[dict[str, np.ndarray]]:
    """Random exported arrays for ``n_folds`` folds (float32; see :mod:`synleaf_desktop.bundle.writer`)."""
    rng = np.random.default_rng(seed)
    h = EMBED_DIM
    out = []
    for _ in range(n_folds):
        f = {
            "omics_teacher_emb": rng.standard_normal((n_genes, h), dtype=np.float32),
            "kg_teacher_emb": rng.standard_normal((n_genes, h), dtype=np.float32),
            "omics_head_w": (rng.standard_normal(2 * h) * 0.15).astype(np.float32),
            "omics_head_b": (rng.standard_normal(1) * 0.5).astype(np.float32),
            "kg_head_w": (rng.standard_normal(2 * h) * 0.15).astype(np.float32),
            "kg_head_b": (rng.standard_normal(1) * 0.5).astype(np.float32),
        }
        if strategy == "umt":
            f.update(
                {
                    "omics_student_emb": rng.standard_normal((n_genes, h), dtype=np.float32),
                    "kg_student_emb": rng.standard_normal((n_genes, h), dtype=np.float32),
                    "umt_w1": (rng.standard_normal((h, 4 * h)) * 0.06).astype(np.float32),
                    "umt_b1": (rng.standard_normal(h) * 0.1).astype(np.float32),
                    "umt_w2": (rng.standard_normal(h) * 0.2).astype(np.float32),
                    "umt_b2": (rng.standard_normal(1) * 0.3).astype(np.float32),
                }
            )
        out.append(f)
    return out


def synthetic_splits(
    n_genes: int, n_folds: int, n_pairs: int, seed: int
) -> list[dict[str, np.ndarray]]:
    """Random labelled pairs (half positive) cut into ``n_folds`` folds: fold k tests on part k,
    validates on part k+1 and trains on the rest. Each value int64 [n, 3] (i, j, label)."""
    rng = np.random.default_rng(seed + 7919)
    seen: set[tuple[int, int]] = set()
    rows = []
    while len(rows) < n_pairs:
        i, j = (int(x) for x in rng.integers(0, n_genes, 2))
        key = (min(i, j), max(i, j))
        if i == j or key in seen:
            continue
        seen.add(key)
        rows.append((i, j, len(rows) % 2))
    pairs = np.array(rows, np.int64)
    part = rng.integers(0, n_folds, len(pairs))
    out = []
    for k in range(n_folds):
        test = part == k
        val = part == (k + 1) % n_folds
        out.append({"train": pairs[~test & ~val], "val": pairs[val], "test": pairs[test]})
    return out


def synthetic_metrics(strategy: str, n_folds: int, seed: int) -> dict[str, dict[str, list[float]]]:
    """Plausible per-fold metrics where ``strategy`` wins on mean validation AUC."""
    rng = np.random.default_rng(seed + 31)
    out = {}
    for s, base in (("umt", 0.86), ("ume", 0.85)):
        bonus = 0.02 if s == strategy else 0.0
        out[s] = {
            m: np.round(
                np.clip(base + bonus + off + rng.normal(0, 0.01, n_folds), 0, 1), 4
            ).tolist()
            for m, off in (
                ("val_auc", 0.0),
                ("test_auc", -0.01),
                ("val_aupr", -0.02),
                ("test_aupr", -0.03),
            )
        }
    return out


def make_bundle(
    dest: str | Path,
    name: str,
    n_genes: int = 300,
    n_folds: int = 5,
    strategy: str = "ume",
    seed: int = 0,
    dtype: str = "float16",
    genes: Sequence[str] | None = None,
    with_splits: bool = True,
    n_split_pairs: int | None = None,
    size_budget_bytes: int | None = None,
    return_arrays: bool = False,
    **extra: Any,
) -> Any:
    """Write one synthetic bundle through the real writer.

    Args:
        dest: bundle folder to create; name: context name; n_genes: universe size (ignored when
            ``genes`` is given); n_folds: trained folds; strategy: "umt" or "ume"; seed: RNG seed;
            dtype: UMT term dtype; genes: explicit universe; with_splits: write split_pairs.npz;
            n_split_pairs: labelled pairs in the splits (default ~ n_genes / 2, at most 20,000);
            size_budget_bytes: passed to the writer; extra: more manifest keys.

    Returns:
        the folder, or ``(folder, genes, folds, splits)`` with ``return_arrays=True``.
    """
    genes = list(genes) if genes is not None else symbol_pool(n_genes, seed=seed)
    g = len(genes)
    folds = synthetic_folds(g, n_folds, strategy, seed)
    splits = (
        synthetic_splits(g, n_folds, n_split_pairs or min(20000, max(20, g // 2)), seed)
        if with_splits
        else None
    )
    omics = ["mut", "cna", "exp"] if name == "pan" else DEFAULT_OMICS
    manifest = {
        "cancer": name,
        "description": f"synthetic test model ({strategy}, seed {seed}); scores are meaningless",
        "cv": "CV2",
        "metrics": synthetic_metrics(strategy, n_folds, seed),
        "omics": omics,
        "sample_counts": {k: 100 + 10 * i for i, k in enumerate(omics)},
        "kg": {"id": "synthetic", "version": "0"},
        "data_checksums": {},
        "seed": seed,
        "synthetic": True,
    }
    manifest.update(extra)
    path = write_bundle(
        dest,
        name,
        np.array(genes),
        folds,
        strategy,
        manifest,
        dtype=dtype,
        split_pairs=splits,
        size_budget_bytes=size_budget_bytes,
    )
    return (path, genes, folds, splits) if return_arrays else path


def make_bundle_set(
    root: str | Path,
    names: Iterable[str] = BUILTIN_ORDER,
    n_genes: int = 300,
    n_folds: int = 5,
    strategies: dict[str, str] | None = None,
    dtype: str = "float16",
    seed: int = 0,
    drop_fraction: float = 0.01,
    exclude: dict[str, Sequence[str]] | None = None,
    with_splits: bool = True,
) -> list[Path]:
    """Write one bundle per name under ``root`` (``root/<name>/``).

    The contexts share a pool of ``n_genes`` symbols; each drops a random ``drop_fraction`` of it
    (never a core gene) plus the genes in ``exclude[name]``, so universes differ slightly, as real
    ones do. Strategies default to :data:`DEFAULT_STRATEGIES` (UME for unknown names).
    """
    root = Path(root)
    pool = symbol_pool(n_genes, seed=seed)
    strategies = {**DEFAULT_STRATEGIES, **(strategies or {})}
    exclude = exclude or {}
    out = []
    for k, name in enumerate(names):
        rng = np.random.default_rng(seed + 1000 + k)
        droppable = [g for g in pool if g not in CORE_GENES]
        n_drop = round(drop_fraction * len(pool))
        drop = (
            set(rng.choice(droppable, size=min(n_drop, len(droppable)), replace=False).tolist())
            if n_drop
            else set()
        )
        drop |= set(exclude.get(name, ()))
        genes = [g for g in pool if g not in drop]
        out.append(
            make_bundle(
                root / name,
                name,
                n_folds=n_folds,
                strategy=strategies.get(name, "ume"),
                seed=seed + 17 * (k + 1),
                dtype=dtype,
                genes=genes,
                with_splits=with_splits,
            )
        )
    return out


#: the GUI tests' bundle set: genes left out of some contexts, to exercise "not in context" cells
EXCLUDE = {"KIRC": ["RAD51"], "LAML": ["PARP1", "ATM"]}
CONTEXTS = ["BRCA", "CESC", "COAD", "KIRC", "LAML", "LUAD", "OV", "SKCM", "pan"]
