"""Knowledge graphs: the shipped GO/KEGG annotation graph, importers, and the on-disk format.

A :class:`KnowledgeGraph` is a typed, directed multigraph kept as plain arrays:
``entity_names`` [N], ``entity_types`` [N], ``edge_index`` [2, E] (row 0 source, row 1
target; RGCN messages flow source -> target) and ``edge_type`` [E]. Every forward
relation has its reverse relation (``<name>_rev``) unless the source already stores it
in both directions, so information flows both ways (METHOD §1.6, §2.2).

Sources:

* :func:`build_annotation_kg`: the graph the app ships (DESIGN §4), built from
  org.Hs.eg.db / GO.db tables in ``shared/data/kg``: Gene, BP, MF, CC, Pathway.
* :func:`read_triples`: any ``head,relation,tail`` table (CSV/TSV, optional types).
* :func:`read_slkg_export`: the SynLethDB / SLKG 2.0 Neo4j-style export used by the
  paper (label relations dropped, METHOD §1.6).
* :func:`read_synlethkg_partial`: the per-cancer SynLethKG subgraphs in
  ``shared/data/kg/synlethkg_partial``.
* :func:`read_kg`: dispatches on the form of a path.

On disk (:meth:`KnowledgeGraph.save`): ``graph.npz`` (compressed arrays, no pickle,
int32 edges) + ``graph.json`` (names, counts, provenance, ``kg_id``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..fileio import atomic_dir, load_npz, read_json, save_npz, sha256_file, write_json
from .genes import GeneResolver, default_resolver
from .labels import column_key, read_delimited

__all__ = [
    "ANNOTATION_RELATIONS",
    "ANNOTATION_TYPES",
    "REVERSE_SUFFIX",
    "SLKG_LABEL_RELATIONS",
    "SYNLETHKG_TYPES",
    "KnowledgeGraph",
    "build_annotation_kg",
    "read_kg",
    "read_slkg_export",
    "read_synlethkg_partial",
    "read_triples",
]

FORMAT_VERSION = 1
GRAPH_NPZ = "graph.npz"
GRAPH_JSON = "graph.json"
REVERSE_SUFFIX = "_rev"
GENE = "Gene"

#: entity types of the shipped annotation graph, in index order
ANNOTATION_TYPES: tuple[str, ...] = ("Gene", "BP", "MF", "CC", "Pathway")
#: forward relations of the annotation graph (reverses follow, same order, ``_rev``)
ANNOTATION_RELATIONS: tuple[str, ...] = (
    "gene_bp",
    "gene_mf",
    "gene_cc",
    "gene_pathway",
    "go_isa",
    "go_part_of",
    "go_regulates",
    "go_negatively_regulates",
    "go_positively_regulates",
)
_GO_RELATIONSHIPS = {
    "isa": "go_isa",
    "part of": "go_part_of",
    "regulates": "go_regulates",
    "negatively regulates": "go_negatively_regulates",
    "positively regulates": "go_positively_regulates",
}
_ANNOTATION_FILES = (
    "genes.tsv.gz",
    "gene_go.tsv.gz",
    "gene_kegg.tsv.gz",
    "go_terms.tsv.gz",
    "go_edges.tsv.gz",
)

#: SLKG relations holding SL labels; dropped on import (label leakage, METHOD §1.6)
SLKG_LABEL_RELATIONS: tuple[str, ...] = ("SL_GsG", "NONSL_GnsG", "SR_GsrG")
#: SLKG relation stored in both directions already: no reverse added
SLKG_SYMMETRIC: tuple[str, ...] = ("REGULATES_GrG",)
#: entity type codes of ``synlethkg_partial/entity.txt`` (its README), in code order
SYNLETHKG_TYPES: tuple[str, ...] = (
    "Symptom",
    "Side effect",
    "Gene",
    "Biological process",
    "Compound",
    "Molecular function",
    "Pharmacologic class",
    "Pathway",
    "Cellular component",
    "Disease",
    "Anatomy",
)
_REV_SUFFIXES = ("_rev", "_reversed", "_reverse", "_inv", "_inverse")


# ----------------------------------------------------------------------
# the graph


@dataclass
class KnowledgeGraph:
    """A typed directed graph.

    Attributes:
        entity_names: str ('U') [N]; Gene entities are named by HGNC symbol.
        entity_types: int8 [N], index into ``type_names``.
        type_names: T type names (e.g. ``["Gene", "BP", "MF", "CC", "Pathway"]``).
        edge_index: int64 [2, E]; row 0 source, row 1 target (messages flow source -> target).
        edge_type: int64 [E], index into ``relation_names``.
        relation_names: R relation names (forward relations, then their ``_rev`` reverses).
        meta: provenance: ``name``, ``source``, input checksums, counts, notes.
    """

    entity_names: np.ndarray
    entity_types: np.ndarray
    type_names: list[str]
    edge_index: np.ndarray
    edge_type: np.ndarray
    relation_names: list[str]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.entity_names = _str_array(self.entity_names)
        self.entity_types = np.asarray(self.entity_types, dtype=np.int8)
        self.edge_index = np.asarray(self.edge_index, dtype=np.int64).reshape(2, -1)
        self.edge_type = np.asarray(self.edge_type, dtype=np.int64).reshape(-1)
        self.type_names = [str(t) for t in self.type_names]
        self.relation_names = [str(r) for r in self.relation_names]
        n, e = len(self.entity_names), self.edge_index.shape[1]
        if self.entity_types.shape != (n,):
            raise ValueError(f"entity_types shape {self.entity_types.shape} != ({n},)")
        if self.edge_type.shape != (e,):
            raise ValueError(f"edge_type shape {self.edge_type.shape} != ({e},)")
        if n and (self.entity_types.min() < 0 or self.entity_types.max() >= len(self.type_names)):
            raise ValueError("entity_types out of range of type_names")
        if e and (self.edge_index.min() < 0 or self.edge_index.max() >= n):
            raise ValueError(f"edge_index out of range [0, {n})")
        if e and (self.edge_type.min() < 0 or self.edge_type.max() >= len(self.relation_names)):
            raise ValueError(f"edge_type out of range [0, {len(self.relation_names)})")
        self._gene_lookup: pd.Series | None = None

    # ------------------------------------------------------------------
    @property
    def num_entities(self) -> int:
        return len(self.entity_names)

    @property
    def num_edges(self) -> int:
        return int(self.edge_index.shape[1])

    @property
    def num_relations(self) -> int:
        return len(self.relation_names)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "kg"))

    @property
    def kg_id(self) -> str:
        """``"<name>@<sha256[:12]>"`` of the arrays as saved (independent of compression)."""
        return f"{self.name}@{self.checksum()[:12]}"

    def checksum(self) -> str:
        """sha256 (hex) over the stored arrays and the type/relation names."""
        h = hashlib.sha256()
        for key, arr in self._stored_arrays().items():
            h.update(f"{key}|{arr.dtype.str}|{arr.shape}|".encode())
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(json.dumps([self.type_names, self.relation_names]).encode())
        return h.hexdigest()

    def _stored_arrays(self) -> dict[str, np.ndarray]:
        names = self.entity_names
        width = int(np.char.str_len(names).max()) if len(names) else 1
        return {
            "entity_names": names.astype(f"<U{max(width, 1)}"),
            "entity_types": self.entity_types.astype(np.int8),
            "edge_index": self.edge_index.astype(np.int32),
            "edge_type": self.edge_type.astype(np.int32),
        }

    # ------------------------------------------------------------------
    @property
    def gene_type(self) -> int:
        """Index of the ``Gene`` type (-1 when the graph has none)."""
        return self.type_names.index(GENE) if GENE in self.type_names else -1

    def gene_mask(self) -> np.ndarray:
        """bool [N]: True for Gene entities."""
        return self.entity_types == self.gene_type

    def gene_symbols(self) -> np.ndarray:
        """'U' array of Gene entity names, in entity order."""
        return self.entity_names[self.gene_mask()]

    def gene_entity_index(self, symbols: Sequence[str] | np.ndarray) -> np.ndarray:
        """int64 [n]: entity index of each gene symbol, -1 when the graph has no such Gene."""
        if self._gene_lookup is None:
            idx = np.flatnonzero(self.gene_mask())
            names = pd.Index(self.entity_names[idx].tolist())
            first = ~names.duplicated(keep="first")
            self._gene_lookup = pd.Series(idx[first], index=names[first])
        lookup = self._gene_lookup
        pos = lookup.index.get_indexer(pd.Index([str(s) for s in symbols], dtype=object))
        return np.where(pos >= 0, lookup.to_numpy()[np.maximum(pos, 0)], -1).astype(np.int64)

    def summary(self) -> dict[str, Any]:
        """Counts: entities per type, edges per relation (all relations, reverses included)."""
        ent = np.bincount(self.entity_types.astype(np.int64), minlength=len(self.type_names))
        rel = np.bincount(self.edge_type, minlength=self.num_relations)
        return {
            "num_entities": self.num_entities,
            "num_edges": self.num_edges,
            "num_relations": self.num_relations,
            "entities": {t: int(n) for t, n in zip(self.type_names, ent, strict=False)},
            "edges": {r: int(n) for r, n in zip(self.relation_names, rel, strict=False)},
            "counts": dict(self.meta.get("counts") or {}),
            "warnings": [str(w) for w in self.meta.get("warnings") or []],
        }

    # ------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write ``folder/graph.npz`` and ``folder/graph.json`` atomically; returns ``folder``."""
        folder = Path(folder)
        arrays = self._stored_arrays()
        info = {
            "format": FORMAT_VERSION,
            "kg_id": self.kg_id,
            "sha256": self.checksum(),
            "type_names": self.type_names,
            "relation_names": self.relation_names,
            **{k: v for k, v in self.summary().items()},
            "meta": self.meta,
        }
        with atomic_dir(folder) as tmp:
            save_npz(tmp / GRAPH_NPZ, compress=True, **arrays)
            write_json(tmp / GRAPH_JSON, info)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> KnowledgeGraph:
        """Load a folder written by :meth:`save` (``allow_pickle=False``); checks the checksum."""
        folder = Path(folder)
        if folder.is_file():
            folder = folder.parent
        npz, js = folder / GRAPH_NPZ, folder / GRAPH_JSON
        for p in (npz, js):
            if not p.exists():
                raise InputError(
                    folder,
                    f"not a saved knowledge graph: {p.name} is missing "
                    f"(expected {GRAPH_NPZ} and {GRAPH_JSON})",
                )
        try:
            info = read_json(js)
            arrays = load_npz(npz)
        except (ValueError, OSError, KeyError) as exc:
            raise InputError(
                folder, f"cannot read the saved knowledge graph ({exc}); rebuild or re-import it"
            ) from None
        missing = [
            k
            for k in ("entity_names", "entity_types", "edge_index", "edge_type")
            if k not in arrays
        ]
        if missing:
            raise InputError(npz, f"arrays {missing} are missing; rebuild or re-import the graph")
        if int(info.get("format", 0)) > FORMAT_VERSION:
            raise InputError(
                js,
                f"graph format {info.get('format')} is newer than this app supports "
                f"({FORMAT_VERSION}); update SynLeaF Desktop",
            )
        try:
            graph = cls(
                arrays["entity_names"],
                arrays["entity_types"],
                list(info["type_names"]),
                arrays["edge_index"],
                arrays["edge_type"],
                list(info["relation_names"]),
                dict(info.get("meta", {})),
            )
        except (ValueError, KeyError) as exc:
            raise InputError(
                folder,
                f"the saved knowledge graph is inconsistent ({exc}); rebuild or re-import it",
            ) from None
        if info.get("sha256") and info["sha256"] != graph.checksum():
            raise InputError(
                npz,
                "the graph arrays do not match the checksum in graph.json (file changed or "
                "damaged); rebuild or re-import the graph",
            )
        return graph


def _str_array(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "U":
        return arr
    return (
        np.asarray([str(v) for v in arr.tolist()], dtype=str)
        if arr.size
        else np.zeros(0, dtype="<U1")
    )


# ----------------------------------------------------------------------
# assembling a graph from named triples


def _assemble(
    ent_type: np.ndarray,
    ent_name: np.ndarray,
    type_names: list[str],
    src: np.ndarray,
    dst: np.ndarray,
    rel: np.ndarray,
    relation_names: list[str],
    reverse: Sequence[bool],
    meta: dict[str, Any],
    path: Path | None = None,
) -> KnowledgeGraph:
    """Entities given in their final order; edges as entity indices + forward relation codes.

    Drops self-loops and duplicate (source, target, relation) edges, adds reverse
    relations (``name + "_rev"``, after all forward ones, same order) where ``reverse``,
    and sorts edges by (relation, source, target).
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    rel = np.asarray(rel, dtype=np.int64)
    loops = src == dst
    src, dst, rel = src[~loops], dst[~loops], rel[~loops]
    n = max(len(ent_name), 1)
    key = (rel * n + src) * n + dst
    key, first = np.unique(key, return_index=True)
    n_dup = len(src) - len(key)
    src, dst, rel = src[first], dst[first], rel[first]  # sorted by (rel, src, dst)
    n_fwd = len(relation_names)
    rev_codes = np.full(n_fwd, -1, dtype=np.int64)
    names = list(relation_names)
    for r, flag in enumerate(reverse):
        if flag:
            rev_codes[r] = len(names)
            names.append(relation_names[r] + REVERSE_SUFFIX)
    has_rev = rev_codes[rel] >= 0
    r_src, r_dst, r_rel = dst[has_rev], src[has_rev], rev_codes[rel[has_rev]]
    order = np.lexsort((r_dst, r_src, r_rel))
    edge_index = np.vstack(
        [np.concatenate([src, r_src[order]]), np.concatenate([dst, r_dst[order]])]
    )
    edge_type = np.concatenate([rel, r_rel[order]])
    meta = dict(meta)
    meta.setdefault("counts", {})
    meta["counts"].update(
        {"self_loops_dropped": int(loops.sum()), "duplicate_edges_dropped": int(n_dup)}
    )
    graph = KnowledgeGraph(ent_name, ent_type, type_names, edge_index, edge_type, names, meta)
    if graph.gene_type < 0 or not graph.gene_mask().any():
        raise InputError(
            path,
            f"the graph has no Gene entities (types found: {sorted(set(type_names))}); a "
            "knowledge graph for SL prediction needs genes named by symbol",
        )
    return graph


def _entities_sorted(
    types: pd.Series, names: pd.Series, type_names: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (type code, name) pairs sorted by type order then name."""
    code = pd.Categorical(types, categories=type_names).codes.astype(np.int64)
    df = pd.DataFrame({"t": code, "n": names.astype(str).to_numpy()}).drop_duplicates()
    df = df.sort_values(["t", "n"], kind="stable")
    return df["t"].to_numpy(np.int8), df["n"].to_numpy(dtype=str)


def _lookup(
    ent_type: np.ndarray, ent_name: np.ndarray, types: np.ndarray, names: np.ndarray
) -> np.ndarray:
    """int64 entity index of each (type code, name); -1 when absent."""
    index = pd.MultiIndex.from_arrays([ent_type.astype(np.int64), ent_name.astype(object)])
    query = pd.MultiIndex.from_arrays(
        [np.asarray(types, dtype=np.int64), np.asarray(names, dtype=object)]
    )
    return index.get_indexer(query).astype(np.int64)


# ----------------------------------------------------------------------
# the shipped annotation graph


def _read_tsv(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    if not path.exists():
        raise InputError(
            path,
            "file not found; expected the shared data kg/ folder "
            f"(with {', '.join(_ANNOTATION_FILES)})",
        )
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
    except EOFError as exc:
        raise InputError(path, f"the gzip file is truncated ({exc}); copy it again") from None
    except pd.errors.EmptyDataError:
        raise InputError(path, "the file is empty") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            path, f"missing columns {missing}; expected {list(columns)}, found {list(df.columns)}"
        )
    return df[list(columns)]


def _data_versions(kg_dir: Path) -> dict[str, str]:
    """Package versions stated in the data README (``org.Hs.eg.db 3.16.0`` ...)."""
    out: dict[str, str] = {}
    readme = kg_dir.parent / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8", errors="replace")
        for pkg in ("org.Hs.eg.db", "GO.db"):
            m = re.search(re.escape(pkg) + r"\s+(\d+\.\d+\.\d+)", text)
            if m:
                out[pkg] = m.group(1)
        m = re.search(r"Source data dates recorded in the databases:\s*([^\n]+(?:\n[^\n]+)?)", text)
        if m:
            out["source_dates"] = " ".join(m.group(1).split()).rstrip(".")
    return out


def build_annotation_kg(kg_dir: str | Path) -> KnowledgeGraph:
    """Build the GO/KEGG annotation graph from ``shared/data/kg``.

    Entities, in this order (by type, then name): Gene (every gene with a GO or KEGG
    annotation, named by its current symbol; Entrez ids sharing a symbol become one
    entity), BP, MF, CC (all GO terms of ``go_terms.tsv.gz``, by GO id), Pathway
    (``hsa`` + 5-digit KEGG number). Relations: :data:`ANNOTATION_RELATIONS` (gene -> GO
    term, deduplicated over evidence codes; gene -> pathway; GO child -> parent, one per
    relationship type), then one ``_rev`` reverse each: R = 18.

    Returns:
        :class:`KnowledgeGraph` with ``meta`` holding input sha256s and package versions.
    """
    kg_dir = Path(kg_dir)
    genes = _read_tsv(kg_dir / "genes.tsv.gz", ["entrez_id", "symbol"])
    gene_go = _read_tsv(kg_dir / "gene_go.tsv.gz", ["entrez_id", "go_id", "ontology"])
    gene_kegg = _read_tsv(kg_dir / "gene_kegg.tsv.gz", ["entrez_id", "kegg_pathway_id"])
    terms = _read_tsv(kg_dir / "go_terms.tsv.gz", ["go_id", "ontology"])
    go_edges = _read_tsv(
        kg_dir / "go_edges.tsv.gz", ["child_go_id", "parent_go_id", "relationship"]
    )

    symbol_of = pd.Series(genes["symbol"].to_numpy(), index=genes["entrez_id"].to_numpy())
    symbol_of = symbol_of[~symbol_of.index.duplicated()]
    gene_go = gene_go.drop_duplicates(["entrez_id", "go_id", "ontology"])
    go_sym = gene_go["entrez_id"].map(symbol_of)
    kegg_sym = gene_kegg["entrez_id"].map(symbol_of)
    pathway = "hsa" + gene_kegg["kegg_pathway_id"].str.strip().str.zfill(5)
    n_unknown = int(go_sym.isna().sum() + kegg_sym.isna().sum())

    gene_names = pd.concat([go_sym, kegg_sym]).dropna()
    types = pd.concat(
        [
            pd.Series(GENE, index=range(len(gene_names))),
            terms["ontology"],
            pd.Series("Pathway", index=range(len(pathway))),
        ],
        ignore_index=True,
    )
    names = pd.concat([gene_names, terms["go_id"], pathway], ignore_index=True)
    keep = types.isin(ANNOTATION_TYPES).to_numpy()
    type_names = list(ANNOTATION_TYPES)
    ent_type, ent_name = _entities_sorted(types[keep], names[keep], type_names)

    t = {name: i for i, name in enumerate(type_names)}
    rel = {name: i for i, name in enumerate(ANNOTATION_RELATIONS)}
    # gene -> GO term
    go_ok = go_sym.notna().to_numpy()
    g_src = _lookup(ent_type, ent_name, np.full(go_ok.sum(), t[GENE]), go_sym[go_ok].to_numpy())
    ont = gene_go["ontology"].to_numpy()[go_ok]
    g_dst = _lookup(
        ent_type,
        ent_name,
        pd.Series(ont).map(t).fillna(-1).to_numpy(np.int64),
        gene_go["go_id"].to_numpy()[go_ok],
    )
    g_rel = (
        pd.Series(ont)
        .map({"BP": rel["gene_bp"], "MF": rel["gene_mf"], "CC": rel["gene_cc"]})
        .fillna(-1)
        .to_numpy(np.int64)
    )
    # gene -> pathway
    k_ok = kegg_sym.notna().to_numpy()
    k_src = _lookup(ent_type, ent_name, np.full(k_ok.sum(), t[GENE]), kegg_sym[k_ok].to_numpy())
    k_dst = _lookup(ent_type, ent_name, np.full(k_ok.sum(), t["Pathway"]), pathway[k_ok].to_numpy())
    k_rel = np.full(k_ok.sum(), rel["gene_pathway"], dtype=np.int64)
    # GO child -> parent (GO ids are unique over the three ontologies)
    go_pos = pd.Series(np.flatnonzero(np.isin(ent_type, [t["BP"], t["MF"], t["CC"]])))
    go_index = pd.Index(ent_name[go_pos.to_numpy()].tolist())
    c = go_index.get_indexer(go_edges["child_go_id"].tolist())
    p = go_index.get_indexer(go_edges["parent_go_id"].tolist())
    e_src = np.where(c >= 0, go_pos.to_numpy()[np.maximum(c, 0)], -1)
    e_dst = np.where(p >= 0, go_pos.to_numpy()[np.maximum(p, 0)], -1)
    e_rel = (
        go_edges["relationship"]
        .map({k: rel[v] for k, v in _GO_RELATIONSHIPS.items()})
        .fillna(-1)
        .to_numpy(np.int64)
    )

    src = np.concatenate([g_src, k_src, e_src])
    dst = np.concatenate([g_dst, k_dst, e_dst])
    rcode = np.concatenate([g_rel, k_rel, e_rel])
    ok = (src >= 0) & (dst >= 0) & (rcode >= 0)
    unknown_rel = sorted(set(go_edges["relationship"]) - set(_GO_RELATIONSHIPS))
    versions = _data_versions(kg_dir)
    meta: dict[str, Any] = {
        "name": "go-kegg",
        "source": "Gene Ontology annotations and DAG, KEGG pathways: Bioconductor org.Hs.eg.db "
        f"{versions.get('org.Hs.eg.db', '?')} and GO.db {versions.get('GO.db', '?')} (shared data kg/)",
        "versions": {k: v for k, v in versions.items() if k != "source_dates"},
        "source_dates": versions.get("source_dates", ""),
        "inputs": {name: sha256_file(kg_dir / name) for name in _ANNOTATION_FILES},
        "counts": {
            "annotation_rows_unknown_entrez": n_unknown,
            "edges_dropped_unknown_endpoint_or_relation": int((~ok).sum()),
        },
        "notes": [
            "entity order: type (Gene, BP, MF, CC, Pathway) then name",
            "messages flow source -> target; '_rev' relations swap them",
        ],
    }
    if unknown_rel:
        meta["notes"].append(f"GO relationships not used: {unknown_rel}")
    return _assemble(
        ent_type,
        ent_name,
        type_names,
        src[ok],
        dst[ok],
        rcode[ok],
        list(ANNOTATION_RELATIONS),
        [True] * len(ANNOTATION_RELATIONS),
        meta,
        kg_dir,
    )


# ----------------------------------------------------------------------
# importers


def _match_column(keys: dict[str, str], names: Sequence[str]) -> str | None:
    return next((keys[k] for k in names if k in keys), None)


def _resolve_genes(names: np.ndarray, resolver: GeneResolver) -> np.ndarray:
    """object [n]: symbol where the name resolves, else None (resolved once per distinct name)."""
    codes, uniq = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=False)
    return resolver.resolve_many(list(uniq)).symbols[codes]


def _type_order(types: Sequence[str]) -> list[str]:
    uniq = sorted(set(types) - {GENE})
    return ([GENE] if GENE in set(types) else []) + uniq


def _reversible(relations: Sequence[str]) -> list[bool]:
    """False for relations whose reverse the source already has (``X`` + ``X_rev`` etc.)."""
    present = set(relations)
    out = []
    for r in relations:
        paired = any(r + s in present for s in _REV_SUFFIXES) or any(
            r.endswith(s) and r[: -len(s)] in present for s in _REV_SUFFIXES
        )
        out.append(not paired)
    return out


_HEAD = ("head", "h", "subject", "source", "xname", "headname", "sourcename", "from", "x")
_TAIL = ("tail", "t", "object", "target", "yname", "tailname", "targetname", "to", "y")
_REL = ("relation", "rel", "r", "predicate", "relationtype", "edgetype", "type", "label")
_HEAD_TYPE = ("headtype", "xtype", "sourcetype", "subjecttype", "htype")
_TAIL_TYPE = ("tailtype", "ytype", "targettype", "objecttype", "ttype")


def read_triples(path: str | Path, resolver: GeneResolver | None = None) -> KnowledgeGraph:
    """Read a ``head, relation, tail`` table (CSV/TSV, optionally gzipped).

    Optional ``head_type`` / ``tail_type`` columns give entity types (a type spelled
    ``gene`` in any case becomes ``Gene``). Without them, an entity whose name resolves
    to a gene symbol is a ``Gene`` and everything else is an ``Entity``. Gene names are
    replaced by their current symbol (unresolved Gene names are kept as written and
    counted in ``meta``). Entities are ordered by type (Gene first, others sorted) then
    name; forward relations are sorted by name; a ``_rev`` reverse is added for every
    relation unless the table already holds its reverse (``X`` with ``X_rev``,
    ``X_reversed``, ``X_inv`` ...).

    Raises:
        InputError: empty file, wrong delimiter, missing columns, truncated gzip, or no Gene.
    """
    path = Path(path)
    resolver = resolver or default_resolver()
    tab = read_delimited(
        path, min_columns=3, what="knowledge-graph triple table (head, relation, tail)"
    )
    df = tab.frame
    keys: dict[str, str] = {}
    for col in df.columns:
        keys.setdefault(column_key(col), col)
    head, tail = _match_column(keys, _HEAD), _match_column(keys, _TAIL)
    relc = _match_column(keys, _REL)
    if head is None or tail is None or relc is None or len({head, tail, relc}) < 3:
        raise InputError(
            path,
            f"missing columns: expected head, relation, tail (optional head_type, tail_type); "
            f"found {list(df.columns)}",
        )
    htc, ttc = _match_column(keys, _HEAD_TYPE), _match_column(keys, _TAIL_TYPE)
    for c in (head, tail, relc):
        df[c] = df[c].str.strip()
    complete = ((df[head] != "") & (df[tail] != "") & (df[relc] != "")).to_numpy()
    blank = (df == "").all(axis=1).to_numpy()
    incomplete = np.flatnonzero(~complete & ~blank)
    df = df[complete]
    if df.empty:
        raise InputError(
            path,
            "no triples: the table has a header but no complete data rows"
            + (
                f" ({len(incomplete)} rows lack a head, relation or tail)"
                if len(incomplete)
                else ""
            ),
        )
    m = len(df)
    # work on distinct (type, name) pairs: a large table repeats each entity many times
    names_all = np.concatenate([df[head].to_numpy(dtype=object), df[tail].to_numpy(dtype=object)])
    typed = htc is not None and ttc is not None
    if typed:
        types_all = np.concatenate([df[htc].to_numpy(dtype=object), df[ttc].to_numpy(dtype=object)])
    else:
        types_all = np.zeros(2 * m, dtype=np.int8)
    tc, tu = pd.factorize(types_all)
    nc, nu = pd.factorize(names_all)
    codes, pair_u = pd.factorize(tc.astype(np.int64) * len(nu) + nc)
    raw_names = (
        pd.Series(np.asarray(nu, dtype=object)[pair_u % len(nu)], dtype=object)
        .str.strip()
        .to_numpy(dtype=object)
    )
    if typed:
        clean = [str(x).strip().lstrip(":") for x in tu]
        tnames = np.array(
            [GENE if x.lower() == "gene" else (x or "Entity") for x in clean], dtype=object
        )
        types = tnames[pair_u // len(nu)]
        is_gene = types == GENE
        sym = np.full(len(raw_names), None, dtype=object)
        sym[is_gene] = _resolve_genes(raw_names[is_gene], resolver)
        unresolved = is_gene & pd.isna(pd.Series(sym, dtype=object)).to_numpy()
        names = np.where(is_gene & ~unresolved, sym, raw_names)
    else:
        sym = _resolve_genes(raw_names, resolver)
        is_gene = pd.notna(pd.Series(sym, dtype=object)).to_numpy()
        types = np.where(is_gene, GENE, "Entity").astype(object)
        names = np.where(is_gene, sym, raw_names)
        unresolved = np.zeros(len(names), dtype=bool)
    type_names = _type_order(types.tolist())
    ent_type, ent_name = _entities_sorted(pd.Series(types), pd.Series(names), type_names)
    tcode = pd.Categorical(types, categories=type_names).codes.astype(np.int64)
    idx = _lookup(ent_type, ent_name, tcode, names.astype(str))[codes]
    rc, ru = pd.factorize(df[relc].to_numpy(dtype=object))
    ru = np.array([str(x).strip() for x in ru], dtype=object)
    relations = sorted(set(ru.tolist()))
    rcode = pd.Index(relations).get_indexer(ru)[rc].astype(np.int64)
    bad_names = pd.unique(pd.Series(names[unresolved], dtype=object)).tolist()
    meta = {
        "name": re.sub(r"[^A-Za-z0-9_.-]+", "_", path.name.split(".")[0]) or "triples",
        "source": f"triple table {path.name}",
        "inputs": {path.name: sha256_file(path)},
        "typed": typed,
        "counts": {
            "triples_read": int(m),
            "rows_missing_fields": len(incomplete),
            "unresolved_gene_names": len(bad_names),
        },
        "unresolved_genes": [str(x) for x in bad_names[:100]],
    }
    if len(incomplete):
        lines = ", ".join(str(tab.line_of(int(r))) for r in incomplete[:5]) + (
            ", ..." if len(incomplete) > 5 else ""
        )
        meta["warnings"] = [
            f"{len(incomplete)} rows with an empty head, relation or tail were dropped "
            f"(lines {lines})"
        ]
    return _assemble(
        ent_type,
        ent_name,
        type_names,
        idx[:m],
        idx[m:],
        rcode,
        relations,
        _reversible(relations),
        meta,
        path,
    )


def read_slkg_export(path: str | Path, resolver: GeneResolver | None = None) -> KnowledgeGraph:
    """Read the SynLethDB / SLKG 2.0 Neo4j-style export (``sldb_complete.csv``).

    Node rows carry ``_id``, ``_labels`` (``:Gene``; the leading ``:`` is stripped to
    give the type) and ``name``; edge rows carry ``_start``, ``_end``, ``_type``.
    As in METHOD §1.6: the label relations :data:`SLKG_LABEL_RELATIONS` are dropped
    (counted in ``meta["dropped_label_edges"]``); all node ids of one gene name are
    rewritten to the smallest id; entities are the nodes at the ends of the kept edges,
    in ascending node-id order (the paper's vocabulary order, without its two padding
    entries); forward relations are grouped by (head type, relation, tail type) in
    sorted order; a ``_rev`` reverse is added for each except ``REGULATES_GrG``. Gene
    names are then replaced by their current symbol (unresolved ones kept as written).

    Raises:
        InputError: empty file, missing columns, truncated gzip, or no Gene nodes.
    """
    path = Path(path)
    resolver = resolver or default_resolver()
    tab = read_delimited(path, min_columns=3, what="SLKG (Neo4j) export")
    df = tab.frame
    keys = {column_key(c): c for c in df.columns}
    need = ["_id", "_labels", "name", "_start", "_end", "_type"]
    missing = [c for c in need if column_key(c) not in keys]
    if missing:
        raise InputError(
            path,
            f"missing columns {missing}: a SLKG export needs node columns _id, _labels, name "
            f"and edge columns _start, _end, _type; found {list(df.columns)}",
        )
    col = {c: keys[column_key(c)] for c in need}
    start = df[col["_start"]]
    is_edge = (start != "").to_numpy()
    has_id = (df[col["_id"]].str.strip() != "").to_numpy()
    n_neither = int(
        (~is_edge & ~has_id & ~(df == "").all(axis=1).to_numpy()).sum()
    )  # counted, not silent
    nodes = df.loc[~is_edge & has_id, [col["_id"], col["_labels"], col["name"]]]
    nodes = pd.DataFrame(
        {
            "id": pd.to_numeric(nodes[col["_id"]].str.strip(), errors="coerce"),
            "type": nodes[col["_labels"]].str.strip().str.lstrip(":").replace("", "Entity"),
            "name": nodes[col["name"]].str.strip(),
        }
    )
    if nodes["id"].isna().any():
        raise InputError(path, "node _id values must be integers", column=col["_id"])
    nodes["id"] = nodes["id"].astype(np.int64)
    nodes = nodes.drop_duplicates("id")
    edges = pd.DataFrame(
        {
            "s": pd.to_numeric(start[is_edge], errors="coerce"),
            "t": pd.to_numeric(df.loc[is_edge, col["_end"]], errors="coerce"),
            "r": _strip_repeated(df.loc[is_edge, col["_type"]]),
        }
    )
    if edges[["s", "t"]].isna().any().any():
        raise InputError(
            path, "edge _start/_end values must be integer node ids", column=col["_start"]
        )
    n_edges_read = len(edges)
    is_label = edges["r"].isin(SLKG_LABEL_RELATIONS)
    dropped = edges.loc[is_label, "r"].value_counts().to_dict()
    edges = edges[~is_label].astype({"s": np.int64, "t": np.int64})
    # one node id per gene name: the smallest
    genes = nodes[nodes["type"] == GENE]
    smallest = genes.groupby("name")["id"].transform("min")
    remap = pd.Series(smallest.to_numpy(), index=genes["id"].to_numpy())
    n_merged = int((remap.index != remap.to_numpy()).sum())
    edges["s"] = edges["s"].map(remap).fillna(edges["s"]).astype(np.int64)
    edges["t"] = edges["t"].map(remap).fillna(edges["t"]).astype(np.int64)
    known = edges["s"].isin(nodes["id"]) & edges["t"].isin(nodes["id"])
    n_dangling = int((~known).sum())
    edges = edges[known]
    used = np.unique(np.concatenate([edges["s"].to_numpy(), edges["t"].to_numpy()]))
    ent = nodes.set_index("id").loc[used]
    if not (ent["type"] == GENE).any():
        raise InputError(
            path,
            "the graph has no Gene nodes after dropping the SL label relations; check the export",
        )
    type_names = _type_order(ent["type"].tolist())
    ent_type = pd.Categorical(ent["type"], categories=type_names).codes.astype(np.int8)
    names = ent["name"].to_numpy(dtype=object)
    is_gene = ent_type == type_names.index(GENE)
    sym = _resolve_genes(names[is_gene], resolver)
    unresolved = [
        str(x)
        for x in pd.unique(
            pd.Series(names[is_gene][pd.isna(pd.Series(sym, dtype=object))], dtype=object)
        )
    ]
    names[is_gene] = np.where(pd.notna(pd.Series(sym, dtype=object)), sym, names[is_gene])
    s = np.searchsorted(used, edges["s"].to_numpy())
    t = np.searchsorted(used, edges["t"].to_numpy())
    tn = np.asarray(type_names, dtype=object)
    group = pd.DataFrame({"x": tn[ent_type[s]], "r": edges["r"].to_numpy(), "y": tn[ent_type[t]]})
    triples = group.drop_duplicates().sort_values(["x", "r", "y"]).reset_index(drop=True)
    multi = triples["r"].duplicated(keep=False)
    rel_names = [
        r if not mm else f"{r}:{x}->{y}"
        for x, r, y, mm in zip(triples["x"], triples["r"], triples["y"], multi, strict=True)
    ]
    rcode = pd.MultiIndex.from_frame(triples).get_indexer(pd.MultiIndex.from_frame(group))
    reverse = [r not in SLKG_SYMMETRIC for r in triples["r"]]
    meta = {
        "name": "slkg",
        "source": f"SLKG / SynLethDB Neo4j export {path.name}",
        "inputs": {path.name: sha256_file(path)},
        "dropped_label_edges": {str(k): int(v) for k, v in dropped.items()},
        "notes": [
            f"label relations {list(SLKG_LABEL_RELATIONS)} dropped (label leakage, METHOD 1.6)",
            "gene names with several node ids use the smallest id",
            "entities in ascending node-id order (paper vocabulary index = index + 2)",
            f"no reverse added for {list(SLKG_SYMMETRIC)} (stored in both directions)",
        ],
        "counts": {
            "edges_read": int(n_edges_read),
            "gene_ids_merged": n_merged,
            "edges_unknown_node": n_dangling,
            "rows_without_id_or_start": n_neither,
            "unresolved_gene_names": len(unresolved),
        },
        "warnings": (
            [f"{n_neither} rows with neither a node _id nor an edge _start were dropped"]
            if n_neither
            else []
        )
        + ([f"{n_dangling} edges to unknown node ids were dropped"] if n_dangling else []),
        "unresolved_genes": unresolved[:100],
        "node_ids_first_last": [int(used[0]), int(used[-1])] if len(used) else [],
    }
    return _assemble(
        ent_type, names.astype(str), type_names, s, t, rcode, rel_names, reverse, meta, path
    )


def _strip_repeated(values: pd.Series) -> np.ndarray:
    """object array of stripped strings, stripping each distinct value once."""
    codes, uniq = pd.factorize(values.to_numpy(dtype=object))
    return (
        np.array([str(u).strip() for u in uniq], dtype=object)[codes]
        if len(uniq)
        else np.zeros(0, object)
    )


def _int_column(values: pd.Series, path: Path, column: str | int, tab=None) -> np.ndarray:
    num = pd.to_numeric(values.str.strip(), errors="coerce")
    bad = num.isna().to_numpy() | (num.to_numpy(dtype=float, na_value=np.nan) % 1 != 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            path,
            f"expected an integer id, found {values.iloc[i]!r}",
            line=tab.line_of(i) if tab is not None else None,
            column=column,
        )
    return num.to_numpy(dtype=np.float64).astype(np.int64)


def read_synlethkg_partial(
    folder: str | Path, cancer: str, resolver: GeneResolver | None = None
) -> KnowledgeGraph:
    """Read one cancer's SynLethKG subgraph from ``shared/data/kg/synlethkg_partial``.

    Id chain (its README): local id (``<C>/kg2id.txt``) -> SynLethDB id
    (``<C>/entity2id.txt``) -> name (``dbid2name.csv``) and global id (``dbid2kgid.txt``)
    -> type code (``entity.txt``, :data:`SYNLETHKG_TYPES`). Local relation ids are
    named with ``relation_map_by_cancer.tsv.gz``. Entities keep the local id order;
    ``type_names`` are the 11 SynLethKG types in code order. A ``_rev`` reverse is added
    for every relation except ``REGULATES_GrG``. Gene names become current symbols.

    Raises:
        InputError: unknown cancer / missing files, bad ids, no Gene entities.
    """
    folder = Path(folder)
    resolver = resolver or default_resolver()
    available = (
        sorted(p.name for p in folder.iterdir() if (p / "kg2id.txt").exists())
        if folder.is_dir()
        else []
    )
    cdir = folder / cancer
    if not (cdir / "kg2id.txt").exists() or not (cdir / "entity2id.txt").exists():
        raise InputError(
            folder,
            f"no SynLethKG subgraph for {cancer!r} (needs {cancer}/kg2id.txt and "
            f"{cancer}/entity2id.txt); available: {available or 'none'}",
        )
    for name in ("dbid2name.csv", "dbid2kgid.txt", "entity.txt", "relation_map_by_cancer.tsv.gz"):
        if not (folder / name).exists():
            raise InputError(
                folder / name, "file not found; the synlethkg_partial folder is incomplete"
            )
    kg = read_delimited(
        cdir / "kg2id.txt", header=False, seps=("\t",), min_columns=3, what="kg2id triple table"
    )
    if kg.frame.shape[1] != 3:
        raise InputError(
            cdir / "kg2id.txt",
            f"expected 3 tab-separated columns (head, relation, tail), found {kg.frame.shape[1]}",
        )
    kg.frame = kg.frame[(kg.frame != "").any(axis=1)]
    head = _int_column(kg.frame[0], cdir / "kg2id.txt", 1, kg)
    rel = _int_column(kg.frame[1], cdir / "kg2id.txt", 2, kg)
    tail = _int_column(kg.frame[2], cdir / "kg2id.txt", 3, kg)
    e2i = read_delimited(cdir / "entity2id.txt", seps=("\t",), what="entity2id table (a, b)")
    if not {"a", "b"} <= set(e2i.frame.columns):
        raise InputError(
            cdir / "entity2id.txt",
            f"missing columns: expected a, b; found {list(e2i.frame.columns)}",
        )
    dbid = _int_column(e2i.frame["a"], cdir / "entity2id.txt", "a", e2i)
    local = _int_column(e2i.frame["b"], cdir / "entity2id.txt", "b", e2i)
    order = np.argsort(local, kind="stable")
    dbid, local = dbid[order], local[order]
    if not np.array_equal(local, np.arange(len(local))):
        raise InputError(cdir / "entity2id.txt", "local ids (column b) must be 0..n-1, each once")
    if len(head) and (max(head.max(), tail.max()) >= len(local) or min(head.min(), tail.min()) < 0):
        raise InputError(
            cdir / "kg2id.txt", f"entity ids outside 0..{len(local) - 1} of entity2id.txt"
        )
    names_tab = read_delimited(folder / "dbid2name.csv", seps=(",",), what="dbid2name table")
    if not {"_id", "name"} <= set(names_tab.frame.columns):
        raise InputError(
            folder / "dbid2name.csv",
            f"missing columns: expected _id, name; found {list(names_tab.frame.columns)}",
        )
    name_of = pd.Series(
        names_tab.frame["name"].to_numpy(),
        index=_int_column(names_tab.frame["_id"], folder / "dbid2name.csv", "_id", names_tab),
    )
    k = read_delimited(folder / "dbid2kgid.txt", seps=("\t",), what="dbid2kgid table (a, b)")
    kgid_of = pd.Series(
        _int_column(k.frame["b"], folder / "dbid2kgid.txt", "b", k),
        index=_int_column(k.frame["a"], folder / "dbid2kgid.txt", "a", k),
    )
    codes = pd.read_csv(folder / "entity.txt", header=None, dtype=np.int64)[0].to_numpy()
    rmap = read_delimited(
        folder / "relation_map_by_cancer.tsv.gz", seps=("\t",), what="relation map"
    )
    rm = rmap.frame[rmap.frame["cancer"] == cancer]
    if rm.empty:
        raise InputError(
            folder / "relation_map_by_cancer.tsv.gz", f"no relation names for {cancer!r}"
        )
    rel_name = dict(zip(rm["local_relation_id"].astype(int), rm["relation_type"], strict=True))
    missing_rel = sorted(set(np.unique(rel).tolist()) - set(rel_name))
    if missing_rel:
        raise InputError(
            cdir / "kg2id.txt",
            f"relation ids {missing_rel} are not in relation_map_by_cancer.tsv.gz",
        )

    names = name_of.reindex(dbid).to_numpy(dtype=object)
    gid = kgid_of.reindex(dbid).to_numpy()
    if pd.isna(names).any() or pd.isna(gid).any():
        n_bad = int(pd.isna(names).sum() + pd.isna(gid).sum())
        raise InputError(
            cdir / "entity2id.txt",
            f"{n_bad} SynLethDB ids have no name or no global id in dbid2name.csv / dbid2kgid.txt",
        )
    gid = gid.astype(np.int64)
    if gid.max() >= len(codes):
        raise InputError(folder / "entity.txt", "fewer type codes than global SynLethKG ids")
    ent_type = codes[gid].astype(np.int8)
    is_gene = ent_type == SYNLETHKG_TYPES.index(GENE)
    sym = _resolve_genes(names[is_gene], resolver)
    unres = [
        str(x)
        for x in pd.unique(
            pd.Series(names[is_gene][pd.isna(pd.Series(sym, dtype=object))], dtype=object)
        )
    ]
    names[is_gene] = np.where(pd.notna(pd.Series(sym, dtype=object)), sym, names[is_gene])
    used_rel = sorted(rel_name)
    rcode = pd.Index(used_rel).get_indexer(pd.Index(rel))
    rel_names = [str(rel_name[i]) for i in used_rel]
    status = sorted(set(rm["status"].str.split(" ").str[0]))
    meta = {
        "name": f"synlethkg-{cancer}",
        "source": f"SynLethKG partial subgraph for {cancer} (SLGNNCT / PiLSL copies in shared data)",
        "inputs": {
            f"{cancer}/kg2id.txt": sha256_file(cdir / "kg2id.txt"),
            f"{cancer}/entity2id.txt": sha256_file(cdir / "entity2id.txt"),
        },
        "relation_map_status": status,
        "notes": [
            "label relations (SL_GsG, SR_GsrG, NONSL_GnsG) were already removed by the source",
            "entity set chosen around this cancer's SL-labelled genes: a gene's presence can leak "
            "split information in cold-start evaluation",
            "entities in local id order (kg2id.txt)",
            f"no reverse added for {list(SLKG_SYMMETRIC)}",
        ],
        "counts": {"triples_read": len(head), "unresolved_gene_names": len(unres)},
        "unresolved_genes": unres[:100],
    }
    return _assemble(
        ent_type,
        names.astype(str),
        list(SYNLETHKG_TYPES),
        head,
        tail,
        rcode,
        rel_names,
        [r not in SLKG_SYMMETRIC for r in rel_names],
        meta,
        cdir,
    )


def read_kg(
    path: str | Path, resolver: GeneResolver | None = None, cancer: str | None = None
) -> KnowledgeGraph:
    """Read a knowledge graph in any supported form.

    * a folder (or its ``graph.npz`` / ``graph.json``) written by :meth:`KnowledgeGraph.save`;
    * a ``synlethkg_partial`` folder (``cancer`` required) or one of its cancer folders;
    * a SLKG Neo4j export (columns ``_id``, ``_labels``, ``_start``, ``_end``, ``_type``);
    * any other table: :func:`read_triples`.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "not found; choose a knowledge-graph file or folder")
    if path.is_file() and path.name in (GRAPH_NPZ, GRAPH_JSON):
        return KnowledgeGraph.load(path.parent)
    if path.is_dir():
        if (path / GRAPH_NPZ).exists():
            return KnowledgeGraph.load(path)
        if (path / "relation_map_by_cancer.tsv.gz").exists():
            if not cancer:
                avail = sorted(p.name for p in path.iterdir() if (p / "kg2id.txt").exists())
                raise InputError(
                    path,
                    f"a SynLethKG partial folder holds one graph per cancer; choose one of {avail}",
                )
            return read_synlethkg_partial(path, cancer, resolver)
        if (path / "kg2id.txt").exists() and (
            path.parent / "relation_map_by_cancer.tsv.gz"
        ).exists():
            return read_synlethkg_partial(path.parent, path.name, resolver)
        raise InputError(
            path,
            f"folder not recognised as a knowledge graph (expected {GRAPH_NPZ}, a "
            "synlethkg_partial folder, or choose a triple table file)",
        )
    tab_head = _header_columns(path)
    if {"id", "labels", "start", "end", "type"} <= {column_key(c) for c in tab_head}:
        return read_slkg_export(path, resolver)
    return read_triples(path, resolver)


def _header_columns(path: Path) -> list[str]:
    """Column names of a text table (first non-blank line), for format dispatch."""
    from .tabular import header_columns

    cols = header_columns(path)
    if cols:
        return cols
    raise InputError(path, "the file is empty; expected a knowledge-graph table with a header row")
