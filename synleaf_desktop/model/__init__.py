"""model layer: omics VAE matrix + PoE, fast RGCN KG encoder, pair heads (METHOD §2).

The names below are loaded on first use (they import torch), so that ``model.defaults`` and the
training settings can be read without loading torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "PairHead": "heads",
    "UMTHead": "heads",
    "KGEncoder": "kg",
    "KGModel": "nets",
    "ModelSpec": "nets",
    "OmicsModel": "nets",
    "UMTModel": "nets",
    "build_model": "nets",
    "OmicsEncoder": "omics",
    "OmicsOutput": "omics",
    "FastRGCNConv": "rgcn",
    "RelGraph": "rgcn",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
