"""The pair-aware score of a model trained in the app (issue 13, part 4): fitted on the new
bundle's own folds by :func:`synleaf_desktop.app.pair_aware.fit_pair_aware`, chosen by the rule
of the built-in models, recorded in the manifest and card, and ranked by ``finish_bundle``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synleaf_desktop.app.bundles import finish_bundle
from synleaf_desktop.app.pair_aware import fit_pair_aware
from synleaf_desktop.bundle.format import Bundle
from synleaf_desktop.bundle.validate import validate_bundle
from synleaf_desktop.bundle.writer import add_bundle_member, write_bundle
from synleaf_desktop.scoring.context import ContextScorer
from synleaf_desktop.scoring.evidence import pack_bits
from synleaf_desktop.scoring.pair_scorer import PairAwareScorer, make_scorer
from synleaf_desktop.train.pair_aware import VARIANT_INPUTS as VARIANTS
from tests.bundle_fixtures import symbol_pool, synthetic_folds, synthetic_metrics

G, FOLDS, TUMOURS = 120, 3, 200


def _bundle(tmp_path, with_splits: bool = True):
    """A UMT bundle whose labels are pair-specific: genes 0-59 are lost only in tumours
    0-99, genes 60-119 only in tumours 100-199, and the SL pairs are exactly the pairs across
    the two groups (never lost together), the non-SL pairs those within a group (lost together
    more often than by chance). The fold models' scores know nothing of it."""
    rng = np.random.default_rng(3)
    genes = symbol_pool(G, seed=5)
    folds = synthetic_folds(G, FOLDS, "umt", 5)
    rows, seen = [], set()
    while len(rows) < 900:
        i, j = (int(x) for x in rng.integers(0, G, 2))
        key = (min(i, j), max(i, j))
        if i == j or key in seen:
            continue
        seen.add(key)
        rows.append((i, j, int((i < G // 2) != (j < G // 2))))
    pairs = np.array(rows, np.int64)
    part = rng.integers(0, FOLDS, len(pairs))
    splits = [
        {
            "train": pairs[(part != k) & (part != (k + 1) % FOLDS)],
            "val": pairs[part == (k + 1) % FOLDS],
            "test": pairs[part == k],
        }
        for k in range(FOLDS)
    ]
    manifest = {
        "cancer": "PA",
        "description": "synthetic pair-aware training test",
        "cv": "CV2",
        "metrics": synthetic_metrics("umt", FOLDS, 5),
        "omics": ["mut", "cna"],
        "sample_counts": {"mut": TUMOURS, "cna": TUMOURS},
        "kg": {"id": "synthetic", "version": "0"},
        "data_checksums": {},
        "seed": 5,
        "synthetic": True,
    }
    folder = write_bundle(
        tmp_path / "PA",
        "PA",
        np.array(genes),
        folds,
        "umt",
        manifest,
        dtype="float32",
        split_pairs=splits if with_splits else None,
    )
    calls = np.zeros((G, TUMOURS), bool)
    calls[: G // 2, : TUMOURS // 2] = rng.random((G // 2, TUMOURS // 2)) < 0.3
    calls[G // 2 :, TUMOURS // 2 :] = rng.random((G - G // 2, TUMOURS - TUMOURS // 2)) < 0.3
    arrays = {
        "inact_bits": pack_bits(calls),
        "profile_counts": np.zeros((G, 5), np.int32),
        "profiled": np.full(5, TUMOURS, np.int32),
        "gene_types": np.full(G, 3, np.uint8),
        "samples": np.array([f"T{k}" for k in range(TUMOURS)]),
        "meta_json": np.array(json.dumps({"description": "generated"})),
    }
    add_bundle_member(folder, "evidence.npz", arrays, "evidence", {"file": "evidence.npz"})
    return folder


def test_pair_specific_labels_choose_the_pair_aware_score(tmp_path):
    folder = _bundle(tmp_path)
    entry = fit_pair_aware(folder)
    f = entry["figures"]
    assert entry["chosen"] is True and entry["variant"] in VARIANTS
    assert entry["folds"] == FOLDS and entry["stack_inputs"] == list(VARIANTS[entry["variant"]])
    # the cohort separates the pairs; the fold models do not
    assert f["test_auc_pair_aware"] > 0.9 > 0.7 > f["test_auc_selected"]
    assert f["repaired_auc_pair_aware"] > f["repaired_auc_selected"]
    assert f["fold_wins_test_auc"] == FOLDS
    validate_bundle(folder)
    m = json.loads((folder / "manifest.json").read_text())
    assert m["pair_aware"]["chosen"] is True and m["pair_aware"]["file"] == "pair_model.npz"
    card = (folder / "MODEL_CARD.md").read_text()
    assert (
        f"| mean of {FOLDS} folds |" in card
        and "Chosen default score for this context: **pair-aware**" in card
    )
    b = Bundle.load(folder)
    assert isinstance(make_scorer(b), PairAwareScorer)
    # finishing ranks the pair-aware score
    finish_bundle(folder, n_threads=1)
    m = json.loads((folder / "manifest.json").read_text())
    assert m["calibration"]["score_kind"] == "pair-aware"


def test_finish_fits_it_before_the_rank_map(tmp_path):
    """``finish_bundle(pair_aware=True)``, the path of app training, fits, chooses and ranks."""
    folder = _bundle(tmp_path)
    out = finish_bundle(folder, n_threads=1, pair_aware=True)
    assert out["pair_aware"]["chosen"] is True
    m = json.loads((folder / "manifest.json").read_text())
    assert m["calibration"]["score_kind"] == "pair-aware"
    assert m["evidence"]["file"] == "evidence.npz"


def test_deterministic(tmp_path):
    a = fit_pair_aware(_bundle(tmp_path / "a"))
    b = fit_pair_aware(_bundle(tmp_path / "b"))
    assert a == b
    za = np.load(tmp_path / "a" / "PA" / "pair_model.npz")
    zb = np.load(tmp_path / "b" / "PA" / "pair_model.npz")
    for k in za.files:
        np.testing.assert_array_equal(za[k], zb[k])


def test_without_split_pairs_it_says_why(tmp_path):
    folder = _bundle(tmp_path, with_splits=False)
    entry = fit_pair_aware(folder)
    assert entry["chosen"] is False and "no split pairs" in entry["reason"]
    assert not (folder / "pair_model.npz").exists()
    m = json.loads((folder / "manifest.json").read_text())
    assert m["pair_aware"] == entry
    assert "no split pairs" in (folder / "MODEL_CARD.md").read_text()
    assert type(make_scorer(Bundle.load(folder))) is ContextScorer


def test_not_chosen_when_the_fold_models_win(tmp_path, monkeypatch):
    """Where the rule fails, the figures are recorded with ``chosen`` false and the bundle's
    score stays the fold models'."""
    import synleaf_desktop.app.pair_aware as PAW

    folder = _bundle(tmp_path)
    monkeypatch.setattr(PAW, "rule_met", lambda *a: False)
    entry = fit_pair_aware(folder)
    assert entry["chosen"] is False and "figures" in entry
    assert not (folder / "pair_model.npz").exists()
    validate_bundle(folder)
    assert type(make_scorer(Bundle.load(folder))) is ContextScorer
    card = (folder / "MODEL_CARD.md").read_text()
    assert "Chosen default score for this context: **UMT**" in card


@pytest.mark.parametrize(
    "test_pa, test_sel, rep_pa, rep_sel, met",
    [
        (0.70, 0.60, 0.55, 0.50, True),
        (0.70, 0.60, 0.50, 0.50, True),  # re-paired AUC equal: not lower
        (0.70, 0.60, 0.49, 0.50, False),  # re-paired AUC lower
        (0.60, 0.60, 0.60, 0.50, False),  # test AUC not higher
        (0.70, 0.60, float("nan"), 0.50, True),  # no controls could be drawn: not compared
    ],
)
def test_rule(test_pa, test_sel, rep_pa, rep_sel, met):
    from synleaf_desktop.train.pair_aware import rule_met as _rule_met

    assert _rule_met(test_pa, test_sel, rep_pa, rep_sel) is met
