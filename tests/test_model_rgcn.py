"""Fast RGCN layer == torch_geometric RGCNConv (same weights), forward and gradients."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.nn import RGCNConv

from synleaf_desktop.model.kg import KGEncoder
from synleaf_desktop.model.rgcn import FastRGCNConv, RelGraph


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny ops: one thread is faster on a shared machine
    yield
    torch.set_num_threads(old)


def _graph(seed: int, n: int = 60, e: int = 400, r: int = 5):
    g = torch.Generator().manual_seed(seed)
    ei = torch.randint(0, n, (2, e), generator=g)
    ei = torch.cat([ei, ei[:, :20]], 1)  # duplicate edges count with multiplicity
    et = torch.randint(0, r, (ei.shape[1],), generator=g)
    return ei, et, n, r


def _pyg_pair(cin, cout, r, fast: FastRGCNConv) -> RGCNConv:
    ref = RGCNConv(cin, cout, r, aggr="mean")
    with torch.no_grad():
        ref.weight.copy_(fast.weight)
        ref.root.copy_(fast.root)
        ref.bias.copy_(torch.randn(cout))
        fast.bias.copy_(ref.bias)
    return ref


@pytest.mark.parametrize("seed", [0, 1])
def test_single_layer_matches_pyg_on_a_subset(seed):
    ei, et, n, r = _graph(seed)
    torch.manual_seed(seed)
    fast = FastRGCNConv(8, 6, r)
    ref = _pyg_pair(8, 6, r, fast)
    graph = RelGraph(ei, et, n, r)
    x_ref = torch.randn(n, 8, requires_grad=True)
    x_fast = x_ref.detach().clone().requires_grad_(True)
    targets = torch.tensor([0, 3, 7, 20, 41, 59])
    plan = graph.plan(targets, 1)
    out_fast = fast(x_fast, plan.ops[0])
    out_ref = ref(x_ref, ei, et)[targets]
    assert torch.allclose(out_fast, out_ref, atol=1e-5)
    w = torch.randn_like(out_ref)
    (out_ref * w).sum().backward()
    (out_fast * w).sum().backward()
    assert torch.allclose(x_fast.grad, x_ref.grad, atol=1e-5)
    for name in ("weight", "root", "bias"):
        assert torch.allclose(getattr(fast, name).grad, getattr(ref, name).grad, atol=1e-5), name


def test_two_layer_encoder_matches_full_graph_pyg():
    ei, et, n, r = _graph(5, n=80, e=500, r=4)
    torch.manual_seed(5)
    enc = KGEncoder(n, r, dims=(8, 12, 6), dropout=0.5, graph=RelGraph(ei, et, n, r)).eval()
    ref1 = _pyg_pair(8, 12, r, enc.convs[0])
    ref2 = _pyg_pair(12, 6, r, enc.convs[1])
    emb_ref = enc.embedding.weight.detach().clone().requires_grad_(True)
    ids = torch.tensor([5, 5, 17, 33, 2, 79, 17])
    out_fast = enc(ids)
    full = ref2(torch.relu(ref1(emb_ref, ei, et)), ei, et)
    out_ref = full[ids]
    assert torch.allclose(out_fast, out_ref, atol=1e-5)
    w = torch.randn_like(out_ref)
    (out_ref * w).sum().backward()
    (out_fast * w).sum().backward()
    assert torch.allclose(enc.embedding.weight.grad, emb_ref.grad, atol=1e-5)
    for fast, ref in ((enc.convs[0], ref1), (enc.convs[1], ref2)):
        for name in ("weight", "root", "bias"):
            assert torch.allclose(getattr(fast, name).grad, getattr(ref, name).grad, atol=1e-5), (
                name
            )


def test_gather_path_equals_sparse_path_and_plan_cache():
    ei, et, n, r = _graph(3)
    graph = RelGraph(ei, et, n, r)
    torch.manual_seed(0)
    conv = FastRGCNConv(4, 3, r)
    x = torch.randn(n, 4)
    op = graph.plan(torch.arange(0, n, 3), 1).ops[0]
    slow = op.to(torch.device("cpu"), use_sparse=False)
    assert slow.mat is None
    assert torch.allclose(conv(x, op), conv(x, slow), atol=1e-6)
    p1 = graph.plan(torch.arange(0, n, 3), 2)
    assert graph.plan(torch.arange(0, n, 3), 2) is p1  # cached


def test_isolated_target_gets_root_and_bias_only():
    ei = torch.tensor([[0, 1], [1, 0]])
    et = torch.tensor([0, 1])
    graph = RelGraph(ei, et, 3, 2)
    conv = FastRGCNConv(2, 2, 2)
    x = torch.randn(3, 2)
    out = conv(x, graph.plan(torch.tensor([2]), 1).ops[0])
    assert torch.allclose(out, x[2:3] @ conv.root + conv.bias)
