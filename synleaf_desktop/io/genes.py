"""The one gene-name resolver: symbols, aliases, Entrez and Ensembl IDs -> HGNC symbols.

The table it uses is derived from org.Hs.eg.db (``kg/genes.tsv.gz``,
``kg/gene_aliases.tsv.gz``, ``kg/gene_uniprot.tsv.gz``, ``kg/gene_ensembl.tsv.gz``)
by :func:`build_gene_table` and shipped in ``resources/genes/``, with the full gene names
(:class:`GeneNames`, for display only).

Resolution order for one name (first hit wins):

1. exact official symbol;
2. all digits: Entrez Gene ID;
3. ``ENSG...`` (version suffix ignored): Ensembl gene ID, if it maps to one gene;
4. official symbol, case-insensitive;
5. alias or previous symbol, case-insensitive, if it maps to one gene (or to exactly
   one protein-coding gene among several);
6. names with ``|`` (``SYMBOL|ENTREZ`` in old TCGA files): each part by the rules above.

Anything else is *unresolved* and reported, never guessed.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..fileio import atomic_path

_ENSG = re.compile(r"^(ENSG\d+)(\.\d+)?$", re.IGNORECASE)


@dataclass
class Resolution:
    """Result of resolving many names at once.

    Attributes:
        symbols: object array [N] of HGNC symbols, ``None`` where unresolved.
        unresolved: the distinct unresolved input names, in first-seen order.
        ambiguous: the subset of ``unresolved`` that matched several genes.
        changed: ``{input name: symbol}`` for names that resolved to a different string.
    """

    symbols: np.ndarray
    unresolved: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    changed: dict[str, str] = field(default_factory=dict)

    @property
    def mask(self) -> np.ndarray:
        """bool [N]: True where the name resolved."""
        return np.array([s is not None for s in self.symbols], dtype=bool)


class GeneResolver:
    """Maps gene names to current HGNC symbols.

    Args:
        genes: DataFrame with columns ``entrez_id`` (int), ``symbol``, ``gene_type``,
            ``chromosome``, ``has_uniprot`` (0/1).
        aliases: DataFrame with columns ``alias``, ``entrez_id``.
        ensembl: optional DataFrame with columns ``ensembl_id``, ``entrez_id``.
    """

    def __init__(
        self,
        genes: pd.DataFrame,
        aliases: pd.DataFrame,
        ensembl: pd.DataFrame | None = None,
    ) -> None:
        genes = genes.drop_duplicates("entrez_id")
        self.genes = genes.reset_index(drop=True)
        ent = genes["entrez_id"].astype(np.int64).to_numpy()
        sym = genes["symbol"].astype(str).to_numpy()
        self._entrez_to_symbol: dict[int, str] = dict(zip(ent.tolist(), sym.tolist(), strict=True))
        self._symbols: dict[str, str] = {}
        self._symbols_upper: dict[str, str] = {}
        for s in sym.tolist():
            self._symbols.setdefault(s, s)
            self._symbols_upper.setdefault(s.upper(), s)
        coding = set(ent[genes["gene_type"].astype(str).to_numpy() == "protein-coding"].tolist())
        self._protein_coding_symbols = {self._entrez_to_symbol[e] for e in coding}
        self._uniprot_symbols = set(sym[genes["has_uniprot"].to_numpy().astype(bool)].tolist())
        alias_map: dict[str, set[int]] = {}
        for a, e in zip(
            aliases["alias"].astype(str).tolist(),
            aliases["entrez_id"].astype(np.int64).tolist(),
            strict=True,
        ):
            if e in self._entrez_to_symbol:
                alias_map.setdefault(a.upper(), set()).add(e)
        self._alias: dict[str, tuple[int, ...]] = {
            k: tuple(sorted(v)) for k, v in alias_map.items()
        }
        self._coding = coding
        self._ensembl: dict[str, tuple[int, ...]] = {}
        if ensembl is not None:
            ens_map: dict[str, set[int]] = {}
            for a, e in zip(
                ensembl["ensembl_id"].astype(str).tolist(),
                ensembl["entrez_id"].astype(np.int64).tolist(),
                strict=True,
            ):
                ens_map.setdefault(a.upper(), set()).add(e)
            self._ensembl = {k: tuple(sorted(v)) for k, v in ens_map.items()}
        self._cache: dict[str, tuple[str | None, bool]] = {}

    # ------------------------------------------------------------------
    @property
    def symbols(self) -> list[str]:
        """All official symbols, sorted."""
        return sorted(self._symbols)

    def is_protein_coding(self, symbol: str) -> bool:
        return symbol in self._protein_coding_symbols

    def has_uniprot(self, symbol: str) -> bool:
        """True if the gene has a UniProt accession (stand-in for the paper's UniProt filter)."""
        return symbol in self._uniprot_symbols

    def entrez_of(self, symbol: str) -> int | None:
        row = self.genes.loc[self.genes["symbol"] == symbol, "entrez_id"]
        return int(row.iloc[0]) if len(row) else None

    def completions(self) -> list[str]:
        """Strings a user may type: symbols, aliases (upper case) and Entrez IDs."""
        return sorted(
            set(self._symbols) | set(self._alias) | {str(e) for e in self._entrez_to_symbol}
        )

    def suggestions(self, name: str, n: int = 3, max_edits: int = 2) -> list[str]:
        """Up to ``n`` official symbols within ``max_edits`` edits (insert, delete, substitute, swap
        two neighbours) of an unresolvable ``name``, closest first (among equals: swapped letters,
        then protein-coding genes, then similarity); e.g. ``BRAC1`` -> ``["BRCA1", ...]``. Candidates come from
        :func:`difflib.get_close_matches`. Empty for an empty or resolvable name."""
        import difflib

        key = str(name).strip().upper()
        if not key or self.resolve(key) is not None:
            return []
        if getattr(self, "_suggest_pool", None) is None:
            self._suggest_pool = sorted(self._symbols_upper)
        cands = difflib.get_close_matches(key, self._suggest_pool, n=60, cutoff=0.5)
        scored = []
        for c in cands:
            d = edit_distance(key, c)
            if d <= max_edits:
                sym = self._symbols_upper[c]
                # among equals: same letters (a swap), then protein-coding genes, then difflib similarity
                scored.append(
                    (
                        d,
                        sorted(c) != sorted(key),
                        sym not in self._protein_coding_symbols,
                        -difflib.SequenceMatcher(None, key, c).ratio(),
                        sym,
                    )
                )
        return [t[-1] for t in sorted(scored)[:n]]

    def aliases_of(self, symbol: str) -> list[str]:
        e = self.entrez_of(symbol)
        if e is None:
            return []
        return sorted(a for a, es in self._alias.items() if e in es and a != symbol.upper())

    # ------------------------------------------------------------------
    def _pick(self, entrez: tuple[int, ...]) -> tuple[str | None, bool]:
        if len(entrez) == 1:
            return self._entrez_to_symbol[entrez[0]], False
        coding = [e for e in entrez if e in self._coding]
        if len(coding) == 1:
            return self._entrez_to_symbol[coding[0]], False
        return None, True

    def _resolve_one(self, name: str) -> tuple[str | None, bool]:
        """Return (symbol or None, ambiguous?)."""
        if name in self._symbols:
            return name, False
        if name.isdigit():
            s = self._entrez_to_symbol.get(int(name))
            return s, False
        m = _ENSG.match(name)
        if m:
            hit = self._ensembl.get(m.group(1).upper())
            return self._pick(hit) if hit else (None, False)
        up = name.upper()
        if up in self._symbols_upper:
            return self._symbols_upper[up], False
        hit = self._alias.get(up)
        if hit:
            return self._pick(hit)
        if "|" in name:
            ambiguous = False
            for part in name.split("|"):
                part = part.strip()
                if part and part != name:
                    s, amb = self._resolve_one(part)
                    if s is not None:
                        return s, False
                    ambiguous |= amb
            return None, ambiguous
        return None, False

    def resolve(self, name: object) -> str | None:
        """One name -> symbol, or ``None``."""
        return self.resolve_many([name]).symbols[0]

    def resolve_many(self, names: Iterable[object]) -> Resolution:
        """Resolve names (strings, ints, NaN) to symbols.

        Returns:
            :class:`Resolution` with ``symbols`` object array [N].
        """
        names = list(names)
        out = np.empty(len(names), dtype=object)
        unresolved: dict[str, None] = {}
        ambiguous: dict[str, None] = {}
        changed: dict[str, str] = {}
        cache = self._cache
        for i, raw in enumerate(names):
            if raw is None or (isinstance(raw, float) and raw != raw):
                out[i] = None
                continue
            if isinstance(raw, (int, np.integer)) or (isinstance(raw, float) and raw.is_integer()):
                key = str(int(raw))
            else:
                key = str(raw).strip()
            hit = cache.get(key)
            if hit is None:
                hit = self._resolve_one(key) if key else (None, False)
                cache[key] = hit
            sym, amb = hit
            out[i] = sym
            if sym is None:
                if key:
                    unresolved.setdefault(key, None)
                    if amb:
                        ambiguous.setdefault(key, None)
            elif sym != key:
                changed[key] = sym
        return Resolution(out, list(unresolved), list(ambiguous), changed)


# ----------------------------------------------------------------------
# shipped table

GENES_FILE = "genes/genes.tsv.gz"
ALIASES_FILE = "genes/aliases.tsv.gz"
ENSEMBL_FILE = "genes/ensembl.tsv.gz"
#: full gene names (``entrez_id symbol name``) of protein-coding genes and genes with a UniProt
#: accession (every gene a model can score); kept apart from the resolver's table so that name
#: resolution does not load them
NAMES_FILE = "genes/names.tsv.gz"


def load_resolver(resources: str | Path | None = None) -> GeneResolver:
    """Load the resolver from a resources folder (default: the shipped one)."""
    root = Path(resources) if resources is not None else paths.resources_dir()
    genes = pd.read_csv(
        root / GENES_FILE,
        sep="\t",
        dtype={
            "entrez_id": np.int64,
            "symbol": str,
            "gene_type": str,
            "chromosome": str,
            "has_uniprot": np.int8,
        },
        keep_default_na=False,
    )
    aliases = pd.read_csv(
        root / ALIASES_FILE,
        sep="\t",
        dtype={"alias": str, "entrez_id": np.int64},
        keep_default_na=False,
    )
    ens_path = root / ENSEMBL_FILE
    ensembl = (
        pd.read_csv(ens_path, sep="\t", dtype={"ensembl_id": str, "entrez_id": np.int64})
        if ens_path.exists()
        else None
    )
    return GeneResolver(genes, aliases, ensembl)


@functools.lru_cache(maxsize=1)
def default_resolver() -> GeneResolver:
    """The shipped resolver, loaded once per process."""
    return load_resolver()


@dataclass
class GeneNames:
    """Full gene names and Entrez IDs by HGNC symbol (``resources/genes/names.tsv.gz``), e.g.
    ``names.name("BRCA1")`` -> ``"BRCA1 DNA repair associated"``, ``names.entrez("BRCA1")`` -> 672.
    Empty (every lookup None) when the table is not shipped."""

    names: dict[str, str] = field(default_factory=dict)
    entrez_ids: dict[str, int] = field(default_factory=dict)

    def name(self, symbol: str) -> str | None:
        return self.names.get(str(symbol))

    def entrez(self, symbol: str) -> int | None:
        return self.entrez_ids.get(str(symbol))

    def __len__(self) -> int:
        return len(self.names)


def load_gene_names(resources: str | Path | None = None) -> GeneNames:
    """The full-name table of a resources folder (default: the shipped one); empty if absent."""
    root = Path(resources) if resources is not None else paths.resources_dir()
    path = root / NAMES_FILE
    if not path.is_file():
        return GeneNames()
    t = pd.read_csv(
        path,
        sep="\t",
        dtype={"entrez_id": np.int64, "symbol": str, "name": str},
        keep_default_na=False,
    )
    syms = t["symbol"].astype(str).tolist()
    return GeneNames(
        dict(zip(syms, t["name"].astype(str).tolist(), strict=True)),
        dict(zip(syms, t["entrez_id"].astype(np.int64).tolist(), strict=True)),
    )


@functools.lru_cache(maxsize=1)
def default_gene_names() -> GeneNames:
    """The shipped full-name table, loaded once per process."""
    return load_gene_names()


def build_gene_table(kg_dir: str | Path, out_resources: str | Path) -> dict[str, int]:
    """Derive the compact gene table shipped in ``resources/genes/`` from ``data/kg``.

    Args:
        kg_dir: ``../shared/data/kg`` (genes, aliases, uniprot, ensembl tables).
        out_resources: the ``resources`` folder to write into.

    Returns:
        counts of rows written per file.
    """
    kg_dir = Path(kg_dir)
    out = Path(out_resources) / "genes"
    out.mkdir(parents=True, exist_ok=True)
    genes = pd.read_csv(kg_dir / "genes.tsv.gz", sep="\t", dtype=str, keep_default_na=False)
    uni = pd.read_csv(kg_dir / "gene_uniprot.tsv.gz", sep="\t", dtype=str, keep_default_na=False)
    has_uni = set(uni["entrez_id"])
    table = pd.DataFrame(
        {
            "entrez_id": genes["entrez_id"].astype(np.int64),
            "symbol": genes["symbol"],
            "gene_type": genes["gene_type"],
            "chromosome": genes["chromosome"],
            "has_uniprot": genes["entrez_id"].isin(has_uni).astype(np.int8),
        }
    ).sort_values("entrez_id")
    aliases = pd.read_csv(
        kg_dir / "gene_aliases.tsv.gz", sep="\t", dtype=str, keep_default_na=False
    )
    sym_of = dict(zip(genes["entrez_id"], genes["symbol"], strict=True))
    aliases = aliases[aliases["alias_symbol"] != aliases["entrez_id"].map(sym_of)]
    aliases = pd.DataFrame(
        {"alias": aliases["alias_symbol"], "entrez_id": aliases["entrez_id"].astype(np.int64)}
    )
    aliases = aliases.drop_duplicates().sort_values(["entrez_id", "alias"])
    ens = pd.read_csv(kg_dir / "gene_ensembl.tsv.gz", sep="\t", dtype=str, keep_default_na=False)
    ens = pd.DataFrame(
        {"ensembl_id": ens["accession"], "entrez_id": ens["entrez_id"].astype(np.int64)}
    )
    ens = ens.drop_duplicates().sort_values(["entrez_id", "ensembl_id"])
    # full names only for the genes a model can score (protein-coding or with a UniProt
    # accession, ~20,600): the names of all 77,000 genes would triple the file for nothing
    keep = (table["gene_type"] == "protein-coding") | (table["has_uniprot"] == 1)
    names = pd.DataFrame(
        {
            "entrez_id": table["entrez_id"],
            "symbol": table["symbol"],
            "name": genes.set_index(genes["entrez_id"].astype(np.int64))["name"]
            .reindex(table["entrez_id"])
            .fillna("")
            .to_numpy(),
        }
    )[keep.to_numpy()]
    names = names[names["name"] != ""]
    for df, name in (
        (table, GENES_FILE),
        (aliases, ALIASES_FILE),
        (ens, ENSEMBL_FILE),
        (names, NAMES_FILE),
    ):
        dest = Path(out_resources) / name
        with (
            atomic_path(dest) as tmp,
            open(tmp, "wb") as raw,
            # no file name and no time stamp in the gzip header: rebuilds are byte-identical
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
        ):
            gz.write(df.to_csv(sep="\t", index=False).encode("utf-8"))
    return {
        GENES_FILE: len(table),
        ALIASES_FILE: len(aliases),
        ENSEMBL_FILE: len(ens),
        NAMES_FILE: len(names),
    }


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
    neighbouring characters each count 1 (``BRAC1`` -> ``BRCA1`` is 1)."""
    la, lb = len(a), len(b)
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        for j in range(1, lb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[lb]


def resolve_index(names: Sequence[object], resolver: GeneResolver | None = None) -> Resolution:
    """Convenience: resolve with the default resolver."""
    return (resolver or default_resolver()).resolve_many(names)
