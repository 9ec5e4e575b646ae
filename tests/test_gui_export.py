"""Exports: the CSV/TSV table equals what is shown, PNG/SVG images, the JSON run report."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop import __version__

from .test_gui_common import CONTEXTS, run_and_wait


def test_export_table_image_report(window, qtbot, tmp_path):
    run_and_wait(qtbot, window, {"mode": "partners", "gene": "RAD51", "top": 8})
    window.lookup.set_sort("BRCA", True)
    g = window.grid
    out = window.export_table(tmp_path / "scores.csv")
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(f"# SynLeaF Desktop {__version__}; exported ")
    df = pd.read_csv(out, comment="#")
    assert list(df["gene_a"]) == [a for a, _ in g.pairs] and list(df["gene_b"]) == [
        b for _, b in g.pairs
    ]
    np.testing.assert_allclose(
        df[g.contexts].to_numpy(float), g.score, rtol=1e-5, atol=1e-6, equal_nan=True
    )
    np.testing.assert_allclose(df["mean"].to_numpy(float), g.mean(), rtol=1e-5, atol=1e-6)
    # the n/a cells (RAD51 is not in KIRC) are empty, not numbers
    assert df["KIRC"].isna().all()
    tsv = pd.read_csv(window.export_table(tmp_path / "scores.tsv"), sep="\t", comment="#")
    pd.testing.assert_frame_equal(tsv, df)

    for suffix in ("png", "svg"):
        p = window.export_image(tmp_path / f"heatmap.{suffix}")
        assert p.exists() and p.stat().st_size > 2000
    assert (tmp_path / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "heatmap.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "RAD51" in svg and f"SynLeaF Desktop {__version__}" in svg
    from PySide6.QtGui import QImage

    assert (
        QImage(str(tmp_path / "heatmap.png")).text("Software") == f"SynLeaF Desktop {__version__}"
    )
    assert not list(tmp_path.glob(".*part*")), "temporary export files left behind"

    rep = window.export_report(tmp_path / "report.json", exported={"table": str(out)})
    r = json.loads(rep.read_text(encoding="utf-8"))
    for key in (
        "created",
        "query",
        "contexts",
        "pairs",
        "models",
        "versions",
        "inputs",
        "exported",
    ):
        assert key in r
    assert r["query"]["gene"] == "RAD51" and r["contexts"] == CONTEXTS
    assert r["versions"]["synleaf_desktop"] and r["versions"]["numpy"] == np.__version__
    m = {x["name"]: x for x in r["models"]}
    assert set(m) == set(CONTEXTS)
    assert len(m["BRCA"]["manifest_sha256"]) == 64
    assert len(m["BRCA"]["files_sha256"]["model.npz"]) == 64
    assert m["BRCA"]["strategy"] in ("umt", "ume")


def test_export_with_nothing_shown_says_so(window, tmp_path):
    window.exports.table_dialog()
    assert window.messages[-1][1] == "Nothing to export"


def test_export_bad_suffix(window, qtbot, tmp_path):
    run_and_wait(qtbot, window, {"mode": "pair", "genes": ["BRCA1", "BRCA2"]})
    assert window.export_image(tmp_path / "x.bmp") is None
    assert "use .png or .svg" in window.messages[-1][2]


def test_genome_wide_export_runs_in_worker(window, qtbot, tmp_path):
    out = tmp_path / "all_pairs.tsv"
    task = window.export_genome_wide("OV", out, top=50)
    assert window.tasks.busy("genome") or task.isFinished()
    # wait on the outcome, not on the signal: on a fast machine the small export can finish (and
    # emit ``done``) before a waitSignal would be connected
    qtbot.waitUntil(
        lambda: bool(window.messages) and window.messages[-1][1] == "All pairs exported",
        timeout=60000,
    )
    qtbot.waitUntil(lambda: not window.tasks.busy("genome"), timeout=10000)
    df = pd.read_csv(out, sep="\t")
    assert list(df.columns[:4]) == ["gene1", "gene2", "score", "sd"] and len(df) == 50
    assert df["score"].is_monotonic_decreasing
    # the best pair's score equals the engine's pair score
    a, b = df.iloc[0]["gene1"], df.iloc[0]["gene2"]
    assert df.iloc[0]["score"] == pytest.approx(
        window.engine.score_pair(a, b, ["OV"]).contexts["OV"].score, abs=1e-5
    )
    assert window.messages[-1][1] == "All pairs exported"
    # cancel leaves no file
    out2 = tmp_path / "cancelled.tsv"
    task = window.export_genome_wide("BRCA", out2, top=None, threshold=0.5)
    task.cancel()
    qtbot.waitUntil(lambda: not window.tasks.busy("genome"), timeout=60000)
    # either the cancel came in time and nothing was written, or the small export had already
    # finished: never a partial file (the file is renamed into place only when complete)
    if out2.exists():
        done = pd.read_csv(out2, sep="\t", comment="#")
        assert (
            list(done.columns[:4]) == ["gene1", "gene2", "score", "sd"]
            and (done["score"] >= 0.5).all()
        )
