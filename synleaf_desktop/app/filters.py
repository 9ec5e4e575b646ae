"""Which rows of a result are shown: a Qt-free row filter over a :class:`~.grid.ScoreGrid`.

The filter bar of the main window edits one :class:`RowFilter`; the window applies it to the
query's grid before sorting, so the heatmap, the gene x gene matrix, the partner list and the
table always show the same rows (and an export writes exactly those).

A row is kept when

- its gene names contain one of the search terms (case-insensitive substrings; in partner mode
  only the partner's name is searched, the query gene is in every row), and
- some context (the chosen one, or any shown context) satisfies *all* cell criteria at once:
  the score or genome-wide rank threshold, the known label and the "in training" flag. A
  context where the pair has no score (a gene outside that model) never satisfies a criterion.

A filter without cell criteria keeps every row its search terms match.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .grid import ScoreGrid

#: ``RowFilter.where`` meaning "in any of the shown contexts"
ANY_CONTEXT = ""
#: threshold kinds: off, "top <= x %" of the context's gene pairs (genome-wide rank), "score >= x"
METRIC_OFF = ""
METRIC_TOP = "top"
METRIC_SCORE = "score"
METRICS = (METRIC_OFF, METRIC_TOP, METRIC_SCORE)
#: known-label choices: any, known SL, known non-SL, no label
KNOWN_CHOICES = ("", "sl", "nonsl", "unknown")
#: "in training" choices: any, yes, no, unknown
TRAINING_CHOICES = ("", "yes", "no", "unknown")
#: default thresholds offered when a threshold kind is chosen
DEFAULT_TOP_PERCENT = 1.0
DEFAULT_SCORE = 0.9

_SPLIT = re.compile(r"[\s,;]+")


def search_terms(text: str) -> list[str]:
    """Upper-cased search terms: separated by spaces, commas or semicolons."""
    return [t.upper() for t in _SPLIT.split(text or "") if t]


@dataclass(frozen=True)
class RowFilter:
    """What the filter bar asks for.

    Attributes:
        search: gene-name substrings, separated by spaces or commas (a row matching any is kept).
        metric: :data:`METRIC_OFF`, :data:`METRIC_TOP` (``value`` = top fraction in percent: keep
            pairs in the top ``value`` % of the context's pairs; contexts without a rank map never
            pass) or :data:`METRIC_SCORE` (``value`` = raw score, keep ``score >= value``).
        value: the threshold of ``metric``.
        where: a context name, or :data:`ANY_CONTEXT`.
        known: one of :data:`KNOWN_CHOICES` ("" = any label).
        training: one of :data:`TRAINING_CHOICES` ("" = any).
    """

    search: str = ""
    metric: str = METRIC_OFF
    value: float = DEFAULT_TOP_PERCENT
    where: str = ANY_CONTEXT
    known: str = ""
    training: str = ""

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"unknown filter metric {self.metric!r} (use one of {METRICS})")
        if self.known not in KNOWN_CHOICES:
            raise ValueError(
                f"unknown known-label choice {self.known!r} (use one of {KNOWN_CHOICES})"
            )
        if self.training not in TRAINING_CHOICES:
            raise ValueError(
                f"unknown training choice {self.training!r} (use one of {TRAINING_CHOICES})"
            )

    # ------------------------------------------------------------------
    @property
    def has_cell_criteria(self) -> bool:
        return bool(self.metric or self.known or self.training)

    @property
    def active(self) -> bool:
        """Whether the filter can hide a row."""
        return bool(search_terms(self.search)) or self.has_cell_criteria

    def cleared(self) -> RowFilter:
        """No criteria; the threshold kind's value and the context choice are kept for the widgets."""
        return replace(self, search="", metric=METRIC_OFF, known="", training="")

    def for_contexts(self, contexts: list[str]) -> RowFilter:
        """The same filter on a grid whose columns are ``contexts``: a chosen context that is no
        longer shown falls back to "any context"."""
        if self.where and self.where not in contexts:
            return replace(self, where=ANY_CONTEXT)
        return self

    # ------------------------------------------------------------------
    def cell_mask(self, grid: ScoreGrid) -> np.ndarray:
        """bool [P, C]: cells that satisfy every cell criterion (all True without criteria)."""
        p, c = grid.shape
        ok = np.ones((p, c), dtype=bool)
        if not self.has_cell_criteria:
            return ok
        scored = ~np.isnan(grid.score)
        ok &= scored
        if self.metric == METRIC_TOP:
            f = grid.top_fraction
            with np.errstate(invalid="ignore"):
                # a hair of slack: "top 1 %" keeps a pair the stored map places at exactly 1 %
                ok &= np.isfinite(f) & (f <= float(self.value) / 100.0 * (1 + 1e-9))
        elif self.metric == METRIC_SCORE:
            with np.errstate(invalid="ignore"):
                ok &= grid.score >= float(self.value)
        with np.errstate(invalid="ignore"):
            if self.known:
                k = grid.known
                ok &= {"sl": k >= 0.5, "nonsl": k < 0.5, "unknown": np.isnan(k)}[self.known]
            if self.training:
                t = grid.in_training
                ok &= {"yes": t >= 0.5, "no": t < 0.5, "unknown": np.isnan(t)}[self.training]
        return ok

    def row_mask(self, grid: ScoreGrid) -> np.ndarray:
        """bool [P]: the rows this filter keeps."""
        p, c = grid.shape
        keep = np.ones(p, dtype=bool)
        if p == 0:
            return keep
        terms = search_terms(self.search)
        if terms:
            partners = grid.mode == "partners"
            for r, (a, b) in enumerate(grid.pairs):
                names = (str(b).upper(),) if partners else (str(a).upper(), str(b).upper())
                keep[r] = any(t in n for t in terms for n in names)
        if self.has_cell_criteria:
            cells = self.cell_mask(grid)
            if self.where and self.where in grid.contexts:
                keep &= cells[:, grid.contexts.index(self.where)]
            elif self.where:
                keep &= False  # a context the grid does not show: nothing passes there
            else:
                keep &= cells.any(axis=1) if c else False
        return keep

    def apply(self, grid: ScoreGrid) -> ScoreGrid:
        """The grid restricted to the rows kept (in their order); ``grid`` itself when inactive."""
        if not self.active or grid.is_empty:
            return grid
        return grid.take_rows(np.flatnonzero(self.row_mask(grid)))

    # ------------------------------------------------------------------
    def describe(self) -> str:
        """In words: "top ≤ 1 % in BRCA · known SL · genes matching "BRC"" ("" when inactive)."""
        parts = []
        where = f"in {self.where}" if self.where else "in any context"
        cell = []
        if self.metric == METRIC_TOP:
            cell.append(f"top ≤ {_fmt_value(self.value)} %")
        elif self.metric == METRIC_SCORE:
            cell.append(f"score ≥ {_fmt_value(self.value)}")
        if self.known:
            cell.append(
                {"sl": "known SL", "nonsl": "known non-SL", "unknown": "no known label"}[self.known]
            )
        if self.training:
            cell.append(
                {"yes": "in training", "no": "not in training", "unknown": "training unknown"}[
                    self.training
                ]
            )
        if cell:
            parts.append(", ".join(cell) + f" {where}")
        terms = search_terms(self.search)
        if terms:
            parts.append("genes matching " + " or ".join(f'"{t}"' for t in terms))
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "metric": self.metric,
            "value": float(self.value),
            "where": self.where,
            "known": self.known,
            "training": self.training,
        }

    @classmethod
    def from_dict(cls, raw: Any) -> RowFilter | None:
        """A filter from :meth:`to_dict` output (e.g. a settings file's history); ``None`` for
        anything malformed: a non-dict, an unknown choice, a non-finite or negative threshold,
        a non-string text field. Missing keys take their defaults."""
        if not isinstance(raw, dict):
            return None
        kw: dict[str, Any] = {}
        for key in ("search", "metric", "where", "known", "training"):
            if key in raw:
                if not isinstance(raw[key], str):
                    return None
                kw[key] = raw[key]
        if "value" in raw:
            v = raw["value"]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return None
            if not math.isfinite(float(v)) or float(v) < 0:
                return None
            kw["value"] = float(v)
        try:
            return cls(**kw)
        except ValueError:
            return None


def _fmt_value(v: float) -> str:
    if not math.isfinite(v):
        return str(v)
    return f"{v:.6g}"


def count_text(shown: int, total: int, unit: str = "rows") -> str:
    """ "showing 12 of 45 rows" ("45 rows" when nothing is hidden)."""
    if shown == total:
        return f"{total} {unit[:-1] if total == 1 and unit.endswith('s') else unit}"
    return f"showing {shown} of {total} {unit}"
