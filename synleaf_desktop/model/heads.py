"""Pair classifier heads (METHOD §2.3). Both are order-dependent: score (A, B) and (B, A)
and average the probabilities at inference (METHOD §6.1)."""

from __future__ import annotations

import torch
from torch import nn


class PairHead(nn.Module):
    """Single-modality head: logit = Linear(2d -> 1)(concat(e1, e2)).

    ``fc.weight`` [1, 2d]: the first d columns weigh gene 1, the last d gene 2.
    """

    def __init__(self, dim: int = 128) -> None:
        super().__init__()
        self.fc = nn.Linear(2 * dim, 1)

    def forward(self, e1: torch.Tensor, e2: torch.Tensor) -> torch.Tensor:
        """e1, e2: [B, d] -> logits [B]."""
        return self.fc(torch.cat([e1, e2], dim=1)).squeeze(1)


class UMTHead(nn.Module):
    """UMT head: Linear(4d -> d), ReLU, Dropout(0.5), Linear(d -> 1) on concat(o1, o2, k1, k2)."""

    def __init__(self, dim: int = 128, dropout: float = 0.5) -> None:
        super().__init__()
        self.fc = nn.Sequential(
            nn.Linear(4 * dim, dim), nn.ReLU(), nn.Dropout(dropout), nn.Linear(dim, 1)
        )

    def forward(
        self, o1: torch.Tensor, o2: torch.Tensor, k1: torch.Tensor, k2: torch.Tensor
    ) -> torch.Tensor:
        """o1, o2 (omics), k1, k2 (KG): [B, d] -> logits [B]."""
        return self.fc(torch.cat([o1, o2, k1, k2], dim=1)).squeeze(1)
