"""``synleaf-desktop --screenshot`` opens the window, runs the query, writes a PNG and exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "query", [["--pair", "RAD51", "BRCA1"], ["--partners", "PARP1", "--top", "10"]]
)
def test_screenshot_cli(bundles, tmp_path, query):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "synleaf_desktop.gui.app",
            "--screenshot",
            str(out),
            *query,
            "--bundled-models",
            str(bundles),
            "--size",
            "1200",
            "800",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert (img.width(), img.height()) == (1200, 800)
    # settings are not written by a screenshot run
    assert not (Path(os.environ["SYNLEAF_USER_CONFIG"]) / "settings.json").exists()


def test_bad_models_dir(tmp_path):
    from synleaf_desktop.gui.app import main

    assert (
        main(["--bundled-models", str(tmp_path / "nope"), "--screenshot", str(tmp_path / "x.png")])
        == 2
    )
