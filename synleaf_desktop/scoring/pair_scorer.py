"""The scorer of a context whose model chose the pair-aware score (issue 13, part 4).

Where a bundle's manifest records ``pair_aware.chosen`` (the CV2 rule of
``tests/benchmarks/bench_pair_aware.py``), the context's score *is* the pair-aware score: per
fold k, the stored stacker (``pair_model.npz``, :class:`~.pair_model.PairModel`) combines

- the pair-feature sub-model's logit of the pair's cohort co-inactivation and shared annotations
  (:class:`~.pair_index.PairFeatureIndex`, the same numbers as :func:`~.pair_model.pair_features`),
- the logit of fold k's SynLeaF probability (the bundle strategy's, both gene orders averaged),
- where the variant uses them, the logits of fold k's two teachers (only-omics, only-KG),

and the context score is the mean over folds, ``sd`` the SD over folds, exactly as for a plain
SynLeaF context. :class:`PairAwareScorer` has the interface of
:class:`~.context.ContextScorer` (``pairs``, ``partner_folds``, ``block``), so every consumer
(lookups, partners, heatmaps, genome-wide exports, and the rank map built by
:func:`~.calibration.build_calibration`) uses the same score. :func:`make_scorer` is the one
place that decides which scorer a bundle gets.

``pairs()`` also returns ``synleaf`` (float64 [K, n]: the fold models' own scores, before pair
evidence) for display; it has no ``p_ab``/``p_ba`` (the pair features are order-free, so the
pair-aware score has no per-order version).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..bundle.format import Bundle
from ..errors import SynleafError
from .context import ContextScorer
from .pair_index import PairFeatureIndex
from .pair_model import FEATURES, PairModel

PAIR_MODEL_FILE = "pair_model.npz"
#: ``score_kind`` of the two scorers
SYNLEAF = "synleaf"
PAIR_AWARE = "pair-aware"
TEACHERS = ("only_omics", "only_kg")
#: the stack inputs a bundle can provide (``lr`` is never shipped)
STACK_INPUTS = ("pair", "synleaf", *TEACHERS)


def chosen_pair_model(bundle: Bundle) -> PairModel | None:
    """The bundle's stored stacker where its manifest chose the pair-aware score, else None."""
    if not bool((bundle.manifest.get("pair_aware") or {}).get("chosen")):
        return None
    arrays = bundle.member_arrays(PAIR_MODEL_FILE)
    return PairModel.from_arrays(arrays) if arrays is not None else None


class PairAwareScorer(ContextScorer):
    """A :class:`ContextScorer` whose scores are the pair-aware stacker's.

    Args:
        bundle: the loaded bundle; model: its :class:`PairModel` (K folds, K = the strategy's
            folds = the teacher folds when the teachers are stack inputs).
        evidence: returns the context's ``EvidenceStore`` or None (called once, on first use).
        terms: returns the shipped ``TermIndex`` (called once, on first use; None is an error:
            the score is not defined without the annotations it was fitted on).
    """

    score_kind = PAIR_AWARE

    def __init__(
        self,
        bundle: Bundle,
        model: PairModel,
        evidence: Callable[[], Any],
        terms: Callable[[], Any],
    ) -> None:
        super().__init__(bundle)
        if model.features != list(FEATURES) or not set(model.stack_inputs) <= set(STACK_INPUTS):
            raise SynleafError(
                f"{bundle.name}: its pair-aware model uses features {model.features} and inputs "
                f"{model.stack_inputs}; this version computes {list(FEATURES)} and "
                f"{list(STACK_INPUTS)}"
            )
        self.model = model
        self._load_evidence = evidence
        self._load_terms = terms
        self._index: PairFeatureIndex | None = None
        self._teachers = any(n in TEACHERS for n in model.stack_inputs)
        folds = self.n_umt if self.strategy == "umt" else int(self.T.shape[0])
        if model.folds != folds or (self._teachers and model.folds != self.T.shape[0]):
            raise SynleafError(
                f"{bundle.name}: the pair-aware model has {model.folds} folds, the bundle's "
                f"scores {folds} (teachers {self.T.shape[0]})"
            )

    @property
    def features(self) -> PairFeatureIndex:
        """The context's :class:`PairFeatureIndex` (built on first use)."""
        with self._lock:
            if self._index is None:
                terms = self._load_terms()
                if terms is None:
                    raise SynleafError(
                        f"{self.name}: its pair-aware score needs the gene annotations "
                        "(resources/kg_terms/terms.npz), which are missing from this installation"
                    )
                self._index = PairFeatureIndex(self.genes, self._load_evidence(), terms)
            return self._index

    def _stack(
        self, x: np.ndarray, synleaf: np.ndarray, teachers: tuple[np.ndarray, np.ndarray] | None
    ) -> np.ndarray:
        """float64 [K, n] stacker probabilities from features x [n, F] and fold scores [K, n]."""
        base = {"synleaf": synleaf}
        if teachers is not None:
            base["only_omics"], base["only_kg"] = teachers
        return self.model.fold_scores(x, base)

    # --- the ContextScorer interface -----------------------------------------------------
    def pairs(self, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        """As :meth:`ContextScorer.pairs`: ``folds`` [K, n] are the pair-aware fold scores,
        ``synleaf`` [K, n] the fold models' own; ``omics``/``kg`` [n] unchanged; no ``p_ab``."""
        i = np.asarray(i, np.int64)
        j = np.asarray(j, np.int64)
        base = super().pairs(i, j)
        teachers = None
        if self._teachers:
            so_ab, sk_ab = self._teacher(i, j)
            so_ba, sk_ba = self._teacher(j, i)
            teachers = (0.5 * (so_ab + so_ba), 0.5 * (sk_ab + sk_ba))
        x = self.features.pairs(i, j)
        return {
            "folds": self._stack(x, base["folds"], teachers),
            "synleaf": base["folds"],
            "omics": base["omics"],
            "kg": base["kg"],
        }

    def partner_folds(self, i: int) -> np.ndarray:
        """float32 [K, G]: per-fold pair-aware score of gene row ``i`` with every gene."""
        base = super().partner_folds(i)
        teachers = self.teacher_partner_folds(i) if self._teachers else None
        return self._stack(self.features.row(i), base, teachers).astype(np.float32)

    def fold_block(self, r0: int, r1: int, c0: int) -> np.ndarray:
        """float32 [K, r1 - r0, G - c0]: per-fold pair-aware scores of the block."""
        fb = super().fold_block(r0, r1, c0)
        K, r, n = fb.shape
        teachers = None
        if self._teachers:
            om, kg = self.teacher_fold_block(r0, r1, c0)
            teachers = (om.reshape(K, -1), kg.reshape(K, -1))
        x = self.features.block(r0, r1, c0).reshape(r * n, -1)
        return self._stack(x, fb.reshape(K, -1), teachers).reshape(K, r, n).astype(np.float32)

    def block(
        self, r0: int, r1: int, c0: int, block_elems: int = 65536
    ) -> tuple[np.ndarray, np.ndarray]:
        """mean, sd: float32 [r1 - r0, G - c0] over the folds of :meth:`fold_block`."""
        fb = self.fold_block(r0, r1, c0)
        return fb.mean(axis=0), fb.std(axis=0)


def make_scorer(
    bundle: Bundle,
    evidence: Callable[[], Any] | None = None,
    terms: Callable[[], Any] | None = None,
) -> ContextScorer:
    """The scorer of a bundle: :class:`PairAwareScorer` where its manifest chose the pair-aware
    score, else :class:`ContextScorer`.

    Args:
        evidence, terms: loaders of the context's ``EvidenceStore`` and of the shipped
            ``TermIndex`` (default: read ``evidence.npz`` from the bundle and
            ``resources/kg_terms/terms.npz``).
    """
    model = chosen_pair_model(bundle)
    if model is None:
        return ContextScorer(bundle)
    return PairAwareScorer(
        bundle, model, evidence or (lambda: _bundle_evidence(bundle)), terms or shipped_terms
    )


def _bundle_evidence(bundle: Bundle) -> Any:
    """The bundle's ``EvidenceStore`` (None without ``evidence.npz``)."""
    from .evidence import EvidenceStore

    arrays = bundle.member_arrays("evidence.npz")
    return EvidenceStore.from_arrays(arrays, bundle.genes) if arrays is not None else None


def shipped_terms() -> Any:
    """The shipped ``TermIndex`` (``resources/kg_terms/terms.npz``), or None when missing."""
    from .. import paths
    from .kg_evidence import TermIndex

    path = paths.resources_dir() / "kg_terms" / "terms.npz"
    return TermIndex.load(path) if path.is_file() else None


__all__ = [
    "PAIR_AWARE",
    "PAIR_MODEL_FILE",
    "SYNLEAF",
    "PairAwareScorer",
    "chosen_pair_model",
    "make_scorer",
    "shipped_terms",
]
