"""Benchmark: how long the GUI thread is busy for each look-up (budget: 100 ms), and how long
the background work of the slower queries takes.

Measured in an offscreen main window on realistic-size synthetic bundles (default: nine
contexts of 18,000 genes, 5 folds, real writer; or ``--models DIR`` for real bundles):

* pair: ``MainWindow.run_query`` for one pair, on the GUI thread end to end (engine lookup +
  heatmap + table refresh + details of the best cell), and its parts;
* cell click: the details panel for one cell;
* partners (top 25 / 100): the worker's scoring of every partner in every context, then the
  GUI-thread refresh;
* gene list (50 genes = 1,225 pairs): worker scoring, then the GUI-thread refresh;
* sorting a 1,225-pair result by one context.

Run: ``python -m tests.benchmarks.bench_gui [--genes 18000] [--repeat 20] [--models DIR]``.
Prints figures (median and max milliseconds, peak RSS); asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1e3:8.2f} ms   max {max(values) * 1e3:8.2f} ms   (n={len(values)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--genes", type=int, default=18000, help="genes per synthetic context")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument(
        "--models", type=Path, default=None, help="use these bundles instead of synthetic ones"
    )
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench_gui_"))
    for key in ("SYNLEAF_USER_DATA", "SYNLEAF_USER_CONFIG", "SYNLEAF_USER_CACHE"):
        os.environ[key] = str(tmp / key.lower())
    try:
        if args.models is None:
            from tests.bundle_fixtures import make_bundle_set

            t = time.perf_counter()
            models = tmp / "bundled"
            make_bundle_set(models, n_genes=args.genes, exclude={"KIRC": ["RAD51"]})
            print(
                f"synthetic bundles: 9 contexts x {args.genes} genes, 5 folds "
                f"({time.perf_counter() - t:.1f} s to write)"
            )
        else:
            models = args.models
        run(models, args.repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def run(models: Path, repeat: int) -> None:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from synleaf_desktop.app import lookup
    from synleaf_desktop.app.settings import Settings
    from synleaf_desktop.gui import style
    from synleaf_desktop.gui.main_window import MainWindow
    from synleaf_desktop.progress import Progress

    app = QApplication.instance() or QApplication(["bench"])
    style.apply(app)
    win = MainWindow(settings=Settings(), bundled_dir=models, load_on_start=False)
    win.resize(1400, 900)
    win.show()

    def pump(cond, timeout=600.0):
        end = time.monotonic() + timeout
        while not cond() and time.monotonic() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        app.processEvents()

    t = time.perf_counter()
    win.reload_models()
    pump(lambda: win.engine is not None)
    print(
        f"load models + gene names (worker): {time.perf_counter() - t:.2f} s, "
        f"{len(win.engine.contexts)} contexts"
    )
    win.load_completions()
    t = time.perf_counter()
    pump(lambda: win.lookup.query_bar.completer_model.rowCount() > 0)
    print(
        f"completions (worker): {time.perf_counter() - t:.2f} s, {win.lookup.query_bar.completer_model.rowCount()} names"
    )
    engine, contexts, infos = win.engine, win.checked_contexts(), win.infos
    genes = [str(g) for g in engine.bundle(contexts[0]).genes[:400]]
    pairs = [(genes[i], genes[i + 1]) for i in range(0, 2 * repeat, 2)]

    print("\nGUI thread (budget 100 ms per action):")
    total, part_lookup, part_refresh, clicks, paints = [], [], [], [], []
    for a, b in pairs:
        t = time.perf_counter()
        win.run_query({"mode": "pair", "genes": [a, b]})
        total.append(time.perf_counter() - t)
        part_lookup.append(win.lookup.last_timing["lookup_s"])
        part_refresh.append(win.lookup.last_timing["refresh_s"])
        t = time.perf_counter()
        win.repaint()  # the paint that follows, synchronously
        paints.append(time.perf_counter() - t)
        app.processEvents()
        t = time.perf_counter()
        win.lookup.show_cell(0, 1)
        clicks.append(time.perf_counter() - t)
    print(f"  pair query, end to end        {_ms(total)}")
    print(f"    engine lookup (9 contexts)  {_ms(part_lookup)}")
    print(f"    heatmap + table + details   {_ms(part_refresh)}")
    print(f"    then painting the window    {_ms(paints)}")
    print(f"  cell click -> details         {_ms(clicks)}")

    for top in (25, 100):
        work, refresh, paints = [], [], []
        for a, _ in pairs[: max(3, repeat // 4)]:
            t = time.perf_counter()
            grid = lookup.partners_grid(Progress(), engine, a, top, contexts, infos)
            work.append(time.perf_counter() - t)
            t = time.perf_counter()
            win.lookup.show_grid(grid)
            refresh.append(time.perf_counter() - t)
            t = time.perf_counter()
            win.repaint()
            paints.append(time.perf_counter() - t)
            app.processEvents()
        print(f"  partners top {top:<3} refresh       {_ms(refresh)}")
        print(f"    then painting the window    {_ms(paints)}")
        print(f"    (worker: score all partners {_ms(work)})")

    work, refresh, sort = [], [], []
    for k in range(max(3, repeat // 4)):
        q = {"mode": "list", "genes": genes[k * 50 : (k + 1) * 50]}
        t = time.perf_counter()
        grid = lookup.list_grid(Progress(), engine, q, contexts, infos)
        work.append(time.perf_counter() - t)
        t = time.perf_counter()
        win.lookup.show_grid(grid)
        refresh.append(time.perf_counter() - t)
        app.processEvents()
        t = time.perf_counter()
        win.lookup.set_sort(contexts[1], True)
        sort.append(time.perf_counter() - t)
        win.lookup.set_sort("", True)
    print(f"  gene list 50 genes refresh    {_ms(refresh)}   ({len(grid.pairs)} pairs)")
    print(f"    (worker: score the pairs    {_ms(work)})")
    print(f"  sort 1,225 pairs by a context {_ms(sort)}")

    # the same through the real worker path, as a user triggers it
    t = time.perf_counter()
    win.run_query({"mode": "partners", "gene": genes[0], "top": 25})
    pump(lambda: win.grid.mode == "partners" and not win.tasks.busy("query"))
    print(
        f"\npartners top 25 via the worker, click to picture: {(time.perf_counter() - t) * 1e3:.1f} ms"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    win.tasks.cancel_all()
    win.close()


if __name__ == "__main__":
    sys.exit(main())
