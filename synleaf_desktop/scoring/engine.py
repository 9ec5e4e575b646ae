"""The scoring engine: SL scores across contexts from loaded bundles, numpy only (no torch).

Every score is a probability-like model output in [0, 1]:

- per fold model, ``(p(A, B) + p(B, A)) / 2`` (the SynLeaF heads are order-dependent, so both
  gene orders are scored and averaged);
- the context score is the mean over the context's fold models (the paper's web server averages
  its five CV2 fold models); ``sd`` is the population SD over those folds;
- ``modality`` gives the same for the two single-modality teachers (omics, KG) of every fold;
- a gene outside a context's universe gives ``score = None`` and ``in_context = False``, never a
  made-up number. Gene names go through the shipped resolver (symbols, aliases, Entrez IDs, any
  case); names it cannot resolve are reported, never guessed.

Typical use::

    engine = ScoringEngine.from_registry()
    res = engine.score_pair("BRCA1", "rad51")
    res.contexts["BRCA"].score, res.contexts["BRCA"].sd
    engine.partners("BRCA1", top=20)            # {context: DataFrame}
    engine.cross_context("BRCA1", top=20)       # partners x contexts
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from .. import __version__
from ..bundle.format import Bundle
from ..errors import InputError, SynleafError
from ..progress import Progress
from .context import ContextScorer
from .labels import PairSet, label_value, labels_for_context

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..bundle.registry import Registry
    from ..io.genes import GeneResolver, Resolution

PAIR_ORDER_NOTE = ("Scores are model outputs in [0, 1], not calibrated probabilities. Each is the mean over the "
                   "context's fold models of (p(A,B) + p(B,A)) / 2: the SynLeaF heads are order-dependent, so both "
                   "gene orders are scored and averaged; sd is the population SD over the folds.")
BUILD_HINT = ("no SL models are installed. Build the nine bundled models with "
              "`synleaf bundle build --data ../shared/data --out bundled_models`, "
              "or add one with `synleaf models add FOLDER`.")
#: default score from which a context counts as "high" in :meth:`ScoringEngine.cross_context`
HIGH = 0.5


class NoModelsError(SynleafError):
    """No model bundle is installed (or none of the requested ones)."""


class UnresolvedGeneError(InputError):
    """A query gene name could not be mapped to an HGNC symbol."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        super().__init__(None, "could not resolve gene name" + ("s " if len(names) > 1 else " ")
                         + ", ".join(repr(n) for n in names)
                         + " (not a current HGNC symbol, alias or Entrez ID in the shipped gene table); "
                           "check the spelling")


@dataclass
class ContextScore:
    """The score of one pair in one context (see the module docstring)."""

    context: str
    score: float | None
    sd: float | None
    folds: list[float]
    by_order: tuple[float, float] | None
    modality: dict[str, float]
    in_context: bool
    missing: list[str]
    known_label: int | None
    in_training: bool | None
    strategy: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("context")
        d["by_order"] = list(self.by_order) if self.by_order is not None else None
        return d


@dataclass
class PairResult:
    """Scores of one queried pair in every requested context.

    Attributes:
        query: the two names as typed; genes: their HGNC symbols, or None if one is unresolved;
        unresolved: names that could not be resolved; contexts: ``{context: ContextScore}``.
    """

    query: tuple[str, str]
    genes: tuple[str, str] | None
    unresolved: list[str]
    contexts: dict[str, ContextScore] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``synleaf score A B --json``."""
        return {"query": list(self.query), "genes": list(self.genes) if self.genes else None,
                "unresolved": self.unresolved,
                "contexts": {k: v.to_dict() for k, v in self.contexts.items()},
                "version": __version__, "note": PAIR_ORDER_NOTE}


def _f(x: Any) -> float:
    return float(round(float(x), 6))


class ScoringEngine:
    """Scores gene pairs across contexts.

    Args:
        bundles: loaded bundles (their names must be unique); the order is the display order.
        resolver: gene-name resolver (default: the shipped one, loaded on first use).
        kinds: optional ``{name: "bundled" | "user"}`` for :meth:`context_info`.
    """

    def __init__(self, bundles: Sequence[Bundle], resolver: "GeneResolver | None" = None,
                 kinds: dict[str, str] | None = None) -> None:
        names = [b.name for b in bundles]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate context names: {dup}")
        self._scorers: dict[str, ContextScorer] = {b.name: ContextScorer(b) for b in bundles}
        self._resolver = resolver
        self._kinds = dict(kinds or {})
        self._labels: dict[str, PairSet] = {}
        self._training: dict[str, PairSet | None] = {}
        self.label_report: dict[str, Any] | None = None

    @classmethod
    def from_registry(cls, registry: "Registry | None" = None, names: Sequence[str] | None = None,
                      verify: bool | str = True, resolver: "GeneResolver | None" = None) -> "ScoringEngine":
        """Load every model of the registry (default: bundled + user models).

        Raises:
            NoModelsError: when no model is installed (the message says how to build them).
        """
        from ..bundle.registry import Registry

        registry = registry or Registry()
        infos = registry.list()
        if names is not None:
            wanted = {n.lower() for n in names}
            infos = [m for m in infos if m.name.lower() in wanted]
        if not infos:
            raise NoModelsError(BUILD_HINT)
        bundles = [Bundle.load(m.folder, verify=verify) for m in infos]
        return cls(bundles, resolver=resolver, kinds={m.name: m.kind for m in infos})

    # --- contexts ------------------------------------------------------------------
    @property
    def contexts(self) -> list[str]:
        """Context names in display order."""
        return list(self._scorers)

    def bundle(self, name: str) -> Bundle:
        return self._scorers[self._canonical(name)].bundle

    def _canonical(self, name: str) -> str:
        if name in self._scorers:
            return name
        for k in self._scorers:
            if k.lower() == str(name).strip().lower():
                return k
        raise InputError(None, f"unknown context {name!r}; available: {', '.join(self._scorers)}")

    def select(self, contexts: str | Iterable[str] | None) -> list[str]:
        """Validate a context selection (names, any case, or one comma-separated string); None = all."""
        if contexts is None:
            return self.contexts
        if isinstance(contexts, str):
            contexts = [c for c in contexts.split(",") if c.strip()]
        out = []
        for c in contexts:
            k = self._canonical(c.strip())
            if k not in out:
                out.append(k)
        if not out:
            raise InputError(None, f"no context selected; available: {', '.join(self._scorers)}")
        return out

    def context_info(self, name: str) -> dict[str, Any]:
        """What the GUI shows next to a context's scores: strategy, folds, metrics, universe, data."""
        b = self._scorers[self._canonical(name)].bundle
        m = b.manifest
        return {"name": b.name, "kind": self._kinds.get(b.name, "bundled"), "cancer": b.cancer,
                "strategy": b.strategy, "folds": b.folds, "folds_trained": b.folds_trained,
                "folds_shipped_reason": m.get("folds_shipped_reason"), "n_genes": b.n_genes, "omics": b.omics,
                "sample_counts": m.get("sample_counts", {}), "headline": b.headline,
                "val_auc": b.headline.get("val_auc"), "test_auc": b.headline.get("test_auc"),
                "cv": m.get("cv"), "kg": m.get("kg"), "dtype": b.dtype, "created": m.get("created"),
                "description": m.get("description", ""), "has_splits": b.has_splits, "folder": str(b.folder),
                "size_bytes": b.size_bytes}

    def warm_up(self, contexts: str | Iterable[str] | None = None, progress: Progress | None = None) -> None:
        """Materialise the float32 UMT terms now (~0.1 s per 5-fold 18k-gene UMT context) so that
        the first partners / many-pairs query is as fast as later ones. Call it from a worker
        thread after start-up; cancellable through ``progress``."""
        names = [n for n in self.select(contexts) if self._scorers[n].strategy == "umt"]
        for k, name in enumerate(names):
            if progress is not None:
                progress.update(k / max(1, len(names)), f"preparing {name}")
            self._scorers[name].dense()
        if progress is not None:
            progress.update(1.0, "models ready")

    def release_cache(self) -> None:
        """Free the float32 UMT terms materialised by bulk scoring."""
        for s in self._scorers.values():
            s.release()

    # --- names -----------------------------------------------------------------------
    @property
    def resolver(self) -> "GeneResolver":
        if self._resolver is None:
            from ..io.genes import default_resolver

            self._resolver = default_resolver()
        return self._resolver

    def resolve(self, names: Iterable[object]) -> "Resolution":
        return self.resolver.resolve_many(names)

    def _quick_symbols(self, names: Sequence[str]) -> list[str | None]:
        """Symbols for a few query names. A name that is exactly a gene of a loaded context's
        universe is taken as it is (universes are resolver symbols, and the resolver maps an
        exact official symbol to itself), so a first lookup by symbol does not wait for the
        resolver table to load (~0.5 s); anything else goes through the resolver."""
        out: list[str | None] = []
        rest = []
        for n in names:
            key = str(n).strip()
            if any(key in sc.index for sc in self._scorers.values()):
                out.append(key)
            else:
                out.append(None)
                rest.append(len(out) - 1)
        if rest:
            res = self.resolve([names[k] for k in rest])
            for k, sym in zip(rest, res.symbols):
                out[k] = None if sym is None else str(sym)
        return out

    def _resolve_one(self, gene: str) -> str:
        sym = self._quick_symbols([gene])[0]
        if sym is None:
            raise UnresolvedGeneError([str(gene)])
        return str(sym)

    # --- overlays --------------------------------------------------------------------
    def set_labels(self, labels: "pd.DataFrame | Any | None") -> dict[str, Any]:
        """Overlay known labels on every result.

        Args:
            labels: DataFrame with ``gene1``, ``gene2``, ``label`` (0/1) and optionally ``cancer``
                (or a :class:`~synleaf_desktop.io.labels.LabelTable`, whose ``pairs`` are used);
                with a cancer column a row applies to the context of that cancer (matched
                case-insensitively to the bundle's ``cancer``; rows with an empty cancer apply
                everywhere), else to every context. A pair listed with both labels counts as 0
                (METHOD.md 1.3). ``None`` clears the overlay.

        Returns:
            report: rows, usable, unresolved (names), per_context (pairs found in each universe).
        """
        self._labels = {}
        if labels is None:
            self.label_report = None
            return {"rows": 0, "usable": 0, "unresolved": [], "per_context": {}}
        if hasattr(labels, "pairs") and not hasattr(labels, "columns"):
            labels = labels.pairs
        cols = {c.lower(): c for c in labels.columns}
        missing = [c for c in ("gene1", "gene2", "label") if c not in cols]
        if missing:
            raise InputError(None, f"the label table needs columns gene1, gene2, label; missing {missing}")
        r1 = self.resolve(labels[cols["gene1"]].tolist())
        r2 = self.resolve(labels[cols["gene2"]].tolist())
        lab = np.asarray(labels[cols["label"]], dtype=np.float64)
        ok_lab = np.isfinite(lab)
        lab = np.where(ok_lab, lab, -1).astype(np.int64)
        cancers = labels[cols["cancer"]].to_numpy(dtype=object) if "cancer" in cols else None
        s1, s2 = r1.symbols.copy(), r2.symbols.copy()
        s1[~ok_lab] = None
        per = {}
        for name, sc in self._scorers.items():
            ps = labels_for_context(s1, s2, lab, cancers, sc.bundle.cancer, sc.index, sc.n_genes)
            self._labels[name] = ps
            per[name] = len(ps)
        unresolved = list(dict.fromkeys(r1.unresolved + r2.unresolved))
        usable = int((r1.mask & r2.mask & ok_lab).sum())
        self.label_report = {"rows": len(labels), "usable": usable, "unresolved": unresolved, "per_context": per}
        return self.label_report

    def _training_set(self, name: str) -> PairSet | None:
        if name not in self._training:
            b = self._scorers[name].bundle
            if not b.has_splits:
                self._training[name] = None
            else:
                p = b.training_pairs()
                self._training[name] = PairSet.build(p[:, 0], p[:, 1], np.ones(len(p), np.int8), b.n_genes)
        return self._training[name]

    def _overlay(self, name: str, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(known label int8 [n] with -1 = unknown, in_training bool [n] or None)."""
        lab = self._labels.get(name)
        known = lab.lookup(i, j) if lab is not None else np.full(len(i), -1, np.int8)
        tr = self._training_set(name)
        return known, (tr.lookup(i, j) >= 0 if tr is not None else None)

    # --- one pair ----------------------------------------------------------------------
    def score_pair(self, a: str, b: str, contexts: str | Iterable[str] | None = None) -> PairResult:
        """Scores of one pair in each context (both orders averaged; see :class:`ContextScore`)."""
        names = self.select(contexts)
        query = (str(a), str(b))
        syms = self._quick_symbols(query)
        unresolved = [q for q, s in zip(query, syms) if s is None]
        genes = (str(syms[0]), str(syms[1])) if not unresolved else None
        out = PairResult(query, genes, unresolved)
        for name in names:
            sc = self._scorers[name]
            if genes is None:
                out.contexts[name] = ContextScore(name, None, None, [], None, {}, False, unresolved, None, None,
                                                  sc.strategy)
                continue
            i, j = sc.index.get(genes[0], -1), sc.index.get(genes[1], -1)
            missing = [g for g, k in zip(genes, (i, j)) if k < 0]
            if missing:
                out.contexts[name] = ContextScore(name, None, None, [], None, {}, False, missing, None, None,
                                                  sc.strategy)
                continue
            ii, jj = np.array([i]), np.array([j])
            p = sc.pairs(ii, jj)
            folds = p["folds"][:, 0]
            known, tr = self._overlay(name, ii, jj)
            out.contexts[name] = ContextScore(
                name, _f(folds.mean()), _f(folds.std()), [_f(x) for x in folds],
                (_f(p["p_ab"][:, 0].mean()), _f(p["p_ba"][:, 0].mean())),
                {"omics": _f(p["omics"][0]), "kg": _f(p["kg"][0])}, True, [], label_value(known[0]),
                None if tr is None else bool(tr[0]), sc.strategy)
        return out

    # --- many pairs --------------------------------------------------------------------
    def score_pairs(self, pairs: "pd.DataFrame | Sequence[tuple[str, str]]",
                    contexts: str | Iterable[str] | None = None,
                    with_labels: bool = False) -> "tuple[pd.DataFrame, list[str]]":
        """Score many pairs.

        Args:
            pairs: DataFrame with ``gene1``/``gene2`` columns, or a sequence of (gene1, gene2).
            with_labels: add ``<ctx>_label`` (Int64) and ``<ctx>_in_training`` (boolean) columns.

        Returns:
            (DataFrame, unresolved names). Columns: ``gene1, gene2`` (as given), ``symbol1,
            symbol2`` (resolved, empty if not), one score column per context (NaN where a gene is
            unresolved or outside that context), then ``<ctx>_sd`` columns.
        """
        import pandas as pd

        names = self.select(contexts)
        if isinstance(pairs, pd.DataFrame):
            cols = {c.lower(): c for c in pairs.columns}
            if "gene1" not in cols or "gene2" not in cols:
                raise InputError(None, "the pairs table needs columns gene1 and gene2")
            g1 = pairs[cols["gene1"]].tolist()
            g2 = pairs[cols["gene2"]].tolist()
        else:
            pl = list(pairs)
            g1 = [p[0] for p in pl]
            g2 = [p[1] for p in pl]
        r1, r2 = self.resolve(g1), self.resolve(g2)
        s1, s2 = r1.symbols, r2.symbols
        df = pd.DataFrame({"gene1": g1, "gene2": g2, "symbol1": s1, "symbol2": s2})
        scores: dict[str, np.ndarray] = {}
        sds: dict[str, np.ndarray] = {}
        extra: dict[str, Any] = {}
        n = len(g1)
        for name in names:
            sc = self._scorers[name]
            i = sc.indices(list(s1))
            j = sc.indices(list(s2))
            ok = (i >= 0) & (j >= 0)
            mean = np.full(n, np.nan)
            sd = np.full(n, np.nan)
            if ok.any():
                p = sc.pairs(i[ok], j[ok])
                mean[ok] = p["folds"].mean(axis=0)
                sd[ok] = p["folds"].std(axis=0)
            scores[name] = mean
            sds[f"{name}_sd"] = sd
            if with_labels:
                known, tr = self._overlay(name, np.where(ok, i, -1), np.where(ok, j, -1))
                extra[f"{name}_label"] = pd.array(np.where(known >= 0, known, 0), dtype="Int64")
                extra[f"{name}_label"][known < 0] = pd.NA
                if tr is None:
                    extra[f"{name}_in_training"] = pd.array([pd.NA] * n, dtype="boolean")
                else:
                    t = pd.array(tr, dtype="boolean")
                    t[~ok] = pd.NA
                    extra[f"{name}_in_training"] = t
        df = pd.concat([df, pd.DataFrame(scores), pd.DataFrame(sds), pd.DataFrame(extra)], axis=1)
        unresolved = list(dict.fromkeys(r1.unresolved + r2.unresolved))
        df.attrs["unresolved"] = unresolved
        df.attrs["contexts"] = names
        return df, unresolved

    def gene_list(self, genes: Sequence[str], contexts: str | Iterable[str] | None = None,
                  with_labels: bool = False) -> "pd.DataFrame":
        """All unordered pairs of a gene list (resolved, de-duplicated, in list order), scored as in
        :meth:`score_pairs`. Unresolved names are in ``df.attrs["unresolved"]``."""
        import pandas as pd

        res = self.resolve(genes)
        syms = list(dict.fromkeys(s for s in res.symbols if s is not None))
        pairs = [(syms[a], syms[b]) for a in range(len(syms)) for b in range(a + 1, len(syms))]
        if pairs:
            df, _ = self.score_pairs(pairs, contexts, with_labels=with_labels)
        else:
            df, _ = self.score_pairs(pd.DataFrame({"gene1": [], "gene2": []}), contexts, with_labels=with_labels)
        df.attrs["unresolved"] = list(res.unresolved)
        df.attrs["genes"] = syms
        return df

    # --- one gene against all ---------------------------------------------------------
    def _partner_vectors(self, gene: str, names: list[str]
                         ) -> tuple[str, dict[str, tuple[int, np.ndarray, np.ndarray]]]:
        """(symbol, {context: (row of the gene, mean [G], sd [G])}) for contexts holding the gene."""
        sym = self._resolve_one(gene)
        out = {}
        for name in names:
            sc = self._scorers[name]
            i = sc.index.get(sym, -1)
            if i < 0:
                continue
            pf = sc.partner_folds(i)
            mean = pf.mean(axis=0)
            sd = pf.std(axis=0)
            mean[i] = np.nan  # not its own partner
            out[name] = (i, mean, sd)
        return sym, out

    def _partner_frame(self, name: str, i: int, mean: np.ndarray, sd: np.ndarray, top: int | None) -> "pd.DataFrame":
        import pandas as pd

        sc = self._scorers[name]
        valid = np.flatnonzero(~np.isnan(mean))
        k = len(valid) if top is None else min(top, len(valid))
        vals = mean[valid]
        if k < len(valid):
            cut = np.argpartition(-vals, k - 1)[:k]
            # include ties with the k-th value, then order by score, then gene order
            kth = vals[cut].min()
            cut = np.flatnonzero(vals >= kth)
            valid, vals = valid[cut], vals[cut]
        order = np.lexsort((valid, -vals))[:k]
        j = valid[order]
        known, tr = self._overlay(name, np.full(len(j), i), j)
        df = pd.DataFrame({
            "partner": sc.genes[j],
            "score": mean[j].astype(np.float64),
            "sd": sd[j].astype(np.float64),
            "known_label": pd.array(np.where(known >= 0, known, 0), dtype="Int64"),
            "in_training": pd.array(tr if tr is not None else [pd.NA] * len(j), dtype="boolean"),
        })
        df.loc[known < 0, "known_label"] = pd.NA
        return df

    def partners(self, gene: str, top: int | None = 50, contexts: str | Iterable[str] | None = None
                 ) -> "dict[str, pd.DataFrame]":
        """The ``top`` best partners of ``gene`` in each context, all ~G partners scored at once.

        Returns:
            ``{context: DataFrame(partner, score, sd, known_label, in_training)}`` sorted by score
            (ties by gene order); an empty frame with ``attrs["in_context"] = False`` where the gene
            is outside the context's universe.

        Raises:
            UnresolvedGeneError: the name cannot be resolved.
        """
        import pandas as pd

        names = self.select(contexts)
        sym, vecs = self._partner_vectors(gene, names)
        out = {}
        for name in names:
            if name in vecs:
                df = self._partner_frame(name, *vecs[name], top)
                df.attrs["in_context"] = True
            else:
                df = pd.DataFrame({"partner": pd.Series([], dtype=object), "score": [], "sd": [],
                                   "known_label": pd.array([], dtype="Int64"),
                                   "in_training": pd.array([], dtype="boolean")})
                df.attrs["in_context"] = False
            df.attrs["gene"] = sym
            df.attrs["context"] = name
            out[name] = df
        return out

    def cross_context(self, gene: str, top: int | None = 50, contexts: str | Iterable[str] | None = None,
                      high: float = HIGH) -> "pd.DataFrame":
        """Partners x contexts: which partners are specific to one cancer, which are high everywhere.

        Rows: the union of each context's ``top`` partners. Columns: ``partner``, one score column
        per context (NaN where the partner is outside that universe), ``mean``, ``max``, ``min``,
        ``n_contexts`` (contexts scoring the pair), ``n_contexts_high`` (score >= ``high``),
        ``best_context``, ``specificity`` (best score minus the mean of the other contexts; NaN with
        a single context). Sorted by ``max`` descending. ``attrs``: gene, contexts,
        missing_contexts (where the gene itself is outside the universe), high.
        """
        import pandas as pd

        names = self.select(contexts)
        sym, vecs = self._partner_vectors(gene, names)
        partners: dict[str, None] = {}
        for name, (i, mean, sd) in vecs.items():
            for p in self._partner_frame(name, i, mean, sd, top)["partner"].tolist():
                partners.setdefault(p, None)
        plist = list(partners)
        table = np.full((len(plist), len(names)), np.nan)
        for c, name in enumerate(names):
            if name not in vecs:
                continue
            sc = self._scorers[name]
            idx = sc.indices(plist)
            ok = idx >= 0
            table[ok, c] = vecs[name][1][idx[ok]]
        df = pd.DataFrame(table, columns=names)
        df.insert(0, "partner", plist)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
            n_ctx = np.sum(~np.isnan(table), axis=1)
            mx = np.nanmax(table, axis=1) if len(plist) else np.zeros(0)
            mean = np.nanmean(table, axis=1) if len(plist) else np.zeros(0)
            mn = np.nanmin(table, axis=1) if len(plist) else np.zeros(0)
            others = np.where(n_ctx > 1, (np.nansum(table, axis=1) - mx) / np.maximum(n_ctx - 1, 1), np.nan)
        best = [names[int(np.nanargmax(row))] if np.any(~np.isnan(row)) else None for row in table]
        df["mean"] = mean
        df["max"] = mx
        df["min"] = mn
        df["n_contexts"] = n_ctx
        df["n_contexts_high"] = np.sum(table >= high, axis=1)
        df["best_context"] = best
        df["specificity"] = mx - others
        df = df.sort_values(["max", "partner"], ascending=[False, True], kind="stable").reset_index(drop=True)
        df.attrs.update(gene=sym, contexts=names, missing_contexts=[n for n in names if n not in vecs], high=high)
        return df

    # --- all pairs -----------------------------------------------------------------------
    def genome_wide(self, context: str, out_path: str | Path, top: int | None = None, threshold: float | None = None,
                    progress: Progress | None = None, chunk_rows: int | None = None,
                    n_threads: int | None = None) -> dict[str, Any]:
        """All unordered pairs of one context; see :func:`synleaf_desktop.scoring.genome.genome_wide`."""
        from .genome import genome_wide

        name = self._canonical(context)
        return genome_wide(self._scorers[name], out_path, top=top, threshold=threshold, progress=progress,
                           chunk_rows=chunk_rows, n_threads=n_threads, labels=self._labels.get(name),
                           training=self._training_set(name))

