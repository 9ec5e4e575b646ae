"""The training context: everything one cancer (or pan-cancer) needs to train SynLeaF.

A context is built by :mod:`synleaf_desktop.data.build` and saved to a folder::

    <dir>/<NAME>/context.json   metadata (counts, omics present, seeds, checksums, table row)
    <dir>/<NAME>/omics.npz      genes [G] (U), samples [S] (U), one float32 [G, S] per omics kind
    <dir>/<NAME>/kg.npz         restricted knowledge graph edges (see below)
    <dir>/<NAME>/labels.npz     labels int64 [N, 3] (gene1_idx, gene2_idx, label), unbalanced
    <dir>/<NAME>/splits.npz     keys "cv{c}_fold{k}_{train|val|test}" -> int64 [n, 3], balanced

Everything loads with ``numpy.load(allow_pickle=False)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..fileio import atomic_dir, load_npz, read_json, save_npz, write_json
from ..io.omics import OMICS_KINDS, canonical_order

SPLIT_PARTS = ("train", "val", "test")


@dataclass
class ContextKG:
    """The knowledge graph as seen by one context.

    Entity indices are those of the full graph it was restricted from (so entity
    embeddings can be shared or transferred between contexts built on one graph).

    Attributes:
        num_entities: N, size of the entity vocabulary.
        num_relations: R, number of relation types (forward + reverse).
        edge_index: int64 [2, E], (source, target): messages flow source -> target.
        edge_type: int64 [E], in [0, R).
        relation_names: list of R names.
        entity_types: int8 [N], index into ``type_names``.
        type_names: e.g. ``["Gene", "BP", "MF", "CC", "Pathway"]``.
        gene_entity: int64 [G], entity index of each universe gene (context gene order).
        kg_id: identifier + checksum of the full graph it came from.
    """

    num_entities: int
    num_relations: int
    edge_index: np.ndarray
    edge_type: np.ndarray
    relation_names: list[str]
    entity_types: np.ndarray
    type_names: list[str]
    gene_entity: np.ndarray
    kg_id: str = ""


@dataclass
class Context:
    """One training context.

    Attributes:
        name: ``"BRCA"`` ... ``"SKCM"``, ``"pan"``, or a user's name.
        genes: str array [G], sorted HGNC symbols: the gene universe.
        samples: str array [S], sorted union of sample IDs over the omics.
        omics: kind -> float32 [G, S], normalised (METHOD §1.5), in :data:`OMICS_KINDS` order.
        kg: :class:`ContextKG`.
        labels: int64 [N, 3] (gene1_idx, gene2_idx, label in {0, 1}), filtered to the
            universe, not balanced.
        splits: ``(cv, fold) -> {"train"|"val"|"test": int64 [n, 3]}``; cv in {1, 2, 3},
            fold in 1..5; balanced 1:1 as METHOD §1.8.
        meta: free-form metadata (seed, counts before/after balancing, sources, checksums).
    """

    name: str
    genes: np.ndarray
    samples: np.ndarray
    omics: dict[str, np.ndarray]
    kg: ContextKG
    labels: np.ndarray
    splits: dict[tuple[int, int], dict[str, np.ndarray]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------
    @property
    def omics_kinds(self) -> list[str]:
        return canonical_order(self.omics)

    @property
    def num_genes(self) -> int:
        return len(self.genes)

    def omics_stack(self, dtype=np.float32) -> np.ndarray:
        """[K, G, S] array of the present omics in canonical order."""
        return np.stack([self.omics[k].astype(dtype, copy=False) for k in self.omics_kinds])

    def split(self, cv: int, fold: int) -> dict[str, np.ndarray]:
        try:
            return self.splits[(cv, fold)]
        except KeyError:
            have = sorted(self.splits)
            raise KeyError(
                f"context {self.name}: no split cv{cv} fold{fold} (have {have})"
            ) from None

    # ------------------------------------------------------------------
    def save(self, root: str | Path) -> Path:
        """Write to ``root/<name>/`` atomically; returns that folder."""
        dest = Path(root) / self.name
        with atomic_dir(dest) as tmp:
            save_npz(
                tmp / "omics.npz",
                compress=True,
                genes=self.genes.astype(str),
                samples=self.samples.astype(str),
                **{k: self.omics[k].astype(np.float32, copy=False) for k in self.omics_kinds},
            )
            kg = self.kg
            save_npz(
                tmp / "kg.npz",
                edge_index=kg.edge_index.astype(np.int64),
                edge_type=kg.edge_type.astype(np.int64),
                entity_types=kg.entity_types.astype(np.int8),
                gene_entity=kg.gene_entity.astype(np.int64),
            )
            save_npz(tmp / "labels.npz", labels=self.labels.astype(np.int64))
            save_npz(
                tmp / "splits.npz",
                compress=True,
                **{
                    f"cv{cv}_fold{fold}_{part}": arr.astype(np.int64)
                    for (cv, fold), parts in sorted(self.splits.items())
                    for part, arr in parts.items()
                },
            )
            write_json(
                tmp / "context.json",
                {
                    "name": self.name,
                    "format": 1,
                    "omics_kinds": self.omics_kinds,
                    "num_genes": int(self.num_genes),
                    "num_samples": len(self.samples),
                    "kg": {
                        "num_entities": kg.num_entities,
                        "num_relations": kg.num_relations,
                        "relation_names": kg.relation_names,
                        "type_names": kg.type_names,
                        "kg_id": kg.kg_id,
                        "num_edges": int(kg.edge_index.shape[1]),
                    },
                    "meta": self.meta,
                },
            )
        return dest

    @classmethod
    def load(cls, folder: str | Path, omics: bool = True) -> Context:
        """Load a context folder (``omics=False`` skips the large omics matrices)."""
        folder = Path(folder)
        info = read_json(folder / "context.json")
        om = load_npz(folder / "omics.npz") if omics else None
        if om is None:
            with np.load(folder / "omics.npz", allow_pickle=False) as z:
                genes, samples = z["genes"], z["samples"]
            mats: dict[str, np.ndarray] = {}
        else:
            genes, samples = om.pop("genes"), om.pop("samples")
            mats = {k: om[k] for k in OMICS_KINDS if k in om}
        kgz = load_npz(folder / "kg.npz")
        kgi = info["kg"]
        kg = ContextKG(
            num_entities=kgi["num_entities"],
            num_relations=kgi["num_relations"],
            edge_index=kgz["edge_index"],
            edge_type=kgz["edge_type"],
            relation_names=list(kgi["relation_names"]),
            entity_types=kgz["entity_types"],
            type_names=list(kgi["type_names"]),
            gene_entity=kgz["gene_entity"],
            kg_id=kgi.get("kg_id", ""),
        )
        labels = load_npz(folder / "labels.npz")["labels"]
        splits: dict[tuple[int, int], dict[str, np.ndarray]] = {}
        for key, arr in load_npz(folder / "splits.npz").items():
            cvs, folds, part = key.split("_")
            splits.setdefault((int(cvs[2:]), int(folds[4:])), {})[part] = arr
        return cls(
            name=info["name"],
            genes=genes,
            samples=samples,
            omics=mats,
            kg=kg,
            labels=labels,
            splits=splits,
            meta=info.get("meta", {}),
        )
