"""Glue between the scoring engine and the views: engine results -> :class:`ScoreGrid`,
:class:`CellDetails`; loading models, labels and completions. No Qt here, so every
function can run in a worker thread (those taking ``progress`` first are meant to).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..bundle.registry import Registry
from ..errors import InputError, user_message
from ..io.genes import GeneNames, default_gene_names, default_resolver
from ..io.known_pairs import default_known_pairs
from ..progress import Progress
from ..scoring import NoModelsError, ScoringEngine, UnresolvedGeneError
from .details import CellDetails, test_auc, val_auc
from .grid import ScoreGrid
from .library import Library

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
                return (
                    f"{g} genes make {g * (g - 1) // 2:,} pairs; the limit is {MAX_LIST_PAIRS:,}. "
                    "Use fewer genes, or the partners mode for one gene against all."
                )
        if len(query.get("pairs") or []) > MAX_LIST_PAIRS:
            return f"At most {MAX_LIST_PAIRS:,} pairs at once; split the list."
    else:
        return f"unknown query mode {mode!r}"
    return ""


def _aucs(infos: dict[str, dict[str, Any]], contexts: Sequence[str]) -> dict[str, float]:
    """Each context's quality as shown under its column: the test AUC (validation AUC only for
    a model that records no test AUC)."""
    out = {}
    for c in contexts:
        info = infos.get(c, {})
        v = test_auc(info)
        if v is None:
            v = val_auc(info)
        out[c] = float("nan") if v is None else float(v)
    return out


# ---------------------------------------------------------------------- grids


def _ranked(engine: ScoringEngine, contexts: Sequence[str]) -> dict[str, bool]:
    """context -> whether its model has a rank map (``calibration.npz``)."""
    cal = getattr(engine, "calibration", None)
    out = {}
    for c in contexts:
        try:
            out[c] = cal is not None and cal(c) is not None
        except (KeyError, ValueError, OSError):
            out[c] = False
    return out


def _nan(x: Any) -> float:
    return float("nan") if x is None else float(x)


def _evidence_store(engine: ScoringEngine, context: str) -> Any:
    fn = getattr(engine, "evidence_store", None)
    try:
        return fn(context) if fn is not None else None
    except (KeyError, ValueError, OSError):
        return None


def _with_evidence(engine: ScoringEngine, contexts: Sequence[str]) -> dict[str, bool]:
    """context -> whether its model carries cohort data (``evidence.npz``)."""
    return {c: _evidence_store(engine, c) is not None for c in contexts}


def _evidence_matrices(
    engine: ScoringEngine, pairs: Sequence[tuple[str, str]], contexts: Sequence[str]
) -> dict[str, np.ndarray]:
    """``both_lost``, ``expected_both``, ``coinact_p`` [P, C] of ``pairs`` (NaN: no evidence),
    from each context's cohort data (``engine.evidence_columns``)."""
    out = {
        k: np.full((len(pairs), len(contexts)), np.nan)
        for k in ("both_lost", "expected_both", "coinact_p")
    }
    if not pairs:
        return out
    for j, c in enumerate(contexts):
        store = _evidence_store(engine, c)
        if store is None:
            continue
        i = np.array([store.index(a) for a, _ in pairs], dtype=np.int64)
        k = np.array([store.index(b) for _, b in pairs], dtype=np.int64)
        cols = engine.evidence_columns(c, i, k)
        for key, m in out.items():
            m[:, j] = np.asarray(cols[key], dtype=float)
    return out


def pair_grid(
    engine: ScoringEngine, a: str, b: str, contexts: Sequence[str], infos: dict[str, dict[str, Any]]
) -> ScoreGrid:
    """One pair in every context (``engine.score_pair``).

    Raises:
        InputError: a name could not be resolved.
    """
    res = engine.score_pair(a, b, list(contexts))  # SelfPairError: one gene twice
    if res.genes is None:
        if hasattr(engine, "unresolved_error"):
            raise engine.unresolved_error(res.unresolved)  # with "did you mean ...?"

        raise UnresolvedGeneError(res.unresolved)
    names = list(res.contexts)
    c = len(names)
    score = np.full((1, c), np.nan)
    sd = np.full((1, c), np.nan)
    known = np.full((1, c), np.nan)
    intr = np.full((1, c), np.nan)
    ranks = {k: np.full((1, c), np.nan) for k in ("percentile", "top_fraction", "heldout_recall")}
    ev = {k: np.full((1, c), np.nan) for k in ("both_lost", "expected_both", "coinact_p")}
    missing = {}
    for j, n in enumerate(names):
        cs = res.contexts[n]
        if cs.in_context and cs.score is not None:
            score[0, j] = cs.score
            sd[0, j] = np.nan if cs.sd is None else cs.sd
            for k, m in ranks.items():
                m[0, j] = _nan(getattr(cs, k, None))
        else:
            missing[(0, j)] = list(cs.missing)
        if cs.known_label is not None:
            known[0, j] = cs.known_label
        if cs.in_training is not None:
            intr[0, j] = float(cs.in_training)
        e = getattr(cs, "evidence", None)
        if e and not e.get("no_evidence"):
            for key, src in (
                ("both_lost", "n_both"),
                ("expected_both", "expected"),
                ("coinact_p", "p_depletion"),
            ):
                ev[key][0, j] = _nan(e.get(src))
    sym_a, sym_b = res.genes
    return ScoreGrid(
        "pair",
        {"mode": "pair", "genes": [a, b], "symbols": [sym_a, sym_b]},
        names,
        [(sym_a, sym_b)],
        score,
        sd,
        known,
        intr,
        missing,
        [],
        _aucs(infos, names),
        ranked=_ranked(engine, names),
        evidence=_with_evidence(engine, names),
        **ranks,
        **ev,
    )


def _missing_cells(
    engine: ScoringEngine, pairs: list[tuple[str, str]], contexts: Sequence[str], score: np.ndarray
) -> dict[tuple[int, int], list[str]]:
    out: dict[tuple[int, int], list[str]] = {}
    rows, cols = np.nonzero(np.isnan(score))
    if rows.size == 0:
        return out
    index = {c: engine.bundle(c).gene_index for c in contexts}
    for r, j in zip(rows.tolist(), cols.tolist(), strict=True):
        idx = index[contexts[j]]
        out[(r, j)] = [g for g in pairs[r] if g not in idx]
    return out


def _frame_to_grid(
    engine: ScoringEngine,
    df: Any,
    contexts: Sequence[str],
    infos: dict[str, dict[str, Any]],
    query: dict[str, Any],
    unresolved: list[str],
) -> ScoreGrid:
    ok = df["symbol1"].notna().to_numpy() & df["symbol2"].notna().to_numpy()
    df = df[ok]
    pairs = [(str(a), str(b)) for a, b in zip(df["symbol1"], df["symbol2"], strict=True)]
    names = list(contexts)
    score = (
        np.column_stack([df[n].to_numpy(dtype=float) for n in names])
        if len(df)
        else np.zeros((0, len(names)))
    )
    sd = (
        np.column_stack([df[f"{n}_sd"].to_numpy(dtype=float) for n in names])
        if len(df)
        else score.copy()
    )
    known = np.full(score.shape, np.nan)
    intr = np.full(score.shape, np.nan)
    for j, n in enumerate(names):
        if f"{n}_label" in df:
            known[:, j] = df[f"{n}_label"].to_numpy(dtype=float, na_value=np.nan)
        if f"{n}_in_training" in df:
            intr[:, j] = (
                df[f"{n}_in_training"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            )
    ranks = {}
    for k in ("percentile", "top_fraction", "heldout_recall"):
        m = np.full(score.shape, np.nan)
        for j, n in enumerate(names):
            if f"{n}_{k}" in df:
                m[:, j] = df[f"{n}_{k}"].to_numpy(dtype=float)
        ranks[k] = m
    for k in ("both_lost", "expected_both", "coinact_p"):  # co-inactivation (score_pairs columns)
        m = np.full(score.shape, np.nan)
        for j, n in enumerate(names):
            if f"{n}_{k}" in df:
                m[:, j] = df[f"{n}_{k}"].to_numpy(dtype=float)
        ranks[k] = m
    return ScoreGrid(
        "pairs",
        query,
        names,
        pairs,
        score,
        sd,
        known,
        intr,
        _missing_cells(engine, pairs, names, score),
        list(unresolved),
        _aucs(infos, names),
        ranked=_ranked(engine, names),
        evidence=_with_evidence(engine, names),
        **ranks,
    )


def list_grid(
    progress: Progress,
    engine: ScoringEngine,
    query: dict[str, Any],
    contexts: Sequence[str],
    infos: dict[str, dict[str, Any]],
) -> ScoreGrid:
    """A pasted list: explicit pairs (``score_pairs``) or all pairs of a gene list (``gene_list``)."""
    progress.update(0.05, "resolving gene names")
    if query.get("pairs"):
        pairs = [tuple(p) for p in query["pairs"]]
        df, unresolved = engine.score_pairs(pairs, list(contexts), with_labels=True)
        seen: set[tuple[str, str]] = set()
        keep = []
        for k, (a, b) in enumerate(zip(df["symbol1"], df["symbol2"], strict=True)):
            key = (a, b)
            if a is not None and b is not None and key in seen:
                continue
            seen.add(key)
            keep.append(k)
        self_pairs = list(df.attrs.get("self_pairs") or [])
        df = df.iloc[keep]
    else:
        df = engine.gene_list(query.get("genes", []), list(contexts), with_labels=True)
        unresolved = list(df.attrs.get("unresolved", []))
        self_pairs = list(df.attrs.get("self_pairs") or [])
        if len(df.attrs.get("genes", [])) < 2:
            raise InputError(
                None,
                "fewer than two of the genes could be recognised"
                + (f" (not recognised: {', '.join(unresolved[:10])})" if unresolved else "")
                + "; check the names",
            )
    progress.update(0.8, "arranging the results")
    q = dict(query)
    if self_pairs:
        # names given twice (BRCA1, brca1, an alias): a gene is not paired with itself
        q["self_pairs"] = [list(p) for p in self_pairs]
    grid = _frame_to_grid(engine, df, contexts, infos, q, unresolved)
    if grid.is_empty and unresolved:
        raise InputError(
            None,
            "none of the pairs could be scored: not recognised "
            + ", ".join(unresolved[:10])
            + "; check the names",
        )
    progress.update(1.0, "done", force=True)
    return grid


#: partner orders offered in the partners view: ``ScoringEngine.cross_context(order=...)``
PARTNER_ORDERS = {
    "rank": "genome-wide rank (mean percentile over contexts)",
    "above_typical": "rank above the partner's typical rank (discounts hub genes)",
}


def partners_grid(
    progress: Progress,
    engine: ScoringEngine,
    gene: str,
    top: int,
    contexts: Sequence[str],
    infos: dict[str, dict[str, Any]],
    order: str = "rank",
) -> ScoreGrid:
    """The ``top`` partners of ``gene`` across ``contexts``, chosen and ordered by
    ``engine.cross_context`` (the one partner-ranking rule of the app and the CLI):

    - ``order="rank"``: mean genome-wide percentile over the contexts that score the pair;
    - ``order="above_typical"``: mean decades above the partner's typical rank with random genes
      (discounts "hub" partners that rank high with everything).

    Partners scored in fewer than half of the contexts that know ``gene`` rank after all the
    others (else a gene present in one cohort only could top the list on one score). A context
    without a rank map uses its raw score in the ordering. The grid's rows keep that order."""
    if order not in PARTNER_ORDERS:
        raise InputError(
            None, f"unknown partner order {order!r} (use {' or '.join(PARTNER_ORDERS)})"
        )
    progress.update(0.05, f"scoring every partner of {gene}")
    df = engine.cross_context(gene, top=int(top), contexts=list(contexts), order=order)
    names = list(df.attrs.get("contexts") or contexts)
    sym = str(df.attrs.get("gene", gene))
    missing_ctx = set(df.attrs.get("missing_contexts") or [])
    if missing_ctx >= set(names):
        raise InputError(
            None, f"{sym} is not in any of the shown contexts' models, so it has no scored partners"
        )
    progress.update(0.8, "arranging partners")
    chosen = [str(x) for x in df["partner"]]
    p, c = len(chosen), len(names)

    def mat(suffix: str, nullable: bool = False) -> np.ndarray:
        out = np.full((p, c), np.nan)
        for j, n in enumerate(names):
            col = n if not suffix else f"{n}_{suffix}"
            if col in df:
                v = df[col]
                out[:, j] = (
                    v.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
                    if nullable
                    else v.to_numpy(dtype=float)
                )
        return out

    sc = mat("")
    pairs = [(sym, x) for x in chosen]
    missing = {}
    for r, j in zip(*np.nonzero(np.isnan(sc)), strict=True):
        missing[(int(r), int(j))] = [sym] if names[j] in missing_ctx else [pairs[r][1]]
    above = mat("above_typical")
    topf = mat("top_fraction")
    with np.errstate(invalid="ignore", over="ignore"):
        typical = np.where(
            np.isfinite(above), topf * 10.0**above, np.nan
        )  # above = log10(typical / top)
    progress.update(0.9, "co-inactivation in the cohorts")
    # tumours with both genes lost vs expected, and the depletion p (cross_context's <ctx>_coinact_p)
    ev = _evidence_matrices(engine, pairs, names)
    progress.update(1.0, "done", force=True)
    return ScoreGrid(
        "partners",
        {"mode": "partners", "gene": sym, "top": int(top), "typed": gene, "order": order},
        names,
        pairs,
        sc,
        mat("sd"),
        mat("known_label", True),
        mat("in_training", True),
        missing,
        [],
        _aucs(infos, names),
        percentile=mat("percentile"),
        top_fraction=topf,
        heldout_recall=mat("heldout_recall"),
        typical_top=typical,
        above_typical=above,
        ranked=_ranked(engine, names),
        evidence=_with_evidence(engine, names),
        **ev,
    )


def cell_details(
    engine: ScoringEngine, a: str, b: str, context: str, info: dict[str, Any]
) -> CellDetails:
    """Everything about one cell, from ``engine.score_pair(a, b, [context])``."""
    res = engine.score_pair(a, b, [context])
    cs = res.contexts[context]
    evidence: list[str] = []
    labelled_negative = False
    try:
        known = default_known_pairs()
    except (OSError, ValueError, KeyError):  # a damaged resource only loses the evidence lines
        known = None
    if known is not None:
        cancer = str(info.get("cancer") or context)
        evidence = known.evidence(a, b, None if cancer.lower() in ("pan", "pan-cancer") else cancer)
        rows = known.rows(a, b, cancer)
        labelled_negative = bool(len(rows) and (rows["label"] == 0).any())
    names = gene_names()
    return CellDetails(
        gene_a=a,
        gene_b=b,
        context=context,
        in_context=bool(cs.in_context),
        missing=list(cs.missing),
        score=cs.score,
        sd=cs.sd,
        folds=list(cs.folds),
        by_order=cs.by_order,
        modality=dict(cs.modality),
        known_label=cs.known_label,
        in_training=cs.in_training,
        info=dict(info),
        percentile=getattr(cs, "percentile", None),
        top_fraction=getattr(cs, "top_fraction", None),
        heldout_recall=getattr(cs, "heldout_recall", None),
        n_heldout=_n_heldout(engine, context),
        n_universe_pairs=_n_pairs(engine, context),
        label_source=getattr(cs, "label_source", None),
        evidence=evidence,
        labelled_negative=labelled_negative if known is not None else None,
        cohort=getattr(cs, "evidence", None),
        score_kind=getattr(cs, "score_kind", "synleaf"),
        synleaf_score=getattr(cs, "synleaf_score", None),
        profiles=getattr(cs, "profiles", None),
        has_cohort=_evidence_store(engine, context) is not None,
        shared_terms=getattr(res, "shared_terms", None),
        gene_names={g: n for g in (a, b) if (n := names.name(g))},
        entrez={g: e for g in (a, b) if (e := names.entrez(g)) is not None},
    )


def gene_names() -> Any:
    """The shipped full gene names (:class:`~synleaf_desktop.io.genes.GeneNames`; empty when the
    table is missing or unreadable)."""

    try:
        return default_gene_names()
    except (OSError, ValueError, KeyError):
        return GeneNames()


def _calibration(engine: ScoringEngine, context: str) -> Any:
    cal = getattr(engine, "calibration", None)
    try:
        return cal(context) if cal is not None else None
    except (KeyError, ValueError, OSError):
        return None


def _n_heldout(engine: ScoringEngine, context: str) -> int | None:
    cal = _calibration(engine, context)
    return None if cal is None else int(cal.n_heldout)


def _n_pairs(engine: ScoringEngine, context: str) -> int | None:
    cal = _calibration(engine, context)
    return None if cal is None else int(cal.n_pairs)


# ---------------------------------------------------------------------- loading


def _label_frames(library: Library) -> tuple[Any, list[str]]:
    """All stored label tables concatenated (gene1, gene2, label, cancer), and their names."""

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


def apply_labels(engine: ScoringEngine, library: Library) -> str:
    """Overlay every stored label table on ``engine``; returns a status line ("" if none)."""
    if engine is None:
        return ""
    df, names = _label_frames(library)
    if df is None:
        engine.set_labels(None)
        return ""
    rep = engine.set_labels(df)
    return f"known labels: {rep.get('usable', 0):,} pairs from {len(names)} table{'s' if len(names) != 1 else ''}"


def load_engine(
    progress: Progress, bundled_dir: str | Path | None = None, library: Library | None = None
) -> tuple[ScoringEngine | None, list[tuple[str, dict[str, Any]]], str, list[str]]:
    """Load every model (bundled + user) and the stored labels.

    Returns:
        (engine or None when no model is installed, [(name, context_info)], labels status line,
        [problems with skipped model folders]).
    """

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

    names = default_resolver().completions()
    progress.check()
    return sorted(names, key=str.lower)


class CompletionDescriber:
    """What a completion stands for, shown next to it in the pop-up: the full gene name of a
    symbol ("BRCA1 DNA repair associated"), "alias of BRCA1: ..." for an alias, "Entrez ID of
    BRCA1: ..." for a number. Cheap per call (the resolver caches), so only the rows on screen
    are described."""

    def __init__(self, resolver: Any, names: Any) -> None:
        self.resolver = resolver
        self.names = names

    def __call__(self, text: str) -> str:
        text = str(text)
        sym = self.resolver.resolve(text)
        if sym is None:
            return "alias of several genes" if text else ""
        name = self.names.name(sym) or ""
        if sym == text:
            return name
        what = "Entrez ID of" if text.isdigit() else "alias of"
        return f"{what} {sym}" + (f": {name}" if name else "")


def gene_completions(progress: Progress) -> tuple[list[str], CompletionDescriber]:
    """:func:`completions` and a :class:`CompletionDescriber` for the pop-up (both loaded here,
    in the worker, so that describing a row on screen never waits for a table)."""

    names = completions(progress)
    return names, CompletionDescriber(default_resolver(), gene_names())


def add_model(progress: Progress, folder: Path) -> str:
    """Install a bundle folder as a user model; returns its name."""

    progress.update(0.1, "verifying the model files")
    info = Registry().add_user_bundle(folder)
    progress.update(1.0, "done", force=True)
    return info.name


def save_import(
    progress: Progress,
    library: Library,
    result: Any,
    name: str,
    engine: ScoringEngine | None = None,
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


def inputs_record(library: Library, labels_info: str) -> dict[str, Any]:
    """The user's data as listed in a run report."""
    out: dict[str, Any] = {"known_labels": labels_info or "none loaded"}
    for kind in ("cohorts", "labels", "graphs"):
        out[kind] = [
            {
                "name": e.name,
                "imported": e.info.get("imported"),
                "sources": e.info.get("sources"),
                "summary": e.info.get("summary_line"),
            }
            for e in library.list(kind)
        ]
    return out
