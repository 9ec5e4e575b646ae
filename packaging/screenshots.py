"""Regenerate the README walkthrough screenshots of SynLeaF Desktop.

Drives the real application window (``MainWindow``) with the models in ``bundled_models/``
(every bundle there is used) and the real data in ``../shared/data``::

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/screenshots.py --out resources/screenshots
    xvfb-run -a .venv/bin/python packaging/screenshots.py --out resources/screenshots
    ... --data ../shared/data --only pair_lookup,partners

Screenshots (``--only`` takes these names):

======================== =====================================================================
pair_lookup              RAD51 - BRCA1 in every context, coloured by genome-wide rank (heatmap with its
                         "top 1 %" colour bar, table, details of the best-ranked cell)
pair_raw_score           the same pair with *Colour: raw score* (each context on its own scale)
details_panel            the details dock after clicking another cell (rank, held-out recall, per-fold
                         bars, orders ...)
gene_links               the right-click menu of a heatmap cell: copy, and each gene's NCBI Gene, HGNC,
                         DepMap and cBioPortal pages
partners                 the top 25 SL partners of PARP1 by genome-wide rank (best cell of the first row
                         clicked), with the partner-order control and the typical-rank column
gene_list                a 10-gene DNA-repair list as the gene x gene matrix (OV), a cell clicked
gene_matrix              a 30-gene list as the gene x gene matrix (BRCA): every gene labelled
filters_history          that list filtered to pairs in BRCA's top 1 % whose genes match "BRCA", with the
                         History ▸ Recent menu open (the earlier queries: pair, partners, lists)
import_preview           the preview dialog after importing the OV study folder (real TCGA files)
training_run             the training tab after a quick run on OV (imported study + OV labels)
pair_with_user_model     RAD51 - BRCA1 again, the new model as an extra context (its cell clicked)
======================== =====================================================================

``training_run`` and ``pair_with_user_model`` import the OV study and an OV label table
(rows of ``labels/elisl_train_pairs.csv`` whose cancer is OV, written to a temporary file)
and train a model; ``import_preview`` imports the study. Everything the app writes (imported
data, the trained model, settings) goes to a temporary folder: ``SYNLEAF_USER_DATA``,
``SYNLEAF_USER_CONFIG`` and ``SYNLEAF_USER_CACHE`` are set before the app is imported, so the
real user's settings and models are never touched. Nothing from the data folder is copied into
the repository: only the PNGs are written to ``--out``.

Exit status: 0 all requested screenshots saved; 1 a step failed or the app showed an error
(the message is printed); 2 bad arguments or missing inputs.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHOTS = (
    "pair_lookup",
    "pair_raw_score",
    "details_panel",
    "gene_links",
    "partners",
    "gene_list",
    "gene_matrix",
    "filters_history",
    "export_menu",
    "import_preview",
    "training_run",
    "pair_with_user_model",
)
PAIR = ("RAD51", "BRCA1")
PARTNER_GENE = "PARP1"
PARTNERS_TOP = 25
#: 10 genes = 45 pairs: shown as the gene x gene matrix of one context
GENE_LIST = ("BRCA1", "BRCA2", "RAD51", "PARP1", "ATM", "ATR", "CHEK1", "CHEK2", "PALB2", "XRCC1")
GENE_LIST_CONTEXT = "OV"
#: 30 genes = 435 pairs: DNA repair, cell cycle and common cancer genes
GENE_LIST_30 = (
    "BRCA1",
    "BRCA2",
    "RAD51",
    "PARP1",
    "ATM",
    "ATR",
    "CHEK1",
    "CHEK2",
    "PALB2",
    "XRCC1",
    "TP53",
    "PTEN",
    "KRAS",
    "NRAS",
    "MYC",
    "RB1",
    "CDK4",
    "CDK6",
    "CCNE1",
    "WEE1",
    "MRE11",
    "NBN",
    "RAD50",
    "FANCA",
    "FANCD2",
    "BLM",
    "WRN",
    "POLQ",
    "APC",
    "ARID1A",
)
GENE_MATRIX_CONTEXT = "BRCA"
STUDY = "OV"
#: context whose cell is clicked for ``details_panel`` (if both genes are in it, else the first that has both)
DETAILS_CONTEXT = "OV"


class ShotError(RuntimeError):
    """A step did not finish, or the app reported an error."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="screenshots.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out", type=Path, required=True, help="folder for the PNGs (created if needed)"
    )
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the shared data folder (default: $SYNLEAF_SHARED_DATA or ../shared/data)",
    )
    p.add_argument(
        "--only",
        default="",
        help="comma-separated screenshot names (default: all): " + ", ".join(SHOTS),
    )
    p.add_argument(
        "--bundled-models",
        type=Path,
        default=None,
        help="folder of bundled models (default: the repository's bundled_models/)",
    )
    p.add_argument(
        "--size", nargs=2, type=int, metavar=("W", "H"), default=(1400, 900), help="window size"
    )
    p.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs per stage of the quick training run (default: the quick run's own, 20)",
    )
    p.add_argument(
        "--timeout", type=float, default=900.0, help="give up on one step after this many seconds"
    )
    p.add_argument(
        "--keep-temp", action="store_true", help="keep the temporary user folder (printed)"
    )
    return p


def _log(msg: str, t0: float = 0.0) -> None:
    stamp = f"[{time.monotonic() - t0:6.1f} s] " if t0 else ""
    print(stamp + msg, file=sys.stderr, flush=True)


def write_ov_labels(data: Path, dest: Path, cancer: str = STUDY) -> tuple[Path, int, int]:
    """The rows of ``labels/elisl_train_pairs.csv`` (gene1,gene2,class,cancer) for one cancer,
    written to ``dest``. Returns (path, SL rows, non-SL rows)."""
    src = data / "labels" / "elisl_train_pairs.csv"
    pos = neg = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(src, newline="", encoding="utf-8") as fin,
        open(dest, "w", newline="", encoding="utf-8") as fout,
    ):
        reader = csv.DictReader(fin)
        missing = {"gene1", "gene2", "class", "cancer"} - set(reader.fieldnames or [])
        if missing:
            raise ShotError(f"{src}: columns {sorted(missing)} not found")
        writer = csv.writer(fout)
        writer.writerow(["gene1", "gene2", "class", "cancer"])
        for row in reader:
            if row["cancer"] == cancer:
                writer.writerow([row["gene1"], row["gene2"], row["class"], row["cancer"]])
                pos += row["class"] == "1"
                neg += row["class"] == "0"
    if pos == 0:
        raise ShotError(f"{src}: no SL rows for {cancer}")
    return dest, pos, neg


class Driver:
    """Runs the steps on one :class:`MainWindow` and saves the PNGs."""

    def __init__(
        self, app: Any, win: Any, out: Path, wanted: set[str], timeout: float, t0: float
    ) -> None:
        self.app, self.win, self.out, self.wanted = app, win, out, wanted
        self.timeout, self.t0 = timeout, t0
        self.saved: list[Path] = []
        self._seen_messages = 0

    # ------------------------------------------------------------------ helpers
    def pump(self, seconds: float = 0.0) -> None:
        from PySide6.QtCore import QEventLoop

        end = time.monotonic() + seconds
        while True:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if time.monotonic() >= end:
                break
            time.sleep(0.01)

    def wait(self, pred: Callable[[], bool], what: str, timeout: float | None = None) -> None:
        """Process events until ``pred()``; raise :class:`ShotError` after the timeout or on an error."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while not pred():
            self.check_messages()
            if time.monotonic() > deadline:
                raise ShotError(f"timed out waiting for {what}")
            self.pump(0.05)
        self.check_messages()

    def check_messages(self) -> None:
        """The app shows errors and warnings as message boxes (and keeps them in ``messages``)."""
        new = self.win.messages[self._seen_messages :]
        self._seen_messages = len(self.win.messages)
        for level, title, text in new:
            if level in ("error", "warning"):
                raise ShotError(f"the app showed a {level}: {title}: {text}")
            _log(f"app message ({level}): {title}: {text}", self.t0)

    def settle(self) -> None:
        """Let layouts, pyqtgraph's deferred updates and repaints run."""
        self.pump(0.4)

    def save(self, name: str, widget: Any) -> None:
        if name not in self.wanted:
            return
        self.settle()
        self.check_messages()
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path), "PNG"):
            raise ShotError(f"could not write {path}")
        self.saved.append(path)
        _log(f"saved {path}", self.t0)

    def save_with_popups(self, name: str, *popups: Any) -> None:
        """Save the window with open pop-up menus painted at their places (a menu is a separate
        top-level window, which ``grab()`` of the main window does not include)."""
        from PySide6.QtGui import QPainter

        w = self.win
        picture = w.grab()
        painter = QPainter(picture)
        for popup in popups:
            painter.drawPixmap(w.mapFromGlobal(popup.pos()), popup.grab())
        painter.end()
        self.check_messages()
        path = self.out / f"{name}.png"
        if not picture.save(str(path), "PNG"):
            raise ShotError(f"could not write {path}")
        self.saved.append(path)
        _log(f"saved {path}", self.t0)

    def query(self, request: Callable[[], None], what: str) -> None:
        """Start a query through the query bar and wait until its result is on screen."""
        done = {"shown": False}

        def shown() -> None:
            done["shown"] = True

        self.win.resultsShown.connect(shown)
        try:
            request()
            self.wait(lambda: done["shown"] and not self.win.tasks.busy("query"), what)
        finally:
            self.win.resultsShown.disconnect(shown)
        if self.win.grid.is_empty:
            raise ShotError(f"{what}: no result ({self.win.lookup.result_note.text()})")

    # ------------------------------------------------------------------ steps
    def start(self) -> None:
        self.wait(
            lambda: self.win.engine is not None and not self.win.tasks.busy("engine"),
            "the models to load",
        )
        names = self.win.contexts.names()
        if not names:
            raise ShotError("no models were loaded")
        _log(f"models: {', '.join(names)}", self.t0)
        self.wait(
            lambda: not self.win.tasks.busy("completions"), "gene-name completions", timeout=120
        )

    def pair_raw(self) -> None:
        """The pair on screen with *Colour: raw score*, then back to the genome-wide rank."""
        from synleaf_desktop.app.grid import COLOR_RANK, COLOR_RAW

        self.win.lookup.set_color_mode(COLOR_RAW)
        try:
            self.save("pair_raw_score", self.win)
        finally:
            self.win.lookup.set_color_mode(COLOR_RANK)

    def pair(self, name: str = "pair_lookup", click: str = "") -> None:
        """Look up :data:`PAIR` (the window outlines its best cell and shows its details);
        ``click``: a context whose cell to click instead."""
        w = self.win
        w.tabs.setCurrentIndex(0)
        w.lookup.set_sort("", True)
        w.lookup.query_bar.set_pair(*PAIR)
        self.query(w.lookup.query_bar.request_pair, f"pair {PAIR[0]} {PAIR[1]}")
        if click and click not in w.grid.contexts and click in w.contexts.names():
            # a trial model (quick run) is listed but not ticked by default: tick it and ask again
            w.contexts.set_checked(w.contexts.names())
            self.query(w.lookup.query_bar.request_pair, f"pair {PAIR[0]} {PAIR[1]} with {click}")
        if click:
            if click not in w.grid.contexts:
                raise ShotError(f"{click} is not a column of the heatmap")
            self.click(0, w.grid.contexts.index(click))
        self.save(name, w)

    def click(self, row: int, col: int) -> None:
        """Click a heatmap cell: ``select_cell`` outlines it and emits ``cellClicked`` -> ``show_cell``."""
        w = self.win
        context = w.grid.contexts[col]
        w.lookup.heatmap.select_cell(row, col)
        self.wait(
            lambda: (
                w.details.details is not None
                and w.details.details.context == context
                and tuple(w.grid.pairs[row]) == (w.details.details.gene_a, w.details.details.gene_b)
            ),
            f"the details of row {row + 1} in {context}",
        )

    def best_col(self, row: int = 0, prefer: str = "") -> int:
        """Column of ``prefer`` if the pair is scored there, else of the row's highest score."""
        g = self.win.grid
        cols = [j for j in range(len(g.contexts)) if not g.is_na(row, j)]
        if not cols:
            raise ShotError(f"{' - '.join(g.pairs[row])} is scored in no context")
        for j in cols:
            if g.contexts[j] == prefer:
                return j
        # the best-ranked context (percentile; 100 x the raw score without a rank map)
        return max(
            cols, key=lambda j: g.percentile[row, j] if g.has_ranks(j) else 100.0 * g.score[row, j]
        )

    def export_menu(self) -> None:
        """The window with its File menu open (the export actions): the menu is a separate
        popup window, so it is painted onto the window's picture at its place."""
        w = self.win
        menu = w.menuBar().actions()[0].menu()
        menu.popup(
            w.menuBar().mapToGlobal(
                w.menuBar().actionGeometry(w.menuBar().actions()[0]).bottomLeft()
            )
        )
        self.settle()
        try:
            self.save_with_popups("export_menu", menu)
        finally:
            menu.hide()

    def gene_links(self) -> None:
        """The right-click menu of the outlined heatmap cell with its gene submenu open (links to
        NCBI Gene, HGNC, DepMap, cBioPortal), painted onto the window's picture at its place."""

        w = self.win
        col = self.best_col(0, prefer=DETAILS_CONTEXT)
        menu = w.lookup.pair_menu(0, col, w.lookup.cell_copy_text(0, col))
        if menu is None:
            raise ShotError("no menu for the first heatmap row")
        origin = w.lookup.heatmap.mapToGlobal(w.lookup.heatmap.rect().center())
        menu.popup(origin)
        self.settle()
        sub = next((a.menu() for a in menu.actions() if a.menu() is not None), None)
        if sub is not None:
            menu.setActiveAction(next(a for a in menu.actions() if a.menu() is sub))
            sub.popup(menu.pos() + menu.actionGeometry(menu.activeAction()).topRight())
            self.settle()
        try:
            self.save_with_popups("gene_links", menu, *([sub] if sub is not None else []))
        finally:
            if sub is not None:
                sub.hide()
            menu.hide()

    def filters_history(self) -> None:
        """The shown gene list filtered (search "BRCA", top <= 1 % in BRCA) and the Recent menu
        of earlier queries open, painted onto the window's picture at its place."""
        from synleaf_desktop.app.filters import RowFilter

        w = self.win
        if "BRCA" in w.grid.contexts:
            w.lookup.matrix.set_context("BRCA")
        w.lookup.set_filter(RowFilter(search="BRCA", metric="top", value=1.0, where="BRCA"))
        self.settle()
        btn = w.lookup.nav_buttons["recent"]
        w.lookup.fill_recent_menu()
        menu = w.lookup.recent_menu
        menu.adjustSize()
        pos = btn.mapToGlobal(btn.rect().bottomRight())
        pos.setX(pos.x() - menu.sizeHint().width())
        menu.popup(pos)
        self.settle()
        try:
            self.save_with_popups("filters_history", menu)
        finally:
            menu.hide()
            w.lookup.set_filter(RowFilter())

    def details(self) -> None:
        self.click(0, self.best_col(0, prefer=DETAILS_CONTEXT))
        self.save("details_panel", self.win.details_dock)

    def partners(self) -> None:
        w = self.win
        w.lookup.query_bar.set_partners(PARTNER_GENE, PARTNERS_TOP)
        self.query(w.lookup.query_bar.request_partners, f"partners of {PARTNER_GENE}")
        self.click(0, self.best_col(0))
        self.save("partners", w)

    def gene_list(
        self,
        genes: tuple[str, ...] = GENE_LIST,
        context: str = GENE_LIST_CONTEXT,
        name: str = "gene_list",
    ) -> None:
        """A gene list as the gene x gene matrix of ``context``, sorted by the mean rank; the
        best-ranked pair of that context clicked."""
        from synleaf_desktop.app.grid import SORT_RANK

        w = self.win
        w.lookup.query_bar.set_list_text("\n".join(genes))
        self.query(w.lookup.query_bar.request_list, f"the {len(genes)}-gene list")
        w.lookup.set_list_view("matrix")
        w.lookup.set_sort(SORT_RANK, True)
        self.settle()
        if not w.lookup.matrix_shown():
            raise ShotError(f"the {len(genes)}-gene list is not shown as a matrix")
        if context in w.grid.contexts:
            w.lookup.matrix.set_context(context)
        j = w.grid.contexts.index(w.lookup.matrix.model.context)
        rows = [r for r in range(len(w.grid.pairs)) if not w.grid.is_na(r, j)]
        if rows:
            best = max(rows, key=lambda r: w.grid.score[r, j])
            w.lookup.matrix.select_pair(best)
            self.click(best, j)
        self.save(name, w)

    def import_item(self, path: Path, kind: str, shot: str | None = None) -> str:
        """Import ``path`` as the app does for a drop: read, preview, Save. Returns the stored name."""
        w = self.win
        done: dict[str, Any] = {}
        w.importFinished.connect(lambda k: done.setdefault("kind", k))
        w.import_paths([path])
        self.wait(
            lambda: w.imports.preview is not None or "kind" in done,
            f"the import preview of {path.name}",
        )
        if w.imports.preview is None:
            raise ShotError(f"importing {path} failed")
        dlg = w.imports.preview
        if dlg.import_result.kind != kind:
            raise ShotError(f"{path} was recognised as {dlg.import_result.kind}, not {kind}")
        summary = dlg.import_result.summary
        _log(
            f"preview of {path.name}: "
            + (
                ", ".join(
                    f"{k} {v.get('genes')} genes x {v.get('samples_with_data')} samples"
                    for k, v in summary.get("omics", {}).items()
                )
                if kind == "study"
                else f"{summary.get('positive')} SL, {summary.get('negative')} non-SL"
            ),
            self.t0,
        )
        if shot:
            self.save(shot, dlg)
        name = dlg.name()
        dlg.accept()
        self.wait(lambda: "kind" in done, f"saving the import of {path.name}")
        if done["kind"] != {"study": "cohorts", "labels": "labels"}[kind]:
            raise ShotError(f"importing {path} did not save it")
        return name

    def train(self, cohort: str, labels: str, epochs: int | None) -> str:
        w = self.win
        panel = w.training
        w.tabs.setCurrentIndex(1)
        panel.refresh_data()
        for combo, value in ((panel.cohort, cohort), (panel.labels, labels)):
            i = combo.findData(value)
            if i < 0:
                raise ShotError(f"{value} is not offered in the training panel")
            combo.setCurrentIndex(i)
        i = panel.cancer.findData(STUDY)
        if i >= 0:
            panel.cancer.setCurrentIndex(i)
        panel.quick.setChecked(True)
        if epochs:
            panel.settings_edit.setText(f"max_epochs={int(epochs)}")
        if not panel.name.text().strip():
            panel.name.setText(f"MY_{STUDY}")
        name = panel.name.text().strip()
        self.settle()
        _log(f"training {name}: {panel.estimate_label.text()}", self.t0)
        reloaded = {"n": 0}
        w.engineReady.connect(lambda: reloaded.__setitem__("n", reloaded["n"] + 1))
        task = panel.start()
        if task is None:
            raise ShotError("the training did not start")
        last = [0.0]

        def finished() -> bool:
            now = time.monotonic()
            if now - last[0] > 30:
                last[0] = now
                _log(f"  {panel.stage_label.text()}  {panel.eta_label.text()}", self.t0)
            return (
                panel.result_name is not None or panel.last_error is not None or panel.task is None
            )

        self.wait(finished, f"training {name}")
        if panel.result_name is None:
            raise ShotError(f"training failed: {panel.last_error or panel.stage_label.text()}")
        self.wait(
            lambda: reloaded["n"] > 0 and name in w.contexts.names() and not w.tasks.busy("engine"),
            f"{name} to appear as a context",
        )
        _log(f"trained {name}: {panel.stage_label.text()}", self.t0)
        self.save("training_run", w)
        return name


def run(args: argparse.Namespace, wanted: set[str], data: Path | None, tmp: Path) -> int:
    t0 = time.monotonic()
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(REPO))
    from synleaf_desktop import __version__, paths
    from synleaf_desktop.app.settings import Settings
    from synleaf_desktop.gui import style
    from synleaf_desktop.gui.main_window import MainWindow

    assert str(paths.user_data_dir()).startswith(str(tmp)), "user dirs are not isolated"
    app = QApplication.instance() or QApplication(["synleaf-desktop"])
    app.setApplicationName("SynLeaF Desktop")
    app.setApplicationVersion(__version__)
    style.apply(app)
    win = MainWindow(settings=Settings(), bundled_dir=args.bundled_models)
    win.resize(*args.size)
    win.show()
    args.out.mkdir(parents=True, exist_ok=True)
    d = Driver(app, win, args.out, wanted, args.timeout, t0)
    try:
        d.start()
        if wanted & {"pair_lookup", "details_panel", "pair_raw_score", "gene_links"}:
            d.pair()
            if "pair_raw_score" in wanted:
                d.pair_raw()
            if "details_panel" in wanted:
                d.details()
            if "gene_links" in wanted:
                d.gene_links()
        if "partners" in wanted:
            d.partners()
        if "gene_list" in wanted:
            d.gene_list()
        if wanted & {"gene_matrix", "filters_history"}:
            d.gene_list(GENE_LIST_30, GENE_MATRIX_CONTEXT, "gene_matrix")
            if "filters_history" in wanted:
                d.filters_history()
        if "export_menu" in wanted:
            d.export_menu()
        if wanted & {"import_preview", "training_run", "pair_with_user_model"}:
            assert data is not None
            cohort = d.import_item(data / "omics" / STUDY, "study", shot="import_preview")
            if wanted & {"training_run", "pair_with_user_model"}:
                labels_csv, pos, neg = write_ov_labels(
                    data, tmp / "labels" / f"elisl_train_{STUDY}.csv"
                )
                _log(f"label table {labels_csv.name}: {pos} SL, {neg} non-SL rows", t0)
                labels = d.import_item(labels_csv, "labels")
                model = d.train(cohort, labels, args.epochs)
                if "pair_with_user_model" in wanted:
                    d.pair("pair_with_user_model", click=model)
    except ShotError as exc:
        _log(f"error: {exc}", t0)
        return 1
    finally:
        win.tasks.cancel_all(wait_ms=20000)
        win.hide()
        win.deleteLater()
        app.processEvents()
    _log(f"done: {len(d.saved)} screenshots in {time.monotonic() - t0:.0f} s", t0)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    wanted = {s.strip() for s in args.only.split(",") if s.strip()} or set(SHOTS)
    unknown = sorted(wanted - set(SHOTS))
    if unknown:
        print(
            f"error: unknown screenshot name(s) {', '.join(unknown)}; choose from {', '.join(SHOTS)}",
            file=sys.stderr,
        )
        return 2
    data = None
    if wanted & {"import_preview", "training_run", "pair_with_user_model"}:
        data = args.data or Path(
            os.environ.get("SYNLEAF_SHARED_DATA", REPO.parent / "shared" / "data")
        )
        if (
            not (data / "omics" / STUDY).is_dir()
            or not (data / "labels" / "elisl_train_pairs.csv").is_file()
        ):
            print(
                f"error: {data}: not the shared data folder (needs omics/{STUDY}/ and "
                "labels/elisl_train_pairs.csv); pass --data",
                file=sys.stderr,
            )
            return 2
        data = data.resolve()
    if args.bundled_models is not None:
        if not args.bundled_models.is_dir():
            print(f"error: {args.bundled_models}: not a folder", file=sys.stderr)
            return 2
        args.bundled_models = args.bundled_models.resolve()
    args.out = args.out.resolve()
    if (
        not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # isolate the user's folders BEFORE the app is imported (paths reads these on every call)
    tmp = Path(tempfile.mkdtemp(prefix="synleaf-screenshots-"))
    for var, sub in (
        ("SYNLEAF_USER_DATA", "data"),
        ("SYNLEAF_USER_CONFIG", "config"),
        ("SYNLEAF_USER_CACHE", "cache"),
    ):
        os.environ[var] = str(tmp / sub)
    try:
        return run(args, wanted, data, tmp)
    finally:
        if args.keep_temp:
            _log(f"kept the temporary user folder {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
