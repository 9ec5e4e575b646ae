"""The three trainable SynLeaF networks and the spec that rebuilds them from a checkpoint.

* :class:`OmicsModel`  only-omics teacher (stage 1): omics encoder + single-modality head.
* :class:`KGModel`     only-KG teacher (stage 1): KG encoder + single-modality head.
* :class:`UMTModel`    UMT student (stage 2): its own omics and KG encoders + UMT head.

UME has no network of its own (mean of the two teachers' probabilities).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from torch import nn

from . import defaults
from .heads import PairHead, UMTHead
from .kg import KGEncoder
from .omics import OmicsEncoder


@dataclass
class ModelSpec:
    """Architecture of one fold's networks (JSON-able; stored in every checkpoint)."""

    num_omics: int
    in_dim: int
    num_entities: int
    num_relations: int
    hidden_dims: list[int] = field(default_factory=lambda: list(defaults.HIDDEN_DIMS))
    latent_dim: int = defaults.LATENT_DIM
    vae_dropout: float = defaults.VAE_DROPOUT
    standard_vae_heads: bool = False
    kg_dims: list[int] = field(default_factory=lambda: list(defaults.KG_DIMS))
    kg_dropout: float = defaults.KG_DROPOUT
    umt_dropout: float = defaults.UMT_DROPOUT
    omics_kinds: list[str] = field(default_factory=list)
    relation_names: list[str] = field(default_factory=list)
    kg_id: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelSpec:
        d = dict(d)
        if "standard_heads" in d:  # the name in checkpoints written before 2026-12
            d.setdefault("standard_vae_heads", d.pop("standard_heads"))
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)

    def omics_encoder(self) -> OmicsEncoder:
        return OmicsEncoder(
            self.num_omics,
            self.in_dim,
            self.hidden_dims,
            self.latent_dim,
            self.vae_dropout,
            self.standard_vae_heads,
        )

    def kg_encoder(self) -> KGEncoder:
        if self.kg_dims[-1] != self.latent_dim:
            raise ValueError("the KG encoder output must equal latent_dim")
        return KGEncoder(self.num_entities, self.num_relations, self.kg_dims, self.kg_dropout)


class OmicsModel(nn.Module):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.encoder = spec.omics_encoder()
        self.head = PairHead(spec.latent_dim)


class KGModel(nn.Module):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.encoder = spec.kg_encoder()
        self.head = PairHead(spec.latent_dim)


class UMTModel(nn.Module):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.omics = spec.omics_encoder()
        self.kg = spec.kg_encoder()
        self.head = UMTHead(spec.latent_dim, spec.umt_dropout)


def build_model(stage: str, spec: ModelSpec) -> nn.Module:
    """``stage`` in {"omics", "kg", "umt"}."""
    try:
        return {"omics": OmicsModel, "kg": KGModel, "umt": UMTModel}[stage](spec)
    except KeyError:
        raise ValueError(f"unknown stage {stage!r}") from None
