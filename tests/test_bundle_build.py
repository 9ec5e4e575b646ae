"""Bundles built from trained runs reproduce the training metrics; the shipped bundles do too."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from synleaf_desktop import paths
from synleaf_desktop.bundle.build import bundle_from_runs, umt_budget
from synleaf_desktop.bundle.format import Bundle
from synleaf_desktop.scoring.context import ContextScorer
from synleaf_desktop.train.config import TrainConfig
from synleaf_desktop.train.fold import run_fold
from synleaf_desktop.train.synthetic import synthetic_context


def _fold_aucs(bundle: Bundle) -> list[float]:
    """Test AUC per shipped fold, recomputed from the bundle alone (order-averaged scores)."""
    scorer = ContextScorer(bundle)
    splits = bundle.split_pairs
    out = []
    for f in range(bundle.folds):
        test = splits[f"fold{f}_test"]
        s = scorer.pairs(test[:, 0], test[:, 1])["folds"][f]
        out.append(roc_auc_score(test[:, 2], s))
    return out


@pytest.mark.parametrize("strategy", ["ume", "umt"])
def test_bundle_reproduces_test_auc(tmp_path, strategy):
    torch.set_num_threads(1)
    ctx = synthetic_context(
        "SYN", genes=90, omics=2, samples=12, pairs=260, cvs=(2,), folds=(1, 2), seed=3
    )
    cfg = TrainConfig(
        hidden_dims=[16],
        latent_dim=16,
        kg_dims=[16, 32, 16],
        max_epochs=4,
        patience=0,
        batch_size=64,
        checkpoint_every_s=0.0,
    )
    for k in (1, 2):
        run_fold(ctx, 2, k, tmp_path / "runs", cfg, "cpu")
    dest = bundle_from_runs(
        ctx,
        tmp_path / "runs",
        tmp_path / "b" / "SYN",
        cv=2,
        folds=(1, 2),
        dtype="float32",
        strategy=strategy,
    )
    bundle = Bundle.load(dest)
    assert bundle.strategy == strategy and bundle.folds == 2
    want = bundle.manifest["metrics"][strategy]["test_auc_both_orders"]
    got = _fold_aucs(bundle)
    assert np.allclose(got, want, atol=1e-6), (got, want)
    # the manifest records what was trained and on which data
    man = bundle.manifest
    assert man["cv"] == "CV2" and man["fold_ids"] == [1, 2]
    assert set(man["metrics"]) == {"only_omics", "only_kg", "umt", "ume"}
    assert man["selection"]["forced"] is True


def test_umt_budget_shares_what_ume_leaves(tmp_path):
    names = ["A", "B", "C", "D"]
    per = umt_budget(100_000_000, {"A": "ume", "B": "umt", "C": "umt", "D": "ume"}, tmp_path, names)
    assert per == (100_000_000 - 2 * 2_500_000) // 2


def test_umt_budget_counts_everything_else_in_the_folder(tmp_path):
    # E is an existing bundle not rebuilt now, EVALUATION.md any other file: both leave less room
    (tmp_path / "E").mkdir()
    (tmp_path / "E" / "manifest.json").write_text("{}")
    (tmp_path / "E" / "model.npz").write_bytes(b"x" * 7_000_000)
    (tmp_path / "EVALUATION.md").write_bytes(b"y" * 1_000_000)
    names = ["A", "B", "C", "E"]
    per = umt_budget(100_000_000, {"A": "ume", "B": "umt", "C": "umt"}, tmp_path, names)
    assert per == (100_000_000 - 2_500_000 - (7_000_000 + 2) - 1_000_000) // 2


def _shipped() -> list[Bundle]:
    root = paths.bundled_models_dir()
    found = sorted(p for p in root.glob("*/manifest.json")) if root.exists() else []
    if not found:
        pytest.skip(
            f"no bundled models in {root} (build them with: synleaf bundle build --data ../shared/data "
            "--out bundled_models)"
        )
    return [Bundle.load(p.parent) for p in found]


def test_shipped_bundles_reproduce_manifest_test_auc():
    for bundle in _shipped():
        strat = bundle.strategy
        want = bundle.manifest["metrics"][strat]["test_auc_both_orders"][: bundle.folds]
        got = _fold_aucs(bundle)
        # stored precision: float16 terms move AUCs by < 2e-3. int8 low-rank terms (issue 12) change
        # scores by at most ~3e-3, which moves the AUC of a near-constant fold model on a small test
        # set more: KIRC fold 5 (12 + 12 test pairs, test AUC 0.44) by 0.027, CESC fold 4 (test AUC
        # 0.55; 11 % of its test-pair comparisons lie within 0.001) by 0.014; the others < 0.006
        tol = {"float16": 2e-3, "int8-lowrank": 0.03}.get(bundle.dtype, 1e-6)
        assert np.allclose(got, want, atol=tol), (bundle.name, got, want)
