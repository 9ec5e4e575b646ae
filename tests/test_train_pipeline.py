"""The full fold pipeline on a tiny synthetic context: determinism, checkpoints, cancel and
resume, exported arrays == torch eval, transfer, K = 1, teacher modes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from synleaf_desktop.errors import CancelledError, InputError
from synleaf_desktop.model.nets import ModelSpec, OmicsModel
from synleaf_desktop.progress import Progress
from synleaf_desktop.train.config import TrainConfig
from synleaf_desktop.train.data import ContextTensors, fold_pairs
from synleaf_desktop.train.export import fold_arrays
from synleaf_desktop.train.fold import load_fold_models, run_fold
from synleaf_desktop.train.stages import split_genes
from synleaf_desktop.train.synthetic import synthetic_context


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny ops: 1 thread is faster and deterministic
    yield
    torch.set_num_threads(old)


def tiny_cfg(**kw) -> TrainConfig:
    base = dict(
        hidden_dims=[8],
        latent_dim=4,
        kg_dims=[4, 8, 4],
        max_epochs=3,
        patience=0,
        patience_steps=0,
        batch_size=32,
        checkpoint_every_s=0.0,
    )
    base.update(kw)
    return TrainConfig(**base)


@pytest.fixture(scope="module")
def ctx():
    return synthetic_context(genes=50, omics=2, samples=10, terms=12, pairs=160, seed=3)


def _metrics_core(m: dict) -> dict:
    return {k: m[k] for k in ("val", "test", "test_both_orders", "best_epoch", "epochs_run")}


@pytest.fixture(scope="module")
def reference_run(ctx, tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("ref")
    return out, run_fold(ctx, 1, 1, out, tiny_cfg(), "cpu")


def test_fold_outputs_and_history(reference_run):
    out, m = reference_run
    fold = out / "SYN" / "cv1" / "fold1"
    assert sorted(p.name for p in fold.iterdir()) == [
        "history.json",
        "kg.pt",
        "metrics.json",
        "omics.pt",
        "umt.pt",
    ]
    for part in ("val", "test"):
        assert set(m[part]) == {"only_omics", "only_kg", "umt", "ume"}
        for strat in m[part].values():
            assert 0.0 <= strat["auc"] <= 1.0 and set(strat) >= {
                "auc",
                "aupr",
                "f1_best",
                "f1_at_0.5",
            }
    assert m["epochs_run"] == {"omics": 3, "kg": 3, "umt": 3}
    assert m["peak_rss_bytes"]["umt"] > 0 and m["wall_s"]["total"] > 0
    hist = json.loads((fold / "history.json").read_text())
    assert [len(hist[s]) for s in ("omics", "kg", "umt")] == [3, 3, 3]
    assert (
        all(r["grad_norm_omics"] > 0 for r in hist["omics"])
        and "grad_norm_kg" not in hist["omics"][0]
    )
    assert all(r["grad_norm_kg"] > 0 for r in hist["kg"])
    assert all(
        r["grad_norm_omics"] > 0 and r["grad_norm_kg"] > 0 and r["distill"] > 0 for r in hist["umt"]
    )
    # best epoch = argmax of the validation AUC (first on ties)
    aucs = [r["val_auc"] for r in hist["umt"]]
    assert m["best_epoch"]["umt"] == int(np.argmax(aucs)) + 1
    # UME = mean of the teachers' probabilities, checked on the stored val metrics' inputs below
    assert m["val"]["ume"]["n"] == m["val"]["umt"]["n"]


def test_same_seed_same_metrics(ctx, tmp_path, reference_run):
    again = run_fold(ctx, 1, 1, tmp_path, tiny_cfg(), "cpu")
    assert _metrics_core(again) == _metrics_core(reference_run[1])


def test_checkpoint_round_trip_weights_only(ctx, reference_run):
    fold = reference_run[0] / "SYN" / "cv1" / "fold1"
    ck = torch.load(fold / "omics.pt", map_location="cpu", weights_only=True)
    assert ck["complete"] and ck["stage"] == "omics" and len(ck["history"]) == ck["epochs_run"]
    assert (
        ck["optimizer"]["steps"] > 0
        and ck["best_epoch"] == reference_run[1]["best_epoch"]["only_omics"]
    )
    model = OmicsModel(ModelSpec.from_dict(ck["spec"]))
    model.load_state_dict(ck["model"])
    for k, v in model.state_dict().items():
        assert torch.equal(v, ck["model"][k])
    # the stored best-epoch weights reproduce the recorded validation AUC
    from synleaf_desktop.train.metrics import pair_metrics
    from synleaf_desktop.train.stages import OmicsStage

    tensors = ContextTensors.from_context(ctx, torch.device("cpu"))
    stage = OmicsStage(model.eval(), tensors, TrainConfig().resolved(False))
    val = fold_pairs(ctx, 1, 1)["val"]
    auc = pair_metrics(val[:, 2].numpy(), torch.sigmoid(stage.logits(val)).numpy())["auc"]
    assert auc == pytest.approx(reference_run[1]["val"]["only_omics"]["auc"], abs=1e-12)


def test_cancel_mid_training_then_resume_gives_same_result(ctx, tmp_path, reference_run):
    def cb(fraction, message, info):
        if info.get("stage") == "kg" and info.get("epoch") == 2:
            progress.cancel()

    progress = Progress(cb)
    with pytest.raises(CancelledError):
        run_fold(ctx, 1, 1, tmp_path, tiny_cfg(), "cpu", progress)
    fold = tmp_path / "SYN" / "cv1" / "fold1"
    names = sorted(p.name for p in fold.iterdir())
    assert names == ["kg.partial.pt", "omics.pt"]  # no final kg/umt, no metrics, no temp files
    assert not list(tmp_path.rglob("*.part"))
    partial = torch.load(fold / "kg.partial.pt", map_location="cpu", weights_only=True)
    assert partial["epoch"] == 1
    resumed = run_fold(ctx, 1, 1, tmp_path, tiny_cfg(), "cpu")
    assert resumed["resumed_from_checkpoint"] == {"omics": True, "kg": False, "umt": False}
    assert _metrics_core(resumed) == _metrics_core(reference_run[1])
    assert not (fold / "kg.partial.pt").exists()
    # a finished fold is not retrained
    assert run_fold(ctx, 1, 1, tmp_path, tiny_cfg(), "cpu") == resumed


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_scores(arr, pairs):
    a, b = pairs[:, 0], pairs[:, 1]
    d = arr["omics_teacher_emb"].shape[1]
    lo = (
        arr["omics_teacher_emb"][a] @ arr["omics_head_w"][:d]
        + arr["omics_teacher_emb"][b] @ arr["omics_head_w"][d:]
        + arr["omics_head_b"][0]
    )
    lk = (
        arr["kg_teacher_emb"][a] @ arr["kg_head_w"][:d]
        + arr["kg_teacher_emb"][b] @ arr["kg_head_w"][d:]
        + arr["kg_head_b"][0]
    )
    x = np.concatenate(
        [
            arr["omics_student_emb"][a],
            arr["omics_student_emb"][b],
            arr["kg_student_emb"][a],
            arr["kg_student_emb"][b],
        ],
        axis=1,
    )
    h = np.maximum(x @ arr["umt_w1"].T + arr["umt_b1"], 0.0)
    lu = h @ arr["umt_w2"] + arr["umt_b2"][0]
    return {
        "only_omics": lo,
        "only_kg": lk,
        "umt": lu,
        "ume": 0.5 * (_np_sigmoid(lo) + _np_sigmoid(lk)),
    }


def test_numpy_scoring_from_fold_arrays_equals_torch_eval(ctx, reference_run):
    fold = reference_run[0] / "SYN" / "cv1" / "fold1"
    tensors = ContextTensors.from_context(ctx, torch.device("cpu"))
    arr = fold_arrays(fold, ctx, tensors)
    g = ctx.num_genes
    shapes = {k: v.shape for k, v in arr.items()}
    assert shapes == {
        "omics_teacher_emb": (g, 4),
        "kg_teacher_emb": (g, 4),
        "omics_head_w": (8,),
        "omics_head_b": (1,),
        "kg_head_w": (8,),
        "kg_head_b": (1,),
        "omics_student_emb": (g, 4),
        "kg_student_emb": (g, 4),
        "umt_w1": (4, 16),
        "umt_b1": (4,),
        "umt_w2": (4,),
        "umt_b2": (1,),
    }
    assert all(v.dtype == np.float32 for v in arr.values())
    pairs = fold_pairs(ctx, 1, 1)["test"]
    np_scores = _np_scores(arr, pairs.numpy())
    models = load_fold_models(fold, tensors)
    uniq, i1, i2 = split_genes(pairs)
    with torch.no_grad():
        eo = models["omics"].encoder(tensors.omics[:, uniq]).emb
        ek = models["kg"].encoder(tensors.gene_entity[uniq])
        lo = models["omics"].head(eo[i1], eo[i2]).numpy()
        lk = models["kg"].head(ek[i1], ek[i2]).numpy()
        u = models["umt"]
        so, sk = u.omics(tensors.omics[:, uniq]).emb, u.kg(tensors.gene_entity[uniq])
        lu = u.head(so[i1], so[i2], sk[i1], sk[i2]).numpy()
    np.testing.assert_allclose(np_scores["only_omics"], lo, atol=1e-5)
    np.testing.assert_allclose(np_scores["only_kg"], lk, atol=1e-5)
    np.testing.assert_allclose(np_scores["umt"], lu, atol=1e-5)
    np.testing.assert_allclose(
        np_scores["ume"], 0.5 * (_np_sigmoid(lo) + _np_sigmoid(lk)), atol=1e-6
    )
    # and the recorded test AUCs come out of these scores
    from synleaf_desktop.train.metrics import pair_metrics

    y = pairs[:, 2].numpy()
    for strat in ("only_omics", "umt", "ume"):
        assert pair_metrics(y, np_scores[strat])["auc"] == pytest.approx(
            reference_run[1]["test"][strat]["auc"], abs=1e-6
        )


@pytest.mark.parametrize("k", [1, 4])
def test_any_number_of_omics_trains(tmp_path, k):
    c = synthetic_context(genes=40, omics=k, samples=8, terms=10, pairs=120, seed=k)
    m = run_fold(c, 1, 2, tmp_path, tiny_cfg(max_epochs=2, teacher_mode="train"), "cpu")
    assert m["spec"]["num_omics"] == k and m["epochs_run"]["umt"] == 2
    assert m["config"]["teacher_mode"] == "train"


def test_early_stopping(ctx, tmp_path):
    m = run_fold(ctx, 1, 3, tmp_path, tiny_cfg(max_epochs=40, patience=2, lr=0.0), "cpu")
    # lr 0: weights stay put (only BatchNorm running statistics move), so the validation AUC
    # stalls and every stage stops `patience` epochs after its best one
    for stage, strat in (("omics", "only_omics"), ("kg", "only_kg"), ("umt", "umt")):
        assert m["stopped_early"][stage]
        assert m["epochs_run"][stage] == m["best_epoch"][strat] + 2 < 40
    assert m["best_epoch"]["only_kg"] == 1  # no BatchNorm in the KG teacher: nothing changes


def test_early_stopping_counts_optimizer_steps(ctx, tmp_path):
    # patience 2 epochs, but at least 2 epochs' steps + 1: the stage waits 3 epochs, one more
    run_fold(ctx, 1, 3, tmp_path / "probe", tiny_cfg(max_epochs=1), "cpu")
    history = json.loads(
        (tmp_path / "probe" / ctx.name / "cv1" / "fold3" / "history.json").read_text()
    )
    steps = history["kg"][0]["steps"]
    assert steps == history["umt"][0]["steps"] > 1
    cfg = tiny_cfg(max_epochs=40, patience=2, patience_steps=2 * steps + 1, lr=0.0)
    assert cfg.resolved(pan=False).patience_epochs(steps) == 3
    m = run_fold(ctx, 1, 3, tmp_path / "run", cfg, "cpu")
    for stage, strat in (("omics", "only_omics"), ("kg", "only_kg"), ("umt", "umt")):
        assert m["stopped_early"][stage]
        assert m["epochs_run"][stage] == m["best_epoch"][strat] + 3
    assert m["config"]["patience_steps"] == 2 * steps + 1


def test_init_from_transfers_matching_weights(ctx, tmp_path, reference_run):
    src = reference_run[0] / "SYN" / "cv1" / "fold1"
    other = synthetic_context(
        genes=50, omics=2, samples=14, terms=12, pairs=160, seed=3
    )  # different S
    other.name = "OTHER"
    m = run_fold(other, 1, 1, tmp_path, tiny_cfg(max_epochs=1), "cpu", init_from=src)
    tr = m["transfer"]
    assert (
        "encoder.embedding.weight" in tr["kg"]["copied"]
        and "encoder.convs.0.weight" in tr["kg"]["copied"]
    )
    assert any(
        s.startswith("encoder.w_in") for s in tr["omics"]["skipped"]
    )  # first layer depends on S
    assert "encoder.mu_w" in tr["omics"]["copied"] and "head.fc.weight" in tr["omics"]["copied"]
    assert "kg.embedding.weight" in tr["umt"]["copied"]
    # a graph with another vocabulary cannot give its KG weights
    bad = synthetic_context(genes=50, omics=2, samples=10, terms=20, pairs=160, seed=3)
    bad.name = "BAD"
    with pytest.raises(InputError, match="graph"):
        run_fold(bad, 1, 1, tmp_path, tiny_cfg(max_epochs=1), "cpu", init_from=src)
    with pytest.raises(InputError, match="init-from"):
        run_fold(
            other, 1, 2, tmp_path, tiny_cfg(max_epochs=1), "cpu", init_from=tmp_path / "nowhere"
        )


def test_checkpoint_of_another_architecture_is_not_reused(ctx, tmp_path):
    run_fold(ctx, 1, 4, tmp_path, tiny_cfg(max_epochs=1), "cpu")
    (tmp_path / "SYN/cv1/fold4/metrics.json").unlink()
    with pytest.raises(InputError, match="another model setup"):
        run_fold(ctx, 1, 4, tmp_path, tiny_cfg(max_epochs=1, hidden_dims=[6]), "cpu")
