"""User settings of the desktop app: last folders, chosen contexts, window geometry.

Stored as one JSON file, ``settings.json``, in :func:`synleaf_desktop.paths.user_config_dir`
(platformdirs; overridable with ``SYNLEAF_USER_CONFIG`` so tests stay isolated). Not
``QSettings``' default location on purpose: the file is plain, portable and easy to reset.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .. import paths
from ..fileio import write_json

SETTINGS_FILE = "settings.json"


@dataclass
class Settings:
    """Everything the app remembers between sessions.

    Attributes:
        last_dirs: purpose (``"import"``, ``"export"``, ``"genelist"``) -> last folder used.
        contexts: names of the contexts ticked in the contexts panel (``None`` = all).
        seen_contexts: every context name shown so far (a new model is ticked when it appears).
        geometry: window geometry, base64 of ``QMainWindow.saveGeometry()``.
        window_state: dock/toolbar layout, base64 of ``QMainWindow.saveState()``.
        splitter: base64 of the main splitter state.
        last_pair: the last gene pair looked up.
        partners_top: how many partners to show in partner mode.
        sort_by: how columns were sorted (``"mean"``, a context name or ``""``).
        device: last training device (``"cpu"`` or ``"cuda"``).
        recent_queries: the last queries, newest first, as
            :meth:`~synleaf_desktop.app.history.HistoryEntry.to_dict` (``{"query", "contexts"}``).
    """

    last_dirs: dict[str, str] = field(default_factory=dict)
    contexts: list[str] | None = None
    seen_contexts: list[str] = field(default_factory=list)
    geometry: str = ""
    window_state: str = ""
    splitter: str = ""
    last_pair: list[str] = field(default_factory=list)
    partners_top: int = 25
    sort_by: str = ""
    device: str = "cpu"
    recent_queries: list[dict[str, Any]] = field(default_factory=list)

    # ------------------------------------------------------------------
    @staticmethod
    def path() -> Path:
        return paths.user_config_dir() / SETTINGS_FILE

    @classmethod
    def load(cls, path: str | Path | None = None) -> Settings:
        """Read the settings; missing, unreadable or foreign keys fall back to defaults."""
        path = Path(path) if path is not None else cls.path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        defaults = cls()
        for key, value in raw.items():
            if key not in known:
                continue
            want = type(getattr(defaults, key))
            if value is None and key == "contexts":
                kwargs[key] = None
            elif key == "contexts" and isinstance(value, list):
                kwargs[key] = [str(v) for v in value]
            elif isinstance(value, want) or (want is float and isinstance(value, int)):
                kwargs[key] = value
        return cls(**kwargs)

    def save(self, path: str | Path | None = None) -> Path:
        """Write the settings atomically; returns the file written."""
        path = Path(path) if path is not None else self.path()
        write_json(path, asdict(self))
        return path

    # ------------------------------------------------------------------
    def last_dir(self, purpose: str) -> str:
        """The last folder used for ``purpose`` (home folder if none or gone)."""
        d = self.last_dirs.get(purpose, "")
        return d if d and Path(d).is_dir() else str(Path.home())

    def remember_dir(self, purpose: str, path: str | Path) -> None:
        p = Path(path)
        self.last_dirs[purpose] = str(p if p.is_dir() else p.parent)
