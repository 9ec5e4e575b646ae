"""Glue between the scoring engine and the views: engine results -> :class:`ScoreGrid`,
:class:`CellDetails`; loading models, labels and completions. No Qt here, so every
function can run in a worker thread (those taking ``progress`` first are meant to).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import InputError
from ..progress import Progress
from .details_panel import CellDetails, val_auc
from .grid import ScoreGrid
from .workers import user_message

#: most pairs scored from one gene list (all pairs of ~450 genes)
MAX_LIST_PAIRS = 100_000


def message_of(exc: BaseException) -> str:
    return user_message(exc)


def validate_query(query: dict[str, Any]) -> str:
    """What is wrong with a query before running it ("" when fine), worded for the user."""
    mode = query.get("mode")
    if mode == "pair":
        genes = [g.strip() for g in query.get("genes", []) if g and g.strip()]
        if len(genes) < 2:
            return "Type two gene names (symbols, aliases or Entrez IDs), e.g. PARP1 and BRCA1."
    elif mode == "partners":
        if not str(query.get("gene", "")).strip():
            return "Type a gene name to find its SL partners, e.g. PARP1."
    elif mode == "list":
        n = len(query.get("pairs") or []) or len(query.get("genes") or [])
        if n == 0:
            return "Paste or load some gene names first (one per line, or two per line for pairs)."
        if query.get("genes") is not None and len(query["genes"]) < 2:
            return "A gene list needs at least two genes (all pairs among them are scored)."
        if query.get("genes"):
            g = len(query["genes"])
            if g * (g - 1) // 2 > MAX_LIST_PAIRS:
                return (f"{g} genes make {g * (g - 1) // 2:,} pairs; the limit is {MAX_LIST_PAIRS:,}. "
                        "Use fewer genes, or the partners mode for one gene against all.")
        if len(query.get("pairs") or []) > MAX_LIST_PAIRS:
            return f"At most {MAX_LIST_PAIRS:,} pairs at once; split the list."
    else:
        return f"unknown query mode {mode!r}"
    return ""


def _aucs(infos: dict[str, dict[str, Any]], contexts: Sequence[str]) -> dict[str, float]:
    out = {}
    for c in contexts:
        v = val_auc(infos.get(c, {}))
        out[c] = float("nan") if v is None else float(v)
    return out


# ---------------------------------------------------------------------- grids


def pair_grid(engine: Any, a: str, b: str, contexts: Sequence[str], infos: dict[str, dict[str, Any]]) -> ScoreGrid:
    """One pair in every context (``engine.score_pair``).

    Raises:
        InputError: a name could not be resolved.
    """
    res = engine.score_pair(a, b, list(contexts))
    if res.genes is None:
        from ..scoring import UnresolvedGeneError

        raise UnresolvedGeneError(res.unresolved)
    names = list(res.contexts)
    c = len(names)
    score = np.full((1, c), np.nan)
    sd = np.full((1, c), np.nan)
    known = np.full((1, c), np.nan)
    intr = np.full((1, c), np.nan)
    missing = {}
    for j, n in enumerate(names):
        cs = res.contexts[n]
        if cs.in_context and cs.score is not None:
            score[0, j] = cs.score
            sd[0, j] = np.nan if cs.sd is None else cs.sd
        else:
            missing[(0, j)] = list(cs.missing)
        if cs.known_label is not None:
            known[0, j] = cs.known_label
        if cs.in_training is not None:
            intr[0, j] = float(cs.in_training)
    return ScoreGrid("pair", {"mode": "pair", "genes": [a, b], "symbols": list(res.genes)}, names,
                     [tuple(res.genes)], score, sd, known, intr, missing, [], _aucs(infos, names))


def _missing_cells(engine: Any, pairs: list[tuple[str, str]], contexts: Sequence[str], score: np.ndarray
                   ) -> dict[tuple[int, int], list[str]]:
    out: dict[tuple[int, int], list[str]] = {}
    rows, cols = np.nonzero(np.isnan(score))
    if rows.size == 0:
        return out
    index = {c: engine.bundle(c).gene_index for c in contexts}
    for r, j in zip(rows.tolist(), cols.tolist()):
        idx = index[contexts[j]]
        out[(r, j)] = [g for g in pairs[r] if g not in idx]
    return out


def _frame_to_grid(engine: Any, df: Any, contexts: Sequence[str], infos: dict[str, dict[str, Any]],
                   query: dict[str, Any], unresolved: list[str]) -> ScoreGrid:
    ok = df["symbol1"].notna().to_numpy() & df["symbol2"].notna().to_numpy()
    df = df[ok]
    pairs = [(str(a), str(b)) for a, b in zip(df["symbol1"], df["symbol2"])]
    names = list(contexts)
    score = np.column_stack([df[n].to_numpy(dtype=float) for n in names]) if len(df) else np.zeros((0, len(names)))
    sd = np.column_stack([df[f"{n}_sd"].to_numpy(dtype=float) for n in names]) if len(df) else score.copy()
    known = np.full(score.shape, np.nan)
    intr = np.full(score.shape, np.nan)
    for j, n in enumerate(names):
        if f"{n}_label" in df:
            known[:, j] = df[f"{n}_label"].to_numpy(dtype=float, na_value=np.nan)
        if f"{n}_in_training" in df:
            intr[:, j] = df[f"{n}_in_training"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return ScoreGrid("pairs", query, names, pairs, score, sd, known, intr,
                     _missing_cells(engine, pairs, names, score), list(unresolved), _aucs(infos, names))


def list_grid(progress: Progress, engine: Any, query: dict[str, Any], contexts: Sequence[str],
              infos: dict[str, dict[str, Any]]) -> ScoreGrid:
    """A pasted list: explicit pairs (``score_pairs``) or all pairs of a gene list (``gene_list``)."""
    progress.update(0.05, "resolving gene names")
    if query.get("pairs"):
        pairs = [tuple(p) for p in query["pairs"]]
        df, unresolved = engine.score_pairs(pairs, list(contexts), with_labels=True)
        seen: set[tuple[str, str]] = set()
        keep = []
        for k, (a, b) in enumerate(zip(df["symbol1"], df["symbol2"])):
            key = (a, b)
            if a is not None and b is not None and key in seen:
                continue
            seen.add(key)
            keep.append(k)
        df = df.iloc[keep]
    else:
        df = engine.gene_list(query.get("genes", []), list(contexts), with_labels=True)
        unresolved = list(df.attrs.get("unresolved", []))
        if len(df.attrs.get("genes", [])) < 2:
            raise InputError(None, "fewer than two of the genes could be recognised"
                             + (f" (not recognised: {', '.join(unresolved[:10])})" if unresolved else "")
                             + "; check the names")
    progress.update(0.8, "arranging the results")
    grid = _frame_to_grid(engine, df, contexts, infos, dict(query), unresolved)
    if grid.is_empty and unresolved:
        raise InputError(None, "none of the pairs could be scored: not recognised "
                         + ", ".join(unresolved[:10]) + "; check the names")
    progress.update(1.0, "done", force=True)
    return grid


def partners_grid(progress: Progress, engine: Any, gene: str, top: int, contexts: Sequence[str],
                  infos: dict[str, dict[str, Any]]) -> ScoreGrid:
    """The ``top`` partners of ``gene`` by mean score over ``contexts`` (every partner of every
    context is scored; a partner outside some contexts is averaged over the others).

    Partners scored in fewer than half of the contexts that know ``gene`` rank after all the
    others: otherwise a gene that exists in one context only (e.g. a chrY gene in one cohort)
    would top the list on a single score."""
    progress.update(0.05, f"scoring every partner of {gene}")
    frames = engine.partners(gene, top=None, contexts=list(contexts))
    names = list(frames)
    sym = next(iter(frames.values())).attrs.get("gene", gene) if frames else gene
    if not any(f.attrs.get("in_context", True) for f in frames.values()):
        raise InputError(None, f"{sym} is not in any of the shown contexts' models, so it has no scored partners")
    progress.update(0.6, "ranking partners")
    import pandas as pd

    score = pd.DataFrame({n: f.set_index("partner")["score"] for n, f in frames.items() if len(f)})
    score = score.reindex(columns=names)
    mean = score.mean(axis=1, skipna=True)
    coverage = score.notna().sum(axis=1)
    n_known = sum(1 for f in frames.values() if f.attrs.get("in_context", True) and len(f))
    wide = coverage.to_numpy() >= max(1, -(-n_known // 2))
    tab = pd.DataFrame({"partner": mean.index.astype(str), "mean": mean.to_numpy(dtype=float), "wide": wide})
    tab = tab.dropna(subset=["mean"]).sort_values(["wide", "mean", "partner"], ascending=[False, False, True],
                                                  kind="stable")
    chosen = tab["partner"].head(int(top)).tolist()
    p = len(chosen)
    c = len(names)
    sc = np.full((p, c), np.nan)
    sd = np.full((p, c), np.nan)
    known = np.full((p, c), np.nan)
    intr = np.full((p, c), np.nan)
    for j, n in enumerate(names):
        f = frames[n]
        if not len(f):
            continue
        f = f.set_index("partner").reindex(chosen)
        sc[:, j] = f["score"].to_numpy(dtype=float)
        sd[:, j] = f["sd"].to_numpy(dtype=float)
        known[:, j] = f["known_label"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        intr[:, j] = f["in_training"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    pairs = [(str(sym), str(x)) for x in chosen]
    missing = {}
    for r, j in zip(*np.nonzero(np.isnan(sc))):
        f = frames[names[j]]
        missing[(int(r), int(j))] = [str(sym)] if not f.attrs.get("in_context", True) else [pairs[r][1]]
    progress.update(1.0, "done", force=True)
    return ScoreGrid("partners", {"mode": "partners", "gene": str(sym), "top": int(top), "typed": gene}, names,
                     pairs, sc, sd, known, intr, missing, [], _aucs(infos, names))


def cell_details(engine: Any, a: str, b: str, context: str, info: dict[str, Any]) -> CellDetails:
    """Everything about one cell, from ``engine.score_pair(a, b, [context])``."""
    res = engine.score_pair(a, b, [context])
    cs = res.contexts[context]
    return CellDetails(
        gene_a=a, gene_b=b, context=context, in_context=bool(cs.in_context), missing=list(cs.missing),
        score=cs.score, sd=cs.sd, folds=list(cs.folds), by_order=cs.by_order, modality=dict(cs.modality),
        known_label=cs.known_label, in_training=cs.in_training, info=dict(info))


# ---------------------------------------------------------------------- loading


def _label_frames(library: Any) -> tuple[Any, list[str]]:
    """All stored label tables concatenated (gene1, gene2, label, cancer), and their names."""
    import pandas as pd

    frames, names = [], []
    for entry in library.list("labels"):
        try:
            frames.append(library.load_labels(entry.name).pairs)
            names.append(entry.name)
        except InputError:
            continue
    if not frames:
        return None, []
    return pd.concat(frames, ignore_index=True), names


def apply_labels(engine: Any, library: Any) -> str:
    """Overlay every stored label table on ``engine``; returns a status line ("" if none)."""
    if engine is None:
        return ""
    df, names = _label_frames(library)
    if df is None:
        engine.set_labels(None)
        return ""
    rep = engine.set_labels(df)
    return f"known labels: {rep.get('usable', 0):,} pairs from {len(names)} table{'s' if len(names) != 1 else ''}"


def load_engine(progress: Progress, bundled_dir: str | Path | None = None, library: Any = None
                ) -> tuple[Any, list[tuple[str, dict[str, Any]]], str, list[str]]:
    """Load every model (bundled + user) and the stored labels.

    Returns:
        (engine or None when no model is installed, [(name, context_info)], labels status line,
        [problems with skipped model folders]).
    """
    from ..bundle.registry import Registry
    from ..scoring import NoModelsError, ScoringEngine

    progress.update(0.05, "reading the model list")
    registry = Registry(bundled_dir=bundled_dir)
    try:
        engine = ScoringEngine.from_registry(registry)
    except NoModelsError:
        return None, [], "", [f"{p}: {m}" for p, m in registry.problems]
    progress.update(0.6, "loading gene names")
    _ = engine.resolver
    infos = [(n, engine.context_info(n)) for n in engine.contexts]
    progress.update(0.7, "preparing the models")
    # the first lookup builds per-context caches (training-pair sets, memory-mapped pages):
    # do it here, in the worker, so the first lookup a user makes is as quick as the next
    warm = [str(g) for g in engine.bundle(engine.contexts[0]).genes[:2]]
    if len(warm) == 2:
        engine.score_pair(*warm)
    progress.update(0.8, "loading known labels")
    labels_info = apply_labels(engine, library) if library is not None else ""
    progress.update(1.0, "models ready", force=True)
    return engine, infos, labels_info, [f"{p.name}: {m}" for p, m in registry.problems]


def completions(progress: Progress) -> list[str]:
    """Gene names to complete (symbols, aliases, Entrez IDs), sorted case-insensitively."""
    from ..io.genes import default_resolver

    names = default_resolver().completions()
    progress.check()
    return sorted(names, key=str.lower)


def add_model(progress: Progress, folder: Path) -> str:
    """Install a bundle folder as a user model; returns its name."""
    from ..bundle.registry import Registry

    progress.update(0.1, "verifying the model files")
    info = Registry().add_user_bundle(folder)
    progress.update(1.0, "done", force=True)
    return info.name


def save_import(progress: Progress, library: Any, result: Any, name: str, engine: Any = None
                ) -> tuple[str, str, str]:
    """Store an accepted import; a label table is also overlaid on the engine.

    Returns:
        (kind stored: "cohorts" | "labels" | "graphs", name used, new labels status line or "").
    """
    progress.update(0.1, f"saving {name}")
    sources = [str(p) for p in result.sources]
    if result.kind == "study":
        entry = library.save_cohort(result.obj, name, sources)
        return "cohorts", entry.name, ""
    if result.kind == "labels":
        entry = library.save_labels(result.obj, name, sources)
        progress.update(0.6, "updating known labels")
        info = apply_labels(engine, library) if engine is not None else ""
        return "labels", entry.name, info
    entry = library.save_graph(result.obj, name, sources)
    return "graphs", entry.name, ""


def inputs_record(library: Any, labels_info: str) -> dict[str, Any]:
    """The user's data as listed in a run report."""
    out: dict[str, Any] = {"known_labels": labels_info or "none loaded"}
    for kind in ("cohorts", "labels", "graphs"):
        out[kind] = [{"name": e.name, "imported": e.info.get("imported"), "sources": e.info.get("sources"),
                      "summary": e.info.get("summary_line")} for e in library.list(kind)]
    return out
