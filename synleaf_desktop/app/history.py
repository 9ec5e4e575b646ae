"""Query history: Back / Forward through this session's queries, and the recent queries of every
session (kept in the settings). Qt-free; the main window drives it.

An entry is a query as the query bar emits it (a pair, one gene's partners, a gene list or a
list of pairs) with the contexts it was run in and the row filter its result was shown with
(filters belong to the result on screen: changing them updates the current entry, and Back,
Forward or a recent query shows its result filtered as it was left). Two queries ask the same
*question* when they have the same mode and the same genes (gene order, case, the partner count
and the partner order aside, see :func:`question_key`). Asking the current question again (re-sorting, ticking
another context, asking for more partners) updates the current entry instead of adding one, so
the history never holds the same question twice in a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .filters import RowFilter

#: most recent queries kept (and persisted)
MAX_RECENT = 15
#: most entries of the Back / Forward stack
MAX_ENTRIES = 100
#: the query keys an entry keeps (what the query bar emits; anything the app adds is dropped)
QUERY_KEYS = ("mode", "genes", "pairs", "gene", "top", "order")
MODES = ("pair", "partners", "list")


def clean_query(query: dict[str, Any]) -> dict[str, Any]:
    """The user's part of a query, as plain JSON values (pairs as lists)."""
    out: dict[str, Any] = {}
    for k in QUERY_KEYS:
        if k not in query or query[k] is None:
            continue
        v = query[k]
        if k == "genes":
            v = [str(x) for x in v]
        elif k == "pairs":
            v = [[str(a), str(b)] for a, b in v]
        elif k == "top":
            v = int(v)
        else:
            v = str(v)
        out[k] = v
    return out


def question_key(query: dict[str, Any]) -> tuple:
    """What a query asks, ignoring gene order and case, the partner count and order."""
    mode = query.get("mode")
    if mode == "pair":
        return ("pair", tuple(sorted(str(g).strip().upper() for g in query.get("genes") or ())))
    if mode == "partners":
        return ("partners", str(query.get("gene", "")).strip().upper())
    if query.get("pairs"):
        return (
            "list-pairs",
            tuple(tuple(sorted((str(a).upper(), str(b).upper()))) for a, b in query["pairs"]),
        )
    return ("list", tuple(str(g).strip().upper() for g in query.get("genes") or ()))


def clean_filter(raw: Any) -> dict[str, Any]:
    """A row filter as plain JSON values (:meth:`RowFilter.to_dict`), or ``{}`` for no filter:
    an inactive or malformed one, or ``None``. Accepts a :class:`RowFilter` or its dict."""
    f = raw if isinstance(raw, RowFilter) else RowFilter.from_dict(raw)
    return f.to_dict() if f is not None and f.active else {}


def _short(names: list[str], n: int) -> str:
    return ", ".join(names[:n]) + (" …" if len(names) > n else "")


@dataclass(frozen=True)
class HistoryEntry:
    """One query, the contexts it ran in (``()`` = not recorded) and the row filter its result
    was shown with (``{}`` = none; :meth:`RowFilter.to_dict` otherwise)."""

    query: dict[str, Any]
    contexts: tuple[str, ...] = ()
    filter: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(
        cls,
        query: dict[str, Any],
        contexts: list[str] | tuple[str, ...] = (),
        row_filter: RowFilter | dict[str, Any] | None = None,
    ) -> HistoryEntry:
        return cls(clean_query(query), tuple(str(c) for c in contexts), clean_filter(row_filter))

    def with_filter(self, row_filter: RowFilter | dict[str, Any] | None) -> HistoryEntry:
        """The same entry with another row filter (``None`` or inactive: none)."""
        return replace(self, filter=clean_filter(row_filter))

    def row_filter(self) -> RowFilter:
        """The entry's row filter (no criteria when none was recorded)."""
        return RowFilter.from_dict(self.filter) or RowFilter()

    @property
    def key(self) -> tuple:
        return question_key(self.query)

    @property
    def mode(self) -> str:
        return str(self.query.get("mode", ""))

    def label(self) -> str:
        """ "RAD51 × BRCA1", "partners of ATR (top 25)", "gene list (10): BRCA1, BRCA2, …"."""
        q = self.query
        if self.mode == "pair":
            return " × ".join(q.get("genes") or [])
        if self.mode == "partners":
            text = f"partners of {q.get('gene', '')}"
            extra = [f"top {q['top']}"] if q.get("top") else []
            if q.get("order") == "above_typical":
                extra.append("above typical")
            return text + (f" ({', '.join(extra)})" if extra else "")
        if q.get("pairs"):
            pairs = [f"{a}–{b}" for a, b in q["pairs"]]
            return f"{len(pairs)} pair{'s' if len(pairs) != 1 else ''}: {_short(pairs, 3)}"
        genes = list(q.get("genes") or [])
        return f"gene list ({len(genes)}): {_short(genes, 4)}"

    def contexts_text(self) -> str:
        """ "BRCA, OV" (up to three), else "9 contexts"; "" when not recorded."""
        if not self.contexts:
            return ""
        if len(self.contexts) <= 3:
            return ", ".join(self.contexts)
        return f"{len(self.contexts)} contexts"

    def title(self) -> str:
        """The label with its contexts and filter:
        "partners of ATR  ·  BRCA, OV  ·  filtered: known SL in any context"."""
        ctx = self.contexts_text()
        filt = self.filter_text()
        return self.label() + (f"  ·  {ctx}" if ctx else "") + (f"  ·  {filt}" if filt else "")

    def filter_text(self) -> str:
        """ "filtered: top ≤ 1 % in BRCA · genes matching "BRCA"", or "" without a filter."""
        desc = self.row_filter().describe() if self.filter else ""
        return f"filtered: {desc}" if desc else ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"query": dict(self.query), "contexts": list(self.contexts)}
        if self.filter:
            out["filter"] = dict(self.filter)
        return out

    @classmethod
    def from_dict(cls, raw: Any) -> HistoryEntry | None:
        """An entry from :meth:`to_dict`; ``None`` for anything malformed (a damaged settings file)."""
        if not isinstance(raw, dict) or not isinstance(raw.get("query"), dict):
            return None
        q = raw["query"]
        mode = q.get("mode")
        try:
            if mode == "pair":
                ok = isinstance(q.get("genes"), list) and len(q["genes"]) == 2
            elif mode == "partners":
                ok = isinstance(q.get("gene"), str) and bool(q["gene"].strip())
            elif mode == "list":
                ok = (isinstance(q.get("genes"), list) and len(q["genes"]) >= 2) or (
                    isinstance(q.get("pairs"), list)
                    and bool(q["pairs"])
                    and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in q["pairs"])
                )
            else:
                ok = False
            if not ok:
                return None
            ctx = raw.get("contexts") or []
            if not isinstance(ctx, list):
                ctx = []
            # a damaged filter is dropped, the query kept
            return cls.make(q, [str(c) for c in ctx], raw.get("filter"))
        except (TypeError, ValueError):
            return None


@dataclass
class QueryHistory:
    """Back / Forward through the queries of this session, and the recent queries.

    ``entries[index]`` is the query on screen (``index == -1``: none yet). :meth:`push` after a
    new query drops the entries after the current one (as a web browser does); :meth:`back` and
    :meth:`forward` move without changing the entries. ``recent`` lists the last
    :data:`MAX_RECENT` distinct questions, newest first; only :meth:`push` reorders it.
    """

    entries: list[HistoryEntry] = field(default_factory=list)
    index: int = -1
    recent: list[HistoryEntry] = field(default_factory=list)
    max_entries: int = MAX_ENTRIES
    max_recent: int = MAX_RECENT

    @property
    def current(self) -> HistoryEntry | None:
        return self.entries[self.index] if 0 <= self.index < len(self.entries) else None

    def can_back(self) -> bool:
        return self.index > 0

    def can_forward(self) -> bool:
        return 0 <= self.index < len(self.entries) - 1

    def push(self, entry: HistoryEntry) -> bool:
        """Record a query that was just shown. Returns True if a new entry was added, False if it
        asked the current question again (the current entry then takes its query and contexts)."""
        cur = self.current
        if cur is not None and cur.key == entry.key:
            self.entries[self.index] = entry
            self._remember(entry)
            return False
        del self.entries[self.index + 1 :]
        self.entries.append(entry)
        if len(self.entries) > self.max_entries:
            del self.entries[: len(self.entries) - self.max_entries]
        self.index = len(self.entries) - 1
        self._remember(entry)
        return True

    def set_filter(self, row_filter: RowFilter | dict[str, Any] | None) -> bool:
        """The result of the current entry is now shown with ``row_filter``: record it there and
        in the recent query asking the same question (order unchanged). Returns whether
        anything changed (False without a current entry)."""
        cur = self.current
        if cur is None:
            return False
        new = cur.with_filter(row_filter)
        if new == cur:
            return False
        self.entries[self.index] = new
        self.recent = [new if e.key == new.key else e for e in self.recent]
        return True

    def _remember(self, entry: HistoryEntry) -> None:
        self.recent = [entry] + [e for e in self.recent if e.key != entry.key]
        del self.recent[self.max_recent :]

    def back(self) -> HistoryEntry | None:
        """Move to the previous entry and return it (``None``, not moving, at the first)."""
        if not self.can_back():
            return None
        self.index -= 1
        return self.entries[self.index]

    def forward(self) -> HistoryEntry | None:
        """Move to the next entry and return it (``None``, not moving, at the last)."""
        if not self.can_forward():
            return None
        self.index += 1
        return self.entries[self.index]

    def clear_recent(self) -> None:
        self.recent = []

    # ------------------------------------------------------------------ persistence
    def recent_dicts(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.recent]

    def load_recent(self, raw: Any) -> int:
        """Set :attr:`recent` from :meth:`recent_dicts` output (malformed items and repeated
        questions skipped); returns how many were kept."""
        out: list[HistoryEntry] = []
        seen: set[tuple] = set()
        for item in raw if isinstance(raw, list) else []:
            e = HistoryEntry.from_dict(item)
            if e is not None and e.key not in seen:
                seen.add(e.key)
                out.append(e)
        self.recent = out[: self.max_recent]
        return len(self.recent)
