"""scoring layer: SL scores across contexts from model bundles, numpy only (never imports torch).

Public API: :class:`ScoringEngine` (score_pair, score_pairs, partners, cross_context, gene_list,
genome_wide, set_labels), its result types :class:`PairResult` / :class:`ContextScore`, and the
errors :class:`NoModelsError` / :class:`UnresolvedGeneError`.
"""

from .engine import (
    BUILD_HINT,
    PAIR_ORDER_NOTE,
    ContextScore,
    NoModelsError,
    PairResult,
    ScoringEngine,
    UnresolvedGeneError,
)

__all__ = [
    "BUILD_HINT",
    "PAIR_ORDER_NOTE",
    "ContextScore",
    "NoModelsError",
    "PairResult",
    "ScoringEngine",
    "UnresolvedGeneError",
]
