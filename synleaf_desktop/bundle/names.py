"""Context names: the one rule by which a name the user types finds a model.

A name matches a context exactly, else ignoring case and surrounding space ("brca", " BRCA "
and "BRCA" are the same context). Used by the registry, the scoring engine, the app and the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable


def name_key(name: str) -> str:
    """The comparison key of a context name (stripped, case-folded)."""
    return str(name).strip().casefold()


def resolve_name(name: str, names: Iterable[str]) -> str | None:
    """The context of ``names`` that ``name`` means (exact match first), or None."""
    names = list(names)
    if name in names:
        return name
    key = name_key(name)
    for n in names:
        if name_key(n) == key:
            return n
    return None


def split_names(text: str | Iterable[str]) -> list[str]:
    """Names from ``"BRCA, OV"`` or a list, stripped, empty items dropped, order kept."""
    items = text.split(",") if isinstance(text, str) else list(text)
    return [str(c).strip() for c in items if str(c).strip()]
