"""Training settings. ``None`` fields take a single-cancer or pan-cancer default
(:meth:`TrainConfig.resolved`); every resolved value is written to metrics.json."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from ..errors import InputError
from ..model import defaults as arch

#: defaults that differ between single-cancer and pan-cancer contexts
SINGLE_DEFAULTS: dict[str, Any] = {
    "hidden_dims": list(arch.HIDDEN_DIMS),
    "max_epochs": 200,
    "patience": 20,
    "patience_steps": 100,
    "batch_size": 512,
}
PAN_DEFAULTS: dict[str, Any] = {
    "hidden_dims": [128, 128],
    "max_epochs": 30,
    "patience": 6,
    "patience_steps": 0,
    "batch_size": 8192,
}


@dataclass
class TrainConfig:
    """Hyper-parameters of one fold's training (METHOD §2, §3 unless noted).

    Attributes:
        hidden_dims: VAE hidden sizes (None: single [512, 256]; pan see :data:`PAN_DEFAULTS`).
        max_epochs: upper bound per trained stage (None: 200 single / 30 pan).
        patience: early stopping after this many epochs without a better validation AUC
            (None: 20 single / 6 pan; 0 disables early stopping). Upstream had none.
        patience_steps: ... and at least this many optimizer steps without one, so a stage
            waits ``max(patience, ceil(patience_steps / steps_per_epoch))`` epochs (None: 100
            single / 0 pan). Small contexts have one step per epoch, and 20 steps stopped their
            stages during RAdam's warm-up: measured in README "Where this implementation departs".
        batch_size: pairs per step (None: 512 single / 8192 pan; 0 = the whole training set).
        teacher_mode: "eval" (default; teacher embeddings computed once, deterministic) or
            "train" (upstream: teachers run in train mode at every UMT step, dropout on and
            BatchNorm on batch statistics; costs a teacher forward per step).
        checkpoint_every_s: seconds between resumable in-stage checkpoints (0: every epoch).
        seed: base seed (None: the context's ``meta["seed"]``, else 2025).
        keep_optimizer: keep optimizer state in the final stage checkpoints (resume / fine-tune).
    """

    hidden_dims: list[int] | None = None
    latent_dim: int = arch.LATENT_DIM
    vae_dropout: float = arch.VAE_DROPOUT
    standard_vae_heads: bool = False
    kg_dims: list[int] = field(default_factory=lambda: list(arch.KG_DIMS))
    kg_dropout: float = arch.KG_DROPOUT
    umt_dropout: float = arch.UMT_DROPOUT
    lr: float = 1e-3
    weight_decay: float = 1e-4
    lookahead_k: int = 5
    lookahead_alpha: float = 0.5
    max_epochs: int | None = None
    patience: int | None = None
    patience_steps: int | None = None
    batch_size: int | None = None
    kl_self_weight: float = 0.1
    kl_cross_weight: float = 0.5
    distill_weight: float = 1.0
    teacher_mode: str = "eval"
    eval_chunk: int = 4096
    checkpoint_every_s: float = 120.0
    seed: int | None = None
    keep_optimizer: bool = True

    def resolved(self, pan: bool) -> TrainConfig:
        """A copy with every ``None`` default filled for a pan (True) or single-cancer context."""
        defaults = PAN_DEFAULTS if pan else SINGLE_DEFAULTS
        out = replace(self, **{k: v for k, v in defaults.items() if getattr(self, k) is None})
        if out.teacher_mode not in ("eval", "train"):
            raise ValueError("teacher_mode must be 'eval' or 'train'")
        # both default tables fill these four
        assert (
            out.max_epochs is not None
            and out.patience is not None
            and out.patience_steps is not None
            and out.batch_size is not None
        )
        if out.max_epochs < 1 or out.patience < 0 or out.patience_steps < 0 or out.batch_size < 0:
            raise ValueError(
                "max_epochs >= 1, patience >= 0, patience_steps >= 0, batch_size >= 0 required"
            )
        return out

    def patience_epochs(self, steps_per_epoch: int) -> int:
        """Epochs without a better validation AUC after which a stage stops (0: never).

        Call on a :meth:`resolved` config."""
        assert self.patience is not None and self.patience_steps is not None, "not resolved()"
        if self.patience <= 0:
            return 0
        return max(self.patience, math.ceil(self.patience_steps / max(steps_per_epoch, 1)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> TrainConfig:
        """The one way from settings (CLI options, the app's training panel, a stored
        ``training.config``) to a config: keys are the field names; ``None`` values keep the
        default.

        Raises:
            InputError: a key is not a setting (names it and lists the settings).
        """
        d = dict(d or {})
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(d) - set(names))
        if unknown:
            raise InputError(
                None,
                f"unknown training setting(s) {', '.join(map(repr, unknown))}; "
                f"the settings are: {', '.join(names)}",
            )
        return cls(**{k: v for k, v in d.items() if v is not None})

    def architecture(self) -> dict[str, Any]:
        """The fields a :class:`~synleaf_desktop.model.nets.ModelSpec` takes from the settings
        (same names), for a :meth:`resolved` config."""
        return {
            "hidden_dims": list(self.hidden_dims or arch.HIDDEN_DIMS),
            "latent_dim": self.latent_dim,
            "vae_dropout": self.vae_dropout,
            "standard_vae_heads": self.standard_vae_heads,
            "kg_dims": list(self.kg_dims),
            "kg_dropout": self.kg_dropout,
            "umt_dropout": self.umt_dropout,
        }


def is_pan_name(name: str) -> bool:
    """Whether a context of this name takes the pan-cancer defaults ("pan", any case)."""
    return str(name).lower() == "pan"


def is_pan_context(context: Any) -> bool:
    """Pan-cancer contexts are named "pan" (or say so in their meta)."""
    return is_pan_name(context.name) or bool(context.meta.get("pan", False))
