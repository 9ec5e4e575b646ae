"""The compact known-pairs table shipped in ``resources/labels/known_pairs.tsv.gz``.

It is *derived* (never copied) by :func:`build_known_pairs` from the label files of the data
folder (``synleaf resources build --only known-pairs``, or ``make known-pairs``):

* SynLethDB 2.0 human SL and non-SL exports (``synlethdb2_Human_SL.csv``,
  ``synlethdb2_Human_nonSL.csv``): pair, label, source (screen type), PubMed ID, cell line;
  they apply to every context (the pan-cancer model was trained on them);
* ELISL pairs (``elisl_train_pairs.csv``, ``elisl_test_pairs.csv``): pair, label, cancer;
  they carry no PubMed ID or cell line.

Columns (TSV, gzip, UTF-8): ``gene1 gene2 label context source pmid cell_line``.
``gene1 < gene2`` are current HGNC symbols (SynLethDB rows resolved by Entrez ID, ELISL rows by
symbol; unresolvable rows are dropped). ``context`` is the cancer (ELISL) or empty (SynLethDB:
any context). ``source`` is ``SynLethDB:<source>`` or ``ELISL``. One row per distinct
(pair, label, context, source, pmid, cell line); the SynLethDB statistic score is not kept, and
repeated cell lines (``K562;K562``) are collapsed. A pair listed as both SL and non-SL keeps both
rows (the label tables' rule "both -> 0" is applied by whoever reads them as labels).

The data terms of the sources apply to this derived table (see the README, "How to cite").
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import paths
from ..fileio import atomic_path

KNOWN_PAIRS_FILE = "labels/known_pairs.tsv.gz"
COLUMNS = ["gene1", "gene2", "label", "context", "source", "pmid", "cell_line"]
#: the export columns added for pairs with evidence (see :meth:`KnownPairs.evidence_columns`)
EVIDENCE_COLUMNS = ("known_source", "known_pmid", "known_cell_line")
ELISL_FILES = ("elisl_train_pairs.csv", "elisl_test_pairs.csv")
SYNLETHDB_FILES = {"synlethdb2_Human_SL.csv": 1, "synlethdb2_Human_nonSL.csv": 0}


#: cell texts that mean "no value" in the source tables (SynLethDB writes ``null``)
_MISSING = frozenset({"nan", "na", "n/a", "none", "null"})


def _clean_cells(value: Any) -> str:
    """``"K562;K562"`` -> ``"K562"``; distinct values joined with ``;`` in first-seen order;
    missing-value words (``null``, ``NA``, ...) dropped."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    parts = [p.strip() for p in str(value).split(";")]
    return ";".join(dict.fromkeys(p for p in parts if p and p.lower() not in _MISSING))


def _pmid(value: Any) -> str:
    s = _clean_cells(value)
    return ";".join(p[:-2] if p.endswith(".0") else p for p in s.split(";")) if s else ""


def build_known_pairs(
    labels_dir: str | Path, out_resources: str | Path, resolver: Any = None
) -> dict[str, Any]:
    """Derive ``<out_resources>/labels/known_pairs.tsv.gz`` from the data folder's ``labels/``.

    Returns:
        ``{"rows", "pairs", "synlethdb_rows", "elisl_rows", "dropped", "bytes", "path"}``.
    """
    from .genes import default_resolver

    resolver = resolver or default_resolver()
    labels_dir = Path(labels_dir)
    frames = []
    dropped = 0
    for name, label in SYNLETHDB_FILES.items():
        path = labels_dir / name
        if not path.is_file():
            continue
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        cols = {
            c.split(".", 1)[-1].lower() if c.lower().startswith(("sl.", "nonsl.")) else c.lower(): c
            for c in raw.columns
        }
        ids_a = raw[cols["gene_a.identifier"]].tolist()
        ids_b = raw[cols["gene_b.identifier"]].tolist()
        a = resolver.resolve_many(ids_a).symbols
        b = resolver.resolve_many(ids_b).symbols
        # an Entrez ID the table does not know: fall back to the name as given
        na, nb = (
            resolver.resolve_many(raw[cols["gene_a.name"]].tolist()).symbols,
            resolver.resolve_many(raw[cols["gene_b.name"]].tolist()).symbols,
        )
        a = np.where(pd.isna(a), na, a)
        b = np.where(pd.isna(b), nb, b)
        frames.append(
            pd.DataFrame(
                {
                    "a": a,
                    "b": b,
                    "label": label,
                    "context": "",
                    "source": [
                        "SynLethDB:" + (s.strip() or "unknown") for s in raw[cols["source"]]
                    ],
                    "pmid": [_pmid(x) for x in raw[cols["pubmed_id"]]],
                    "cell_line": [_clean_cells(x) for x in raw[cols["cell_line"]]],
                }
            )
        )
    n_syn = sum(len(f) for f in frames)
    for name in ELISL_FILES:
        path = labels_dir / name
        if not path.is_file():
            continue
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        frames.append(
            pd.DataFrame(
                {
                    "a": resolver.resolve_many(raw["gene1"].tolist()).symbols,
                    "b": resolver.resolve_many(raw["gene2"].tolist()).symbols,
                    "label": raw["class"].astype(int),
                    "context": raw["cancer"].str.strip(),
                    "source": "ELISL",
                    "pmid": "",
                    "cell_line": "",
                }
            )
        )
    if not frames:
        raise FileNotFoundError(
            f"{labels_dir}: none of {list(SYNLETHDB_FILES) + list(ELISL_FILES)} found"
        )
    df = pd.concat(frames, ignore_index=True)
    ok = df["a"].notna() & df["b"].notna() & (df["a"] != df["b"])
    dropped = int((~ok).sum())
    df = df[ok]
    a, b = df["a"].astype(str).to_numpy(), df["b"].astype(str).to_numpy()
    out = pd.DataFrame(
        {
            "gene1": np.minimum(a, b),
            "gene2": np.maximum(a, b),
            "label": df["label"].astype(int),
            "context": df["context"],
            "source": df["source"],
            "pmid": df["pmid"],
            "cell_line": df["cell_line"],
        }
    )
    out = out.drop_duplicates().sort_values(COLUMNS, kind="stable").reset_index(drop=True)
    dest = Path(out_resources) / KNOWN_PAIRS_FILE
    dest.parent.mkdir(parents=True, exist_ok=True)
    with (
        atomic_path(dest) as tmp,
        open(tmp, "wb") as raw_out,
        # no file name and no time stamp in the gzip header: rebuilds are byte-identical
        gzip.GzipFile(filename="", fileobj=raw_out, mode="wb", mtime=0, compresslevel=9) as gz,
    ):
        gz.write(out.to_csv(sep="\t", index=False, lineterminator="\n").encode("utf-8"))
    n_pairs = len(out[["gene1", "gene2"]].drop_duplicates())
    return {
        "rows": len(out),
        "pairs": n_pairs,
        "synlethdb_rows": n_syn,
        "elisl_rows": len(df) + dropped - n_syn,
        "dropped": dropped,
        "bytes": dest.stat().st_size,
        "path": str(dest),
    }


@dataclass
class KnownPairs:
    """The known-pairs table, indexed by unordered symbol pair.

    Attributes:
        table: the rows (columns :data:`COLUMNS`), ``gene1 < gene2``.
    """

    table: pd.DataFrame

    def __post_init__(self) -> None:
        t = self.table
        for col in ("pmid", "cell_line"):
            # a table built before "null" counted as missing: never show "· null"
            if (
                col in t
                and t[col]
                .astype(str)
                .str.contains("null|none|nan|n/a", case=False, regex=True)
                .any()
            ):
                t[col] = [_clean_cells(x) for x in t[col]]
        keys = (t["gene1"] + "\t" + t["gene2"]).to_numpy()
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._rows = order

    def __len__(self) -> int:
        return len(self.table)

    @staticmethod
    def _key(a: str, b: str) -> str:
        a, b = str(a), str(b)
        return f"{a}\t{b}" if a <= b else f"{b}\t{a}"

    def rows(self, a: str, b: str, context: str | None = None) -> pd.DataFrame:
        """Rows of the pair (any order); with ``context``, those of that cancer plus the
        context-free ones (SynLethDB)."""
        k = self._key(a, b)
        lo = np.searchsorted(self._keys, k, "left")
        hi = np.searchsorted(self._keys, k, "right")
        sub = self.table.iloc[np.sort(self._rows[lo:hi])]
        if context is not None:
            c = sub["context"].str.lower()
            sub = sub[(c == str(context).lower()) | (c == "")]
        return sub

    def evidence(self, a: str, b: str, context: str | None = None, limit: int = 3) -> list[str]:
        """Readable lines for the details panel, e.g. ``"SL · SynLethDB:CRISPR/CRISPRi · PMID
        29251726 · OVCAR8"``; at most ``limit`` lines plus ``"+N more"``."""
        sub = self.rows(a, b, context)
        lines = []
        for r in sub.itertuples(index=False):
            # pandas-stubs type a row's fields as any scalar (NA included); label is an int column
            label = int(r.label)  # type: ignore[arg-type]
            parts = ["SL" if label == 1 else "non-SL", str(r.source)]
            if r.context:
                parts.append(str(r.context))
            if r.pmid:
                parts.append("PMID " + str(r.pmid))
            if r.cell_line:
                parts.append(str(r.cell_line))
            lines.append(" · ".join(parts))
        lines = list(dict.fromkeys(lines))
        if len(lines) > limit:
            lines = [*lines[:limit], f"+{len(lines) - limit} more"]
        return lines

    def evidence_columns(self, sym1: Iterable[Any], sym2: Iterable[Any]) -> dict[str, list[str]]:
        """``known_source``, ``known_pmid``, ``known_cell_line`` for each pair (distinct values
        joined with ``;``, from the rows that carry a PubMed ID or cell line, i.e. SynLethDB;
        empty where none)."""
        src, pm, cl = [], [], []
        for a, b in zip(sym1, sym2, strict=False):
            if a is None or b is None or a != a or b != b:
                src.append("")
                pm.append("")
                cl.append("")
                continue
            sub = self.rows(a, b)
            sub = sub[(sub["pmid"] != "") | (sub["cell_line"] != "")]
            src.append(";".join(dict.fromkeys(sub["source"])))
            pm.append(";".join(dict.fromkeys(p for x in sub["pmid"] for p in x.split(";") if p)))
            cl.append(
                ";".join(dict.fromkeys(p for x in sub["cell_line"] for p in x.split(";") if p))
            )
        return {"known_source": src, "known_pmid": pm, "known_cell_line": cl}


def load_known_pairs(path: str | Path | None = None) -> KnownPairs | None:
    """The table at ``path`` (default: the shipped one); None when it does not exist."""
    p = Path(path) if path is not None else paths.resources_dir() / KNOWN_PAIRS_FILE
    if not p.is_file():
        return None
    t = pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False)
    t["label"] = t["label"].astype(int)
    return KnownPairs(t)


@functools.lru_cache(maxsize=1)
def default_known_pairs() -> KnownPairs | None:
    """The shipped table, loaded once (None when it is not shipped)."""
    return load_known_pairs()
