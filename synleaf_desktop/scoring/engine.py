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
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import __version__
from ..bundle.format import Bundle
from ..bundle.names import resolve_name, split_names
from ..bundle.trial import is_trial
from ..errors import InputError, SynleafError
from ..progress import Progress
from .calibration import CALIBRATION_FILE, Calibration
from .context import ContextScorer
from .evidence import EvidenceStore
from .kg_evidence import TermIndex
from .labels import PairSet, label_value, labels_for_context
from .pair_model import PairModel
from .pair_scorer import PairAwareScorer, make_scorer

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..bundle.registry import Registry
    from ..io.genes import GeneResolver, Resolution

PAIR_ORDER_NOTE = (
    "Scores are model outputs in [0, 1], not calibrated probabilities. Each is the mean over the "
    "context's fold models of (p(A,B) + p(B,A)) / 2: the SynLeaF heads are order-dependent, so both "
    "gene orders are scored and averaged; sd is the population SD over the folds."
)
BUILD_HINT = (
    "no SL models are installed. Build the nine bundled models with "
    "`synleaf bundle build --data ../shared/data --out bundled_models`, "
    "or add one with `synleaf models add FOLDER`."
)
#: default score from which a context counts as "high" in :meth:`ScoringEngine.cross_context`
#: when a context has no rank map (older user bundles)
HIGH = 0.5
EVIDENCE_FILE = "evidence.npz"
#: shared annotations listed per pair (most specific first; the count of all is given too)
SHARED_TERMS_SHOWN = 12
#: default genome-wide rank (top fraction of the context's pairs) from which a context counts as
#: "high" in :meth:`ScoringEngine.cross_context`: the top 1 %
HIGH_TOP = 0.01
RANK_NOTE = (
    "percentile / top_fraction: where the score falls among all gene pairs of the context's universe "
    "(comparable between contexts; the raw score is not); heldout_recall: share of the context's known "
    "SL pairs that the models did not train on scoring at least as high (not a probability of SL)."
)


class NoModelsError(SynleafError):
    """No model bundle is installed (or none of the requested ones)."""


class UnresolvedGeneError(InputError):
    """A query gene name could not be mapped to an HGNC symbol.

    ``suggestions``: ``{name: [close gene names]}`` (from the shipped gene table, by edit
    distance), added to the message as "did you mean ...?". The CLI exits with ``exit_code``.
    """

    exit_code = 1

    def __init__(
        self, names: Sequence[str], suggestions: dict[str, list[str]] | None = None
    ) -> None:
        self.names = list(names)
        self.suggestions = {k: list(v) for k, v in (suggestions or {}).items() if v}
        hint = "; ".join(
            f"did you mean {' or '.join(v)} (for {k!r})?" for k, v in self.suggestions.items()
        )
        super().__init__(
            None,
            "could not resolve gene name"
            + ("s " if len(names) > 1 else " ")
            + ", ".join(repr(n) for n in names)
            + " (not a current HGNC symbol, alias or Entrez ID in the shipped gene table); "
            + "check the spelling"
            + (f"; {hint}" if hint else ""),
        )


class SelfPairError(InputError):
    """Both query names resolve to the same gene: a gene is not scored against itself."""

    def __init__(self, query: Sequence[str], symbol: str) -> None:
        self.query = [str(q) for q in query]
        self.symbol = str(symbol)
        same = (
            f"{self.query[0]!r} and {self.query[1]!r} are both {symbol}"
            if self.query[0].strip() != symbol or self.query[1].strip() != symbol
            else f"both genes are {symbol}"
        )
        super().__init__(
            None,
            f"{same}: a gene paired with itself is not scored (synthetic lethality needs "
            "two different genes); choose two different genes",
        )


#: where a known label comes from: the user's label tables, or the model's own training labels
LABEL_SOURCES = ("labels", "model")


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
    percentile: float | None = None
    top_fraction: float | None = None
    heldout_recall: float | None = None
    #: "labels" (the user's label tables), "model" (the pair is in the model's own training data,
    #: train/val/test of any fold, with its label) or None (no known label)
    label_source: str | None = None
    #: co-inactivation of the two genes in the context's tumours (None: no evidence or no cohort
    #: data in the bundle): n_a, n_b, n_both, n_samples, expected, p_depletion, log_or, sentence
    evidence: dict[str, Any] | None = None
    #: per gene of the pair, how often it is mutated / deleted / amplified in the cohort
    profiles: dict[str, Any] | None = None
    #: what ``score`` is: "synleaf" (the fold models' scores) or "pair-aware" (issue 13: the fold
    #: scores stacked with the pair's cohort and annotation evidence, ``pair_model.npz``, where
    #: the context's manifest chose it by the CV2 rule); ranks and held-out recall describe it
    score_kind: str = "synleaf"
    #: with a pair-aware ``score``: the fold models' own score before pair evidence; else None
    synleaf_score: float | None = None

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
    #: annotations the two genes share in the shipped knowledge graph (GO BP, KEGG; most specific
    #: first), or None when the term index is not available
    shared_terms: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``synleaf score A B --json``."""
        return {
            "query": list(self.query),
            "genes": list(self.genes) if self.genes else None,
            "unresolved": self.unresolved,
            "contexts": {k: v.to_dict() for k, v in self.contexts.items()},
            "shared_terms": self.shared_terms,
            "version": __version__,
            "note": PAIR_ORDER_NOTE,
        }


def _f(x: Any) -> float:
    return float(round(float(x), 6))


def _opt(x: Any, digits: int, sig: bool = False) -> float | None:
    """A float rounded for output (significant digits with ``sig``), None for NaN."""
    x = float(x)
    if not np.isfinite(x):
        return None
    return float(f"{x:.{digits}g}") if sig else round(x, digits)


class ScoringEngine:
    """Scores gene pairs across contexts.

    Args:
        bundles: loaded bundles (their names must be unique); the order is the display order.
        resolver: gene-name resolver (default: the shipped one, loaded on first use).
        kinds: optional ``{name: "bundled" | "user"}`` for :meth:`context_info`.
    """

    def __init__(
        self,
        bundles: Sequence[Bundle],
        resolver: GeneResolver | None = None,
        kinds: dict[str, str] | None = None,
    ) -> None:
        names = [b.name for b in bundles]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate context names: {dup}")
        #: ``[(folder, message)]``: models skipped (broken or unreadable, here or by the registry)
        self.problems: list[tuple[Path, str]] = []
        self._scorers: dict[str, ContextScorer] = {}
        for b in bundles:
            try:
                self._scorers[b.name] = make_scorer(
                    b, evidence=partial(self.evidence_store, b.name), terms=lambda: self.kg_terms
                )
            except (SynleafError, ValueError) as exc:  # e.g. a pair model of another version
                self.problems.append((Path(b.folder), str(exc)))
        self._resolver = resolver
        self._kinds = dict(kinds or {})
        self._labels: dict[str, PairSet] = {}
        self._training: dict[str, PairSet | None] = {}
        self._model_labels: dict[str, PairSet | None] = {}
        self._calibration: dict[str, Calibration | None] = {}
        self._evidence: dict[str, EvidenceStore | None] = {}
        self._pair_models: dict[str, PairModel | None] = {}
        self._terms: TermIndex | bool | None = False  # False: not loaded yet
        self.label_report: dict[str, Any] | None = None

    @classmethod
    def from_registry(
        cls,
        registry: Registry | None = None,
        names: Sequence[str] | None = None,
        verify: bool | str = True,
        resolver: GeneResolver | None = None,
    ) -> ScoringEngine:
        """Load the models of the registry (default: bundled + user models): all of them, or
        only ``names`` (any case; the others are not read at all).

        Raises:
            NoModelsError: when no model is installed (the message says how to build them).
            InputError: a name in ``names`` matches no installed model.
        """
        from ..bundle.registry import Registry

        registry = registry or Registry()
        if names is None or not registry.list():
            infos = registry.list()
        else:
            try:
                infos = registry.select(names)
            except KeyError as exc:
                raise InputError(None, str(exc.args[0])) from None
        if not infos:
            raise NoModelsError(BUILD_HINT)
        # a model that fails its checks is skipped (reason in registry.problems), never fatal
        loaded = registry.load_bundles(infos, verify=verify)
        if not loaded:
            raise NoModelsError("; ".join(msg for _, msg in registry.problems) or BUILD_HINT)
        engine = cls(
            [b for _, b in loaded], resolver=resolver, kinds={m.name: m.kind for m, _ in loaded}
        )
        engine.problems = list(registry.problems) + engine.problems
        return engine

    # --- contexts ------------------------------------------------------------------
    @property
    def contexts(self) -> list[str]:
        """Context names in display order."""
        return list(self._scorers)

    def bundle(self, name: str) -> Bundle:
        return self._scorers[self._canonical(name)].bundle

    def _canonical(self, name: str) -> str:
        found = resolve_name(name, self._scorers)
        if found is not None:
            return found
        raise InputError(None, f"unknown context {name!r}; available: {', '.join(self._scorers)}")

    def select(self, contexts: str | Iterable[str] | None) -> list[str]:
        """Validate a context selection (names, any case, or one comma-separated string); None = all."""
        if contexts is None:
            return self.contexts
        out: list[str] = []
        for c in split_names(contexts):
            k = self._canonical(c)
            if k not in out:
                out.append(k)
        if not out:
            raise InputError(None, f"no context selected; available: {', '.join(self._scorers)}")
        return out

    def context_info(self, name: str) -> dict[str, Any]:
        """What the GUI shows next to a context's scores: strategy, folds, metrics, universe, data."""
        b = self._scorers[self._canonical(name)].bundle
        m = b.manifest
        kind = self._scorers[b.name].score_kind
        val, test = b.headline.get("val_auc"), b.headline.get("test_auc")
        if kind == "pair-aware":  # the quality of the score shown: the pair-aware one
            fig = (m.get("pair_aware") or {}).get("figures") or {}
            val = fig.get("val_auc_pair_aware", val)
            test = fig.get("test_auc_pair_aware", test)
        return {
            "name": b.name,
            "kind": self._kinds.get(b.name, "bundled"),
            "cancer": b.cancer,
            "strategy": b.strategy,
            "score_kind": kind,
            "pair_aware": m.get("pair_aware"),
            "folds": b.folds,
            "folds_trained": b.folds_trained,
            "folds_shipped_reason": m.get("folds_shipped_reason"),
            "n_genes": b.n_genes,
            "omics": b.omics,
            "sample_counts": m.get("sample_counts", {}),
            "headline": b.headline,
            "val_auc": val,
            "test_auc": test,
            "synleaf_test_auc": b.headline.get("test_auc"),
            "cv": m.get("cv"),
            "kg": m.get("kg"),
            "dtype": b.dtype,
            "created": m.get("created"),
            "description": m.get("description", ""),
            "has_splits": b.has_splits,
            "folder": str(b.folder),
            "size_bytes": b.size_bytes,
            "trial": is_trial(m),
        }

    def trial_contexts(self) -> list[str]:
        """Contexts that are quick-run trial models (:mod:`synleaf_desktop.bundle.trial`)."""
        return [n for n, sc in self._scorers.items() if is_trial(sc.bundle.manifest)]

    def warm_up(
        self, contexts: str | Iterable[str] | None = None, progress: Progress | None = None
    ) -> None:
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
    def resolver(self) -> GeneResolver:
        if self._resolver is None:
            from ..io.genes import default_resolver

            self._resolver = default_resolver()
        return self._resolver

    def resolve(self, names: Iterable[object]) -> Resolution:
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
            for k, sym in zip(rest, res.symbols, strict=True):
                out[k] = None if sym is None else str(sym)
        return out

    def _resolve_one(self, gene: str) -> str:
        sym = self._quick_symbols([gene])[0]
        if sym is None:
            raise self.unresolved_error([str(gene)])
        return str(sym)

    # --- calibration -------------------------------------------------------------------
    def calibration(self, name: str) -> Calibration | None:
        """The context's stored rank map and held-out recall (None for bundles built without one)."""
        name = self._canonical(name)
        if name not in self._calibration:
            arrays = self._scorers[name].bundle.member_arrays(CALIBRATION_FILE)
            self._calibration[name] = Calibration(arrays) if arrays is not None else None
        return self._calibration[name]

    def ranks(self, name: str, scores: np.ndarray) -> dict[str, np.ndarray]:
        """``percentile``, ``top_fraction``, ``heldout_recall`` (float64, NaN where unknown) of raw
        scores of context ``name``."""
        s = np.asarray(scores, np.float64)
        cal = self.calibration(name)
        if cal is None:
            nan = np.full(s.shape, np.nan)
            return {"percentile": nan, "top_fraction": nan.copy(), "heldout_recall": nan.copy()}
        return {
            "percentile": cal.percentile(s),
            "top_fraction": cal.top_fraction(s),
            "heldout_recall": cal.heldout_recall(s),
        }

    # --- pair-aware score --------------------------------------------------------------
    def pair_model(self, name: str) -> PairModel | None:
        """The context's pair-aware stacker where its manifest chose it (its scores are then the
        pair-aware ones, :mod:`.pair_scorer`), else None."""
        sc = self._scorers[self._canonical(name)]
        return sc.model if isinstance(sc, PairAwareScorer) else None

    # --- pair evidence -----------------------------------------------------------------
    def evidence_store(self, name: str) -> EvidenceStore | None:
        """The context's cohort inactivation calls (``evidence.npz``), or None without one."""
        name = self._canonical(name)
        if name not in self._evidence:
            b = self._scorers[name].bundle
            arrays = b.member_arrays(EVIDENCE_FILE)
            self._evidence[name] = (
                EvidenceStore.from_arrays(arrays, b.genes) if arrays is not None else None
            )
        return self._evidence[name]

    @property
    def kg_terms(self) -> TermIndex | None:
        """The shipped gene-annotation index (``resources/kg_terms/terms.npz``), or None."""
        if self._terms is False:
            from .. import paths

            path = paths.resources_dir() / "kg_terms" / "terms.npz"
            self._terms = TermIndex.load(path) if path.is_file() else None
        return self._terms  # type: ignore[return-value]

    def pair_evidence(
        self, name: str, a: str, b: str
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(co-inactivation dict with a ``sentence``, or None; per-gene cohort profiles, or None)."""
        store = self.evidence_store(name)
        if store is None:
            return None, None
        ev = store.pair(a, b)
        sent = store.pair_sentence(a, b, ev)
        out: dict[str, Any] = (
            dict(ev) if ev is not None else {"n_samples": store.n_samples, "no_evidence": True}
        )
        out["sentence"] = sent
        out["source"] = store.meta.get("inactivation")
        return out, {g: store.profile(g) for g in (a, b)}

    def evidence_columns(self, name: str, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        """Co-inactivation columns for gene rows (i, j) of context ``name`` (-1 = absent):
        ``both_lost`` (tumours with both genes inactivated), ``expected_both``, ``coinact_p``
        (one-sided depletion p), all NaN where there is no evidence."""
        n = len(i)
        out = {k: np.full(n, np.nan) for k in ("both_lost", "expected_both", "coinact_p")}
        store = self.evidence_store(name)
        if store is None or n == 0:
            return out
        ok = (np.asarray(i) >= 0) & (np.asarray(j) >= 0)
        if not ok.any():
            return out
        st = store.pairs(np.stack([np.asarray(i)[ok], np.asarray(j)[ok]], axis=1))
        v = st["valid"]
        for key, src in (
            ("both_lost", "n_both"),
            ("expected_both", "expected"),
            ("coinact_p", "p_depletion"),
        ):
            col = np.full(int(ok.sum()), np.nan)
            col[v] = np.asarray(st[src], float)[v]
            out[key][ok] = col
        return out

    # --- overlays --------------------------------------------------------------------
    def set_labels(self, labels: pd.DataFrame | Any | None) -> dict[str, Any]:
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
            raise InputError(
                None, f"the label table needs columns gene1, gene2, label; missing {missing}"
            )
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
        self.label_report = {
            "rows": len(labels),
            "usable": usable,
            "unresolved": unresolved,
            "per_context": per,
        }
        return self.label_report

    def _training_set(self, name: str) -> PairSet | None:
        if name not in self._training:
            b = self._scorers[name].bundle
            if not b.has_splits:
                self._training[name] = None
            else:
                p = b.training_pairs()
                self._training[name] = PairSet.build(
                    p[:, 0], p[:, 1], np.ones(len(p), np.int8), b.n_genes
                )
        return self._training[name]

    def _model_label_set(self, name: str) -> PairSet | None:
        """The labels of every pair in the model's own data (train, val and test of every trained
        fold, as stored in ``split_pairs.npz``); None when the bundle ships no split pairs."""
        if name not in self._model_labels:
            b = self._scorers[name].bundle
            parts = (
                [v for v in b.split_pairs.values() if v.ndim == 2 and v.shape[1] >= 3]
                if b.has_splits
                else []
            )
            if not parts:
                self._model_labels[name] = None
            else:
                p = np.concatenate(parts).astype(np.int64)
                self._model_labels[name] = PairSet.build(p[:, 0], p[:, 1], p[:, 2], b.n_genes)
        return self._model_labels[name]

    def _overlay_source(
        self, name: str, i: np.ndarray, j: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """(known label int8 [n] with -1 = unknown, in_training bool [n] or None, source object [n]).

        The known label comes from the user's label tables where they have the pair, else from the
        model's own training data (so a pair flagged "in training" always has a known label)."""
        lab = self._labels.get(name)
        known = lab.lookup(i, j) if lab is not None else np.full(len(i), -1, np.int8)
        source = np.full(len(known), None, dtype=object)
        source[known >= 0] = "labels"
        own = self._model_label_set(name)
        if own is not None:
            mk = own.lookup(i, j)
            fill = (known < 0) & (mk >= 0)
            known = np.where(fill, mk, known).astype(np.int8)
            source[fill] = "model"
        tr = self._training_set(name)
        return known, (tr.lookup(i, j) >= 0 if tr is not None else None), source

    def _overlay(
        self, name: str, i: np.ndarray, j: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(known label int8 [n] with -1 = unknown, in_training bool [n] or None); see :meth:`_overlay_source`."""
        known, tr, _ = self._overlay_source(name, i, j)
        return known, tr

    def unresolved_error(self, names: Sequence[str]) -> UnresolvedGeneError:
        """An :class:`UnresolvedGeneError` with "did you mean" suggestions from the gene table."""
        sugg = {}
        finder = getattr(self.resolver, "suggestions", None)
        if finder is not None:
            sugg = {str(n): finder(str(n)) for n in names}
        return UnresolvedGeneError([str(n) for n in names], sugg)

    # --- one pair ----------------------------------------------------------------------
    def score_pair(self, a: str, b: str, contexts: str | Iterable[str] | None = None) -> PairResult:
        """Scores of one pair in each context (both orders averaged; see :class:`ContextScore`)."""
        names = self.select(contexts)
        query = (str(a), str(b))
        syms = self._quick_symbols(query)
        unresolved = [q for q, s in zip(query, syms, strict=True) if s is None]
        genes = (str(syms[0]), str(syms[1])) if not unresolved else None
        if genes is not None and genes[0] == genes[1]:
            raise SelfPairError(query, genes[0])
        out = PairResult(query, genes, unresolved)
        for name in names:
            sc = self._scorers[name]
            if genes is None:
                out.contexts[name] = ContextScore(
                    name, None, None, [], None, {}, False, unresolved, None, None, sc.strategy
                )
                continue
            i, j = sc.index.get(genes[0], -1), sc.index.get(genes[1], -1)
            missing = [g for g, k in zip(genes, (i, j), strict=True) if k < 0]
            if missing:
                out.contexts[name] = ContextScore(
                    name, None, None, [], None, {}, False, missing, None, None, sc.strategy
                )
                continue
            ii, jj = np.array([i]), np.array([j])
            p = sc.pairs(ii, jj)
            folds = p["folds"][:, 0]
            known, tr, src = self._overlay_source(name, ii, jj)
            rk = self.ranks(name, np.array([folds.mean()]))
            out.contexts[name] = ContextScore(
                name,
                _f(folds.mean()),
                _f(folds.std()),
                [_f(x) for x in folds],
                (_f(p["p_ab"][:, 0].mean()), _f(p["p_ba"][:, 0].mean())) if "p_ab" in p else None,
                {"omics": _f(p["omics"][0]), "kg": _f(p["kg"][0])},
                True,
                [],
                label_value(known[0]),
                None if tr is None else bool(tr[0]),
                sc.strategy,
                _opt(rk["percentile"][0], 4),
                _opt(rk["top_fraction"][0], 10, sig=True),
                _opt(rk["heldout_recall"][0], 4),
            )
            out.contexts[name].label_source = src[0]
            out.contexts[name].score_kind = sc.score_kind
            if "synleaf" in p:
                out.contexts[name].synleaf_score = _f(p["synleaf"][:, 0].mean())
            out.contexts[name].evidence, out.contexts[name].profiles = self.pair_evidence(
                name, *genes
            )
        if genes is not None and self.kg_terms is not None:
            out.shared_terms = self.kg_terms.shared_terms(
                genes[0], genes[1], limit=SHARED_TERMS_SHOWN
            )
        return out

    # --- many pairs --------------------------------------------------------------------
    def score_pairs(
        self,
        pairs: pd.DataFrame | Sequence[tuple[str, str]],
        contexts: str | Iterable[str] | None = None,
        with_labels: bool = False,
    ) -> tuple[pd.DataFrame, list[str]]:
        """Score many pairs.

        Args:
            pairs: DataFrame with ``gene1``/``gene2`` columns, or a sequence of (gene1, gene2).
            with_labels: add ``<ctx>_label`` (Int64) and ``<ctx>_in_training`` (boolean) columns.

        Returns:
            (DataFrame, unresolved names). Columns: ``gene1, gene2`` (as given), ``symbol1,
            symbol2`` (resolved, empty if not), one score column per context (NaN where a gene is
            unresolved or outside that context), then ``<ctx>_sd`` columns, then (with labels)
            ``<ctx>_label``/``<ctx>_in_training``, then per context ``<ctx>_percentile``,
            ``<ctx>_top_fraction`` and ``<ctx>_heldout_recall`` (NaN without a rank map) and, for
            contexts whose bundle carries cohort evidence, ``<ctx>_both_lost``,
            ``<ctx>_expected_both``, ``<ctx>_coinact_p`` (NaN: no evidence); then
            ``shared_terms_score`` and ``shared_terms_n`` (annotations the genes share in the
            shipped knowledge graph) when the term index is shipped.
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
        # a gene with itself is not a pair: skip such rows (after name resolution), count them
        same = np.array([a is not None and a == b for a, b in zip(s1, s2, strict=True)], dtype=bool)
        self_pairs = [(str(a), str(b)) for a, b, x in zip(g1, g2, same, strict=True) if x]
        if same.any():
            g1 = [x for x, m in zip(g1, same, strict=True) if not m]
            g2 = [x for x, m in zip(g2, same, strict=True) if not m]
            s1, s2 = s1[~same], s2[~same]
        df = pd.DataFrame({"gene1": g1, "gene2": g2, "symbol1": s1, "symbol2": s2})
        scores: dict[str, np.ndarray] = {}
        sds: dict[str, np.ndarray] = {}
        extra: dict[str, Any] = {}
        rank_cols: dict[str, np.ndarray] = {}
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
            rk = self.ranks(name, mean)
            for key in ("percentile", "top_fraction", "heldout_recall"):
                rank_cols[f"{name}_{key}"] = rk[key]
            if self.evidence_store(name) is not None:
                ev = self.evidence_columns(name, np.where(ok, i, -1), np.where(ok, j, -1))
                for key, col in ev.items():
                    rank_cols[f"{name}_{key}"] = col
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
        terms = self.kg_terms
        if terms is not None and n:
            s1l = [x if isinstance(x, str) else "" for x in list(s1)]
            s2l = [x if isinstance(x, str) else "" for x in list(s2)]
            ra, rb = terms.rows(s1l), terms.rows(s2l)
            rank_cols["shared_terms_score"] = np.where(
                (ra >= 0) & (rb >= 0), terms.pair_scores(ra, rb), np.nan
            )
            rank_cols["shared_terms_n"] = np.array(
                [
                    len(terms.shared(int(x), int(y))) if x >= 0 and y >= 0 else np.nan
                    for x, y in zip(ra, rb, strict=True)
                ],
                float,
            )
        df = pd.concat(
            [
                df,
                pd.DataFrame(scores),
                pd.DataFrame(sds),
                pd.DataFrame(extra),
                pd.DataFrame(rank_cols),
            ],
            axis=1,
        )
        unresolved = list(dict.fromkeys(r1.unresolved + r2.unresolved))
        df.attrs["unresolved"] = unresolved
        df.attrs["contexts"] = names
        df.attrs["self_pairs"] = (
            self_pairs  # skipped rows (gene1, gene2 as given) naming one gene twice
        )
        return df, unresolved

    def gene_list(
        self,
        genes: Sequence[str],
        contexts: str | Iterable[str] | None = None,
        with_labels: bool = False,
    ) -> pd.DataFrame:
        """All unordered pairs of a gene list (resolved, de-duplicated, in list order), scored as in
        :meth:`score_pairs`. Unresolved names are in ``df.attrs["unresolved"]``."""
        import pandas as pd

        res = self.resolve(genes)
        syms = list(dict.fromkeys(s for s in res.symbols if s is not None))
        # names naming a gene already in the list (BRCA1, brca1, an alias): their self-pairs are skipped
        first: dict[str, str] = {}
        repeats = []
        for name, sym in zip(list(genes), res.symbols, strict=True):
            if sym is None:
                continue
            if sym in first:
                repeats.append((str(name), str(sym)))
            else:
                first[sym] = str(name)
        pairs = [(syms[a], syms[b]) for a in range(len(syms)) for b in range(a + 1, len(syms))]
        if pairs:
            df, _ = self.score_pairs(pairs, contexts, with_labels=with_labels)
        else:
            df, _ = self.score_pairs(
                pd.DataFrame({"gene1": [], "gene2": []}), contexts, with_labels=with_labels
            )
        df.attrs["unresolved"] = list(res.unresolved)
        df.attrs["genes"] = syms
        df.attrs["self_pairs"] = (
            repeats  # (name as given, symbol) of names repeating a gene of the list
        )
        return df

    # --- one gene against all ---------------------------------------------------------
    def _partner_vectors(
        self, gene: str, names: list[str]
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

    def typical_top(self, name: str, rows: np.ndarray) -> np.ndarray:
        """float64 [n]: each gene's typical genome-wide rank in context ``name`` (median top
        fraction of its pairs with random partners; NaN without a rank map). A partner that ranks
        high with everything (a "hub") has a small typical top fraction."""
        cal = self.calibration(name)
        rows = np.asarray(rows, np.int64)
        if cal is None or cal.typical_top is None:
            return np.full(len(rows), np.nan)
        return cal.typical_top[rows].astype(np.float64)

    def _partner_key(self, name: str, mean: np.ndarray, order: str) -> np.ndarray:
        """The per-context ordering key of every partner (higher first): the raw score (same
        order as the rank) or, for ``order="above_typical"``, decades above the partner's
        typical rank."""
        if order == "score":
            return mean
        if order != "above_typical":
            raise InputError(
                None, f"unknown partner order {order!r} (use 'score' or 'above_typical')"
            )
        rk = self.ranks(name, mean)["top_fraction"]
        typ = self.typical_top(name, np.arange(len(mean)))
        key = np.log10(typ / rk)
        return np.where(np.isnan(key), np.where(np.isnan(mean), np.nan, -np.inf), key)

    def _partner_frame(
        self,
        name: str,
        i: int,
        mean: np.ndarray,
        sd: np.ndarray,
        top: int | None,
        order: str = "score",
    ) -> pd.DataFrame:
        import pandas as pd

        sc = self._scorers[name]
        key = self._partner_key(name, mean, order)
        valid = np.flatnonzero(~np.isnan(key))
        k = len(valid) if top is None else min(top, len(valid))
        vals = key[valid]
        if k < len(valid):
            cut = np.argpartition(-vals, k - 1)[:k]
            # include ties with the k-th value, then order by the key, then gene order
            kth = vals[cut].min()
            cut = np.flatnonzero(vals >= kth)
            valid, vals = valid[cut], vals[cut]
        idx = np.lexsort((valid, -vals))[:k]
        j = valid[idx]
        known, tr = self._overlay(name, np.full(len(j), i), j)
        rk = self.ranks(name, mean[j])
        typical = self.typical_top(name, j)
        df = pd.DataFrame(
            {
                "partner": sc.genes[j],
                "score": mean[j].astype(np.float64),
                "sd": sd[j].astype(np.float64),
                "known_label": pd.array(np.where(known >= 0, known, 0), dtype="Int64"),
                "in_training": pd.array(
                    tr if tr is not None else [pd.NA] * len(j), dtype="boolean"
                ),
                "percentile": rk["percentile"],
                "top_fraction": rk["top_fraction"],
                "heldout_recall": rk["heldout_recall"],
                "typical_top_fraction": typical,
                "above_typical": np.log10(typical / rk["top_fraction"]),
            }
        )
        ev = self.evidence_columns(name, np.full(len(j), i), j)
        for col_name, col in ev.items():
            df[col_name] = col
        df.loc[known < 0, "known_label"] = pd.NA
        return df

    def partners(
        self,
        gene: str,
        top: int | None = 50,
        contexts: str | Iterable[str] | None = None,
        order: str = "score",
    ) -> dict[str, pd.DataFrame]:
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
                df = self._partner_frame(name, *vecs[name], top, order=order)
                df.attrs["in_context"] = True
            else:
                df = pd.DataFrame(
                    {
                        "partner": pd.Series([], dtype=object),
                        "score": [],
                        "sd": [],
                        "known_label": pd.array([], dtype="Int64"),
                        "in_training": pd.array([], dtype="boolean"),
                    }
                )
                df.attrs["in_context"] = False
            df.attrs["gene"] = sym
            df.attrs["context"] = name
            out[name] = df
        return out

    def cross_context(
        self,
        gene: str,
        top: int | None = 50,
        contexts: str | Iterable[str] | None = None,
        high: float = HIGH,
        high_top: float = HIGH_TOP,
        order: str = "rank",
    ) -> pd.DataFrame:
        """The ``top`` partners of ``gene`` across contexts, ranked by one rule (the GUI and the CLI
        both use it).

        Every partner of every context is scored. The rule (``order="rank"``): the mean over the
        contexts that score the pair of its genome-wide **percentile** there (comparable between
        contexts, unlike the raw score); ``order="above_typical"``: the mean of
        ``log10(typical top fraction / top fraction)``, i.e. how many decades the pair ranks above
        the partner's typical rank with random genes, which discounts "hub" partners that score
        high with everything. Partners scored in fewer than half of the contexts that know
        ``gene`` rank after all the others (else a gene present in one cohort only could top the
        list on one score). Contexts without a rank map use the raw score for ordering.

        Columns: ``partner``; per context the raw score ``<ctx>``; ``mean``, ``max``, ``min`` (raw
        scores), ``n_contexts``, ``n_contexts_high`` (contexts where the pair is in the top
        ``high_top`` of the universe; raw score >= ``high`` for a context without a rank map),
        ``best_context`` (highest percentile), ``specificity`` (best raw score minus the mean of the
        others); then per context ``<ctx>_sd``, ``<ctx>_percentile``, ``<ctx>_top_fraction``,
        ``<ctx>_heldout_recall``, ``<ctx>_above_typical``, ``<ctx>_known_label``,
        ``<ctx>_in_training``; ``mean_percentile``, ``max_percentile``, ``best_top_fraction``,
        ``mean_above_typical``, ``wide``. ``attrs``: gene, contexts, missing_contexts, high,
        high_top, order.
        """
        import pandas as pd

        if order not in ("rank", "above_typical"):
            raise InputError(
                None, f"unknown partner order {order!r} (use 'rank' or 'above_typical')"
            )
        names = self.select(contexts)
        sym, vecs = self._partner_vectors(gene, names)
        universe: dict[str, int] = {}
        for name in vecs:
            for g in self._scorers[name].genes.tolist():
                universe.setdefault(g, len(universe))
        universe.pop(sym, None)
        plist = list(universe)
        P, C = len(plist), len(names)
        raw = np.full((P, C), np.nan)
        sd = np.full((P, C), np.nan)
        pct = np.full((P, C), np.nan)
        topf = np.full((P, C), np.nan)
        rec = np.full((P, C), np.nan)
        above = np.full((P, C), np.nan)
        rows = {}
        for c, name in enumerate(names):
            if name not in vecs:
                continue
            sc = self._scorers[name]
            i, mean, sdev = vecs[name]
            idx = sc.indices(plist)
            ok = idx >= 0
            rows[name] = (i, idx, ok)
            raw[ok, c] = mean[idx[ok]]
            sd[ok, c] = sdev[idx[ok]]
            rk = self.ranks(name, raw[:, c])
            pct[:, c], topf[:, c], rec[:, c] = (
                rk["percentile"],
                rk["top_fraction"],
                rk["heldout_recall"],
            )
            typ = np.full(P, np.nan)
            typ[ok] = self.typical_top(name, idx[ok])
            above[:, c] = np.log10(typ / topf[:, c])
        calibrated = np.array(
            [self.calibration(n) is not None for n in names], bool
        )  # per context: has ranks
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
            n_ctx = np.sum(~np.isnan(raw), axis=1)
            key_cols = np.where(calibrated[None, :], pct, 100.0 * raw) if order == "rank" else above
            key = np.nanmean(key_cols, axis=1)
            if order == "above_typical":
                key = np.where(np.isnan(key), -np.inf, key)
            n_known = sum(1 for n in names if n in vecs)
            wide = n_ctx >= max(1, -(-n_known // 2))
        valid = np.flatnonzero(n_ctx > 0)
        sel = valid[
            np.lexsort(
                (
                    np.array(plist, dtype=object)[valid].astype(str),
                    -np.nan_to_num(key[valid], nan=-1e9),
                    ~wide[valid],
                )
            )
        ]
        if top is not None:
            sel = sel[:top]
        raw, sd, pct, topf, rec, above = (m[sel] for m in (raw, sd, pct, topf, rec, above))
        chosen = [plist[k] for k in sel]
        df = pd.DataFrame(raw, columns=names)
        df.insert(0, "partner", chosen)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            nc = np.sum(~np.isnan(raw), axis=1)
            mx = np.nanmax(raw, axis=1) if len(sel) else np.zeros(0)
            others = np.where(nc > 1, (np.nansum(raw, axis=1) - mx) / np.maximum(nc - 1, 1), np.nan)
            high_mask = np.where(calibrated[None, :], topf <= high_top, raw >= high)
            df["mean"] = np.nanmean(raw, axis=1) if len(sel) else np.zeros(0)
            df["max"] = mx
            df["min"] = np.nanmin(raw, axis=1) if len(sel) else np.zeros(0)
            df["n_contexts"] = nc
            df["n_contexts_high"] = np.sum(high_mask & ~np.isnan(raw), axis=1)
            best_key = np.where(calibrated[None, :], pct, 100.0 * raw)
            df["best_context"] = [
                names[int(np.nanargmax(r))] if np.any(~np.isnan(r)) else None for r in best_key
            ]
            df["specificity"] = mx - others
            for c, name in enumerate(names):
                df[f"{name}_sd"] = sd[:, c]
                df[f"{name}_percentile"] = pct[:, c]
                df[f"{name}_top_fraction"] = topf[:, c]
                df[f"{name}_heldout_recall"] = rec[:, c]
                df[f"{name}_above_typical"] = above[:, c]
                coin = np.full(len(sel), np.nan)
                if name in rows:
                    i0, idx0, _ok0 = rows[name]
                    coin = self.evidence_columns(name, np.full(len(sel), i0), idx0[sel])[
                        "coinact_p"
                    ]
                df[f"{name}_coinact_p"] = coin
                known = np.full(len(sel), -1, np.int8)
                tr = None
                if name in rows:
                    i, idx, ok = rows[name]
                    jj = idx[sel]
                    good = jj >= 0
                    known_g, tr_g = self._overlay(name, np.full(int(good.sum()), i), jj[good])
                    known[good] = known_g
                    if tr_g is not None:
                        tr = np.full(len(sel), -1, np.int8)
                        tr[good] = tr_g.astype(np.int8)
                kcol = pd.array(np.where(known >= 0, known, 0), dtype="Int64")
                kcol[known < 0] = pd.NA
                df[f"{name}_known_label"] = kcol
                tcol = pd.array([pd.NA] * len(sel), dtype="boolean")
                if tr is not None:
                    tcol = pd.array(tr == 1, dtype="boolean")
                    tcol[tr < 0] = pd.NA
                df[f"{name}_in_training"] = tcol
            df["mean_percentile"] = np.nanmean(pct, axis=1) if len(sel) else np.zeros(0)
            df["max_percentile"] = np.nanmax(pct, axis=1) if len(sel) else np.zeros(0)
            df["best_top_fraction"] = np.nanmin(topf, axis=1) if len(sel) else np.zeros(0)
            df["mean_above_typical"] = np.nanmean(above, axis=1) if len(sel) else np.zeros(0)
            df["wide"] = wide[sel]
        df.attrs.update(
            gene=sym,
            contexts=names,
            missing_contexts=[n for n in names if n not in vecs],
            high=high,
            high_top=high_top,
            order=order,
        )
        return df

    # --- all pairs -----------------------------------------------------------------------
    def genome_wide(
        self,
        context: str,
        out_path: str | Path,
        top: int | None = None,
        threshold: float | None = None,
        progress: Progress | None = None,
        chunk_rows: int | None = None,
        n_threads: int | None = None,
    ) -> dict[str, Any]:
        """All unordered pairs of one context; see :func:`synleaf_desktop.scoring.genome.genome_wide`."""
        from .genome import genome_wide

        name = self._canonical(context)
        return genome_wide(
            self._scorers[name],
            out_path,
            top=top,
            threshold=threshold,
            progress=progress,
            chunk_rows=chunk_rows,
            n_threads=n_threads,
            labels=self._labels.get(name),
            training=self._training_set(name),
            calibration=self.calibration(name),
            evidence=self.evidence_store(name),
        )
