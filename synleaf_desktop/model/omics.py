"""Omics encoder: the K x K matrix of VAE encoders fused by a product of experts (METHOD §2.1).

The K*K VAEs are held as *grouped* weights so that one ``torch.bmm`` runs all of them:

* VAE ``p = i * K + j`` maps source omics ``j`` to the latent space of target omics ``i``
  (upstream ``omics_encoders[i][j]``).
* First hidden layer: ``w_in`` [K, S, K*h0], source-major. ``w_in[j, :, i*h0:(i+1)*h0]`` is
  the transposed ``Linear(S, h0).weight`` of VAE (i, j); one bmm over the K sources computes
  the first layer of all K*K VAEs without copying the input K times.
* Later hidden layers: ``hidden_w[l]`` [P, h_{l-1}, h_l], P = K*K.
* Every hidden layer is Linear -> Dropout -> BatchNorm1d -> ReLU. One ``BatchNorm1d(P*h)``
  over the concatenated channels (channel ``p*h + c``) is exactly P separate BNs.
* Latent heads: ``mu_w``/``lv_w`` [P, h_last, d]. By default both end in a ReLU as upstream
  (mu >= 0, logvar >= 0), logvar clamped to [-10, 10]; ``standard_heads=True`` drops the ReLUs.

Cross path: for target i the product of the K-1 experts j != i (no prior, no self expert).
**K = 1** has no cross expert. We define the PoE latent as the prior N(0, I): its mean 0 is
the cross token (train and eval), and the cross KL is 0. The projection input keeps its shape
[B, 2d] (self mean, zeros), so the architecture is the same for every K.

:class:`NaiveOmicsEncoder` in :mod:`.omics_naive` is the per-VAE reference (upstream layout).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from . import defaults

LOGVAR_MIN = -10.0
LOGVAR_MAX = 10.0


@dataclass
class OmicsOutput:
    """Result of an :class:`OmicsEncoder` pass over B genes.

    Attributes:
        emb: [B, d] gene embeddings.
        kl_self: [B] per-gene self KL: sum over targets i of the mean over the d latent dims.
        kl_cross: [B] per-gene PoE KL, same reduction (zeros when K = 1).
    """

    emb: torch.Tensor
    kl_self: torch.Tensor
    kl_cross: torch.Tensor


def kl_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Elementwise KL(N(mu, exp(logvar)) || N(0, 1)), same shape as the inputs."""
    return -0.5 * (1.0 + logvar - mu.pow(2) - logvar.exp())


def product_of_experts(mu: torch.Tensor, logvar: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Gaussian product of experts over dim 0.

    Args:
        mu, logvar: [E, ...] the E experts.
    Returns:
        (mu_poe, logvar_poe), each [...]: precision = sum_e exp(-logvar_e),
        mu_poe = sum_e mu_e exp(-logvar_e) / precision, logvar_poe = -log(precision).
    """
    prec = torch.exp(-logvar)
    total = prec.sum(0)
    return (mu * prec).sum(0) / total, -torch.log(total)


def cross_poe(mu: torch.Tensor, logvar: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """PoE of the cross experts j != i for every target i.

    Args:
        mu, logvar: [K, K, B, d], index [i (target), j (source)].
    Returns:
        (mu_poe, logvar_poe), each [K, B, d]. Requires K >= 2.
    """
    k = mu.shape[0]
    off = (1.0 - torch.eye(k, dtype=mu.dtype, device=mu.device)).view(k, k, 1, 1)
    prec = torch.exp(-logvar) * off
    total = prec.sum(1)
    return (mu * prec).sum(1) / total, -torch.log(total)


class OmicsEncoder(nn.Module):
    """K x K VAE matrix + PoE, grouped weights.

    Args:
        num_omics: K (1..4).
        in_dim: S, samples of the cohort (width of every omics row).
        hidden_dims: hidden sizes of each VAE (e.g. [512, 256]); at least one.
        latent_dim: d (128).
        dropout: VAE dropout (0.2).
        standard_heads: False = upstream ReLU on mu and logvar; True = plain linear heads.

    Input ``x``: [K, B, S] (the K omics rows of B genes, canonical omics order).
    """

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
        if num_omics < 1:
            raise ValueError("num_omics must be >= 1")
        if not hidden_dims:
            raise ValueError("hidden_dims must name at least one hidden layer")
        self.num_omics = k = int(num_omics)
        self.in_dim = int(in_dim)
        self.hidden_dims = [int(h) for h in hidden_dims]
        self.latent_dim = int(latent_dim)
        self.dropout = float(dropout)
        self.standard_heads = bool(standard_heads)
        p = k * k
        h0 = self.hidden_dims[0]
        self.w_in = nn.Parameter(torch.empty(k, self.in_dim, k * h0))
        self.b_in = nn.Parameter(torch.empty(p, h0))
        self.hidden_w = nn.ParameterList()
        self.hidden_b = nn.ParameterList()
        for a, b in zip(self.hidden_dims[:-1], self.hidden_dims[1:], strict=True):
            self.hidden_w.append(nn.Parameter(torch.empty(p, a, b)))
            self.hidden_b.append(nn.Parameter(torch.empty(p, b)))
        self.bn = nn.ModuleList(nn.BatchNorm1d(p * h) for h in self.hidden_dims)
        hl = self.hidden_dims[-1]
        self.mu_w = nn.Parameter(torch.empty(p, hl, self.latent_dim))
        self.mu_b = nn.Parameter(torch.empty(p, self.latent_dim))
        self.lv_w = nn.Parameter(torch.empty(p, hl, self.latent_dim))
        self.lv_b = nn.Parameter(torch.empty(p, self.latent_dim))
        self.proj = nn.Linear(2 * self.latent_dim, self.latent_dim)
        self.reset_parameters()

    # ------------------------------------------------------------------
    def _linear_blocks(self):
        """(weight [P, in, out] or None for the source-major first layer, bias [P, out], fan_in,
        fan_out) per logical layer of the K*K VAEs."""
        yield None, self.b_in, self.in_dim, self.hidden_dims[0]
        for w, b in zip(self.hidden_w, self.hidden_b, strict=True):
            yield w, b, w.shape[1], w.shape[2]
        yield self.mu_w, self.mu_b, self.mu_w.shape[1], self.latent_dim
        yield self.lv_w, self.lv_b, self.lv_w.shape[1], self.latent_dim

    @torch.no_grad()
    def reset_parameters(self) -> None:
        """PyTorch ``nn.Linear`` defaults per VAE Linear: weights and biases U(+-1/sqrt(fan_in))."""
        for w, b, fan_in, _ in self._linear_blocks():
            bound = 1.0 / math.sqrt(fan_in)
            if w is not None:
                nn.init.uniform_(w, -bound, bound)
            nn.init.uniform_(b, -bound, bound)
        nn.init.uniform_(self.w_in, -1.0 / math.sqrt(self.in_dim), 1.0 / math.sqrt(self.in_dim))
        for bn in self.bn:
            assert isinstance(bn, nn.BatchNorm1d)
            bn.reset_parameters()
        self.proj.reset_parameters()

    @torch.no_grad()
    def xavier_(self) -> None:
        """Xavier-uniform on every weight matrix, per VAE Linear as upstream
        (bound sqrt(6 / (in + out)) of that Linear, not of the grouped tensor)."""
        h0 = self.hidden_dims[0]
        b0 = math.sqrt(6.0 / (self.in_dim + h0))
        nn.init.uniform_(self.w_in, -b0, b0)
        for w, _, fan_in, fan_out in self._linear_blocks():
            if w is not None:
                bound = math.sqrt(6.0 / (fan_in + fan_out))
                nn.init.uniform_(w, -bound, bound)
        nn.init.xavier_uniform_(self.proj.weight)

    # ------------------------------------------------------------------
    def _bn_act(self, h: torch.Tensor, layer: int) -> torch.Tensor:
        """Dropout -> BatchNorm1d over the P*h concatenated channels -> ReLU; h: [P, B, hdim]."""
        p, b, hd = h.shape
        h = F.dropout(h, self.dropout, self.training)
        h = self.bn[layer](h.transpose(0, 1).reshape(b, p * hd))
        return F.relu(h).view(b, p, hd).transpose(0, 1)

    def vae_params(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """All K*K VAEs.

        Args:
            x: [K, B, S].
        Returns:
            (mu, logvar), each [K, K, B, d], index [target i, source j].
        """
        k = self.num_omics
        if x.dim() != 3 or x.shape[0] != k or x.shape[2] != self.in_dim:
            raise ValueError(
                f"expected omics input [K={k}, B, S={self.in_dim}], got {list(x.shape)}"
            )
        bsz = x.shape[1]
        h0 = self.hidden_dims[0]
        h = torch.bmm(x, self.w_in)  # [K_src, B, K_tgt*h0]
        h = (
            h.view(k, bsz, k, h0).permute(2, 0, 1, 3).reshape(k * k, bsz, h0)
            + self.b_in[:, None, :]
        )
        h = self._bn_act(h, 0)
        for layer, (w, b) in enumerate(zip(self.hidden_w, self.hidden_b, strict=True), start=1):
            h = torch.baddbmm(b[:, None, :], h, w)
            h = self._bn_act(h, layer)
        mu = torch.baddbmm(self.mu_b[:, None, :], h, self.mu_w)
        lv = torch.baddbmm(self.lv_b[:, None, :], h, self.lv_w)
        if not self.standard_heads:
            mu = F.relu(mu)
            lv = F.relu(lv)
        lv = lv.clamp(LOGVAR_MIN, LOGVAR_MAX)
        d = self.latent_dim
        return mu.view(k, k, bsz, d), lv.view(k, k, bsz, d)

    def forward(self, x: torch.Tensor, sample: bool | None = None) -> OmicsOutput:
        """x: [K, B, S] -> :class:`OmicsOutput` (emb [B, d], kl_self [B], kl_cross [B]).

        ``sample``: draw z = mu + eps*sigma (default: in training mode only); False uses mu.
        """
        k = self.num_omics
        sample = self.training if sample is None else sample
        mu, lv = self.vae_params(x)
        idx = torch.arange(k, device=x.device)
        mu_s, lv_s = mu[idx, idx], lv[idx, idx]  # [K, B, d]
        kl_self = kl_standard_normal(mu_s, lv_s).mean(-1).sum(0)
        z_s = self._sample(mu_s, lv_s, sample)
        if k >= 2:
            mu_c, lv_c = cross_poe(mu, lv)
            kl_cross = kl_standard_normal(mu_c, lv_c).mean(-1).sum(0)
            z_c = self._sample(mu_c, lv_c, sample).mean(0)
        else:  # no cross expert: prior mean, zero KL (see module docstring)
            kl_cross = torch.zeros_like(kl_self)
            z_c = torch.zeros_like(z_s[0])
        emb = self.proj(torch.cat([z_s.mean(0), z_c], dim=-1))
        return OmicsOutput(emb, kl_self, kl_cross)

    @staticmethod
    def _sample(mu: torch.Tensor, lv: torch.Tensor, sample: bool) -> torch.Tensor:
        if not sample:
            return mu
        return mu + torch.randn_like(mu) * torch.exp(0.5 * lv)

    def extra_repr(self) -> str:
        return (
            f"K={self.num_omics}, S={self.in_dim}, hidden={self.hidden_dims}, d={self.latent_dim}, "
            f"dropout={self.dropout}, standard_heads={self.standard_heads}"
        )
