"""Arrays for the deployable bundle: per-gene embeddings and head weights of one fold,
computed in eval mode for ALL universe genes (DESIGN §3, METHOD §6.3).

Scoring a pair (a, b) with numpy alone (g = gene index, d = 128):

* only-omics: logit = omics_teacher_emb[a] @ omics_head_w[:d] + omics_teacher_emb[b] @ omics_head_w[d:] + omics_head_b
* only-KG: the same with kg_teacher_emb / kg_head_w / kg_head_b
* UME: p = (sigmoid(omics logit) + sigmoid(KG logit)) / 2
* UMT: h = relu(umt_w1 @ concat(os[a], os[b], ks[a], ks[b]) + umt_b1); logit = umt_w2 @ h + umt_b2
  with os = omics_student_emb, ks = kg_student_emb
* the app averages p(a, b) and p(b, a) (the heads are order-dependent).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..data.context import Context
from ..model.nets import KGModel, OmicsModel, UMTModel
from .data import ContextTensors
from .fold import load_fold_models
from .stages import kg_embeddings, omics_embeddings


def fold_arrays(
    fold_dir: str | Path, context: Context, tensors: ContextTensors | None = None, chunk: int = 4096
) -> dict[str, np.ndarray]:
    """float32 arrays of one finished fold (see the module docstring for the formulas).

    Keys: "omics_teacher_emb" [G, d], "kg_teacher_emb" [G, d], "omics_head_w" [2d],
    "omics_head_b" [1], "kg_head_w" [2d], "kg_head_b" [1]; when UMT was trained also
    "omics_student_emb" [G, d], "kg_student_emb" [G, d], "umt_w1" [d, 4d], "umt_b1" [d],
    "umt_w2" [d], "umt_b2" [1].
    """
    tensors = tensors or ContextTensors.from_context(context, torch.device("cpu"))
    models = load_fold_models(fold_dir, tensors, tensors.device)
    genes = torch.arange(tensors.num_genes, device=tensors.device)
    f32 = lambda t: t.detach().cpu().numpy().astype(np.float32)  # noqa: E731
    omics, kg = models["omics"], models["kg"]
    assert isinstance(omics, OmicsModel) and isinstance(kg, KGModel)
    out = {
        "omics_teacher_emb": f32(omics_embeddings(omics.encoder, tensors, genes, chunk)),
        "kg_teacher_emb": f32(kg_embeddings(kg.encoder, tensors, genes)),
        "omics_head_w": f32(omics.head.fc.weight.reshape(-1)),
        "omics_head_b": f32(omics.head.fc.bias.reshape(1)),
        "kg_head_w": f32(kg.head.fc.weight.reshape(-1)),
        "kg_head_b": f32(kg.head.fc.bias.reshape(1)),
    }
    if "umt" in models:
        umt = models["umt"]
        assert isinstance(umt, UMTModel)
        l1, l2 = umt.head.fc[0], umt.head.fc[3]
        assert isinstance(l1, torch.nn.Linear) and isinstance(l2, torch.nn.Linear)
        out.update(
            {
                "omics_student_emb": f32(omics_embeddings(umt.omics, tensors, genes, chunk)),
                "kg_student_emb": f32(kg_embeddings(umt.kg, tensors, genes)),
                "umt_w1": f32(l1.weight),
                "umt_b1": f32(l1.bias),
                "umt_w2": f32(l2.weight.reshape(-1)),
                "umt_b2": f32(l2.bias.reshape(1)),
            }
        )
    return out
