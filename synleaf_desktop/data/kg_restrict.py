"""Restricting the shipped knowledge graph to one context (METHOD §1.6, adapted).

Our graph (:mod:`synleaf_desktop.io.kg`) has Gene, BP, MF, CC and Pathway entities and
no SL edges, so the generic part of §1.6 (dropping SL/nonSL/SR relations) has nothing to
do. The cancer-specific part works on KEGG pathways instead of SLKG's Disease nodes:

* KEGG's disease-specific cancer pathways in our 2011 KEGG data
  (:data:`DISEASE_PATHWAYS`) stand in for the Disease node. A context keeps only its own
  (:data:`CANCER_PATHWAYS`); every edge touching another one is removed. Contexts whose
  cancer has no KEGG pathway (BRCA, CESC, OV) lose them all, like the original's
  ``EMPTY``; pan keeps them all (``TOTAL``). ``hsa05200`` "Pathways in cancer" is
  generic and kept everywhere.
* Then edges touching a Gene entity outside the universe are removed; a gene-gene edge
  (none in our graph) is kept when one end is in the universe, as METHOD says.

Entity indices stay those of the full graph, so :attr:`ContextKG.num_entities` is the
full N and embeddings are comparable between contexts built on one graph.

Steps are split so the builder can compute the universe in between:
:func:`pathway_edge_mask` -> :func:`connected_genes` -> (universe) -> :func:`restrict_kg`.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from .context import ContextKG

#: KEGG disease-specific cancer pathways present in the 2011 KEGG data (hsa05200, the
#: generic "Pathways in cancer", is deliberately not in this table).
DISEASE_PATHWAYS: dict[str, str] = {
    "hsa05210": "colorectal cancer",
    "hsa05211": "renal cell carcinoma",
    "hsa05212": "pancreatic cancer",
    "hsa05213": "endometrial cancer",
    "hsa05214": "glioma",
    "hsa05215": "prostate cancer",
    "hsa05216": "thyroid cancer",
    "hsa05217": "basal cell carcinoma",
    "hsa05218": "melanoma",
    "hsa05219": "bladder cancer",
    "hsa05220": "chronic myeloid leukemia",
    "hsa05221": "acute myeloid leukemia",
    "hsa05222": "small cell lung cancer",
    "hsa05223": "non-small cell lung cancer",
}

#: keep every disease-specific pathway (the original's ``TOTAL``)
KEEP_ALL = "all"
#: pick the pathway from the context name via :data:`CANCER_PATHWAYS`
AUTO = "auto"

#: context name -> its disease-specific pathway (``None``: KEGG 2011 has none, remove all;
#: :data:`KEEP_ALL`: keep all). Names not listed (user contexts) map to ``None``.
CANCER_PATHWAYS: dict[str, str | None] = {
    "BRCA": None,  # no breast cancer pathway in KEGG 2011 (hsa05224 is newer)
    "CESC": None,  # no cervical cancer pathway
    "COAD": "hsa05210",
    "KIRC": "hsa05211",
    "LAML": "hsa05221",
    "LUAD": "hsa05223",
    "OV": None,  # no ovarian cancer pathway
    "SKCM": "hsa05218",
    "pan": KEEP_ALL,
}


class GraphLike(Protocol):
    """What this module needs from :class:`synleaf_desktop.io.kg.KnowledgeGraph`."""

    entity_names: np.ndarray
    entity_types: np.ndarray
    type_names: list[str]
    edge_index: np.ndarray
    edge_type: np.ndarray
    relation_names: list[str]
    kg_id: str

    def gene_entity_index(self, symbols) -> np.ndarray: ...


def resolve_pathway_policy(name: str, cancer_pathway: str | None = AUTO) -> str | None:
    """The pathway a context keeps: an id, :data:`KEEP_ALL`, or ``None`` (keep none).

    ``AUTO`` looks the context name up in :data:`CANCER_PATHWAYS` (exact, then upper case);
    unknown names keep none.
    """
    if cancer_pathway != AUTO:
        return cancer_pathway
    if name in CANCER_PATHWAYS:
        return CANCER_PATHWAYS[name]
    return CANCER_PATHWAYS.get(name.upper())


def _type_id(kg: GraphLike, name: str) -> int:
    names = [str(t).lower() for t in kg.type_names]
    return names.index(name.lower()) if name.lower() in names else -1


def pathway_edge_mask(
    kg: GraphLike, cancer_pathway: str | None
) -> tuple[np.ndarray, dict[str, Any]]:
    """Edges left after removing the other disease-specific cancer pathways.

    Args:
        kg: the full graph.
        cancer_pathway: pathway id to keep (e.g. ``"hsa05210"``), :data:`KEEP_ALL`, or
            ``None`` to remove all of :data:`DISEASE_PATHWAYS`.

    Returns:
        (bool [E] mask of kept edges, info with ``kept_pathways`` / ``removed_pathways``
        (those present in the graph) and ``edges_removed``).
    """
    if cancer_pathway not in (None, KEEP_ALL) and cancer_pathway not in DISEASE_PATHWAYS:
        raise ValueError(
            f"unknown cancer pathway {cancer_pathway!r}; expected one of "
            f"{sorted(DISEASE_PATHWAYS)}, {KEEP_ALL!r} or None"
        )
    names = np.asarray(kg.entity_names).astype(str)
    pw_type = _type_id(kg, "Pathway")
    is_pw = (
        np.asarray(kg.entity_types) == pw_type if pw_type >= 0 else np.ones(len(names), dtype=bool)
    )
    disease = is_pw & np.isin(names, list(DISEASE_PATHWAYS))
    if cancer_pathway == KEEP_ALL:
        remove = np.zeros(len(names), dtype=bool)
    elif cancer_pathway is None:
        remove = disease
    else:
        remove = disease & (names != cancer_pathway)
    ei = np.asarray(kg.edge_index)
    mask = ~(remove[ei[0]] | remove[ei[1]])
    present = sorted(names[disease].tolist())
    removed = sorted(names[remove].tolist())
    info = {
        "policy": cancer_pathway if cancer_pathway is not None else "none",
        "kept_pathways": [p for p in present if p not in removed],
        "removed_pathways": removed,
        "edges_removed": int((~mask).sum()),
    }
    return mask, info


def connected_genes(kg: GraphLike, edge_mask: np.ndarray | None = None) -> np.ndarray:
    """Symbols of Gene entities with at least one (kept) edge, sorted; str [n]."""
    types = np.asarray(kg.entity_types)
    gene_type = _type_id(kg, "Gene")
    ei = np.asarray(kg.edge_index)
    if edge_mask is not None:
        ei = ei[:, edge_mask]
    has_edge = np.zeros(len(types), dtype=bool)
    has_edge[ei[0]] = True
    has_edge[ei[1]] = True
    return np.sort(np.asarray(kg.entity_names)[has_edge & (types == gene_type)].astype(str))


def _per_relation(edge_type: np.ndarray, names: list[str]) -> dict[str, int]:
    counts = np.bincount(np.asarray(edge_type, dtype=np.int64), minlength=len(names))
    return {str(n): int(c) for n, c in zip(names, counts, strict=False)}


def restrict_kg(
    kg: GraphLike,
    universe: np.ndarray,
    edge_mask: np.ndarray | None = None,
    pathway_info: dict[str, Any] | None = None,
) -> tuple[ContextKG, dict[str, Any]]:
    """The context's graph: pathway-filtered edges minus those touching non-universe genes.

    An edge is removed when a Gene entity outside the universe is at one end and the
    other end is not a universe gene (non-gene node, or gene outside too).

    Args:
        kg: the full graph.
        universe: str [G], the context's sorted genes; every one must be a Gene entity.
        edge_mask: bool [E] from :func:`pathway_edge_mask` (``None``: all edges).
        pathway_info: its info dict, copied into the summary.

    Returns:
        (:class:`ContextKG`, summary with entity/edge counts and per-relation edge
        counts ``{"relation": [full, after pathways, final]}``).
    """
    types = np.asarray(kg.entity_types)
    n = len(types)
    gene_type = _type_id(kg, "Gene")
    ei = np.asarray(kg.edge_index, dtype=np.int64)
    et = np.asarray(kg.edge_type, dtype=np.int64)
    if edge_mask is None:
        edge_mask = np.ones(ei.shape[1], dtype=bool)
    gene_entity = np.asarray(kg.gene_entity_index(np.asarray(universe)), dtype=np.int64)
    if (gene_entity < 0).any():
        missing = np.asarray(universe)[gene_entity < 0][:5].tolist()
        raise ValueError(
            f"{int((gene_entity < 0).sum())} universe genes are not Gene entities of the graph "
            f"(e.g. {missing})"
        )
    is_gene = types == gene_type
    in_univ = np.zeros(n, dtype=bool)
    in_univ[gene_entity] = True
    out_gene = is_gene & ~in_univ
    src, dst = ei[0], ei[1]
    # keep unless an outside gene is at one end and the other end is not a universe gene
    bad = (out_gene[src] & ~in_univ[dst]) | (out_gene[dst] & ~in_univ[src])
    keep = edge_mask & ~bad
    sub_ei = np.ascontiguousarray(ei[:, keep])
    sub_et = np.ascontiguousarray(et[keep])
    rel = list(map(str, kg.relation_names))
    full, mid, final = (
        _per_relation(et, rel),
        _per_relation(et[edge_mask], rel),
        _per_relation(sub_et, rel),
    )
    touched = np.zeros(n, dtype=bool)
    touched[sub_ei[0]] = True
    touched[sub_ei[1]] = True
    summary = {
        "kg_id": getattr(kg, "kg_id", ""),
        "entities": int(n),
        "entities_with_edges": int(touched.sum()),
        "gene_entities": int(is_gene.sum()),
        "universe_genes": len(gene_entity),
        "edges_full": int(ei.shape[1]),
        "edges_after_pathways": int(edge_mask.sum()),
        "edges": int(keep.sum()),
        "edges_removed_genes": int((edge_mask & bad).sum()),
        "pathways": dict(pathway_info or {}),
        "per_relation": {r: [full[r], mid[r], final[r]] for r in rel},
    }
    ckg = ContextKG(
        num_entities=int(n),
        num_relations=len(rel),
        edge_index=sub_ei,
        edge_type=sub_et,
        relation_names=rel,
        entity_types=types.astype(np.int8),
        type_names=list(map(str, kg.type_names)),
        gene_entity=gene_entity,
        kg_id=str(getattr(kg, "kg_id", "")),
    )
    return ckg, summary
