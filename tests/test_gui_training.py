"""The training tab: estimate, a tiny real run in the worker with live plots, the new context in
the panel and heatmap; cancel stops cleanly and keeps nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synleaf_desktop import paths
from synleaf_desktop.app.training import TrainRequest, estimate, estimate_inputs, runs_dir

from .test_gui_common import make_training_inputs, run_and_wait

pytest.importorskip("torch")

TINY = "max_epochs=2; hidden_dims=32,16; batch_size=64; kg_dims=32,128"


def _choose(panel, name: str) -> None:
    panel.refresh_data()
    panel.cohort.setCurrentIndex(panel.cohort.findData("tiny"))
    panel.labels.setCurrentIndex(panel.labels.findData("tinylabels"))
    panel.cancer.setCurrentIndex(panel.cancer.findData("BRCA"))
    panel.graph.setCurrentIndex(panel.graph.findData("tinykg"))
    panel.name.setText(name)
    panel.quick.setChecked(True)
    panel.settings_edit.setText(TINY)


def test_estimate_formula():
    from synleaf_desktop.app.training import EstimateInputs

    small = estimate(EstimateInputs(1000, 100, 2, 200), TrainRequest("A", "c", "l", quick=True))
    big = estimate(EstimateInputs(18000, 1000, 4, 2400), TrainRequest("A", "c", "l"))
    gpu = estimate(
        EstimateInputs(18000, 1000, 4, 2400), TrainRequest("A", "c", "l", device="cuda:0")
    )
    assert (
        small.seconds < big.seconds
        and gpu.seconds < big.seconds
        and small.peak_bytes < big.peak_bytes
    )
    assert big.folds == 5 and small.folds == 1
    assert 1e9 < big.peak_bytes < 64e9  # a realistic cohort needs GBs, not bytes or TBs
    assert TrainRequest("bad name!", "c", "l").problem()
    assert "already exists" in TrainRequest("BRCA", "c", "l").problem(existing=["BRCA"])


def test_train_tiny_model_then_cancel(window, qtbot, tmp_path):
    make_training_inputs(window.library, tmp_path)
    panel = window.training
    _choose(panel, "MY_TINY")
    assert (
        "Estimate" in panel.estimate_label.text()
        and "100 genes" in panel.estimate_label.text().replace(",", "")
    )
    inputs = estimate_inputs(window.library, panel.request())
    assert (inputs.genes, inputs.samples, inputs.kinds, inputs.pairs) == (100, 16, 2, 100)

    task = panel.start()
    assert task is not None and not panel.start_btn.isEnabled() and panel.cancel_btn.isEnabled()
    with qtbot.waitSignal(window.engineReady, timeout=120000):  # the models reload once it is saved
        qtbot.waitUntil(
            lambda: panel.result_name == "MY_TINY" or panel.last_error is not None, timeout=120000
        )
    assert panel.last_error is None
    # live plots got one point per epoch and stage; gradient norms per modality
    loss = {k: v for k, v in panel.plots.data.items() if k[0] == "loss"}
    assert {s.split(":")[0] for (_, s) in loss} == {"omics", "kg", "umt"}
    assert all(len(xs) == 2 for xs, _ in loss.values())
    assert any(k[0] == "grad" and k[1].endswith(":omics") for k in panel.plots.data)
    assert any(k[0] == "grad" and k[1].endswith(":kg") for k in panel.plots.data)
    # the new model is a context, with its metrics, and scores pairs
    assert "MY_TINY" in window.contexts.names()
    info = window.infos["MY_TINY"]
    assert info["kind"] == "user" and info["omics"] == ["cna", "exp"] and 0 <= info["val_auc"] <= 1
    assert (paths.user_models_dir() / "MY_TINY" / "manifest.json").exists()
    # issue 12: a model trained in the app carries ranks and held-out recall like the built-in ones
    man = json.loads((paths.user_models_dir() / "MY_TINY" / "manifest.json").read_text())
    assert "calibration.npz" in man["files"] and man["calibration"]["n_pairs"] > 0
    assert window.engine.calibration("MY_TINY") is not None
    # issue 15: one path from fold runs to a bundle: the same manifest fields as a built-in model
    builtin = json.loads((paths.bundled_models_dir() / "OV" / "manifest.json").read_text())
    assert set(man) == set(builtin), (set(builtin) - set(man), set(man) - set(builtin))
    assert set(builtin["training"]) <= set(man["training"])
    assert man["training"]["quick"] is True and man["packages"]["torch"]
    assert man["data_checksums"] and all(len(v) == 64 for v in man["data_checksums"].values())
    assert any(k.startswith("cohorts/tiny/") for k in man["data_checksums"])
    assert man["samples"] == 16 and len(man["seed"]["folds"]) == 1
    assert (runs_dir() / "MY_TINY").is_dir() and not (runs_dir() / ".MY_TINY.running").exists()
    genes = list(window.engine.bundle("MY_TINY").genes[:2])
    # issue 16: a quick-run model is a trial model, listed but not ticked by default
    assert info["trial"] and "MY_TINY" not in window.contexts.checked()
    window.contexts.set_checked(window.contexts.names())
    run_and_wait(qtbot, window, {"mode": "pair", "genes": genes})
    j = window.grid.contexts.index("MY_TINY")
    assert 0 < window.lookup.heatmap.image_array()[0, j] < 1
    # it can be the starting point of the next model
    assert panel.base.findData("MY_TINY") >= 0

    # cancel: stops at the next step, keeps nothing
    _choose(panel, "MY_CANCEL")
    panel.settings_edit.setText(TINY.replace("max_epochs=2", "max_epochs=50"))
    task = panel.start()
    qtbot.waitUntil(lambda: len(panel.plots.data) > 0, timeout=60000)
    with qtbot.waitSignal(task.cancelled, timeout=60000):
        panel.cancel()
    qtbot.waitUntil(lambda: panel.task is None, timeout=10000)
    assert "Cancelled" in panel.stage_label.text()
    assert not (paths.user_models_dir() / "MY_CANCEL").exists()
    assert (
        not (runs_dir() / ".MY_CANCEL.running").exists() and not (runs_dir() / "MY_CANCEL").exists()
    )
    from synleaf_desktop.bundle.registry import Registry

    assert "MY_CANCEL" not in Registry(bundled_dir=window.bundled_dir).names()
    assert panel.start_btn.isEnabled()
    assert np.isfinite(panel.progress.value())


def test_gradient_axis_labels_do_not_crowd(qtbot):
    """The log-scale gradient-norm axis is labelled at 1, 2, 5 x 10^k (all integers x 10^k
    within one decade), never at every 2..9 x 10^k, which overlapped (0.08 on 0.1)."""
    import math

    from synleaf_desktop.gui.training_panel import LivePlots, log_ticks

    major, minor = log_ticks(0.085, 4.9)
    assert [s for _, s in major] == ["0.1", "0.2", "0.5", "1", "2", "5"]
    assert ("0.08" not in {s for _, s in major}) and all(s == "" for _, s in minor)
    assert any(abs(p - math.log10(0.08)) < 1e-12 for p, _ in minor)  # a tick, no label
    assert [s for _, s in log_ticks(0.5, 0.9)[0]] == ["0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"]
    w = LivePlots()
    qtbot.addWidget(w)
    for e in range(1, 4):
        w.add_epoch({"stage": "kg", "epoch": e, "grad_norm_kg": 0.09 * e, "grad_norm_omics": 4.0})
    ticks = w.plots["grad"].getAxis("left")._tickLevels
    assert [s for _, s in ticks[0]] == [s for _, s in log_ticks(0.09, 4.0)[0]]
