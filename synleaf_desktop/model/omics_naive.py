"""Per-VAE reference omics encoder in the upstream module layout (METHOD §2.1).

:class:`NaiveOmicsEncoder` has the same state-dict keys as upstream ``OmicsEncoder``
(``omics_encoders.{i}.{j}.feature_encoder.{n}.*``, ``mu_predictor.0.*``,
``log_var_predictor.0.*``, ``fc.*``; BatchNorm1d instead of SyncBatchNorm, same keys).
It is slow (K*K Python modules) and exists to check :class:`~.omics.OmicsEncoder` and to
convert upstream-layout weights with :func:`grouped_state_from_naive`.
"""

from __future__ import annotations

import torch
from torch import nn

from . import defaults
from .omics import LOGVAR_MAX, LOGVAR_MIN, OmicsOutput, kl_standard_normal, product_of_experts


class NaiveVAE(nn.Module):
    """One VAE encoder: [B, S] -> (mu, logvar) each [B, d]."""

    def __init__(
        self,
        in_dim: int,
        hidden_dims: list[int],
        latent_dim: int,
        dropout: float,
        standard_heads: bool = False,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        a = in_dim
        for h in hidden_dims:
            layers += [nn.Linear(a, h), nn.Dropout(dropout), nn.BatchNorm1d(h), nn.ReLU()]
            a = h
        self.feature_encoder = nn.Sequential(*layers)
        head_act: list[nn.Module] = [] if standard_heads else [nn.ReLU()]
        self.mu_predictor = nn.Sequential(nn.Linear(a, latent_dim), *head_act)
        self.log_var_predictor = nn.Sequential(nn.Linear(a, latent_dim), *head_act)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.feature_encoder(x)
        return self.mu_predictor(h), self.log_var_predictor(h).clamp(LOGVAR_MIN, LOGVAR_MAX)


class NaiveOmicsEncoder(nn.Module):
    """Reference implementation: K*K separate VAEs; input x [K, B, S] -> :class:`OmicsOutput`."""

    def __init__(
        self,
        num_omics: int,
        in_dim: int,
        hidden_dims: list[int] | tuple[int, ...] = defaults.HIDDEN_DIMS,
        latent_dim: int = defaults.LATENT_DIM,
        dropout: float = defaults.VAE_DROPOUT,
        standard_heads: bool = False,
    ) -> None:
        super().__init__()
        self.num_omics = num_omics
        self.latent_dim = latent_dim
        self.omics_encoders = nn.ModuleList(
            nn.ModuleList(
                NaiveVAE(in_dim, list(hidden_dims), latent_dim, dropout, standard_heads)
                for _ in range(num_omics)
            )
            for _ in range(num_omics)
        )
        self.fc = nn.Linear(2 * latent_dim, latent_dim)

    def forward(self, x: torch.Tensor) -> OmicsOutput:
        k = self.num_omics
        z_self, z_cross = [], []
        kl_s: torch.Tensor | None = None
        kl_c: torch.Tensor | None = None
        for i in range(k):
            mus, lvs = [], []
            row = self.omics_encoders[i]
            assert isinstance(row, nn.ModuleList)
            for j in range(k):
                mu, lv = row[j](x[j])
                if i == j:
                    term = kl_standard_normal(mu, lv).mean(-1)
                    kl_s = term if kl_s is None else kl_s + term
                    z_self.append(self._sample(mu, lv))
                else:
                    mus.append(mu)
                    lvs.append(lv)
            if mus:
                mu_p, lv_p = product_of_experts(torch.stack(mus), torch.stack(lvs))
                term = kl_standard_normal(mu_p, lv_p).mean(-1)
                kl_c = term if kl_c is None else kl_c + term
                z_cross.append(self._sample(mu_p, lv_p))
        zs = torch.stack(z_self).mean(0)
        zc = torch.stack(z_cross).mean(0) if z_cross else torch.zeros_like(zs)
        assert kl_s is not None  # every omics has its own VAE (i == j)
        if kl_c is None:
            kl_c = torch.zeros_like(kl_s)
        return OmicsOutput(self.fc(torch.cat([zs, zc], -1)), kl_s, kl_c)

    def _sample(self, mu, lv):
        return mu + torch.randn_like(mu) * torch.exp(0.5 * lv) if self.training else mu


def grouped_state_from_naive(
    naive: dict[str, torch.Tensor], num_omics: int, num_hidden: int
) -> dict[str, torch.Tensor]:
    """Convert a naive/upstream-layout state dict into :class:`~.omics.OmicsEncoder` keys.

    Args:
        naive: state dict with ``omics_encoders.{i}.{j}...`` and ``fc.*`` keys.
        num_omics: K.
        num_hidden: number of hidden layers of each VAE.
    """
    k = num_omics
    g = lambda i, j, name: naive[f"omics_encoders.{i}.{j}.{name}"]  # noqa: E731
    pairs = [(i, j) for i in range(k) for j in range(k)]
    out: dict[str, torch.Tensor] = {}
    # first layer, source-major: w_in[j, :, i*h0:(i+1)*h0] = W_ij^T
    out["w_in"] = torch.stack(
        [
            torch.cat([g(i, j, "feature_encoder.0.weight").t() for i in range(k)], dim=1)
            for j in range(k)
        ]
    )
    out["b_in"] = torch.stack([g(i, j, "feature_encoder.0.bias") for i, j in pairs])
    for layer in range(1, num_hidden):
        n = 4 * layer
        out[f"hidden_w.{layer - 1}"] = torch.stack(
            [g(i, j, f"feature_encoder.{n}.weight").t() for i, j in pairs]
        )
        out[f"hidden_b.{layer - 1}"] = torch.stack(
            [g(i, j, f"feature_encoder.{n}.bias") for i, j in pairs]
        )
    for layer in range(num_hidden):
        n = 4 * layer + 2
        for key in ("weight", "bias", "running_mean", "running_var"):
            out[f"bn.{layer}.{key}"] = torch.cat(
                [g(i, j, f"feature_encoder.{n}.{key}") for i, j in pairs]
            )
        out[f"bn.{layer}.num_batches_tracked"] = g(
            0, 0, f"feature_encoder.{n}.num_batches_tracked"
        ).clone()
    for short, name in (("mu", "mu_predictor"), ("lv", "log_var_predictor")):
        out[f"{short}_w"] = torch.stack([g(i, j, f"{name}.0.weight").t() for i, j in pairs])
        out[f"{short}_b"] = torch.stack([g(i, j, f"{name}.0.bias") for i, j in pairs])
    out["proj.weight"] = naive["fc.weight"]
    out["proj.bias"] = naive["fc.bias"]
    return {key: v.contiguous() for key, v in out.items()}
