"""The import format registry: what kind of input a path is (no reading beyond a header line).

Three kinds of user input are recognised, shared by the import dialog and ``synleaf inspect``:

* ``"study"``: a cBioPortal study folder or single omics files (``data_mutations.txt``,
  ``data_linear_cna.txt``, ``*.seg`` ...) -> :func:`synleaf_desktop.io.study.read_study`;
* ``"labels"``: an SL label table (gene pair columns and a label column)
  -> :func:`synleaf_desktop.io.labels.read_label_files`;
* ``"graph"``: a knowledge-graph table (head, relation, tail), an SLKG export or a saved
  graph folder -> :func:`synleaf_desktop.io.kg.read_kg`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .labels import column_key
from .study import recognise
from .tabular import header_columns

#: the kinds, in the order they are imported (a cohort before the labels that refer to it)
KINDS = ("study", "labels", "graph")
KIND_TITLES = {
    "study": "omics study (cohort)",
    "labels": "SL label table",
    "graph": "knowledge graph",
}
_KG_COLUMNS = (
    {"head", "relation", "tail"},
    {"head", "rel", "tail"},
    {"subject", "predicate", "object"},
    {"id", "labels", "start", "end", "type"},
    {"h", "r", "t"},
)
_LABEL_GENE_COLUMNS = (
    {"gene1", "gene2"},
    {"genea", "geneb"},
    {"geneaname", "genebname"},
    {"n1name", "n2name"},
    {"symbol1", "symbol2"},
    {"gene1name", "gene2name"},
    {"genesymbol1", "genesymbol2"},
)


def header_keys(path: Path) -> set[str]:
    """Normalised column names of a text table's first non-blank, non-``#`` line (gzip aware)."""
    return {column_key(c) for c in header_columns(path, skip_comments=True)}


def classify(path: str | Path) -> str:
    """``"study"``, ``"labels"`` or ``"graph"`` for one dropped path.

    Raises:
        InputError: the path does not exist or is none of the three (names what was expected).
    """
    p = Path(path)
    if not p.exists():
        raise InputError(p, "not found; it may have been moved or deleted")
    if p.is_dir():
        if (
            (p / "graph.npz").exists()
            or (p / "relation_map_by_cancer.tsv.gz").exists()
            or (p / "kg2id.txt").exists()
        ):
            return "graph"
        return "study"
    name = p.name.lower()
    if recognise(p) is not None or name.startswith("meta_"):
        return "study"
    if name in ("graph.npz", "graph.json"):
        return "graph"
    keys = header_keys(p)
    if any(cols <= keys for cols in _KG_COLUMNS):
        return "graph"
    if any(cols <= keys for cols in _LABEL_GENE_COLUMNS) or {"sl", "label", "class"} & keys:
        return "labels"
    raise InputError(
        p,
        "not recognised. Drop a cBioPortal study folder or omics files named like "
        "data_mutations.txt / data_linear_cna.txt / data_mrna_seq_v2_rsem_zscores*.txt, "
        "an SL label table with columns gene1, gene2, label (optional cancer), or a "
        "knowledge-graph table with columns head, relation, tail",
    )


def group_paths(paths: list[str | Path]) -> dict[str, list[Path]]:
    """Classify each path; returns kind -> paths (kinds in study, labels, graph order)."""
    groups: dict[str, list[Path]] = {}
    for p in paths:
        groups.setdefault(classify(p), []).append(Path(p))
    return {k: groups[k] for k in KINDS if k in groups}
