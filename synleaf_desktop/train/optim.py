"""Optimizer and initialisation as upstream (METHOD §3.1)."""

from __future__ import annotations

import torch
from torch import nn

from ..model.omics import OmicsEncoder
from .lookahead import Lookahead


def make_optimizer(
    model: nn.Module, lr: float = 1e-3, weight_decay: float = 1e-4, k: int = 5, alpha: float = 0.5
) -> Lookahead:
    """RAdam (betas 0.9/0.999, eps 1e-8; coupled L2 ``weight_decay`` on every trainable
    parameter whose name does not contain "bias", 0 on biases) wrapped in Lookahead(k, alpha).

    Upstream used one such optimizer per sub-module; RAdam and Lookahead act per parameter
    with one shared step count, so a single optimizer over all of them is the same.
    """
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if "bias" in name else decay).append(p)
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    inner = torch.optim.RAdam(
        [g for g in groups if g["params"]], lr=lr, betas=(0.9, 0.999), eps=1e-8
    )
    return Lookahead(inner, k=k, alpha=alpha)


@torch.no_grad()
def xavier_init_(model: nn.Module) -> None:
    """Xavier-uniform on every weight with more than one dimension.

    Grouped VAE weights are initialised per VAE Linear (:meth:`OmicsEncoder.xavier_`), i.e.
    as upstream's separate ``nn.Linear`` modules; RGCN weights [R, in, out] and the entity
    table get ``xavier_uniform_`` on the whole tensor, as upstream.
    """
    done: set[int] = set()
    for module in model.modules():
        if isinstance(module, OmicsEncoder):
            module.xavier_()
            done.update(id(p) for p in module.parameters())
    for p in model.parameters():
        if p.dim() > 1 and id(p) not in done:
            nn.init.xavier_uniform_(p)


def grad_norm(params) -> float:
    """L2 norm of the gradients of ``params`` (0.0 when none has a gradient)."""
    norms = [p.grad.detach().norm() for p in params if p.grad is not None]
    if not norms:
        return 0.0
    return float(torch.linalg.vector_norm(torch.stack(norms)))
