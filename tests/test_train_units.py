"""Metrics on hand-made examples, the UMT/UME selection rule, Lookahead, device choice."""

from __future__ import annotations

import math

import pytest
import torch

from synleaf_desktop.errors import InputError
from synleaf_desktop.train.device import resolve_device
from synleaf_desktop.train.lookahead import Lookahead
from synleaf_desktop.train.metrics import pair_metrics
from synleaf_desktop.train.optim import make_optimizer, xavier_init_
from synleaf_desktop.train.selection import scenario_selection, select_strategy


def test_metrics_hand_example():
    # ranked: 0.8 (+), 0.4 (-), 0.35 (+), 0.1 (-)
    m = pair_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert m["auc"] == pytest.approx(0.75)  # 3 of 4 positive/negative pairs ordered right
    assert m["aupr"] == pytest.approx(0.5 * 1.0 + 0.5 * (2 / 3))
    assert m["f1_best"] == pytest.approx(0.8)  # threshold 0.35: P 2/3, R 1
    assert m["f1_at_0.5"] == pytest.approx(2 / 3)  # only 0.8 called: P 1, R 1/2
    assert m["n"] == 4 and m["positives"] == 2


def test_metrics_perfect_and_single_class():
    m = pair_metrics([0, 1, 0, 1], [0.2, 0.9, 0.1, 0.6])
    assert m["auc"] == 1.0 and m["aupr"] == 1.0 and m["f1_best"] == 1.0 and m["f1_at_0.5"] == 1.0
    one = pair_metrics([1, 1], [0.2, 0.3])
    assert math.isnan(one["auc"]) and one["f1_at_0.5"] == 0.0


def test_selection_rule_strict_greater_tie_goes_to_ume():
    assert select_strategy([0.8, 0.9], [0.85, 0.84]) == "umt"  # 0.85 > 0.845
    assert select_strategy([0.8, 0.9], [0.9, 0.8]) == "ume"  # tie
    assert select_strategy([0.7], [0.71]) == "ume"
    assert select_strategy([None, 0.9], [0.8, 0.8]) == "umt"  # NaN folds left out
    assert select_strategy([None], [0.5]) == "ume"
    folds = [
        {"fold": k, "val": {"umt": {"auc": a}, "ume": {"auc": b}}}
        for k, a, b in ((1, 0.7, 0.6), (2, 0.6, 0.6))
    ]
    sel = scenario_selection(folds)
    assert (
        sel["selected"] == "umt"
        and sel["umt_val_auc"] == pytest.approx(0.65)
        and sel["folds"] == [1, 2]
    )


def test_lookahead_schedule_and_state_round_trip():
    p = torch.nn.Parameter(torch.tensor([0.0]))
    inner = torch.optim.SGD([p], lr=1.0)
    la = Lookahead(inner, k=2, alpha=0.5)
    traj = []
    for _ in range(5):
        p.grad = torch.tensor([-1.0])  # each inner step adds 1
        la.step()
        traj.append(p.item())
    # step 1: fast 1, slow created = 1 -> 1; step 2: 2; step 3: fast 3, slow 1 + 0.5*(3-1) = 2 -> 2;
    # step 4: 3; step 5: fast 4, slow 2 + 0.5*(4-2) = 3 -> 3
    assert traj == [1.0, 2.0, 2.0, 3.0, 3.0]
    sd = la.state_dict()
    q = torch.nn.Parameter(torch.tensor([3.0]))
    la2 = Lookahead(torch.optim.SGD([q], lr=1.0), k=2, alpha=0.5)
    la2.load_state_dict(sd)
    for opt, param in ((la, p), (la2, q)):
        param.grad = torch.tensor([-1.0])
        opt.step()
    assert p.item() == q.item() and la2.steps == 6


def test_optimizer_groups_and_xavier():
    m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    opt = make_optimizer(m)
    decay, no_decay = opt.param_groups
    assert decay["weight_decay"] == 1e-4 and no_decay["weight_decay"] == 0.0
    assert len(decay["params"]) == 2 and len(no_decay["params"]) == 2  # linear/bn weights vs biases
    assert isinstance(opt.optimizer, torch.optim.RAdam)
    torch.manual_seed(0)
    xavier_init_(m)
    bound = math.sqrt(6 / 7)
    assert m[0].weight.abs().max() <= bound and torch.equal(m[1].weight, torch.ones(3))


def test_device_choice():
    assert resolve_device("cpu").type == "cpu"
    auto = resolve_device("auto")
    assert auto.type == ("cuda" if torch.cuda.is_available() else auto.type)
    if not torch.cuda.is_available():
        with pytest.raises(InputError, match="CUDA"):
            resolve_device("cuda:0")
    with pytest.raises(InputError, match="unknown device"):
        resolve_device("tpu")
