"""Tensors for training: a context's omics stack, gene -> entity map and graph, and the
pair splits of one fold. Loading is vectorised (index tensors, no per-pair Python objects)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data.context import Context
from ..errors import InputError
from ..model.rgcn import RelGraph


@dataclass
class ContextTensors:
    """What every fold of one context shares, on the training device.

    Attributes:
        omics: float32 [K, G, S], the omics rows in canonical omics order.
        gene_entity: int64 [G], KG entity of each universe gene.
        graph: :class:`RelGraph` of the context's KG (CPU; plans are moved to the device).
        device: the training device.
    """

    omics: torch.Tensor
    gene_entity: torch.Tensor
    graph: RelGraph
    device: torch.device

    @classmethod
    def from_context(cls, context: Context, device: torch.device) -> ContextTensors:
        if not context.omics:
            raise InputError(
                None,
                f"context {context.name}: no omics matrices loaded "
                "(load it with Context.load(folder, omics=True))",
            )
        ge = np.asarray(context.kg.gene_entity, dtype=np.int64)
        bad = np.flatnonzero((ge < 0) | (ge >= context.kg.num_entities))
        if len(bad):
            names = ", ".join(map(str, context.genes[bad[:5]]))
            raise InputError(
                None,
                f"context {context.name}: {len(bad)} universe gene(s) have no KG entity "
                f"(e.g. {names}); rebuild the context so every gene is in the graph",
            )
        omics = torch.from_numpy(context.omics_stack(np.float32)).to(device)
        return cls(
            omics=omics,
            gene_entity=torch.from_numpy(ge).to(device),
            graph=RelGraph.from_context_kg(context.kg),
            device=device,
        )

    @property
    def num_genes(self) -> int:
        return int(self.omics.shape[1])


def fold_pairs(context: Context, cv: int, fold: int) -> dict[str, torch.Tensor]:
    """``{"train"|"val"|"test": int64 [n, 3]}`` (gene1_idx, gene2_idx, label), CPU tensors.

    Raises:
        InputError: the split is missing, empty, or indexes genes outside the universe.
    """
    try:
        split = context.split(cv, fold)
    except KeyError as exc:
        raise InputError(None, str(exc.args[0])) from None
    out = {}
    g = context.num_genes
    for part in ("train", "val", "test"):
        arr = np.asarray(split.get(part, np.zeros((0, 3))), dtype=np.int64)
        if arr.ndim != 2 or arr.shape[1] != 3 or len(arr) == 0:
            raise InputError(
                None,
                f"context {context.name} cv{cv} fold{fold}: the {part} split is empty "
                "or not [n, 3]",
            )
        if arr[:, :2].min() < 0 or arr[:, :2].max() >= g or not np.isin(arr[:, 2], (0, 1)).all():
            raise InputError(
                None,
                f"context {context.name} cv{cv} fold{fold}: the {part} split has gene "
                "indices outside the universe or labels other than 0/1",
            )
        out[part] = torch.from_numpy(arr)
    return out
