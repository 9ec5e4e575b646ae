"""Genome-wide scoring: top-N and threshold outputs equal brute force; cancel leaves nothing behind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop.bundle.format import Bundle
from synleaf_desktop.errors import CancelledError
from synleaf_desktop.progress import Progress
from synleaf_desktop.scoring import ScoringEngine
from tests.bundle_fixtures import make_bundle


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    d = tmp_path_factory.mktemp("genome")
    return ScoringEngine(
        [
            Bundle.load(make_bundle(d / "UME", "UME", n_genes=130, strategy="ume", seed=41)),
            Bundle.load(make_bundle(d / "UMT", "UMT", n_genes=110, strategy="umt", seed=42)),
        ]
    )


def brute(engine, ctx):
    sc = engine._scorers[ctx]
    i, j = np.triu_indices(sc.n_genes, 1)
    p = sc.pairs(i, j)["folds"]  # float64 path, a different code path from the blocks
    g = sc.genes
    return pd.DataFrame({"gene1": g[i], "gene2": g[j], "score": p.mean(0), "sd": p.std(0)})


def read(path):
    return pd.read_csv(
        path,
        sep="\t",
        dtype={"gene1": str, "gene2": str},
        keep_default_na=False,
        na_values={"score": [""], "sd": [""]},
    )


@pytest.mark.parametrize("ctx", ["UME", "UMT"])
@pytest.mark.parametrize("chunk_rows,threads", [(None, 1), (7, 2)])
def test_top_n_equals_brute_force(engine, tmp_path, ctx, chunk_rows, threads):
    ref = (
        brute(engine, ctx)
        .sort_values("score", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    out = tmp_path / "top.tsv"
    n = 40
    summary = engine.genome_wide(ctx, out, top=n, chunk_rows=chunk_rows, n_threads=threads)
    g = engine.bundle(ctx).n_genes
    assert summary["pairs"] == g * (g - 1) // 2 and summary["written"] == n
    got = read(out)
    assert list(got.columns[:6]) == ["gene1", "gene2", "score", "sd", "known_label", "in_training"]
    assert len(got) == n and (np.diff(got["score"]) <= 0).all()
    assert set(got["in_training"].astype(str)) <= {"0", "1"}
    # same pairs (a boundary tie within float32 noise may swap the last one), same numbers
    ref_top = ref.head(n)
    key = lambda df: set(zip(df["gene1"], df["gene2"], strict=True))  # noqa: E731
    assert len(key(got) ^ key(ref_top)) <= 2
    clear = ref[ref["score"] > ref["score"].iloc[n - 1] + 1e-5]
    assert key(clear) <= key(got)
    m = got.merge(ref, on=["gene1", "gene2"], suffixes=("", "_ref"))
    assert len(m) == n
    np.testing.assert_allclose(m["score"], m["score_ref"], atol=2e-6)
    np.testing.assert_allclose(m["sd"], m["sd_ref"], atol=2e-6)


@pytest.mark.parametrize("ctx", ["UME", "UMT"])
def test_threshold_equals_brute_force(engine, tmp_path, ctx):
    ref = brute(engine, ctx)
    thr = float(np.quantile(ref["score"], 0.97))
    out = tmp_path / "thr.tsv"
    summary = engine.genome_wide(ctx, out, threshold=thr, chunk_rows=9, n_threads=2)
    got = read(out)
    want = ref[ref["score"] >= thr + 1e-6]
    maybe = ref[ref["score"] >= thr - 1e-6]
    k = lambda df: set(zip(df["gene1"], df["gene2"], strict=True))  # noqa: E731
    assert k(want) <= k(got) <= k(maybe)
    assert summary["written"] == len(got) and (got["score"] >= thr).all()
    # gene order: i < j in the universe order, every row once
    idx = engine.bundle(ctx).gene_index
    assert all(idx[a] < idx[b] for a, b in zip(got["gene1"], got["gene2"], strict=True))
    # both together: the top N among those >= threshold
    out2 = tmp_path / "both.tsv"
    engine.genome_wide(ctx, out2, top=5, threshold=thr)
    both = read(out2)
    assert (
        len(both) == 5 and both["score"].tolist() == sorted(got["score"].tolist(), reverse=True)[:5]
    )


def test_cancel_leaves_no_file(engine, tmp_path):
    seen = []

    def cancel_after_first(f, msg, info):
        seen.append(info.get("pairs_done"))
        if info.get("pairs_done"):
            prog.cancel()

    prog = Progress(cancel_after_first)
    out = tmp_path / "gw.tsv"
    with pytest.raises(CancelledError):
        engine.genome_wide("UMT", out, top=10, progress=prog, chunk_rows=3, n_threads=2)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    g = engine.bundle("UMT").n_genes
    assert 0 < max(x for x in seen if x) < g * (g - 1) // 2


def test_progress_reports_and_arguments(engine, tmp_path):
    calls = []
    engine.genome_wide(
        "UME",
        tmp_path / "a.tsv",
        top=3,
        progress=Progress(lambda f, m, i: calls.append(f)),
        chunk_rows=20,
    )
    assert calls[0] == 0.0 and calls[-1] == 1.0 and len(calls) >= 5
    assert calls == sorted(calls)
    with pytest.raises(ValueError, match="top"):
        engine.genome_wide("UME", tmp_path / "b.tsv")
    assert not (tmp_path / "b.tsv").exists()
