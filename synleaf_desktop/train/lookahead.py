"""Lookahead optimizer wrapper (Zhang et al. 2019), with the update schedule of the
alphadl/lookahead.pytorch copy used upstream (METHOD §3.1).

Schedule: the slow weights are created from the fast weights after the first inner step
and synchronised (slow += alpha * (fast - slow); fast = slow) after inner steps
1, 1 + k, 1 + 2k, ...
"""

from __future__ import annotations

from typing import Any

import torch


class Lookahead:
    """Wraps an inner optimizer.

    Args:
        optimizer: the inner ("fast") optimizer, e.g. ``torch.optim.RAdam``.
        k: synchronisation period (5).
        alpha: slow-weight step size (0.5).
    """

    def __init__(self, optimizer: torch.optim.Optimizer, k: int = 5, alpha: float = 0.5) -> None:
        if k < 1 or not 0.0 <= alpha <= 1.0:
            raise ValueError("Lookahead needs k >= 1 and 0 <= alpha <= 1")
        self.optimizer = optimizer
        self.k = int(k)
        self.alpha = float(alpha)
        self.steps = 0
        self.slow: list[torch.Tensor] | None = None

    @property
    def param_groups(self) -> list[dict]:
        return self.optimizer.param_groups

    def _params(self) -> list[torch.Tensor]:
        return [p for g in self.optimizer.param_groups for p in g["params"]]

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    @torch.no_grad()
    def step(self) -> None:
        self.optimizer.step()
        if self.steps % self.k == 0:
            params = self._params()
            if self.slow is None:
                self.slow = [p.detach().clone() for p in params]
            for p, s in zip(params, self.slow, strict=False):
                s.add_(p - s, alpha=self.alpha)
                p.copy_(s)
        self.steps += 1

    def state_dict(self) -> dict[str, Any]:
        """Inner state, slow weights (list in parameter order), step counter, k, alpha."""
        return {
            "inner": self.optimizer.state_dict(),
            "slow": self.slow,
            "steps": self.steps,
            "k": self.k,
            "alpha": self.alpha,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["inner"])
        self.steps = int(state["steps"])
        self.k = int(state.get("k", self.k))
        self.alpha = float(state.get("alpha", self.alpha))
        slow = state.get("slow")
        if slow is None:
            self.slow = None
        else:
            params = self._params()
            if len(slow) != len(params):
                raise ValueError("Lookahead state does not match the parameters")
            self.slow = [s.to(p.device, p.dtype).clone() for s, p in zip(slow, params, strict=True)]
