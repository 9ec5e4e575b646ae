"""Settings persist as JSON in the (test-isolated) user config dir, not in QSettings."""

from __future__ import annotations

import json

from synleaf_desktop import paths
from synleaf_desktop.app.settings import Settings

from .test_gui_common import run_and_wait


def test_settings_roundtrip_and_defaults(tmp_path):
    s = Settings.load()
    assert s.contexts is None and s.partners_top == 25
    s.contexts = ["OV", "pan"]
    s.remember_dir("export", tmp_path)
    s.partners_top = 40
    path = s.save()
    assert path == paths.user_config_dir() / "settings.json" and str(tmp_path).startswith("/")
    t = Settings.load()
    assert (
        t.contexts == ["OV", "pan"]
        and t.partners_top == 40
        and t.last_dir("export") == str(tmp_path)
    )
    # foreign or broken content falls back to defaults instead of failing
    path.write_text(
        '{"partners_top": "many", "unknown": 1, "contexts": ["BRCA"]}', encoding="utf-8"
    )
    u = Settings.load()
    assert u.partners_top == 25 and u.contexts == ["BRCA"]
    path.write_text("not json", encoding="utf-8")
    assert Settings.load() == Settings()


def test_window_saves_and_restores(qtbot, bundles, tmp_path):
    from synleaf_desktop.gui.main_window import MainWindow

    win = MainWindow(settings=Settings.load(), bundled_dir=bundles, load_on_start=False)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.engineReady, timeout=30000):
        win.reload_models()
    win.show()
    run_and_wait(qtbot, win, {"mode": "pair", "genes": ["TP53", "KRAS"]})
    win.contexts.set_checked(["BRCA", "OV", "pan"])
    win.resize(700, 520)
    win.settings.remember_dir("export", tmp_path)
    size = (win.width(), win.height())
    win.close()
    raw = json.loads((paths.user_config_dir() / "settings.json").read_text(encoding="utf-8"))
    assert raw["contexts"] == ["BRCA", "OV", "pan"] and raw["last_pair"] == ["TP53", "KRAS"]
    assert raw["geometry"] and raw["last_dirs"]["export"] == str(tmp_path)

    win2 = MainWindow(settings=Settings.load(), bundled_dir=bundles, load_on_start=False)
    qtbot.addWidget(win2)
    with qtbot.waitSignal(win2.engineReady, timeout=30000):
        win2.reload_models()
    assert win2.contexts.checked() == ["BRCA", "OV", "pan"]
    assert (
        win2.lookup.query_bar.gene_a.text() == "TP53"
        and win2.lookup.query_bar.gene_b.text() == "KRAS"
    )
    # restored from the saved geometry (the offscreen test screen is 800x600, so Qt may clamp it)
    assert win2.geometry_restored and win2.height() == size[1]
    win2.close()


def test_no_models_says_what_to_do(qtbot, tmp_path):
    from synleaf_desktop.gui.main_window import MainWindow

    empty = tmp_path / "no_models"
    empty.mkdir()
    win = MainWindow(settings=Settings(), bundled_dir=empty, load_on_start=False)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.engineReady, timeout=30000):
        win.reload_models()
    assert win.engine is None and win.messages[-1][1] == "No models found"
    assert "train one" in win.messages[-1][2]
    win.run_query({"mode": "pair", "genes": ["BRCA1", "PARP1"]})
    assert "No scoring models" in win.lookup.result_note.text()
    assert "no models loaded" in win.status_label.full_text()


def test_unticked_user_model_stays_unticked(qtbot, bundles, tmp_path):
    import shutil

    from synleaf_desktop.gui.main_window import MainWindow

    shutil.copytree(bundles / "OV", paths.user_models_dir() / "MINE")
    from synleaf_desktop.bundle.writer import rename_bundle_manifest

    rename_bundle_manifest(paths.user_models_dir() / "MINE", "MINE")
    win = MainWindow(settings=Settings.load(), bundled_dir=bundles, load_on_start=False)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.engineReady, timeout=30000):
        win.reload_models()
    assert "MINE" in win.contexts.checked()
    win.contexts.set_checked([n for n in win.contexts.names() if n != "MINE"])
    win.close()
    win2 = MainWindow(settings=Settings.load(), bundled_dir=bundles, load_on_start=False)
    qtbot.addWidget(win2)
    with qtbot.waitSignal(win2.engineReady, timeout=30000):
        win2.reload_models()
    assert "MINE" in win2.contexts.names() and "MINE" not in win2.contexts.checked()
    win2.close()


def test_status_line_is_elided_not_cut_and_keeps_its_full_text(qtbot):
    from synleaf_desktop.gui.widgets import ElidedLabel

    text = "9 models (9 bundled, 0 yours)   ·   imported: 1 cohorts   ·   known labels: 1,234 pairs from 1 table"
    label = ElidedLabel(text, separator="   ·   ")
    qtbot.addWidget(label)
    label.resize(120, 20)
    label.show()
    shown = label.text()
    assert shown.endswith("…") and len(shown) < len(text)
    assert label.full_text() == text
    assert label.toolTip().splitlines()[-1] == "known labels: 1,234 pairs from 1 table"
    label.resize(2000, 20)
    assert label.text() == text
