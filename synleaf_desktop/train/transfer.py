"""Initialise a network from another run's checkpoint (Synergy-Transfer style fine-tuning,
``synleaf train --init-from PAN_FOLD_DIR``).

Rules:

* KG weights (entity embeddings, RGCN) are copied only when both runs use the same graph
  vocabulary: equal entity count, relation count and relation names (and graph id when
  both record one); otherwise it is an error, since entity rows would be misaligned.
* Every other tensor (omics encoder layers, heads) is copied when its name and shape
  match. The omics encoder's first layer depends on the cohort's samples (and K) and is
  normally left at its fresh initialisation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..errors import InputError
from ..model.nets import ModelSpec


def _is_kg_key(model: nn.Module, key: str) -> bool:
    from ..model.nets import KGModel

    if isinstance(model, KGModel):
        return key.startswith("encoder.")
    return key.startswith("kg.")


def same_graph(a: ModelSpec, b: ModelSpec) -> bool:
    if (a.num_entities, a.num_relations) != (b.num_entities, b.num_relations):
        return False
    if a.relation_names and b.relation_names and list(a.relation_names) != list(b.relation_names):
        return False
    return not (a.kg_id and b.kg_id and a.kg_id != b.kg_id)


def transfer_into(model: nn.Module, checkpoint: str | Path, spec: ModelSpec) -> dict[str, Any]:
    """Copy matching tensors of ``checkpoint`` (a stage's final ``.pt``) into ``model``.

    Returns:
        {"source": path, "copied": [keys], "skipped": [keys with a reason]}.
    Raises:
        InputError: the checkpoint is unreadable, or its KG vocabulary differs while the
            model has KG weights.
    """
    checkpoint = Path(checkpoint)
    try:
        ck = torch.load(checkpoint, map_location="cpu", weights_only=True)
        src_state = ck["model"]
        src_spec = ModelSpec.from_dict(ck["spec"])
    except Exception as exc:
        raise InputError(
            checkpoint, f"cannot read this checkpoint for --init-from ({exc})"
        ) from None
    own = model.state_dict()
    has_kg = any(_is_kg_key(model, k) for k in own)
    if has_kg and not same_graph(spec, src_spec):
        raise InputError(
            checkpoint,
            "cannot transfer the KG encoder: the source run used a different graph "
            f"vocabulary ({src_spec.num_entities} entities / {src_spec.num_relations} "
            f"relations vs {spec.num_entities} / {spec.num_relations} here); build both "
            "contexts on the same knowledge graph",
        )
    copied, skipped = [], []
    new_state = {}
    for key, value in own.items():
        src = src_state.get(key)
        if src is None:
            skipped.append(f"{key}: not in source")
        elif src.shape != value.shape:
            skipped.append(f"{key}: shape {list(src.shape)} vs {list(value.shape)}")
        else:
            new_state[key] = src.to(value.dtype)
            copied.append(key)
    model.load_state_dict(new_state, strict=False)
    return {"source": str(checkpoint), "copied": copied, "skipped": skipped}
