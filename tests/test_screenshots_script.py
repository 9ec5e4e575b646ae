"""``packaging/screenshots.py``: argument checks, the derived label table, and a real run of the
look-up screenshots on the synthetic bundles (the training ones need ../shared/data and
minutes of CPU, so they are not run here)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "packaging" / "screenshots.py"


def _module():
    spec = importlib.util.spec_from_file_location("synleaf_screenshots", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_bad_arguments(tmp_path, capsys):
    mod = _module()
    assert mod.main(["--out", str(tmp_path / "o"), "--only", "pair_lookup,nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert (
        mod.main(
            ["--out", str(tmp_path / "o"), "--only", "import_preview", "--data", str(tmp_path)]
        )
        == 2
    )
    assert "not the shared data folder" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_label_table_for_one_cancer(tmp_path):
    mod = _module()
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "elisl_train_pairs.csv").write_text(
        "gene1,gene2,class,cancer\nBRCA1,PARP1,1,OV\nTP53,KRAS,0,OV\nRAD51,BRCA2,1,BRCA\nATM,ATR,1,OV\n",
        encoding="utf-8",
    )
    path, pos, neg = mod.write_ov_labels(tmp_path, tmp_path / "out" / "ov.csv")
    assert (pos, neg) == (2, 1)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "gene1,gene2,class,cancer",
        "BRCA1,PARP1,1,OV",
        "TP53,KRAS,0,OV",
        "ATM,ATR,1,OV",
    ]


def test_lookup_screenshots(bundles, tmp_path):
    from PySide6.QtGui import QImage

    out = tmp_path / "shots"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    res = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--out",
            str(out),
            "--bundled-models",
            str(bundles),
            "--only",
            "pair_lookup,details_panel,gene_list",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "details_panel.png",
        "gene_list.png",
        "pair_lookup.png",
    ]
    img = QImage(str(out / "pair_lookup.png"))
    assert (img.width(), img.height()) == (1400, 900)
    details = QImage(str(out / "details_panel.png"))
    assert 250 < details.width() < 700 and details.height() > 400
    assert "saved" in res.stderr and "error" not in res.stderr
    # the app ran on its own temporary user folders, not on the ones of this process
    assert not (Path(os.environ["SYNLEAF_USER_CONFIG"]) / "settings.json").exists()
    assert not Path(os.environ["SYNLEAF_USER_DATA"]).exists()


def test_names_match_the_readme():
    readme = (SCRIPT.parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [n for n in _module().SHOTS if f"resources/screenshots/{n}.png" not in readme]
    assert not missing, f"README.md does not show {missing}"
