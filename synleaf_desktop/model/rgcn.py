"""A relational GCN layer that only computes the rows it needs (METHOD §2.2).

Same maths as PyG ``RGCNConv(in, out, R, aggr="mean")`` without basis decomposition
(the relation-by-relation path, i.e. no pyg-lib)::

    h_i' = h_i W_root + b + sum_r mean_{j in N_r(i)} h_j W_r

and the same parameter layout (``weight`` [R, in, out], ``root`` [in, out], ``bias`` [out]),
so weights copy across unchanged. It is fast because:

1. it aggregates first and transforms after (mean_j h_j W_r = (mean_j h_j) W_r), with one
   sparse CSR matrix per layer whose rows are the (destination, relation) groups and whose
   values are 1/|N_r(i)| (duplicate edges count with their multiplicity, as in PyG);
2. it computes outputs only for the destinations asked for: the last layer for the target
   entities, the layer before for their in-neighbours (and themselves, for the root term),
   and so on (a :class:`RGCNPlan` built by :meth:`RelGraph.plan`, cached per node set);
3. the per-relation matmul runs only over the groups of that relation (rows are sorted by
   relation, so each relation is one contiguous slice).

With L layers, mean aggregation and complete in-neighbourhoods, the outputs equal a
full-graph pass for those nodes.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


class _SpMM(torch.autograd.Function):
    """``mat @ x`` for a CSR ``mat`` with a precomputed CSR transpose for the backward."""

    @staticmethod
    def forward(ctx, mat, mat_t, x):
        ctx.mat_t = mat_t
        return torch.sparse.mm(mat, x)

    @staticmethod
    def backward(ctx, grad):
        return None, None, torch.sparse.mm(ctx.mat_t, grad.contiguous())


@dataclass
class LayerOp:
    """Everything one layer needs to compute its destination rows.

    Attributes:
        n_dst: number of destination rows (output rows of the layer).
        n_src: number of rows of the layer input.
        q_dst: int64 [Q], destination row of each (destination, relation) group.
        rel_bounds: R+1 ints; groups of relation r are rows rel_bounds[r]:rel_bounds[r+1].
        root_index: int64 [n_dst], row of each destination in the layer input.
        rows, cols, vals: the mean matrix as COO triplets, [nnz] each (row = group).
        mat, mat_t: the same as CSR [Q, n_src] and its transpose [n_src, Q] (None on
            devices without sparse CSR matmul; a gather + index_add path is used there).
    """

    n_dst: int
    n_src: int
    q_dst: torch.Tensor
    rel_bounds: list[int]
    root_index: torch.Tensor
    rows: torch.Tensor
    cols: torch.Tensor
    vals: torch.Tensor
    mat: torch.Tensor | None = None
    mat_t: torch.Tensor | None = None

    def aggregate(self, x: torch.Tensor) -> torch.Tensor:
        """Per-(destination, relation) means of the input rows: x [n_src, C] -> [Q, C]."""
        if self.mat is not None:
            mat, mat_t = self.mat, self.mat_t
            assert mat_t is not None  # built together with mat
            if mat.dtype != x.dtype:
                mat, mat_t = mat.to(x.dtype), mat_t.to(x.dtype)
            return _SpMM.apply(mat, mat_t, x)
        msg = x.index_select(0, self.cols) * self.vals.to(x.dtype)[:, None]
        return x.new_zeros(len(self.q_dst), x.shape[1]).index_add(0, self.rows, msg)

    def to(self, device: torch.device, use_sparse: bool) -> LayerOp:
        mv = lambda t: t.to(device)  # noqa: E731
        return LayerOp(
            self.n_dst,
            self.n_src,
            mv(self.q_dst),
            self.rel_bounds,
            mv(self.root_index),
            mv(self.rows),
            mv(self.cols),
            mv(self.vals),
            mv(self.mat) if use_sparse and self.mat is not None else None,
            mv(self.mat_t) if use_sparse and self.mat_t is not None else None,
        )


@dataclass
class RGCNPlan:
    """Layer operations for one set of target entities.

    Attributes:
        targets: int64 [T], sorted unique entity ids whose last-layer outputs are computed.
        ops: one :class:`LayerOp` per layer, first layer first. The first layer reads the
            full entity table (its ``n_src`` is the number of entities).
        layer_nodes: entity ids of each layer's destination rows (last = targets).
    """

    targets: torch.Tensor
    ops: list[LayerOp]
    layer_nodes: list[torch.Tensor]


def _build_op(
    src: torch.Tensor,
    dst: torch.Tensor,
    rel: torch.Tensor,
    n_dst: int,
    n_src: int,
    num_relations: int,
    root_index: torch.Tensor,
) -> LayerOp:
    """Mean matrix of one layer. src: input rows [E'], dst: output rows [E'], rel: [E']."""
    key = rel * n_dst + dst  # group id, sorted by relation then destination
    comb, _ = torch.sort(key * n_src + src)
    ucomb, mult = torch.unique_consecutive(comb, return_counts=True)
    ukey = torch.div(ucomb, n_src, rounding_mode="floor")
    cols = ucomb - ukey * n_src
    gkey, rows, per_group = torch.unique_consecutive(ukey, return_inverse=True, return_counts=True)
    deg = torch.zeros(len(gkey), dtype=torch.float64).index_add_(0, rows, mult.double())
    vals = (mult.double() / deg[rows]).float()
    q_rel = torch.div(gkey, n_dst, rounding_mode="floor")
    q_dst = gkey - q_rel * n_dst
    bounds = torch.searchsorted(q_rel, torch.arange(num_relations + 1)).tolist()
    q = len(gkey)
    crow = torch.zeros(q + 1, dtype=torch.int64)
    crow[1:] = torch.cumsum(per_group, 0)
    order = torch.argsort(cols * max(q, 1) + rows)
    crow_t = torch.zeros(n_src + 1, dtype=torch.int64)
    crow_t[1:] = torch.cumsum(torch.bincount(cols, minlength=n_src), 0)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ss]parse.*")
        mat = torch.sparse_csr_tensor(crow, cols, vals, (q, n_src), check_invariants=False)
        mat_t = torch.sparse_csr_tensor(
            crow_t, rows[order], vals[order], (n_src, q), check_invariants=False
        )
    return LayerOp(n_dst, n_src, q_dst, bounds, root_index, rows, cols, vals, mat, mat_t)


class RelGraph:
    """A typed directed graph indexed by destination, for :class:`FastRGCNConv` plans.

    Args:
        edge_index: int [2, E] (source, target); messages flow source -> target.
        edge_type: int [E] in [0, R).
        num_nodes: N entities.
        num_relations: R.
        cache_size: plans kept for reuse (full-batch training reuses one node set per split).
    """

    def __init__(
        self, edge_index, edge_type, num_nodes: int, num_relations: int, cache_size: int = 6
    ) -> None:
        ei = torch.as_tensor(np.asarray(edge_index), dtype=torch.int64)
        et = torch.as_tensor(np.asarray(edge_type), dtype=torch.int64)
        if ei.dim() != 2 or ei.shape[0] != 2 or et.shape != (ei.shape[1],):
            raise ValueError(
                f"edge_index must be [2, E] and edge_type [E]; got {list(ei.shape)}, {list(et.shape)}"
            )
        if ei.numel() and (int(ei.min()) < 0 or int(ei.max()) >= num_nodes):
            raise ValueError("edge_index holds an entity index outside [0, num_nodes)")
        if et.numel() and (int(et.min()) < 0 or int(et.max()) >= num_relations):
            raise ValueError("edge_type holds a relation outside [0, num_relations)")
        self.num_nodes = int(num_nodes)
        self.num_relations = int(num_relations)
        self.num_edges = int(ei.shape[1])
        order = torch.argsort(ei[1] * num_relations + et, stable=True)
        self._src = ei[0, order].contiguous()
        self._rel = et[order].contiguous()
        self._ptr = torch.zeros(num_nodes + 1, dtype=torch.int64)
        self._ptr[1:] = torch.cumsum(torch.bincount(ei[1], minlength=num_nodes), 0)
        self._cache: OrderedDict[tuple, RGCNPlan] = OrderedDict()
        self.cache_size = cache_size

    @classmethod
    def from_context_kg(cls, kg) -> RelGraph:
        """From a :class:`~synleaf_desktop.data.context.ContextKG`."""
        return cls(kg.edge_index, kg.edge_type, kg.num_entities, kg.num_relations)

    def in_edges(self, nodes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """All edges into ``nodes`` (int64 [n]).

        Returns:
            (src entity ids, position of the destination in ``nodes``, relation), each [E'].
        """
        starts = self._ptr[nodes]
        lens = self._ptr[nodes + 1] - starts
        dst_local = torch.repeat_interleave(torch.arange(len(nodes)), lens)
        first = torch.cumsum(lens, 0) - lens
        pos = torch.arange(int(lens.sum())) - first[dst_local] + starts[dst_local]
        return self._src[pos], dst_local, self._rel[pos]

    def plan(
        self, targets: torch.Tensor, num_layers: int, device: torch.device | str = "cpu"
    ) -> RGCNPlan:
        """The layer operations computing ``num_layers`` layers for ``targets``.

        Args:
            targets: int64 [T], sorted unique entity ids (CPU or device).
        """
        targets = targets.detach().to("cpu", torch.int64).contiguous()
        device = torch.device(device)
        digest = hashlib.blake2b(targets.numpy().tobytes(), digest_size=16).hexdigest()
        key = (digest, len(targets), num_layers, str(device))
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        if len(targets) and (int(targets.min()) < 0 or int(targets.max()) >= self.num_nodes):
            raise ValueError("target entity outside the graph")
        ops_rev: list[LayerOp] = []
        nodes_rev = [targets]
        cur = targets
        for layer in reversed(range(num_layers)):
            src, dst_local, rel = self.in_edges(cur)
            if layer == 0:
                prev = None
                src_local, root, n_src = src, cur, self.num_nodes
            else:
                prev = torch.unique(torch.cat([cur, src]))
                src_local = torch.searchsorted(prev, src)
                root = torch.searchsorted(prev, cur)
                n_src = len(prev)
            ops_rev.append(
                _build_op(src_local, dst_local, rel, len(cur), n_src, self.num_relations, root)
            )
            if prev is not None:
                nodes_rev.append(prev)
                cur = prev
        use_sparse = device.type in ("cpu", "cuda")
        ops = [op.to(device, use_sparse) for op in reversed(ops_rev)]
        plan = RGCNPlan(targets.to(device), ops, [n.to(device) for n in reversed(nodes_rev)])
        self._cache[key] = plan
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return plan

    def clear_cache(self) -> None:
        self._cache.clear()


class FastRGCNConv(nn.Module):
    """RGCN layer equal to PyG ``RGCNConv(in, out, R)`` (mean, root weight, bias, no bases),
    computed only for the destinations of a :class:`LayerOp`.

    Parameters: ``weight`` [R, in, out], ``root`` [in, out], ``bias`` [out] (PyG layout).
    """

    def __init__(
        self, in_channels: int, out_channels: int, num_relations: int, bias: bool = True
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_relations = num_relations
        self.weight = nn.Parameter(torch.empty(num_relations, in_channels, out_channels))
        self.root = nn.Parameter(torch.empty(in_channels, out_channels))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self) -> None:
        """PyG's defaults: glorot on ``weight`` (per [in, out] slice) and ``root``, zero bias."""
        bound = math.sqrt(6.0 / (self.in_channels + self.out_channels))
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.root, -bound, bound)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor, op: LayerOp) -> torch.Tensor:
        """x: [op.n_src, in] -> [op.n_dst, out]."""
        parts = []
        if len(op.q_dst):
            agg = op.aggregate(x)
            b = op.rel_bounds
            for r in range(self.num_relations):
                if b[r + 1] > b[r]:
                    parts.append(agg[b[r] : b[r + 1]] @ self.weight[r])
        out = x.index_select(0, op.root_index) @ self.root
        if self.bias is not None:
            out = out + self.bias
        if parts:
            out = out.index_add(0, op.q_dst, torch.cat(parts))
        return out

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, num_relations={self.num_relations}"
