"""`synleaf train` CLI, the resumable grid, baselines and the evaluation report (partial grids)."""

from __future__ import annotations

import csv
import json

import pytest
import torch

from synleaf_desktop.cli.main import main
from synleaf_desktop.errors import InputError
from synleaf_desktop.train.baselines import annotation_profiles, run_baselines
from synleaf_desktop.train.grid import PAPER_SCENARIOS, parse_folds, parse_scenarios
from synleaf_desktop.train.report import PAPER_SYNLEAF
from synleaf_desktop.train.synthetic import synthetic_context


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def test_scenario_and_fold_parsing():
    assert len(PAPER_SCENARIOS) == 19 and parse_scenarios("all") == list(PAPER_SCENARIOS)
    assert parse_scenarios("BRCA:2, pan:3") == [("BRCA", 2), ("pan", 3)]
    assert parse_scenarios("pan") == [("pan", 1), ("pan", 2), ("pan", 3)]
    assert parse_folds("1-3,5") == [1, 2, 3, 5]
    with pytest.raises(InputError):
        parse_scenarios("BRCA:x")
    with pytest.raises(InputError):
        parse_folds("a-b")
    assert set(PAPER_SYNLEAF) == set(PAPER_SCENARIOS)


def test_annotation_profiles_and_baselines():
    ctx = synthetic_context(genes=80, omics=2, samples=12, terms=16, pairs=240, seed=5)
    prof = annotation_profiles(ctx, min_genes=5, max_genes=2000)
    used = prof.sum(axis=0).A1
    assert prof.shape[0] == 80 and (used >= 5).all() and prof.max() == 1.0
    res = run_baselines(ctx, 1, 1)
    for part in ("val", "test"):
        for name in ("lr", "rf"):
            assert (
                0.5 < res[part][name]["auc"] <= 1.0
            )  # the synthetic labels follow the annotations


def test_cli_train_grid_report(tmp_path, capsys):
    ctx = synthetic_context(genes=40, omics=2, samples=8, terms=10, pairs=120, seed=7, folds=(1, 2))
    ctx.name = "BRCA"  # a paper scenario name, so the report lines it up with the paper's numbers
    ctx.save(tmp_path / "contexts")
    common = [
        "--contexts-dir",
        str(tmp_path / "contexts"),
        "--max-epochs",
        "2",
        "--hidden-dims",
        "8",
        "--threads",
        "1",
        "--quiet",
    ]
    assert (
        main(
            [
                "train",
                "--context",
                "BRCA",
                "--cv",
                "1",
                "--folds",
                "1",
                "--out",
                str(tmp_path / "runs"),
                *common,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "val AUC / test AUC" in out and "2/2/2" in out
    assert (tmp_path / "runs/BRCA/cv1/fold1/metrics.json").exists()
    # grid: fold 1 is reused, fold 2 trained, the missing pan context is reported, baselines fitted
    assert (
        main(
            [
                "train",
                "grid",
                "--out",
                str(tmp_path / "runs"),
                "--scenarios",
                "BRCA:1,pan:1",
                "--folds",
                "1-2",
                "--baselines",
                *common,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "1 fold(s) trained, 1 already done, 2 not available" in out
    assert (tmp_path / "runs/BRCA/cv1/fold2/baselines.json").exists()
    assert (
        main(["train", "report", "--runs", str(tmp_path / "runs"), "--out", str(tmp_path / "bm")])
        == 0
    )
    md = (tmp_path / "bm/EVALUATION.md").read_text()
    rows = list(csv.DictReader((tmp_path / "bm/evaluation.csv").open()))
    sel = next(
        r for r in rows if r["context"] == "BRCA" and r["cv"] == "1" and r["strategy"] == "selected"
    )
    assert sel["n_folds"] == "2" and sel["selected_strategy"] in ("umt", "ume")
    assert float(sel["paper_auc"]) == pytest.approx(0.9654)
    folds = [
        json.loads((tmp_path / f"runs/BRCA/cv1/fold{k}/metrics.json").read_text()) for k in (1, 2)
    ]
    mean_auc = sum(f["test"][sel["selected_strategy"]]["auc"] for f in folds) / 2
    assert float(sel["auc_mean"]) == pytest.approx(mean_auc, abs=1e-6)
    lr = next(
        r for r in rows if r["context"] == "BRCA" and r["cv"] == "1" and r["strategy"] == "lr"
    )
    assert lr["n_folds"] == "2" and lr["auc_mean"]
    # a scenario not run: present with empty cells
    pan = next(
        r for r in rows if r["context"] == "pan" and r["cv"] == "3" and r["strategy"] == "umt"
    )
    assert pan["n_folds"] == "0" and pan["auc_mean"] == ""
    assert "| BRCA | 1 | 2/5 |" in md and "| pan | 3 | 0/5 | – |" in md and "mut+cna" in md


def test_cli_errors_are_clear(tmp_path, capsys):
    assert main(["train", "--contexts-dir", str(tmp_path)]) == 2
    assert "name a context" in capsys.readouterr().err
    assert main(["train", "--context", "NOPE", "--contexts-dir", str(tmp_path)]) == 2
    assert "no context 'NOPE'" in capsys.readouterr().err
    assert main(["train", "--context", "X", "--device", "tpu"]) == 2


def test_transfer_report_pairs_finetuned_with_scratch_folds(tmp_path, capsys):
    """`--init-from` runs compared with scratch runs on the same folds, in EVALUATION.md
    and transfer.csv."""
    for name in ("OV", "PANX"):
        ctx = synthetic_context(
            genes=40, omics=2, samples=8, terms=10, pairs=120, seed=7, folds=(1,)
        )
        ctx.name = name
        ctx.save(tmp_path / "contexts")
    common = [
        "--contexts-dir",
        str(tmp_path / "contexts"),
        "--max-epochs",
        "2",
        "--hidden-dims",
        "8",
        "--threads",
        "1",
        "--quiet",
        "--cv",
        "1",
        "--folds",
        "1",
    ]
    assert main(["train", "--context", "OV", "--out", str(tmp_path / "runs"), *common]) == 0
    assert (
        main(["train", "--context", "PANX", "--out", str(tmp_path / "tr/pretrain"), *common]) == 0
    )
    src = tmp_path / "tr/pretrain/PANX/cv1/fold1"
    assert (
        main(
            [
                "train",
                "--context",
                "OV",
                "--out",
                str(tmp_path / "tr/finetune"),
                "--init-from",
                str(src),
                *common,
            ]
        )
        == 0
    )
    ft = json.loads((tmp_path / "tr/finetune/OV/cv1/fold1/metrics.json").read_text())
    assert ft["init_from"] == str(src) and ft["transfer"]
    capsys.readouterr()
    assert (
        main(
            [
                "train",
                "report",
                "--runs",
                str(tmp_path / "runs"),
                "--out",
                str(tmp_path / "bm"),
                "--transfer",
                str(tmp_path / "tr"),
            ]
        )
        == 0
    )
    md = (tmp_path / "bm/EVALUATION.md").read_text()
    assert (
        "## Transfer from a pan-cancer model" in md and "Pretraining run: `PANX` CV1 fold 1" in md
    )
    rows = list(csv.DictReader((tmp_path / "bm/transfer.csv").open()))
    assert {r["strategy"] for r in rows} == {"only_omics", "only_kg", "umt", "ume", "selected"}
    kg = next(r for r in rows if r["strategy"] == "only_kg")
    sc = json.loads((tmp_path / "runs/OV/cv1/fold1/metrics.json").read_text())["test"]["only_kg"][
        "auc"
    ]
    assert kg["context"] == "OV" and kg["n_folds"] == "1"
    assert float(kg["auc_diff_mean"]) == pytest.approx(ft["test"]["only_kg"]["auc"] - sc, abs=1e-5)
    assert "| OV | 1 | 1 | only-KG |" in md
