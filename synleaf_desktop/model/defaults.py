"""The SynLeaF architecture's default sizes (METHOD §2), written once.

The training settings (:class:`synleaf_desktop.train.config.TrainConfig`), the checkpoint spec
(:class:`synleaf_desktop.model.nets.ModelSpec`) and the encoders take their defaults from here.
"""

from __future__ import annotations

#: VAE hidden sizes of a single-cancer context (pan-cancer contexts use their own, see
#: ``train.config.PAN_DEFAULTS``)
HIDDEN_DIMS: tuple[int, ...] = (512, 256)
#: latent size of every VAE and of the KG encoder's output
LATENT_DIM = 128
VAE_DROPOUT = 0.2
#: RGCN layer sizes (the last equals :data:`LATENT_DIM`)
KG_DIMS: tuple[int, ...] = (128, 256, 128)
KG_DROPOUT = 0.5
UMT_DROPOUT = 0.5
