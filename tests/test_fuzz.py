"""Fuzzing (hypothesis) of the table readers and the bundle validator (issue 14).

Inputs: random bytes, a valid file cut at a random point (plain or gzip), and random cell
edits of a valid file (empty cells, NA, inf, text, extra or missing separators, quotes ...);
for bundles also random manifest values and arrays, truncated and bit-flipped members (with
their checksums recomputed, so only the bundle checks stand between them and the scorer).

Every outcome must be a correct read (checked against invariants of the result) or the
project's own error (:class:`~synleaf_desktop.errors.SynleafError`), never another exception.
The counts are printed at the end of the run. Profiles (``SYNLEAF_FUZZ_PROFILE``, see
``tests/conftest.py``): ``default`` (``make test``, a few seconds) and ``long`` (``make fuzz``).
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from synleaf_desktop.errors import SynleafError  # noqa: E402
from tests.conftest import FUZZ_COUNTS, rewrite_member  # noqa: E402

pytestmark = pytest.mark.fuzz

SAMPLES = ["TCGA-AA-0001-01", "TCGA-AA-0002-01", "TCGA-AB-0003-01", "TCGA-AB-0004-01"]
GENES = ["TP53", "BRCA1", "KRAS", "MYC", "PTEN", "ATM", "RAD51"]
#: cell values that trip parsers
SPECIAL = [
    "",
    "NA",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1e309",
    "abc",
    "1,5",
    "0",
    "-1",
    "1.5",
    "\t",
    "\n",
    "\r\n",
    ",",
    '"',
    "'",
    "#",
    " ",
    "TCGA-AA-0001-01A",
    "BRCA1",
    "Unknown",
    "9999999999999999999",
    "\x00",
    "é",
    "\ufeff",
]
CELL = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=6),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),  # mostly still a valid file
    st.sampled_from([*GENES, "0", "1", "NA", ""]),
)


def _record(target: str, fn: Callable[[], Any], check: Callable[[Any], None]) -> None:
    """Run one input; count the outcome; fail on anything but a correct read or a SynleafError."""
    c = FUZZ_COUNTS.setdefault(target, {"tried": 0, "clear_error": 0, "read_ok": 0, "other": 0})
    c["tried"] += 1
    try:
        result = fn()
    except SynleafError:
        c["clear_error"] += 1
        return
    except Exception as exc:
        c["other"] += 1
        raise AssertionError(f"{target}: {type(exc).__name__}: {exc}") from exc
    try:
        check(result)
    except AssertionError:
        c["other"] += 1
        raise
    c["read_ok"] += 1


def _rows_text(rows: list[list[str]], sep: str) -> str:
    return "".join(sep.join(r) + "\n" for r in rows)


def _mutated(rows: list[list[str]], sep: str, how: tuple) -> bytes:
    """``how``: ("bytes", data) | ("cut", fraction, gzip?) | ("edit", [(row, col, value)])."""
    kind = how[0]
    if kind == "bytes":
        return how[1]
    if kind == "cut":
        data = _rows_text(rows, sep).encode()
        if how[2]:
            data = gzip.compress(data, mtime=0)
        return data[: int(len(data) * how[1])]
    out = [list(r) for r in rows]
    for r, col, value in how[1]:
        row = out[r % len(out)]
        if col < len(row):
            row[col] = value
        else:
            row.append(value)
    data = _rows_text(out, sep).encode("utf-8", errors="surrogatepass")
    return gzip.compress(data, mtime=0) if len(how) > 2 and how[2] else data


def _how(n_rows: int) -> st.SearchStrategy:
    edit = st.tuples(st.integers(0, n_rows - 1), st.integers(0, 8), CELL)
    return st.one_of(
        st.tuples(st.just("bytes"), st.binary(max_size=400)),
        st.tuples(st.just("cut"), st.floats(0, 1), st.booleans()),
        st.tuples(st.just("edit"), st.lists(edit, min_size=1, max_size=4), st.booleans()),
    )


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    from synleaf_desktop.io.genes import default_resolver

    default_resolver()  # loaded once, outside the examples
    return tmp_path_factory.mktemp("fuzz")


def _write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


# ----------------------------------------------------------------------
# omics readers


def _check_matrix(m: Any) -> None:
    g, s = len(m.genes), len(m.samples)
    assert m.values.shape == (g, s) and m.values.dtype == np.float32
    assert g >= 1 and s >= 1
    assert len(set(m.genes.tolist())) == g and len(set(m.samples.tolist())) == s
    assert all(isinstance(x, str) and x for x in m.genes.tolist())
    assert not np.isinf(m.values).any()
    fin = np.isfinite(m.values)
    assert fin.any(axis=1).all() and fin.any(axis=0).all(), "an empty row or column was kept"
    from synleaf_desktop.io.normalise import normalise

    assert np.isfinite(normalise(m).values).all()


MATRIX = [["Hugo_Symbol", "Entrez_Gene_Id", *SAMPLES]] + [
    [g, "", *(f"{(i * 7 + j) % 5 - 2}.{j}" for j in range(len(SAMPLES)))]
    for i, g in enumerate(GENES)
]


@given(how=_how(len(MATRIX)))
def test_fuzz_matrix(work, how):
    from synleaf_desktop.io.matrix import read_matrix

    p = _write(work, "data_linear_cna.txt", _mutated(MATRIX, "\t", how))
    _record("matrix", lambda: read_matrix(p, "cna"), _check_matrix)


MAF = [["Hugo_Symbol", "Entrez_Gene_Id", "Tumor_Sample_Barcode", "Variant_Classification"]] + [
    [g, "0", SAMPLES[i % len(SAMPLES)] + "A", "Missense_Mutation"] for i, g in enumerate(GENES)
]


@given(how=_how(len(MAF)))
def test_fuzz_maf(work, how):
    from synleaf_desktop.io.maf import read_maf

    def check(m):
        _check_matrix(m)
        assert (m.values >= 0).all()

    p = _write(work, "data_mutations.txt", _mutated(MAF, "\t", how))
    _record("maf", lambda: read_maf(p).counts(), check)


SEG_SPANS = [
    (17, 7_500_000, 7_700_000),
    (17, 43_000_000, 43_200_000),
    (12, 25_300_000, 25_500_000),
    (8, 127_700_000, 127_800_000),
    (10, 87_800_000, 88_000_000),
    (11, 108_000_000, 108_300_000),
]
SEG = [["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"]] + [
    [SAMPLES[i % 4], str(c), str(s), str(e), "10", f"{(i % 5 - 2) / 3:.3f}"]
    for i, (c, s, e) in enumerate(SEG_SPANS)
]


@given(how=_how(len(SEG)))
def test_fuzz_seg(work, how):
    from synleaf_desktop.io.seg import read_seg

    p = _write(work, "data_cna.seg", _mutated(SEG, "\t", how))
    _record("seg", lambda: read_seg(p), _check_matrix)


# ----------------------------------------------------------------------
# labels and graphs


LABELS = [["gene1", "gene2", "class", "cancer"]] + [
    [GENES[i], GENES[(i + 2) % len(GENES)], str(i % 2), "BRCA" if i < 5 else "OV"]
    for i in range(len(GENES))
]


@given(how=_how(len(LABELS)))
def test_fuzz_labels(work, how):
    from synleaf_desktop.io.labels import read_labels

    def check(t):
        p = t.pairs
        assert len(p) >= 1 and list(p.columns) == ["gene1", "gene2", "label", "cancer"]
        assert set(p["label"].unique().tolist()) <= {0, 1}
        assert (p["gene1"] != "").all() and (p["gene2"] != "").all()
        r = t.report
        assert len(p) == r.n_rows - r.rows_unknown_gene - r.duplicates_removed

    p = _write(work, "pairs.csv", _mutated(LABELS, ",", how))
    _record("labels", lambda: read_labels(p), check)


KG = [["head", "relation", "tail"]] + [
    [g, "in_pathway" if i % 2 else "regulates", f"P{i % 3}"] for i, g in enumerate(GENES)
]


@given(how=_how(len(KG)))
def test_fuzz_kg_triples(work, how):
    from synleaf_desktop.io.kg import read_kg

    def check(g):
        assert g.num_entities >= 1 and g.gene_mask().any()
        n = g.num_entities
        assert g.num_edges == 0 or (g.edge_index.min() >= 0 and g.edge_index.max() < n)

    p = _write(work, "graph.tsv", _mutated(KG, "\t", how))
    _record("kg_triples", lambda: read_kg(p), check)


# ----------------------------------------------------------------------
# the bundle validator


@pytest.fixture(scope="module")
def base_bundles(tmp_path_factory) -> dict[str, Path]:
    from tests.bundle_fixtures import make_bundle

    root = tmp_path_factory.mktemp("fuzz_bundles")
    return {
        s: make_bundle(
            root / s / "FZ", "FZ", n_genes=30, n_folds=3, strategy=s, seed=11, n_split_pairs=40
        )
        for s in ("ume", "umt")
    }


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids, max_size=3)
    ),
    max_leaves=6,
)
#: values a manifest key may well hold (so that some edits are valid and the success path is fuzzed too)
PLAUSIBLE = st.sampled_from(
    [
        "FZ2",
        "x..",
        "CON",
        "../FZ",
        30,
        29,
        0,
        -1,
        True,
        "30",
        "ume",
        "umt",
        1,
        2,
        "float16",
        "int8-lowrank",
        {"val_auc": 0.9},
        {"val_auc": "high"},
        ["mut", "cna"],
        [1],
        None,
        "",
        {"model.npz": {"sha256": "0" * 64}},
        {"../model.npz": {}},
    ]
)
MANIFEST_KEYS = [
    "name",
    "n_genes",
    "strategy",
    "format_version",
    "files",
    "headline",
    "omics",
    "folds_shipped",
    "folds_trained",
    "dtype",
    "size_bytes",
    "cancer",
]
MEMBER = st.sampled_from(["model.npz", "split_pairs.npz"])
ARRAY = st.tuples(
    st.sampled_from(
        [
            "genes",
            "uni_terms",
            "uni_bias",
            "umt_a",
            "umt_b1",
            "umt_b2",
            "extra",
            "fold0_train",
            "fold9_val",
            "junk",
        ]
    ),
    st.sampled_from(["float32", "float16", "int32", "int64", "<U4", "bool", "complex64", "uint8"]),
    st.one_of(st.none(), st.lists(st.integers(0, 40), min_size=0, max_size=3)),
    st.sampled_from([0.0, np.nan, np.inf, 1e9, -5, 1]),
)
BUNDLE_HOW = st.one_of(
    st.tuples(st.just("bytes"), MEMBER, st.binary(max_size=600)),
    st.tuples(st.just("cut"), MEMBER, st.floats(0, 1)),
    st.tuples(
        st.just("flip"),
        MEMBER,
        st.lists(st.tuples(st.floats(0, 1), st.integers(0, 7)), min_size=1, max_size=6),
    ),
    st.tuples(st.just("manifest"), st.sampled_from(MANIFEST_KEYS), st.one_of(PLAUSIBLE, JSON)),
    st.tuples(st.just("array"), MEMBER, ARRAY),
)


def _mutate_bundle(folder: Path, how: tuple) -> None:
    kind = how[0]
    if kind == "manifest":
        man = json.loads((folder / "manifest.json").read_text())
        man[how[1]] = how[2]
        (folder / "manifest.json").write_text(json.dumps(man, allow_nan=True))
        return
    member = folder / how[1]
    data = bytearray(member.read_bytes())
    if kind == "bytes":
        data = bytearray(how[2])
    elif kind == "cut":
        data = data[: int(len(data) * how[2])]
    elif kind == "flip":
        for pos, bit in how[2]:
            if data:
                data[min(int(pos * len(data)), len(data) - 1)] ^= 1 << bit
    elif kind == "array":
        key, dtype, shape, fill = how[2]
        try:
            with np.load(member, allow_pickle=False) as z:
                arrays = {k: np.array(z[k]) for k in z.files}
        except Exception:
            arrays = {}
        if shape is None:  # keep the member's shape (and, often, a valid bundle)
            shape = arrays[key].shape if key in arrays else (3,)
        with np.errstate(all="ignore"):
            arrays[key] = (
                np.full(shape, fill).astype(dtype)
                if dtype != "<U4"
                else np.full(shape, "x..", dtype)
            )
        rewrite_member(folder, how[1], arrays=arrays)
        return
    rewrite_member(folder, how[1], data=bytes(data))


@given(strategy=st.sampled_from(["ume", "umt"]), how=BUNDLE_HOW)
def test_fuzz_bundle_validator(work, base_bundles, strategy, how):
    from synleaf_desktop.bundle.format import Bundle
    from synleaf_desktop.bundle.validate import validate_bundle
    from synleaf_desktop.scoring.engine import ScoringEngine

    folder = work / "bundle" / "FZ"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(base_bundles[strategy], folder)
    _mutate_bundle(folder, how)

    def admit():
        validate_bundle(folder)
        b = Bundle.load(folder)
        engine = ScoringEngine([b])
        genes = [str(g) for g in b.genes[:3]]
        res = engine.score_pair(genes[0], genes[-1])
        b.training_pairs()
        return res.contexts[b.name]

    def check(score):
        assert score.score is None or (np.isfinite(score.score) and 0.0 <= score.score <= 1.0)

    _record(f"bundle_{how[0]}", admit, check)


FILTER_VALUE = st.one_of(
    JSON,
    st.sampled_from(
        [
            "",
            "top",
            "score",
            "sl",
            "nonsl",
            "yes",
            "OV",
            1.0,
            -1.0,
            float("inf"),
            float("nan"),
            True,
        ]
    ),
)


@given(
    raw=st.dictionaries(
        st.sampled_from(["search", "metric", "value", "where", "known", "training", "x"]),
        FILTER_VALUE,
        max_size=7,
    )
)
def test_fuzz_history_filter_from_settings(raw):
    """A history entry's row filter read back from a (possibly damaged) settings file: a valid
    filter that round-trips, or dropped with the query kept; never an exception."""
    import math

    from synleaf_desktop.app.filters import RowFilter
    from synleaf_desktop.app.history import HistoryEntry

    f = RowFilter.from_dict(raw)
    if f is not None:
        assert RowFilter.from_dict(f.to_dict()) == f
        assert math.isfinite(f.value) and f.value >= 0
    e = HistoryEntry.from_dict({"query": {"mode": "partners", "gene": "ATR"}, "filter": raw})
    assert e is not None and e.query == {"mode": "partners", "gene": "ATR"}
    assert e.filter == ({} if f is None or not f.active else f.to_dict())
    assert e.title().startswith("partners of ATR")


def test_fuzz_counts_are_reported():
    """The earlier fuzz tests ran and found no unexpected exception (sanity of the counting)."""
    tried = sum(c["tried"] for c in FUZZ_COUNTS.values())
    if not tried:
        pytest.skip("no fuzz test ran before this one")
    assert sum(c["other"] for c in FUZZ_COUNTS.values()) == 0
