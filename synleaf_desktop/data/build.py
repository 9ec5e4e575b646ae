"""Building training contexts: universe, aligned omics, restricted graph, labels, splits.

:func:`build_context` turns in-memory inputs (a cohort of omics, a label table, the full
knowledge graph) into a :class:`~synleaf_desktop.data.context.Context`;
:func:`build_all` does it for the nine built-in contexts from the shared data folder
(recipe in :mod:`.sources`) and saves each atomically. :func:`summary_row` and
:func:`format_tables` give the per-context table printed by ``synleaf data build``.

Order of the steps (METHOD §1.4-§1.9):

1. drop the other contexts' disease-specific KEGG pathways (:mod:`.kg_restrict`);
2. universe = Gene entities with an edge there ∩ UniProt ∩ union of the omics genes;
3. omics reindexed to (universe x cohort samples), float32, zeros where missing;
4. graph edges touching non-universe genes removed;
5. labels mapped to universe indices (pairs outside dropped, counted);
6. CV1 / CV2 / CV3 splits, balanced 1:1, seeded by the context name; generated negatives
   ``"random"`` (default, METHOD §1.8) or ``"matched"`` on annotation count (:mod:`.matched`),
   recorded in ``meta["negatives"]``.
"""

from __future__ import annotations

import gc
import platform
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..errors import SynleafError
from ..io.omics import OMICS_KINDS, canonical_order
from ..progress import Progress, ensure
from .context import Context
from .kg_restrict import (
    AUTO,
    connected_genes,
    pathway_edge_mask,
    resolve_pathway_policy,
    restrict_kg,
)
from .matched import annotation_degree, check_scheme, negatives_summary
from .splits import context_seed, make_splits
from .universe import align_matrix, gene_universe, map_labels

PARTS = ("train", "val", "test")


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape a context."""
    import pandas
    import sklearn

    return {
        "synleaf_desktop": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pandas.__version__,
        "scikit-learn": sklearn.__version__,
    }


def _samples_with_data(cohort: Any, kind: str) -> int:
    """Samples the omics file actually covers (not the zero-padded union)."""
    has = getattr(cohort, "has_data", {}) or {}
    if kind in has:
        return int(np.count_nonzero(has[kind]))
    return int(np.count_nonzero(np.any(cohort.omics[kind].values != 0, axis=0)))


def build_context(
    name: str,
    cohort: Any,
    labels: Any,
    kg: Any,
    resolver: Any = None,
    cancer_pathway: str | None = AUTO,
    progress: Progress | None = None,
    seed: int | None = None,
    release_cohort: bool = False,
    extra_meta: dict[str, Any] | None = None,
    negatives: str = "random",
) -> Context:
    """Build one training context.

    Args:
        name: context name (also picks the seed and, with ``AUTO``, the cancer pathway).
        cohort: :class:`synleaf_desktop.io.study.Cohort`: ``.samples`` str [S] sorted,
            ``.omics`` kind -> normalised OmicsMatrix aligned to ``.samples``.
        labels: :class:`synleaf_desktop.io.labels.LabelTable` of this context (already
            selected for the cancer), or a DataFrame with gene1, gene2, label.
        kg: the full :class:`synleaf_desktop.io.kg.KnowledgeGraph`.
        resolver: gene resolver for the UniProt filter (default: the shipped one).
        cancer_pathway: ``AUTO`` (from the name), a KEGG id, ``"all"`` or ``None``.
        progress: progress/cancel sink.
        seed: override the name-derived seed (:func:`splits.context_seed`).
        release_cohort: drop each omics matrix from ``cohort.omics`` once it is aligned
            (lowers peak memory when the caller does not need the cohort afterwards).
        extra_meta: merged into ``meta`` (e.g. input checksums).
        negatives: how generated negatives are drawn: ``"random"`` (default, METHOD §1.8)
            or ``"matched"`` (genes' annotation counts follow the positives', :mod:`.matched`).

    Returns:
        :class:`Context` with ``genes`` [G], ``samples`` [S], ``omics`` kind -> float32
        [G, S], restricted ``kg``, ``labels`` int64 [N, 3], ``splits`` and ``meta``.
    """
    t0 = time.perf_counter()
    progress = ensure(progress)
    check_scheme(negatives)
    if resolver is None:
        from ..io.genes import default_resolver

        resolver = default_resolver()
    seed = context_seed(name) if seed is None else int(seed)
    kinds = canonical_order(cohort.omics)
    if not kinds:
        raise SynleafError(
            f"context {name}: the cohort has no omics; import at least one omics file"
        )
    samples = np.asarray(cohort.samples).astype(str)

    progress.update(0.02, f"{name}: filtering cancer pathways")
    policy = resolve_pathway_policy(name, cancer_pathway)
    edge_mask, pw_info = pathway_edge_mask(kg, policy)
    kg_genes = connected_genes(kg, edge_mask)

    progress.update(0.08, f"{name}: gene universe")
    omics_genes = {k: np.asarray(cohort.omics[k].genes).astype(str) for k in kinds}
    universe, ureport = gene_universe(kg_genes, omics_genes.values(), resolver.has_uniprot)
    if len(universe) < 2:
        raise SynleafError(
            f"context {name}: gene universe has {len(universe)} genes "
            "(KG genes ∩ UniProt ∩ omics genes); check the omics gene names"
        )

    omics: dict[str, np.ndarray] = {}
    omics_meta: dict[str, Any] = {
        "kinds": kinds,
        "samples": len(samples),
        "samples_per_omics": {},
        "genes_in_file": {},
        "genes_in_universe": {},
        "formats": {},
        "sources": {},
    }
    for i, k in enumerate(kinds):
        progress.update(0.1 + 0.4 * i / len(kinds), f"{name}: aligning {k}")
        m = cohort.omics[k]
        omics[k] = align_matrix(
            m.values, np.asarray(m.genes), np.asarray(m.samples), universe, samples
        )
        omics_meta["samples_per_omics"][k] = _samples_with_data(cohort, k)
        omics_meta["genes_in_file"][k] = len(m.genes)
        omics_meta["genes_in_universe"][k] = int(np.isin(universe, omics_genes[k]).sum())
        omics_meta["formats"][k] = str(getattr(m, "fmt", ""))
        src = (getattr(cohort, "files", None) or {}).get(k) or getattr(m, "source", None)
        omics_meta["sources"][k] = str(src) if src is not None else "pooled"
        if release_cohort:
            del m
            cohort.omics.pop(k, None)
            gc.collect()

    not_used = {k: v for k, v in (getattr(cohort, "alternatives", None) or {}).items() if v}
    if not_used:
        omics_meta["alternatives_not_used"] = not_used
    if getattr(cohort, "ignored", None):
        omics_meta["ignored_files"] = [str(f) for f in cohort.ignored]

    progress.update(0.55, f"{name}: restricting the knowledge graph")
    ckg, kg_summary = restrict_kg(kg, universe, edge_mask, pw_info)

    progress.update(0.6, f"{name}: mapping labels")
    pairs = labels.pairs if hasattr(labels, "pairs") else labels
    all_omics_genes = set().union(*[set(v.tolist()) for v in omics_genes.values()])
    lab, lreport = map_labels(
        pairs["gene1"].to_numpy(),
        pairs["gene2"].to_numpy(),
        pairs["label"].to_numpy(),
        universe,
        kg_genes=set(kg_genes.tolist()),
        omics_genes=all_omics_genes,
        has_uniprot=resolver.has_uniprot,
    )
    label_meta = lreport.as_dict()
    label_meta["genes_out_count"] = len(label_meta["genes_out_names"])
    if len(label_meta["genes_out_names"]) > 500:
        label_meta["genes_out_names"] = [*label_meta["genes_out_names"][:500], "..."]
    rep = getattr(labels, "report", None)
    if rep is not None:
        per_cancer = getattr(rep, "per_cancer", {}) or {}
        label_meta["read"] = {
            "scope": "every row of the label files, before this context's cancer was selected",
            "this_cancer_after_rules": per_cancer.get(name),
            "rows_read": int(getattr(rep, "n_rows", 0)),
            "rows_unknown_gene": int(getattr(rep, "rows_unknown_gene", 0)),
            "unresolved_names": len(getattr(rep, "unresolved", []) or []),
            "unresolved_examples": list(getattr(rep, "unresolved", []) or [])[:50],
            "self_pairs_set_negative": int(getattr(rep, "self_pairs_set_negative", 0)),
            "conflict_pairs": int(getattr(rep, "conflict_pairs", 0)),
            "duplicates_removed": int(getattr(rep, "duplicates_removed", 0)),
        }
    sources = getattr(labels, "sources", None)
    if sources:
        label_meta["sources"] = [str(s) for s in sources]

    progress.update(0.65, f"{name}: splits")
    degree = annotation_degree(ckg, len(universe))
    splits, split_info, _gene_sets = make_splits(
        lab, len(universe), seed, negatives=negatives, degree=degree
    )
    cv1 = splits.get((1, 1), {})
    cv1_all = (
        np.concatenate([cv1[p] for p in PARTS if p in cv1]) if cv1 else np.empty((0, 3), np.int64)
    )

    meta: dict[str, Any] = {
        "seed": seed,
        "seed_rule": "first 4 bytes (little endian) of sha256(name); per (cv, fold) numpy SeedSequence",
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "omics": omics_meta,
        "universe": ureport.as_dict(),
        "labels": label_meta,
        "kg": kg_summary,
        "splits": split_info,
        "negatives": negatives_summary(lab, cv1_all, degree, negatives),
        "versions": package_versions(),
    }
    if extra_meta:
        meta.update(extra_meta)
    ctx = Context(
        name=name,
        genes=universe,
        samples=samples,
        omics=omics,
        kg=ckg,
        labels=lab,
        splits=splits,
        meta=meta,
    )
    meta["build_seconds"] = round(time.perf_counter() - t0, 2)
    meta["summary"] = summary_row(ctx)
    progress.update(1.0, f"{name}: built")
    return ctx


# ----------------------------------------------------------------------
# summary table


def _stats(values: Sequence[int]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "min": 0, "max": 0}
    return {
        "mean": round(float(np.mean(values)), 1),
        "min": int(min(values)),
        "max": int(max(values)),
    }


def summary_row(ctx: Context) -> dict[str, Any]:
    """One row of the per-context table, from a context's arrays and meta.

    Keys: name, genes, samples, samples_per_omics, omics, positives, negatives (labels in
    the universe, unbalanced), cv1 (balancing counts), splits ``{cv: {part: {mean, min,
    max}}}`` over folds, shortfall (generated negatives missing anywhere), missing_folds.
    """
    meta = ctx.meta
    lab = ctx.labels
    pos = int((lab[:, 2] == 1).sum()) if len(lab) else 0
    splits: dict[str, dict[str, dict[str, float]]] = {}
    for cv in (1, 2, 3):
        folds = sorted(k for c, k in ctx.splits if c == cv)
        splits[f"cv{cv}"] = {p: _stats([len(ctx.splits[(cv, k)][p]) for k in folds]) for p in PARTS}
        splits[f"cv{cv}"]["folds"] = len(folds)  # type: ignore[assignment]
    sinfo = meta.get("splits", {})
    short = int(sinfo.get("cv1", {}).get("balance", {}).get("shortfall", 0))
    for f in sinfo.get("cv23", {}).get("folds", {}).values():
        short += sum(int(b.get("shortfall", 0)) for b in f.get("balance", {}).values())
    return {
        "name": ctx.name,
        "genes": int(ctx.num_genes),
        "samples": len(ctx.samples),
        "samples_per_omics": dict(meta.get("omics", {}).get("samples_per_omics", {})),
        "omics": ctx.omics_kinds,
        "positives": pos,
        "negatives": int(len(lab) - pos),
        "labels_dropped": int(meta.get("labels", {}).get("dropped", 0)),
        "cv1": dict(sinfo.get("cv1", {}).get("balance", {})),
        "negative_scheme": str(meta.get("negatives", {}).get("scheme", "random")),
        "splits": splits,
        "cv23_retried": list(sinfo.get("cv23", {}).get("retried", [])),
        "missing_folds": list(sinfo.get("cv23", {}).get("missing", [])),
        "shortfall": short,
        "kg_edges": int(ctx.kg.edge_index.shape[1]),
        "kg_pathways": list(meta.get("kg", {}).get("pathways", {}).get("kept_pathways", [])),
        "build_seconds": meta.get("build_seconds"),
    }


def _fmt_stat(s: dict[str, float]) -> str:
    if s["min"] == s["max"]:
        return f"{s['min']}"
    return f"{s['mean']:.0f} ({s['min']}-{s['max']})"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=False))
            )
        )
    return "\n".join(out)


def format_tables(rows: Iterable[dict[str, Any]]) -> str:
    """The two tables printed by ``synleaf data build`` / ``show``.

    Table 1, per context: genes, samples (union and per omics), omics, labelled positives /
    negatives in the universe, CV1 balancing (negatives kept/generated), KG edges.
    Table 2, pairs per split: mean over the 5 folds with (min-max), for CV1, CV2, CV3.
    """
    rows = list(rows)
    t1 = []
    for r in rows:
        spo = r.get("samples_per_omics", {})
        cv1 = r.get("cv1", {})
        matched = " matched" if r.get("negative_scheme") == "matched" else ""
        bal = (
            f"{cv1.get('positives', 0)}/{cv1.get('negatives_after', 0)}"
            + (f" (+{cv1['generated']} gen{matched})" if cv1.get("generated") else "")
            + (f" (-{cv1['undersampled']} dropped)" if cv1.get("undersampled") else "")
        )
        t1.append(
            [
                r["name"],
                str(r["genes"]),
                str(r["samples"]),
                " ".join(f"{k}:{spo.get(k, '?')}" for k in OMICS_KINDS if k in r.get("omics", [])),
                f"{r['positives']}/{r['negatives']}",
                str(r.get("labels_dropped", 0)),
                bal,
                str(r.get("shortfall", 0)),
                str(r.get("kg_edges", "")),
            ]
        )
    head1 = [
        "context",
        "genes",
        "samples",
        "samples per omics",
        "labels +/-",
        "dropped",
        "CV1 balanced +/-",
        "short",
        "KG edges",
    ]
    t2 = []
    for r in rows:
        for cv in ("cv1", "cv2", "cv3"):
            s = r["splits"][cv]
            note = ""
            if cv != "cv1" and r.get("cv23_retried"):
                note = f"retried folds {r['cv23_retried']}"
            if cv != "cv1" and r.get("missing_folds"):
                note += f" missing folds {r['missing_folds']}"
            t2.append(
                [
                    r["name"],
                    cv.upper(),
                    str(s["folds"]),
                    *(_fmt_stat(s[p]) for p in PARTS),
                    note.strip(),
                ]
            )
    head2 = ["context", "split", "folds", "train", "val", "test", "note"]
    return (
        _table(head1, t1)
        + "\n\npairs per split (balanced 1:1; mean over folds, min-max):\n"
        + _table(head2, t2)
    )


# ----------------------------------------------------------------------
# the nine built-in contexts


def _remove_holdout_pairs(
    labels: Any,
    data_dir: str | Path,
    holdout: Sequence[str],
    resolver: Any,
    label_cache: dict[Any, Any],
) -> tuple[Any, int]:
    """``labels`` without any pair (either order) labelled in the ``holdout`` contexts.

    Returns:
        (the filtered LabelTable, number of rows removed).
    """
    from dataclasses import replace

    from . import sources

    keys: set[tuple[str, str]] = set()
    for h in holdout:
        src = sources.builtin_source(data_dir, h)
        table = sources._read_labels(src, resolver, label_cache).for_cancer(src.label_cancer)
        for a, b in zip(
            table.pairs["gene1"].astype(str), table.pairs["gene2"].astype(str), strict=True
        ):
            keys.add((a, b) if a <= b else (b, a))
    g1 = labels.pairs["gene1"].astype(str).to_numpy()
    g2 = labels.pairs["gene2"].astype(str).to_numpy()
    drop = np.fromiter(
        (((a, b) if a <= b else (b, a)) in keys for a, b in zip(g1, g2, strict=True)), bool, len(g1)
    )
    kept = labels.pairs[~drop].reset_index(drop=True)
    return replace(labels, pairs=kept), int(drop.sum())


def build_all(
    data_dir: str | Path,
    out_dir: str | Path,
    contexts: Sequence[str] | None = None,
    progress: Progress | None = None,
    resolver: Any = None,
    kg: Any = None,
    kg_dir: str | Path | None = None,
    on_built: Any = None,
    negatives: str = "random",
    holdout: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Build and save the built-in contexts from the shared data folder.

    Args:
        data_dir: the shared data folder (``../shared/data``).
        out_dir: where ``<out_dir>/<NAME>/`` folders are written (atomically).
        contexts: names to build (default all nine, :data:`sources.BUILTIN_CONTEXTS`).
        progress: progress/cancel sink; each context gets an equal slice.
        resolver: gene resolver (default: the shipped one).
        kg: the full graph (default: ``KnowledgeGraph.load(kg_dir or resources/kg)``).
        on_built: optional ``callback(row)`` called after each context is saved.
        negatives: generated-negative scheme, ``"random"`` (default) or ``"matched"``
            (:func:`build_context`).
        holdout: single-cancer contexts whose labelled pairs (positive or negative, either
            order) are removed from the pan-cancer labels; the pan context is then saved as
            ``pan-minus-<NAMES>`` (a pretraining source for transfer experiments that has
            never seen those contexts' pairs). Only valid when building ``pan``.

    Returns:
        per-context summary rows (:func:`summary_row`), in build order.
    """
    from . import sources

    progress = ensure(progress)
    check_scheme(negatives)
    names = list(contexts) if contexts else list(sources.BUILTIN_CONTEXTS)
    unknown = [n for n in names if n not in sources.BUILTIN_CONTEXTS]
    if unknown:
        raise ValueError(
            f"unknown built-in context(s) {unknown}; choose from {list(sources.BUILTIN_CONTEXTS)}"
        )
    holdout = sorted({h.strip() for h in (holdout or []) if h.strip()})
    if holdout:
        bad = [h for h in holdout if h not in sources.SINGLE_CANCERS]
        if bad or names != ["pan"]:
            raise ValueError(
                f"holdout needs contexts=['pan'] and single-cancer names; got contexts={names}, "
                f"holdout={holdout}"
            )
    if resolver is None:
        from ..io.genes import default_resolver

        resolver = default_resolver()
    if kg is None:
        kg = sources.load_kg(kg_dir)
    checksum_cache: dict[str, str] = {}
    label_cache: dict[Any, Any] = {}
    rows = []
    for i, name in enumerate(names):
        sub = progress.sub(i / len(names), (i + 1) / len(names))
        sub.update(0.0, f"{name}: reading inputs")
        src = sources.builtin_source(data_dir, name)
        cohort, labels = sources.load_inputs(
            src, resolver=resolver, progress=sub.sub(0.0, 0.5), label_cache=label_cache
        )
        extra: dict[str, Any] = {
            "source": src.describe(),
            "inputs": sources.checksums(src.input_files(cohort), checksum_cache),
            "kg_source": getattr(kg, "kg_id", ""),
        }
        if holdout:
            labels, removed = _remove_holdout_pairs(
                labels, data_dir, holdout, resolver, label_cache
            )
            extra["holdout"] = {"contexts": holdout, "pairs_removed": removed}
            extra["pan"] = True  # train with the pan-cancer defaults (train/config.py)
            extra["inputs"].update(
                sources.checksums(
                    sources.builtin_source(data_dir, holdout[0]).label_files, checksum_cache
                )
            )
            name = "pan-minus-" + "-".join(holdout)
        ctx = build_context(
            name,
            cohort,
            labels,
            kg,
            resolver=resolver,
            cancer_pathway=src.cancer_pathway,
            progress=sub.sub(0.5, 0.9),
            release_cohort=True,
            extra_meta=extra,
            negatives=negatives,
        )
        del cohort, labels
        sub.update(0.9, f"{name}: saving")
        ctx.save(out_dir)
        rows.append(ctx.meta["summary"])
        if on_built is not None:
            on_built(ctx.meta["summary"])
        del ctx
        gc.collect()
    progress.update(1.0, "contexts built")
    return rows
