"""Omics encoder: shapes for K = 1..4, PoE on hand values, grouped == naive per-VAE."""

from __future__ import annotations

import math

import pytest
import torch

from synleaf_desktop.model.omics import (
    OmicsEncoder,
    cross_poe,
    kl_standard_normal,
    product_of_experts,
)
from synleaf_desktop.model.omics_naive import NaiveOmicsEncoder, grouped_state_from_naive


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny ops: one thread is faster on a shared machine
    yield
    torch.set_num_threads(old)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_shapes_and_kl_for_every_k(k):
    torch.manual_seed(0)
    enc = OmicsEncoder(k, in_dim=11, hidden_dims=[16, 8], latent_dim=6)
    x = torch.randn(k, 5, 11)
    out = enc(x)
    assert out.emb.shape == (5, 6)
    assert out.kl_self.shape == (5,) and out.kl_cross.shape == (5,)
    assert torch.isfinite(out.emb).all()
    if k == 1:  # no cross experts: prior mean, zero cross KL
        assert torch.equal(out.kl_cross, torch.zeros(5))
    else:
        assert (out.kl_cross > 0).all()
    out.emb.sum().backward()
    assert enc.w_in.grad is not None and enc.w_in.grad.abs().sum() > 0
    enc.eval()
    a, b = enc(x).emb, enc(x).emb
    assert torch.equal(a, b)  # eval is deterministic (z = mu)


def test_k1_projection_sees_zero_cross_token():
    torch.manual_seed(1)
    enc = OmicsEncoder(1, in_dim=7, hidden_dims=[8], latent_dim=4).eval()
    x = torch.randn(1, 3, 7)
    mu, _ = enc.vae_params(x)
    expected = enc.proj(torch.cat([mu[0, 0], torch.zeros(3, 4)], dim=1))
    assert torch.allclose(enc(x).emb, expected)


def test_product_of_experts_hand_values():
    # expert 1: mu 1, var 1 (logvar 0); expert 2: mu 3, var 1/3 (logvar -log 3)
    mu = torch.tensor([[1.0], [3.0]])
    lv = torch.tensor([[0.0], [-math.log(3.0)]])
    m, v = product_of_experts(mu, lv)
    # precision 1 + 3 = 4 -> var 1/4; mean (1*1 + 3*3) / 4 = 2.5
    assert torch.allclose(m, torch.tensor([2.5]))
    assert torch.allclose(v, torch.tensor([math.log(0.25)]))
    # KL(N(0,1) || N(0,1)) = 0; KL(N(1, e^0)) = 0.5
    assert torch.allclose(
        kl_standard_normal(torch.tensor([0.0, 1.0]), torch.zeros(2)), torch.tensor([0.0, 0.5])
    )


def test_cross_poe_excludes_self_expert():
    k = 3
    mu = torch.arange(9.0).view(k, k, 1, 1)
    lv = torch.zeros(k, k, 1, 1)  # equal precisions: PoE mean = mean of the cross experts
    m, v = cross_poe(mu, lv)
    for i in range(k):
        others = [mu[i, j, 0, 0].item() for j in range(k) if j != i]
        assert m[i, 0, 0].item() == pytest.approx(sum(others) / 2)
        assert v[i, 0, 0].item() == pytest.approx(-math.log(2.0))


@pytest.mark.parametrize("k,hidden", [(1, [12]), (3, [12, 10]), (4, [9, 7, 5])])
@pytest.mark.parametrize("standard", [False, True])
def test_grouped_equals_naive(k, hidden, standard):
    torch.manual_seed(2)
    s, b, d = 13, 6, 5
    naive = NaiveOmicsEncoder(k, s, hidden, d, dropout=0.0, standard_heads=standard)
    grouped = OmicsEncoder(k, s, hidden, d, dropout=0.0, standard_heads=standard)
    with torch.no_grad():  # non-trivial BN state
        for m in naive.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
    grouped.load_state_dict(grouped_state_from_naive(naive.state_dict(), k, len(hidden)))
    x = torch.randn(k, b, s, dtype=torch.float64)
    naive.double()
    grouped.double()
    # train mode (batch statistics; z = mu + eps*sigma with the same eps stream)
    torch.manual_seed(3)
    xn = x.clone().requires_grad_(True)
    on = naive(xn)
    torch.manual_seed(3)
    xg = x.clone().requires_grad_(True)
    og = grouped(xg)
    for a, c in ((on.kl_self, og.kl_self), (on.kl_cross, og.kl_cross)):
        assert torch.allclose(a, c, atol=1e-10)
    # the sampling order differs between implementations, so compare gradients on eval-mode
    # means and on the KL terms (which do not depend on the noise)
    (on.kl_self.sum() + 0.5 * on.kl_cross.sum()).backward()
    (og.kl_self.sum() + 0.5 * og.kl_cross.sum()).backward()
    assert torch.allclose(xn.grad, xg.grad, atol=1e-10)
    gn = grouped_state_from_naive(
        {
            n: p.grad if p.grad is not None else torch.zeros_like(p)
            for n, p in naive.named_parameters()
        }
        | {
            n: bufv
            for n, bufv in naive.state_dict().items()
            if "running" in n or "num_batches" in n
        },
        k,
        len(hidden),
    )
    for name, p in grouped.named_parameters():
        if name.startswith("proj"):
            continue
        assert torch.allclose(p.grad, gn[name], atol=1e-10), name
    # running statistics were updated identically
    sd = grouped_state_from_naive(naive.state_dict(), k, len(hidden))
    for name, v in grouped.state_dict().items():
        if "running" in name:
            assert torch.allclose(v, sd[name], atol=1e-12), name
    naive.eval()
    grouped.eval()
    xn = x.clone().requires_grad_(True)
    xg = x.clone().requires_grad_(True)
    en, eg = naive(xn).emb, grouped(xg).emb
    assert torch.allclose(en, eg, atol=1e-10)
    w = torch.randn_like(en)
    (en * w).sum().backward()
    (eg * w).sum().backward()
    assert torch.allclose(xn.grad, xg.grad, atol=1e-10)
