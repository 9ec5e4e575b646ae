"""Build the compact gene -> terms index used for knowledge-graph pair evidence.

From a :class:`~synleaf_desktop.io.kg.KnowledgeGraph` (the shipped ``resources/kg`` graph or
a user's import) and, optionally, GO term names (``shared/data/kg/go_terms.tsv.gz``):

- gene -> directly annotated terms of the chosen entity types (default GO BP and KEGG
  pathways; a user graph's "Biological process" / "Pathway" types count as the same),
  from edges Gene -> term in either direction, deduplicated;
- per term: its gene count over the whole graph, its name (GO names; other ids as name);
- direct gene-gene edges (relation names without the ``_rev`` suffix), both directions.

Saved as ``resources/kg_terms/terms.npz`` + ``terms.json`` (provenance) by :func:`save_term_index`.
Run: ``python -m synleaf_desktop.data.kg_terms --data ../shared/data [--kg resources/kg] [--out resources/kg_terms]``.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..fileio import atomic_dir, save_npz, sha256_file, write_json

#: entity types indexed, with the spellings of other graphs that mean the same
TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "BP": ("BP", "Biological process", "BiologicalProcess", "biological_process"),
    "Pathway": ("Pathway", "KEGG", "pathway"),
}
REVERSE_SUFFIX = "_rev"


def build_term_index(
    kg: Any, go_terms: str | Path | None = None, types: Sequence[str] = ("BP", "Pathway")
) -> dict[str, np.ndarray]:
    """Index ``kg``'s genes by their directly annotated terms (module docstring).

    Returns the arrays of :class:`synleaf_desktop.scoring.kg_evidence.TermIndex`
    (``TermIndex.from_arrays`` loads them), ``meta_json`` holding type and relation names.

    Args:
        kg: :class:`~synleaf_desktop.io.kg.KnowledgeGraph`.
        go_terms: ``go_terms.tsv.gz`` (``go_id, ontology, term``) for GO names, or None.
        types: canonical type names to index (keys of :data:`TYPE_ALIASES` or a type of ``kg``).
    """
    type_names = [str(t) for t in kg.type_names]
    ent_types = np.asarray(kg.entity_types)
    names = np.asarray(kg.entity_names).astype(str)
    gene_t = type_names.index("Gene")
    kg_type_to_out: dict[int, int] = {}
    for o, canon in enumerate(types):
        for alias in TYPE_ALIASES.get(canon, (canon,)):
            if alias in type_names:
                kg_type_to_out[type_names.index(alias)] = o
    is_gene = ent_types == gene_t
    gene_ent = np.flatnonzero(is_gene)
    genes = names[gene_ent]
    gene_row = np.full(len(names), -1, np.int64)
    gene_row[gene_ent] = np.arange(len(gene_ent))
    out_type = np.full(len(type_names), -1, np.int64)
    for k, o in kg_type_to_out.items():
        out_type[k] = o
    src, dst = np.asarray(kg.edge_index)
    rel = np.asarray(kg.edge_type)

    # gene -> term (either direction)
    g_list, t_list = [], []
    for a, b in ((src, dst), (dst, src)):
        keep = is_gene[a] & (out_type[ent_types[b]] >= 0)
        g_list.append(gene_row[a[keep]])
        t_list.append(b[keep])
    g_all, t_ent = np.concatenate(g_list), np.concatenate(t_list)
    term_ent, t_idx = np.unique(t_ent, return_inverse=True)
    key = np.unique(g_all * len(term_ent) + t_idx)
    g_all, t_idx = key // len(term_ent), (key % len(term_ent)).astype(np.int32)
    gene_ptr = np.zeros(len(genes) + 1, np.int64)
    np.cumsum(np.bincount(g_all, minlength=len(genes)), out=gene_ptr[1:])
    term_genes = np.bincount(t_idx, minlength=len(term_ent)).astype(np.int32)
    term_ids = names[term_ent]
    term_types = out_type[ent_types[term_ent]].astype(np.int8)

    go_names: dict[str, str] = {}
    if go_terms is not None:
        df = pd.read_csv(
            go_terms, sep="\t", quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False
        )
        go_names = dict(zip(df["go_id"], df["term"], strict=True))
    encoded = [go_names.get(t, t).encode("utf-8") for t in term_ids.tolist()]
    names_ptr = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum([len(e) for e in encoded], out=names_ptr[1:])
    names_utf8 = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()

    # direct gene-gene edges, both directions, relation names without _rev
    rel_base = [
        r[: -len(REVERSE_SUFFIX)] if r.endswith(REVERSE_SUFFIX) else r for r in kg.relation_names
    ]
    relation_names = sorted(set(rel_base))
    rel_out = np.array([relation_names.index(r) for r in rel_base], dtype=np.int64)
    gg = is_gene[src] & is_gene[dst] & (src != dst)
    a = np.concatenate([gene_row[src[gg]], gene_row[dst[gg]]])
    b = np.concatenate([gene_row[dst[gg]], gene_row[src[gg]]])
    r = np.concatenate([rel_out[rel[gg]], rel_out[rel[gg]]])
    if len(a):
        trip = np.unique(np.stack([a, b, r], axis=1), axis=0)
        a, b, r = trip[:, 0], trip[:, 1], trip[:, 2]
    edge_ptr = np.zeros(len(genes) + 1, np.int64)
    np.cumsum(np.bincount(a, minlength=len(genes)), out=edge_ptr[1:])
    used_rel = sorted(set(r.tolist()))
    rel_names = [relation_names[i] for i in used_rel]
    remap = np.full(len(relation_names), -1, np.int64)
    remap[used_rel] = np.arange(len(used_rel))

    meta = {
        "format": 1,
        "kg_id": getattr(kg, "kg_id", ""),
        "kg_name": getattr(kg, "name", ""),
        "annotation": "direct (not propagated up the GO DAG)",
        "terms_per_type": {t: int((term_types == o).sum()) for o, t in enumerate(types)},
        "gene_term_pairs": len(t_idx),
        "gene_gene_edges": int(len(a) // 2 if len(a) else 0),
        "term_names": "GO.db go_terms.tsv.gz; KEGG pathways by id only" if go_terms else "ids only",
    }
    meta.update(type_names=list(types), relation_names=rel_names)
    return {
        "genes": genes.astype(str),
        "gene_ptr": gene_ptr,
        "gene_terms": t_idx,
        "term_ids": term_ids.astype(str),
        "term_types": term_types,
        "term_genes": term_genes,
        "names_utf8": names_utf8,
        "names_ptr": names_ptr,
        "edge_ptr": edge_ptr,
        "edge_partner": b.astype(np.int32),
        "edge_rel": remap[r].astype(np.int16) if len(r) else np.zeros(0, np.int16),
        "meta_json": np.array(json.dumps(meta, sort_keys=True)),
    }


def save_term_index(
    arrays: dict[str, np.ndarray], folder: str | Path, inputs: Sequence[str | Path] = ()
) -> Path:
    """Write ``folder/terms.npz`` (compressed, no pickle) and ``folder/terms.json`` atomically."""
    folder = Path(folder)
    meta = json.loads(str(arrays["meta_json"][()]))
    with atomic_dir(folder) as tmp:
        save_npz(tmp / "terms.npz", compress=True, **arrays)
        write_json(
            tmp / "terms.json",
            dict(
                meta,
                inputs={Path(p).name: sha256_file(p) for p in inputs},
                genes=len(arrays["genes"]),
                terms=len(arrays["term_ids"]),
            ),
        )
    return folder


def main(argv: list[str] | None = None) -> int:
    from .. import paths
    from ..errors import SynleafError
    from ..io.kg import KnowledgeGraph

    p = argparse.ArgumentParser(description="build resources/kg_terms/terms.npz")
    p.add_argument(
        "--data", type=Path, required=True, help="the shared data folder (for GO term names)"
    )
    p.add_argument("--kg", type=Path, default=None, help="graph folder (default resources/kg)")
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default resources/kg_terms)"
    )
    args = p.parse_args(argv)
    kg_dir = args.kg or paths.resources_dir() / "kg"
    try:
        out = args.out or paths.resources_out_dir() / "kg_terms"
    except SynleafError as exc:
        p.error(str(exc))
    go = args.data / "kg" / "go_terms.tsv.gz"
    arrays = build_term_index(KnowledgeGraph.load(kg_dir), go)
    save_term_index(arrays, out, [kg_dir / "graph.npz", go])
    size = (out / "terms.npz").stat().st_size
    print(
        f"{out / 'terms.npz'}: {size / 1e6:.2f} MB, {len(arrays['genes'])} genes, {len(arrays['term_ids'])} terms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
