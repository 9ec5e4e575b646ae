"""model layer: omics VAE matrix + PoE, fast RGCN KG encoder, pair heads (METHOD §2)."""

from .heads import PairHead, UMTHead
from .kg import KGEncoder
from .nets import KGModel, ModelSpec, OmicsModel, UMTModel, build_model
from .omics import OmicsEncoder, OmicsOutput
from .rgcn import FastRGCNConv, RelGraph

__all__ = [
    "FastRGCNConv",
    "KGEncoder",
    "KGModel",
    "ModelSpec",
    "OmicsEncoder",
    "OmicsModel",
    "OmicsOutput",
    "PairHead",
    "RelGraph",
    "UMTHead",
    "UMTModel",
    "build_model",
]
