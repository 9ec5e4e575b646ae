"""MODEL_CARD.md generation (synleaf_desktop.bundle.card) on small synthetic bundles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from synleaf_desktop.bundle.card import CARD_FILE, NOT_RECORDED, render_model_card, write_model_card
from synleaf_desktop.bundle.format import Bundle, read_manifest
from synleaf_desktop.bundle.writer import write_bundle
from tests.bundle_fixtures import make_bundle, synthetic_folds


def _tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every Markdown table of ``text`` as (header, rows)."""
    out, lines = [], text.splitlines()
    k = 0
    while k < len(lines):
        if lines[k].startswith("|") and k + 1 < len(lines) and lines[k + 1].startswith("| ---"):
            header = [c.strip() for c in lines[k].strip("|").split("|")]
            rows = []
            k += 2
            while k < len(lines) and lines[k].startswith("|"):
                rows.append([c.strip() for c in lines[k].strip("|").split("|")])
                k += 1
            out.append((header, rows))
        else:
            k += 1
    return out


def _section(text: str, title: str) -> str:
    start = text.index(f"## {title}\n")
    nxt = text.find("\n## ", start + 3)
    return text[start : nxt if nxt >= 0 else len(text)]


def _fold_table_values(text: str, metric: str) -> dict[str, str]:
    """{fold label: cell} of the per-fold table holding column ``metric``."""
    for header, rows in _tables(_section(text, "Validation and test metrics")):
        if header[:2] == ["fold", "shipped"] and metric in header:
            j = header.index(metric)
            return {r[0]: r[j] for r in rows}
    raise AssertionError(f"no per-fold table with column {metric}")


def test_card_has_manifest_metrics_strategy_and_limitations(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path / "BRCA", "BRCA", n_genes=120, n_folds=5, strategy="umt", seed=5)
    card = write_model_card(folder)
    assert card == folder / CARD_FILE and card.is_file()
    text = card.read_text(encoding="utf-8")
    man = read_manifest(folder)

    per = man["metrics"]["umt"]
    assert set(per) >= {"val_auc", "test_auc", "val_aupr", "test_aupr"}
    for metric, values in per.items():
        cells = _fold_table_values(text, metric)
        for k, v in enumerate(values):
            assert cells[str(man["fold_ids"][k])] == f"{v:.4f}", (metric, k)
        assert cells["mean"] == f"{np.mean(values):.4f}"
        assert cells["sd"] == f"{np.std(values):.4f}"

    # strategy, and the reason it was picked (UMT's mean validation AUC beats UME's)
    sel = _section(text, "Strategy selection")
    assert "Selected: **UMT**" in sel
    umt, ume = np.mean(per["val_auc"]), np.mean(man["metrics"]["ume"]["val_auc"])
    assert umt > ume
    assert f"UMT {umt:.4f}, UME {ume:.4f}" in sel
    assert "UMT has the higher mean validation AUC" in sel

    lim = _section(text, "Limitations")
    for phrase in (
        "hypotheses",
        "not calibrated probabilities",
        "Pair order",
        "Gene universe",
        "120 genes",
        "Annotation shortcut",
        "synthetic test model",
    ):
        assert phrase in lim, phrase
    assert "## Intended use" in text and "## How to cite" in text and "arXiv:2603.22369" in text

    # pair counts come from split_pairs.npz
    with np.load(folder / "split_pairs.npz", allow_pickle=False) as z:
        n_train0 = len(z["fold0_train"])
        pos_test0 = int((z["fold0_test"][:, 2] == 1).sum())
    counts = next(
        rows for header, rows in _tables(_section(text, "Training data")) if header[0] == "fold"
    )
    assert counts[0][1].startswith(f"{n_train0} (")
    assert f"({pos_test0} / " in counts[0][3]


def test_card_from_a_build_like_manifest(tmp_path: Path) -> None:
    """The keys bundle/build.py writes: four strategies, fold ids 1-5, fewer folds shipped than trained,
    microarray expression, the GO/KEGG graph, per-fold training dicts."""
    rng = np.random.default_rng(0)
    metrics = {
        s: {
            f"{p}_{m}{suf}": np.round(rng.uniform(0.6, 0.9, 5), 4).tolist()
            for p, suf in (("val", ""), ("test", ""), ("test", "_both_orders"))
            for m in ("auc", "aupr", "f1_best", "f1_at_0.5")
        }
        for s in ("only_omics", "only_kg", "umt", "ume")
    }
    extra = {
        "cancer": "KIRC",
        "description": "SynLeaF UMT on KIRC, CV2 folds [1, 2, 3, 4, 5]",
        "cv": "CV2",
        "fold_ids": [1, 2, 3, 4, 5],
        "selection": {
            "rule": "higher mean validation AUC",
            "forced": False,
            "val_auc": {"umt": 0.81, "ume": 0.79},
        },
        "metrics": metrics,
        "omics": ["mut", "cna", "exp"],
        "sample_counts": {"mut": 417, "cna": 529, "exp": 72},
        "samples": 533,
        "kg": {
            "id": "go-kegg@e6f6bbf2c3a6",
            "entities": 64551,
            "relations": 18,
            "edges": 778386,
            "pathway_policy": "hsa05211",
        },
        "data_checksums": {
            "omics/KIRC/data_mrna_microarray.txt.gz": "38a6298bc05b01d5" + "0" * 48,
            "omics/KIRC/data_cna_hg19.seg.gz": "3d29e3f5df2012bb" + "0" * 48,
            "labels/elisl_train_pairs.csv": "42bdd96766a61d3a" + "0" * 48,
        },
        "labels": {"positives": 60, "negatives": 2514, "source": ["labels/elisl_train_pairs.csv"]},
        "packages": {"torch": "2.13.0+cpu"},
        "seed": {"context": 302358669, "folds": [1, 2, 3, 4, 5]},
        "training": {
            "config": {"max_epochs": 200, "batch_size": 512},
            "device": "cpu",
            "epochs_run": [{"omics": 41, "kg": 37, "umt": 52}] * 5,
            "best_epoch": [{"only_omics": 21, "only_kg": 17, "umt": 32}] * 5,
            "wall_s": [301.5, 288.0, 295.25, 310.0, 299.9],
        },
    }
    g = 300
    genes = np.array([f"G{k:04d}" for k in range(g)])
    folder = write_bundle(
        tmp_path / "KIRC",
        "KIRC",
        genes,
        synthetic_folds(g, 5, "umt", 1),
        "umt",
        manifest_extra=extra,
        size_budget_bytes=400_000,
    )
    man = read_manifest(folder)
    assert man["folds_trained"] == 5 and 1 <= man["folds_shipped"] < 5
    text = write_model_card(folder).read_text(encoding="utf-8")

    shipped = _fold_table_values(text, "test_auc")
    assert shipped == {
        **{
            str(i): f"{v:.4f}" for i, v in zip(range(1, 6), metrics["umt"]["test_auc"], strict=True)
        },
        "mean": f"{np.mean(metrics['umt']['test_auc']):.4f}",
        "sd": f"{np.std(metrics['umt']['test_auc']):.4f}",
    }
    for header, rows in _tables(_section(text, "Validation and test metrics")):
        if header[:2] == ["fold", "shipped"]:
            flags = [r[1] for r in rows[:5]]
            assert flags == ["yes"] * man["folds_shipped"] + ["no"] * (5 - man["folds_shipped"])
    both = _fold_table_values(text, "test_auc_both_orders")
    assert both["3"] == f"{metrics['umt']['test_auc_both_orders'][2]:.4f}"
    assert f"| folds in the score | {man['folds_shipped']} shipped of 5 trained |" in text

    # the comparison of all four strategies
    cmp = next(rows for header, rows in _tables(text) if header[0] == "strategy")
    assert [r[0] for r in cmp] == ["only_omics", "only_kg", "umt (selected)", "ume"]
    mu, sd = np.mean(metrics["ume"]["val_auc"]), np.std(metrics["ume"]["val_auc"])
    assert cmp[3][1] == f"{mu:.4f} ± {sd:.4f}"

    sel = _section(text, "Strategy selection")
    assert "UMT 0.8100, UME 0.7900" in sel and "as recorded at selection" in sel

    gaps = _section(text, "Training data")
    assert "Not available for this model: myl (DNA methylation)" in gaps
    assert "microarray" in gaps and "RNA-seq" in gaps and "SLKG 2.0" in gaps
    assert "segment" in gaps
    assert "60 SL (positive), 2,514 non-SL" in gaps
    assert "mut 417, cna 529, exp 72" in gaps and "533" in gaps
    assert "`38a6298bc05b01d5`" in gaps
    train = _section(text, "Training")
    assert "omics 41, kg 37, umt 52" in train and "302" in train and "Device: cpu" in train


def test_card_with_a_minimal_manifest_says_not_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "X"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "name": "X",
                "format_version": 1,
                "strategy": "ume",
                "files": {"model.npz": {}},
                "n_genes": 10,
            }
        )
    )
    text = write_model_card(folder).read_text(encoding="utf-8")
    assert f"Per-fold metrics of the selected strategy: {NOT_RECORDED}." in text
    assert f"| cross-validation scenario | {NOT_RECORDED} |" in text
    assert "## Limitations" in text and "not calibrated probabilities" in text
    assert "Selected: **UME**" in text
    # odd shapes do not crash the renderer either
    render_model_card(
        {
            "name": "Y",
            "strategy": "umt",
            "metrics": {"umt": [{"val_auc": 0.7}, {"val_auc": None}]},
            "kg": "a string",
            "labels": [],
            "training": {"epochs_run": 3},
        }
    )


def test_card_leaves_the_bundle_loadable(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path / "OV", "OV", n_genes=60, n_folds=2, strategy="ume", seed=2)
    write_model_card(folder)
    man = read_manifest(folder)
    assert CARD_FILE not in man["files"]
    Bundle.load(folder, verify="full")


def test_card_needs_a_manifest(tmp_path: Path) -> None:
    from synleaf_desktop.bundle.format import BundleError

    with pytest.raises(BundleError, match=r"manifest.json"):
        write_model_card(tmp_path)
