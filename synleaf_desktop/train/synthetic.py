"""A small random :class:`~synleaf_desktop.data.context.Context` with learnable signal,
for tests, benchmarks and demos (never for results).

Each gene has a hidden class c in {0, 1, 2, 3}; a pair is SL when c1 + c2 >= 3. Omics rows
carry a noisy class pattern, and genes link in the graph to "term" entities that depend on
their class, so both modalities can learn the labels.
"""

from __future__ import annotations

import numpy as np

from ..data.context import Context, ContextKG
from ..io.omics import OMICS_KINDS


def synthetic_context(
    name: str = "SYN",
    genes: int = 120,
    omics: int = 2,
    samples: int = 24,
    terms: int = 30,
    relations: int = 3,
    pairs: int = 400,
    seed: int = 0,
    cvs=(1,),
    folds=(1, 2, 3, 4, 5),
    signal: float = 0.8,
) -> Context:
    """Build a random context.

    Args:
        genes: G; omics: K (1..4, canonical kinds from "mut"); samples: S; terms: extra
        non-gene entities; relations: forward relation types (each also gets a reverse type);
        pairs: labelled pairs (balanced 1:1); cvs, folds: which splits to make (7:1:2).
    """
    rng = np.random.default_rng(seed)
    g = genes
    cls = rng.integers(0, 4, g)
    kinds = list(OMICS_KINDS[:omics])
    mats = {}
    for k in kinds:
        pattern = rng.normal(size=(4, samples))
        mats[k] = (rng.normal(size=(g, samples)) + signal * pattern[cls]).astype(np.float32)
    # graph: genes 0..G-1, terms G..G+T-1
    n = g + terms
    term_of_class = [rng.choice(terms, size=max(1, terms // 4), replace=False) for _ in range(4)]
    src, dst, typ = [], [], []
    for gi in range(g):
        for _ in range(3):
            pool = term_of_class[cls[gi]] if rng.random() < 0.7 else np.arange(terms)
            src.append(gi)
            dst.append(g + int(rng.choice(pool)))
            typ.append(int(rng.integers(0, max(1, relations - 1))))
    for _ in range(g):  # gene-gene edges on the last forward relation
        a, b = rng.integers(0, g, 2)
        src.append(int(a))
        dst.append(int(b))
        typ.append(relations - 1)
    s, d, t = np.array(src), np.array(dst), np.array(typ)
    edge_index = np.concatenate([np.stack([s, d]), np.stack([d, s])], axis=1).astype(np.int64)
    edge_type = np.concatenate([t, t + relations]).astype(np.int64)
    rel_names = [f"rel{r}" for r in range(relations)] + [
        f"rel{r}_reversed" for r in range(relations)
    ]
    kg = ContextKG(
        num_entities=n,
        num_relations=2 * relations,
        edge_index=edge_index,
        edge_type=edge_type,
        relation_names=rel_names,
        entity_types=np.array([0] * g + [1] * terms, dtype=np.int8),
        type_names=["Gene", "Term"],
        gene_entity=np.arange(g, dtype=np.int64),
        kg_id=f"synthetic-{seed}",
    )
    # balanced labels
    pos: list[tuple[int, int, int]] = []
    neg: list[tuple[int, int, int]] = []
    seen: set[tuple[int, int]] = set()
    while len(pos) < pairs // 2 or len(neg) < pairs // 2:
        a, b = (int(x) for x in rng.integers(0, g, 2))
        if a == b or (a, b) in seen or (b, a) in seen:
            continue
        seen.add((a, b))
        lab = int(cls[a] + cls[b] >= 3)
        (pos if lab else neg).append((a, b, lab))
    labels = np.array(pos[: pairs // 2] + neg[: pairs // 2], dtype=np.int64)
    labels = labels[rng.permutation(len(labels))]
    splits = {}
    nl = len(labels)
    for cv in cvs:
        order = np.random.default_rng(seed + 100 * cv).permutation(nl)
        for fold in folds:
            test_idx = np.array_split(order, 5)[(fold - 1) % 5]
            rest = np.setdiff1d(order, test_idx, assume_unique=True)
            rest = rest[np.random.default_rng(seed + fold).permutation(len(rest))]
            nval = max(2, len(rest) // 8)
            splits[(cv, fold)] = {
                "train": labels[rest[nval:]],
                "val": labels[rest[:nval]],
                "test": labels[test_idx],
            }
    return Context(
        name=name,
        genes=np.array([f"GENE{i:04d}" for i in range(g)]),
        samples=np.array([f"S{i:03d}" for i in range(samples)]),
        omics=mats,
        kg=kg,
        labels=labels,
        splits=splits,
        meta={"seed": seed, "synthetic": True},
    )
