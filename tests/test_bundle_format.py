"""Bundle writer and loader: round trip, checksums, fp16 accuracy, fold budget, no torch."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from synleaf_desktop.bundle import format as bformat
from synleaf_desktop.bundle.format import Bundle, BundleError, read_manifest, verify_files
from synleaf_desktop.bundle.writer import teacher_terms, umt_terms, write_bundle
from synleaf_desktop.scoring.context import ContextScorer
from tests.bundle_fixtures import make_bundle, symbol_pool, synthetic_folds, synthetic_splits

PKG = Path(__file__).resolve().parents[1] / "synleaf_desktop"


@pytest.fixture(scope="module")
def umt_bundle(tmp_path_factory):
    d = tmp_path_factory.mktemp("bundles")
    return make_bundle(
        d / "BRCA",
        "BRCA",
        n_genes=120,
        n_folds=5,
        strategy="umt",
        seed=1,
        dtype="float32",
        return_arrays=True,
    )


def test_round_trip_arrays_and_manifest(umt_bundle):
    path, genes, folds, splits = umt_bundle
    b = Bundle.load(path)
    assert b.name == "BRCA" and b.strategy == "umt" and b.folds == 5 and b.folds_trained == 5
    assert b.genes.dtype.kind == "U" and b.genes.tolist() == genes
    assert b.gene_index["BRCA1"] == genes.index("BRCA1")
    # stored terms equal the formulas applied to the exported arrays
    for f in (0, 3):
        t, _c = teacher_terms(folds[f])
        o, w = (
            folds[f]["omics_teacher_emb"].astype(np.float64),
            folds[f]["omics_head_w"].astype(np.float64),
        )
        np.testing.assert_allclose(
            b.arrays["uni_terms"][f][:, 0], o @ w[:128], rtol=1e-5, atol=1e-5
        )
        np.testing.assert_allclose(
            b.arrays["uni_terms"][f][:, 1], o @ w[128:], rtol=1e-5, atol=1e-5
        )
        np.testing.assert_array_equal(b.arrays["uni_terms"][f], t)
        np.testing.assert_allclose(
            b.arrays["uni_bias"][f], [folds[f]["omics_head_b"][0], folds[f]["kg_head_b"][0]]
        )
        a, bb = umt_terms(folds[f])
        np.testing.assert_array_equal(np.asarray(b.arrays["umt_a"][f]), a)
        np.testing.assert_array_equal(np.asarray(b.arrays["umt_b"][f]), bb)
    # the big members are memory-mapped, the rest are ordinary arrays
    assert isinstance(b.arrays["umt_a"], np.memmap) and not isinstance(
        b.arrays["uni_terms"], np.memmap
    )
    assert b.arrays["umt_a"].offset % 64 == 0 and b.arrays["umt_b"].offset % 64 == 0
    with np.load(path / "model.npz", allow_pickle=False) as z:  # a plain npz for any numpy reader
        assert set(z.files) == {
            "genes",
            "uni_terms",
            "uni_bias",
            "umt_a",
            "umt_b",
            "umt_b1",
            "umt_w2",
            "umt_b2",
        }
        np.testing.assert_array_equal(z["umt_b"], b.arrays["umt_b"])
    m = b.manifest
    for key in (
        "name",
        "format_version",
        "app_version",
        "created",
        "strategy",
        "selection",
        "cv",
        "folds_trained",
        "folds_shipped",
        "folds_shipped_reason",
        "metrics",
        "headline",
        "omics",
        "sample_counts",
        "kg",
        "data_checksums",
        "packages",
        "seed",
        "dtype",
        "size_bytes",
        "files",
    ):
        assert key in m, key
    assert m["headline"]["val_auc"] == pytest.approx(
        np.mean(m["metrics"]["umt"]["val_auc"]), abs=1e-6
    )
    assert m["headline"]["val_auc_sd"] == pytest.approx(
        np.std(m["metrics"]["umt"]["val_auc"]), abs=1e-6
    )
    assert set(m["files"]) == {"model.npz", "split_pairs.npz"}
    assert m["size_bytes"] == sum((path / f).stat().st_size for f in m["files"])
    # split pairs round trip, and the training pairs are the union of the train parts
    assert np.array_equal(b.split_pairs["fold2_val"], splits[2]["val"])
    tp = {tuple(x) for x in b.training_pairs().tolist()}
    want = {tuple(sorted(r[:2])) for f in range(5) for r in splits[f]["train"].tolist()}
    assert tp == want


def test_checksum_failure_names_the_file(tmp_path):
    path = make_bundle(tmp_path / "OV", "OV", n_genes=40, strategy="ume", seed=2)
    Bundle.load(path)  # fine
    model = path / "model.npz"
    data = bytearray(model.read_bytes())
    data[-100] ^= 0xFF  # flip a byte inside the arrays, same size
    model.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="checksum mismatch") as exc:
        Bundle.load(path)
    assert "model.npz" in str(exc.value)


def test_missing_or_invalid_manifest(tmp_path):
    path = make_bundle(tmp_path / "X", "X", n_genes=30, strategy="ume", seed=3, with_splits=False)
    (path / "model.npz").unlink()
    with pytest.raises(BundleError, match=r"model.npz.*missing"):
        Bundle.load(path)
    (path / "manifest.json").write_text("{not json")
    with pytest.raises(BundleError, match=r"manifest.json.*not a valid JSON"):
        Bundle.load(path)
    (path / "manifest.json").unlink()
    with pytest.raises(BundleError, match=r"manifest.json.*missing"):
        Bundle.load(path)
    with pytest.raises(BundleError, match="not a model bundle folder"):
        Bundle.load(tmp_path / "nowhere")
    (path / "manifest.json").write_text(
        json.dumps(
            {"name": "X", "format_version": 99, "strategy": "ume", "files": {}, "n_genes": 1}
        )
    )
    with pytest.raises(BundleError, match="format version 99"):
        read_manifest(path)


def test_verification_cache(tmp_path, monkeypatch):
    path = make_bundle(tmp_path / "C", "C", n_genes=30, strategy="ume", seed=4)
    man = read_manifest(path)
    # fresh files are never cached ("racy" mtime), so they are hashed every time
    assert set(verify_files(path, man).values()) == {"hashed"}
    assert set(verify_files(path, man).values()) == {"hashed"}
    old = time.time() - 60
    for f in man["files"]:
        os.utime(path / f, (old, old))
    assert set(verify_files(path, man).values()) == {"hashed"}
    assert set(verify_files(path, man).values()) == {"cached"}
    assert set(verify_files(path, man, "full").values()) == {"hashed"}
    # a changed file (new mtime) is hashed again and caught
    model = path / "model.npz"
    data = bytearray(model.read_bytes())
    data[-50] ^= 0x01
    model.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="checksum mismatch"):
        verify_files(path, man)


def test_fp16_scores_within_1e3_of_fp32(tmp_path):
    genes = symbol_pool(200, seed=5)
    folds = synthetic_folds(len(genes), 5, "umt", seed=5)
    p32 = write_bundle(tmp_path / "f32", "T", np.array(genes), folds, "umt", {}, dtype="float32")
    p16 = write_bundle(tmp_path / "f16", "T", np.array(genes), folds, "umt", {}, dtype="float16")
    b16 = Bundle.load(p16)
    assert b16.arrays["umt_a"].dtype == np.float16 and b16.dtype == "float16"
    assert b16.manifest["dtype_check"]["max_abs_diff"] < 1e-3
    s32, s16 = ContextScorer(Bundle.load(p32)), ContextScorer(b16)
    i, j = np.triu_indices(len(genes), 1)
    d = np.abs(s32.pairs(i, j)["folds"].mean(0) - s16.pairs(i, j)["folds"].mean(0))
    assert d.max() < 1e-3, d.max()
    assert d.max() > 0  # fp16 really was used
    assert (p16 / "model.npz").stat().st_size < 0.6 * (p32 / "model.npz").stat().st_size


def test_size_budget_ships_fewer_umt_folds(tmp_path):
    genes = symbol_pool(100, seed=6)
    folds = synthetic_folds(len(genes), 5, "umt", seed=6)
    per_fold = 2 * len(genes) * 128 * 2
    budget = 3 * per_fold + 20000
    p = write_bundle(
        tmp_path / "B", "B", np.array(genes), folds, "umt", {}, size_budget_bytes=budget
    )
    b = Bundle.load(p)
    m = b.manifest
    assert m["folds_trained"] == 5 and m["folds_shipped"] == 3 and b.folds == 3
    assert "budget" in m["folds_shipped_reason"] and m["size_bytes"] <= budget
    assert b.arrays["uni_terms"].shape[0] == 5  # the teachers of every fold are kept
    with pytest.raises(ValueError, match="too small"):
        write_bundle(
            tmp_path / "C", "C", np.array(genes), folds, "umt", {}, size_budget_bytes=per_fold // 2
        )
    assert not (tmp_path / "C").exists()


def test_writer_rejects_bad_input(tmp_path):
    genes = np.array(symbol_pool(20, seed=7))
    folds = synthetic_folds(20, 2, "ume", seed=7)
    with pytest.raises(ValueError, match="missing arrays"):
        write_bundle(tmp_path / "a", "a", genes, folds, "umt", {})
    bad = [dict(folds[0]), folds[1]]
    bad[0]["kg_teacher_emb"] = bad[0]["kg_teacher_emb"][:, :64]
    with pytest.raises(ValueError, match="kg_teacher_emb has shape"):
        write_bundle(tmp_path / "a", "a", genes, bad, "ume", {})
    with pytest.raises(ValueError, match="duplicates"):
        write_bundle(
            tmp_path / "a", "a", np.array(["A", "A"]), synthetic_folds(2, 1, "ume", 0), "ume", {}
        )
    with pytest.raises(ValueError, match="outside"):
        sp = synthetic_splits(20, 2, 10, seed=0)
        sp[0]["test"] = sp[0]["test"] + 100
        assert len(sp[0]["test"])
        write_bundle(tmp_path / "a", "a", genes, folds, "ume", {}, split_pairs=sp)
    with pytest.raises(ValueError, match="may not set"):
        write_bundle(tmp_path / "a", "a", genes, folds, "ume", {"files": {}})
    assert not (tmp_path / "a").exists()


def test_no_torch_import_in_bundle_and_scoring():
    # bundle/build.py is the builder: it drives the training layer (and so torch) on purpose;
    # everything that loads or scores bundles must not import torch
    builders = {PKG / "bundle" / "build.py"}
    for sub in ("bundle", "scoring"):
        for path in sorted(set((PKG / sub).glob("*.py")) - builders):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                assert not any(n.split(".")[0] in ("torch", "torch_geometric") for n in names), path


def test_scoring_process_never_loads_torch(umt_bundle):
    path = umt_bundle[0]
    code = (
        "import sys; from synleaf_desktop.bundle.format import Bundle; "
        "from synleaf_desktop.bundle.registry import Registry; from synleaf_desktop.scoring import ScoringEngine; "
        f"e = ScoringEngine([Bundle.load({str(path)!r})]); r = e.score_pair('BRCA1', 'TP53'); "
        "e.partners('BRCA1', top=5); "
        "assert r.contexts['BRCA'].score is not None; print(sorted(m for m in sys.modules if 'torch' in m))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]", res.stdout


def test_bundle_close_drops_memmaps(umt_bundle):
    b = Bundle.load(umt_bundle[0], verify=False)
    b.close()
    assert "umt_a" not in b.arrays and "uni_terms" in b.arrays
    assert bformat.BUILTIN_ORDER[-1] == "pan"
