"""``synleaf-desktop``: start the application.

synleaf-desktop                                   open the window
synleaf-desktop --pair PARP1 BRCA1                open it on a pair
synleaf-desktop --partners PARP1 [--top 25]       open it on a gene's partners
synleaf-desktop --screenshot shot.png --pair RAD51 BRCA1
                                                  run the query, save a PNG of the window, exit
synleaf-desktop --bundled-models DIR              use the models in DIR (tests, demos)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from .. import __version__, paths
from ..app.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="synleaf-desktop",
        description="SynLeaF Desktop: synthetic-lethality scores for gene pairs across cancers.",
    )
    p.add_argument("--version", action="version", version=f"synleaf-desktop {__version__}")
    q = p.add_mutually_exclusive_group()
    q.add_argument(
        "--pair", nargs=2, metavar=("GENE_A", "GENE_B"), help="look up this gene pair at start"
    )
    q.add_argument("--partners", metavar="GENE", help="show this gene's top SL partners at start")
    q.add_argument(
        "--genes",
        metavar="FILE",
        type=Path,
        help="score the genes or pairs listed in FILE at start",
    )
    p.add_argument(
        "--top", type=int, default=None, help="partners to show with --partners (default 25)"
    )
    p.add_argument(
        "--contexts", default=None, help="comma-separated contexts to show (default: as last time)"
    )
    p.add_argument(
        "--screenshot",
        metavar="PATH",
        type=Path,
        help="run the query, save a PNG of the window to PATH and exit",
    )
    p.add_argument(
        "--size",
        nargs=2,
        type=int,
        metavar=("W", "H"),
        default=None,
        help="window size in pixels (default 1400 900, or as last time)",
    )
    p.add_argument("--tab", choices=("lookup", "train"), default=None, help="tab to show at start")
    p.add_argument(
        "--bundled-models",
        metavar="DIR",
        type=Path,
        help="folder of bundled models to use instead of the shipped ones",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="with --screenshot: give up after this many seconds",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.bundled_models is not None:
        if not args.bundled_models.is_dir():
            print(f"error: {args.bundled_models}: not a folder", file=sys.stderr)
            return 2
        os.environ["SYNLEAF_BUNDLED_MODELS"] = str(args.bundled_models.resolve())

    from PySide6.QtWidgets import QApplication

    from . import style
    from .main_window import MainWindow

    existing = QApplication.instance()  # typed QCoreApplication
    app = existing if isinstance(existing, QApplication) else QApplication(["synleaf-desktop"])
    app.setApplicationName("SynLeaF Desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("synleaf-desktop")
    icon = paths.resources_dir() / "icons" / "synleaf-desktop.svg"
    if icon.exists():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    style.apply(app)
    settings = Settings.load()
    if args.contexts:
        settings.contexts = [c.strip() for c in args.contexts.split(",") if c.strip()]
    win = MainWindow(settings=settings, bundled_dir=args.bundled_models)
    if args.size:
        win.resize(*args.size)
    elif args.screenshot is not None:
        win.resize(*style.WINDOW_SIZE)
    if args.tab == "train":
        win.tabs.setCurrentIndex(1)
    win.show()

    query: dict[str, Any] | None = None
    if args.pair:
        win.lookup.query_bar.set_pair(*args.pair)
        query = {"mode": "pair", "genes": list(args.pair)}
    elif args.partners:
        top = args.top or settings.partners_top
        win.lookup.query_bar.set_partners(args.partners, top)
        query = {"mode": "partners", "gene": args.partners, "top": top}
    elif args.genes:
        win.lookup.query_bar.load_list_file(args.genes)
        from .query_bar import parse_gene_list

        query = {
            "mode": "list",
            **parse_gene_list(args.genes.read_text(encoding="utf-8-sig", errors="replace")),
        }
    if query is not None:
        win.run_query(query)

    if args.screenshot is None:
        return app.exec()
    return _screenshot(
        app, win, args.screenshot, wait_for_result=query is not None, timeout=args.timeout
    )


def _screenshot(app, win, path: Path, wait_for_result: bool, timeout: float) -> int:
    """Wait until the models are loaded (and the query shown), then save the window as PNG."""

    from PySide6.QtCore import QEventLoop

    state = {"engine": win.engine is not None, "result": not wait_for_result}
    win.engineReady.connect(lambda: state.__setitem__("engine", True))
    win.resultsShown.connect(lambda: state.__setitem__("result", True))
    start = time.monotonic()
    deadline = start + timeout
    idle_since = None
    while not (state["engine"] and state["result"]) and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
        now = time.monotonic()
        # no models could be loaded: nothing runs and no engine for 2 s on end (not just the
        # moment between the loading task ending and its result being delivered)
        if not win.tasks.busy("engine") and not win.tasks.busy("query") and win.engine is None:
            idle_since = idle_since or now
            if now - idle_since > 2.0 and now - start > 5.0:
                break  # save what is on screen (the message says why)
        else:
            idle_since = None
    for _ in range(20):  # let layouts and repaints settle
        app.processEvents()
        time.sleep(0.01)
    ok = state["engine"] and state["result"]
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = win.grab().save(str(path), "PNG")
    win.tasks.cancel_all(wait_ms=5000)
    win.hide()
    win.deleteLater()
    app.processEvents()
    if not saved:
        print(f"error: could not write {path}", file=sys.stderr)
        return 2
    if not ok:
        print(f"warning: saved {path} before the query finished", file=sys.stderr)
        return 1
    print(f"saved {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
