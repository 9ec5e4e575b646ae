"""The three trained stages: what a step computes and how a pair is scored.

Every step encodes the *unique* genes of its batch once and gathers them for gene 1 and
gene 2 (upstream encoded the gene-1 column and the gene-2 column separately). The BCE, KL
and distillation terms are the same numbers as upstream's; what differs is that BatchNorm
statistics, dropout masks and VAE noise are shared by the pairs a gene appears in.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from ..model.kg import KGEncoder
from ..model.nets import KGModel, OmicsModel, UMTModel
from ..model.omics import OmicsEncoder
from .config import TrainConfig
from .data import ContextTensors


def split_genes(pairs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """pairs [b, 3] -> (unique genes [u], position of gene 1 [b], of gene 2 [b])."""
    b = pairs.shape[0]
    uniq, inv = torch.unique(torch.cat([pairs[:, 0], pairs[:, 1]]), return_inverse=True)
    return uniq, inv[:b], inv[b:]


@torch.no_grad()
def omics_embeddings(
    encoder: OmicsEncoder, tensors: ContextTensors, genes: torch.Tensor, chunk: int = 4096
) -> torch.Tensor:
    """Omics embeddings [len(genes), d] in the encoder's current mode (eval: deterministic)."""
    parts = [
        encoder(tensors.omics.index_select(1, genes[i : i + chunk])).emb
        for i in range(0, len(genes), max(1, chunk))
    ]
    return torch.cat(parts) if parts else tensors.omics.new_zeros(0, encoder.latent_dim)


@torch.no_grad()
def kg_embeddings(encoder: KGEncoder, tensors: ContextTensors, genes: torch.Tensor) -> torch.Tensor:
    """KG embeddings [len(genes), d] (one pass; only the needed rows are computed)."""
    return encoder(tensors.gene_entity.index_select(0, genes))


class Stage:
    """One trained stage. Subclasses define :meth:`loss` and :meth:`logits`."""

    name = ""

    def __init__(self, model: nn.Module, tensors: ContextTensors, cfg: TrainConfig) -> None:
        self.model = model
        self.tensors = tensors
        self.cfg = cfg

    def loss(self, pairs: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Training loss of a batch of pairs [b, 3] (device); the model is in train mode."""
        raise NotImplementedError

    def logits(self, pairs: torch.Tensor) -> torch.Tensor:
        """Eval-mode logits [n] for pairs [n, 3] in their stored order."""
        raise NotImplementedError

    def grad_groups(self) -> dict[str, list[nn.Parameter]]:
        """Parameters whose gradient norm is logged per modality."""
        raise NotImplementedError

    def _kl(self, out, i1, i2) -> tuple[torch.Tensor, torch.Tensor]:
        return (out.kl_self[i1] + out.kl_self[i2]).mean(), (
            out.kl_cross[i1] + out.kl_cross[i2]
        ).mean()


class OmicsStage(Stage):
    """Only-omics teacher: BCE + 0.1 self-KL + 0.5 cross-KL."""

    name = "omics"
    model: OmicsModel

    def loss(self, pairs):
        uniq, i1, i2 = split_genes(pairs)
        out = self.model.encoder(self.tensors.omics.index_select(1, uniq))
        logit = self.model.head(out.emb[i1], out.emb[i2])
        bce = F.binary_cross_entropy_with_logits(logit, pairs[:, 2].float())
        kls, klc = self._kl(out, i1, i2)
        loss = bce + self.cfg.kl_self_weight * kls + self.cfg.kl_cross_weight * klc
        return loss, {"bce": bce, "kl_self": kls, "kl_cross": klc}

    @torch.no_grad()
    def logits(self, pairs):
        uniq, i1, i2 = split_genes(pairs)
        emb = omics_embeddings(self.model.encoder, self.tensors, uniq, self.cfg.eval_chunk)
        return self.model.head(emb[i1], emb[i2])

    def grad_groups(self):
        return {"omics": list(self.model.encoder.parameters())}


class KGStage(Stage):
    """Only-KG teacher: BCE."""

    name = "kg"
    model: KGModel

    def loss(self, pairs):
        uniq, i1, i2 = split_genes(pairs)
        emb = self.model.encoder(self.tensors.gene_entity.index_select(0, uniq))
        logit = self.model.head(emb[i1], emb[i2])
        bce = F.binary_cross_entropy_with_logits(logit, pairs[:, 2].float())
        return bce, {"bce": bce}

    @torch.no_grad()
    def logits(self, pairs):
        uniq, i1, i2 = split_genes(pairs)
        emb = kg_embeddings(self.model.encoder, self.tensors, uniq)
        return self.model.head(emb[i1], emb[i2])

    def grad_groups(self):
        return {"kg": list(self.model.encoder.parameters())}


class UMTStage(Stage):
    """UMT student: BCE + 1.0 distillation (MSE to the frozen teachers' embeddings)
    + 0.1 self-KL + 0.5 cross-KL of the student omics encoder.

    Teachers: with ``teacher_mode="eval"`` their embeddings are computed once (eval mode,
    deterministic) for the genes the fold uses and looked up; with ``"train"`` the teacher
    encoders run in train mode (dropout, batch-statistics BatchNorm) at every step, as upstream.
    """

    name = "umt"
    model: UMTModel

    def __init__(
        self,
        model: UMTModel,
        tensors: ContextTensors,
        cfg: TrainConfig,
        teacher_omics: OmicsEncoder,
        teacher_kg: KGEncoder,
        genes: torch.Tensor,
    ) -> None:
        """teacher_omics: the teacher's OmicsEncoder; teacher_kg: its KGEncoder; genes: int64
        [u], every gene the fold's pairs use (teacher embeddings are precomputed for them)."""
        super().__init__(model, tensors, cfg)
        if cfg.teacher_mode == "train":
            # train-mode BatchNorm updates running statistics: work on a copy so the
            # only-omics teacher (and UME) keep their own
            teacher_omics = copy.deepcopy(teacher_omics)
        self.teacher_omics = teacher_omics
        self.teacher_kg = teacher_kg
        for p in list(teacher_omics.parameters()) + list(teacher_kg.parameters()):
            p.requires_grad_(False)
        self._t_omics: torch.Tensor | None = None
        self._t_kg: torch.Tensor | None = None
        if cfg.teacher_mode == "eval":
            teacher_omics.eval()
            teacher_kg.eval()
            g, d = tensors.num_genes, model.omics.latent_dim
            self._t_omics = tensors.omics.new_zeros(g, d)
            self._t_kg = tensors.omics.new_zeros(g, d)
            self._t_omics[genes] = omics_embeddings(teacher_omics, tensors, genes, cfg.eval_chunk)
            self._t_kg[genes] = kg_embeddings(teacher_kg, tensors, genes)

    @torch.no_grad()
    def _teacher(self, uniq: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self._t_omics is not None and self._t_kg is not None:  # precomputed together
            return self._t_omics[uniq], self._t_kg[uniq]
        self.teacher_omics.train()
        self.teacher_kg.train()
        # upstream: teacher latents are the means (no sampling), BN/dropout in train mode
        out = self.teacher_omics(self.tensors.omics.index_select(1, uniq), sample=False)
        return out.emb, self.teacher_kg(self.tensors.gene_entity.index_select(0, uniq))

    def loss(self, pairs):
        uniq, i1, i2 = split_genes(pairs)
        t_o, t_k = self._teacher(uniq)
        out = self.model.omics(self.tensors.omics.index_select(1, uniq))
        k = self.model.kg(self.tensors.gene_entity.index_select(0, uniq))
        o = out.emb
        logit = self.model.head(o[i1], o[i2], k[i1], k[i2])
        bce = F.binary_cross_entropy_with_logits(logit, pairs[:, 2].float())
        distill = F.mse_loss(
            torch.cat([o[i1], o[i2]], 1), torch.cat([t_o[i1], t_o[i2]], 1)
        ) + F.mse_loss(torch.cat([k[i1], k[i2]], 1), torch.cat([t_k[i1], t_k[i2]], 1))
        kls, klc = self._kl(out, i1, i2)
        loss = (
            bce
            + self.cfg.distill_weight * distill
            + self.cfg.kl_self_weight * kls
            + self.cfg.kl_cross_weight * klc
        )
        return loss, {"bce": bce, "distill": distill, "kl_self": kls, "kl_cross": klc}

    @torch.no_grad()
    def logits(self, pairs):
        uniq, i1, i2 = split_genes(pairs)
        o = omics_embeddings(self.model.omics, self.tensors, uniq, self.cfg.eval_chunk)
        k = kg_embeddings(self.model.kg, self.tensors, uniq)
        return self.model.head(o[i1], o[i2], k[i1], k[i2])

    def grad_groups(self):
        return {
            "omics": list(self.model.omics.parameters()),
            "kg": list(self.model.kg.parameters()),
        }
