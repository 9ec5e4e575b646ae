"""KG encoder: learnable entity embeddings + a 2-layer relational GCN (METHOD §2.2)."""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from .rgcn import FastRGCNConv, RelGraph


class KGEncoder(nn.Module):
    """Entity embeddings [N, d0] -> RGCN d0 -> d1 -> ... -> d_L (default 128 -> 256 -> 128).

    Between layers: dropout (0.5, training only) then ReLU; nothing after the last layer.
    Only the rows the targets need are computed (:class:`~.rgcn.RelGraph` plans), which equals
    a full-graph pass for those entities.

    Args:
        num_entities: N.
        num_relations: R.
        dims: channel sizes, input first.
        dropout: graph dropout between layers.
        graph: the :class:`RelGraph` (not part of the state dict; see :meth:`set_graph`).
    """

    def __init__(
        self,
        num_entities: int,
        num_relations: int,
        dims=(128, 256, 128),
        dropout: float = 0.5,
        graph: RelGraph | None = None,
    ) -> None:
        super().__init__()
        dims = [int(d) for d in dims]
        if len(dims) < 2:
            raise ValueError("dims needs an input and at least one layer output")
        self.num_entities = int(num_entities)
        self.num_relations = int(num_relations)
        self.dims = dims
        self.dropout = float(dropout)
        self.embedding = nn.Embedding(self.num_entities, dims[0])
        self.convs = nn.ModuleList(
            FastRGCNConv(a, b, self.num_relations) for a, b in itertools.pairwise(dims)
        )
        self.graph = graph

    def set_graph(self, graph: RelGraph) -> None:
        if graph.num_nodes != self.num_entities or graph.num_relations != self.num_relations:
            raise ValueError(
                f"graph has {graph.num_nodes} entities / {graph.num_relations} relations, "
                f"encoder expects {self.num_entities} / {self.num_relations}"
            )
        self.graph = graph

    def forward(self, entity_ids: torch.Tensor) -> torch.Tensor:
        """entity_ids: int64 [B] (repeats allowed) -> [B, d_L]."""
        if self.graph is None:
            raise RuntimeError("KGEncoder has no graph; call set_graph() first")
        uniq, inv = torch.unique(entity_ids, return_inverse=True)
        plan = self.graph.plan(uniq, len(self.convs), self.embedding.weight.device)
        x = self.embedding.weight
        last = len(self.convs) - 1
        for layer, (conv, op) in enumerate(zip(self.convs, plan.ops, strict=True)):
            x = conv(x, op)
            if layer < last:
                x = F.relu(F.dropout(x, self.dropout, self.training))
        return x[inv.to(x.device)]

    def extra_repr(self) -> str:
        return f"N={self.num_entities}, R={self.num_relations}, dims={self.dims}, dropout={self.dropout}"
