"""The `synleaf score / partners / models / export` commands: formats, files, exit codes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synleaf_desktop import __version__
from synleaf_desktop.bundle.format import BUILTIN_ORDER
from synleaf_desktop.cli.main import main
from tests.bundle_fixtures import make_bundle, make_bundle_set


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundled_models")
    make_bundle_set(root, n_genes=80, n_folds=3, exclude={"OV": ["RAD51"]})
    return root


@pytest.fixture
def models(bundled, monkeypatch):
    monkeypatch.setenv("SYNLEAF_BUNDLED_MODELS", str(bundled))
    return bundled


def run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_score_text(models, capsys):
    rc, out, err = run(capsys, "score", "brca1", "RAD51")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == "BRCA1 x RAD51  (query: brca1 RAD51)"
    assert lines[1].split() == [
        "context",
        "score",
        "sd",
        "n",
        "strategy",
        "val_auc",
        "omics",
        "kg",
        "label",
        "training",
        "folds",
        "rank",
        "percentile",
        "heldout_recall",
    ]  # issue 12 added 3
    # one line per context, then (issue 13) the evidence lines, then the note
    body = {
        ln.split()[0]: ln
        for ln in lines[2:-1]
        if not ln.startswith(("shared annotations", "co-inactivation", "  "))
    }
    assert list(body) == list(BUILTIN_ORDER)
    assert any(ln.startswith("shared annotations") for ln in lines)
    assert body["OV"].split(None, 1)[1] == "not in this context: RAD51"
    f = body["BRCA"].split()
    assert 0 <= float(f[1]) <= 1 and 0 <= float(f[2]) < 0.5 and f[3] == "3" and f[4] == "umt"
    assert len(f) == 11 + 2 + 3 and f[9] in (
        "yes",
        "no",
    )  # three per-fold values, three rank columns
    assert f[-3] == "-" and f[-2] == "-"  # these fixture bundles have no rank map: no made-up rank
    assert lines[-1].startswith("note: ") and "p(B,A)" in lines[-1]


def test_score_json(models, capsys):
    rc, out, _ = run(capsys, "score", "672", "tp53", "--contexts", "brca,OV,pan", "--json")
    assert rc == 0
    d = json.loads(out)
    assert d["genes"] == ["BRCA1", "TP53"] and d["unresolved"] == [] and d["version"] == __version__
    assert "order" in d["note"]
    assert list(d["contexts"]) == ["BRCA", "OV", "pan"]
    for _name, c in d["contexts"].items():
        assert set(c) >= {
            "score",
            "sd",
            "folds",
            "in_context",
            "modality",
            "by_order",
            "missing",
            "known_label",
            "in_training",
            "val_auc",
            "test_auc",
            "strategy",
        }
        assert isinstance(c["score"], float) and 0 <= c["score"] <= 1 and isinstance(c["sd"], float)
        assert isinstance(c["folds"], list) and len(c["folds"]) == 3 and c["in_context"] is True
        assert c["score"] == pytest.approx(np.mean(c["folds"]), abs=1e-5)
        assert set(c["modality"]) == {"omics", "kg"} and len(c["by_order"]) == 2
        assert c["known_label"] is None and isinstance(c["in_training"], bool)


def test_score_json_not_in_context_and_unresolved(models, capsys):
    rc, out, _ = run(capsys, "score", "BRCA1", "RAD51", "--json", "--contexts", "OV")
    c = json.loads(out)["contexts"]["OV"]
    assert rc == 0 and c["score"] is None and c["sd"] is None and c["in_context"] is False
    assert c["missing"] == ["RAD51"] and c["folds"] == []
    rc, out, err = run(capsys, "score", "BRCA1", "NOTAGENE_XYZ", "--json")
    d = json.loads(out)
    assert (
        rc == 1
        and d["genes"] is None
        and d["unresolved"] == ["NOTAGENE_XYZ"]
        and "NOTAGENE_XYZ" in err
    )
    rc, out, err = run(capsys, "score", "BRCA1", "NOTAGENE_XYZ")
    assert rc == 1 and "not scored" in out


def test_score_bad_arguments(models, capsys):
    rc, _, err = run(capsys, "score", "BRCA1")
    assert rc == 2 and "two genes" in err
    rc, _, err = run(capsys, "score", "BRCA1", "TP53", "--contexts", "BRCA,XYZ")
    assert rc == 2 and "unknown context 'XYZ'" in err


def test_score_pairs_file(models, capsys, tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_text("Gene1,gene2,note\nBRCA1,RAD51,a\n672,tp53,b\nNOTAGENE_XYZ,ATM,c\n")
    out = tmp_path / "out.tsv"
    rc, stdout, err = run(capsys, "score", "--pairs", src, "--out", out, "--contexts", "BRCA,OV")
    assert rc == 0 and stdout == ""
    assert "scored 3 pairs in 2 contexts" in err and "NOTAGENE_XYZ" in err
    df = pd.read_csv(out, sep="\t")
    assert list(df.columns[:8]) == [
        "gene1",
        "gene2",
        "symbol1",
        "symbol2",
        "BRCA",
        "OV",
        "BRCA_sd",
        "OV_sd",
    ]
    assert df["symbol1"].tolist()[:2] == ["BRCA1", "BRCA1"] and df["symbol2"].tolist()[:2] == [
        "RAD51",
        "TP53",
    ]
    assert (
        np.isnan(df.loc[0, "OV"]) and np.isnan(df.loc[2, "BRCA"]) and not np.isnan(df.loc[1, "OV"])
    )
    rc, js, _ = run(capsys, "score", "BRCA1", "TP53", "--json", "--contexts", "BRCA")
    assert df.loc[1, "BRCA"] == pytest.approx(json.loads(js)["contexts"]["BRCA"]["score"], abs=1e-6)
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\nBRCA1\tTP53\n")
    rc, _, err = run(capsys, "score", "--pairs", bad)
    assert rc == 2 and "gene1 and gene2" in err


def test_score_with_labels(models, capsys, tmp_path):
    lab = tmp_path / "labels.csv"
    lab.write_text("gene1,gene2,class,cancer\nBRCA1,TP53,1,BRCA\n")
    rc, out, _ = run(
        capsys, "score", "TP53", "BRCA1", "--labels", lab, "--json", "--contexts", "BRCA,pan"
    )
    d = json.loads(out)["contexts"]
    assert rc == 0 and d["BRCA"]["known_label"] == 1 and d["pan"]["known_label"] is None


def test_partners_single_context_and_cross(models, capsys):
    rc, out, _ = run(capsys, "partners", "BRCA1", "--top", "4", "--context", "brca")
    lines = out.splitlines()
    assert rc == 0 and lines[0] == "BRCA1: top 4 partners in BRCA"
    assert lines[1].split() == [
        "rank",
        "partner",
        "score",
        "sd",
        "label",
        "training",
        "genome_rank",
        "heldout_recall",
        "typical_rank",
        "above_typical",
    ]  # issue 12 added 4
    scores = [float(ln.split()[2]) for ln in lines[2:6]]
    assert scores == sorted(scores, reverse=True)
    rc, out, _ = run(capsys, "partners", "BRCA1", "--top", "4", "--context", "brca", "--json")
    d = json.loads(out)
    assert d["gene"] == "BRCA1" and d["context"] == "BRCA" and d["in_context"] is True
    assert [p["score"] for p in d["partners"]] == pytest.approx(scores, abs=1e-4)
    assert set(d["partners"][0]) >= {
        "partner",
        "score",
        "sd",
        "known_label",
        "in_training",
        "percentile",
        "top_fraction",
        "heldout_recall",
        "typical_top_fraction",
        "above_typical",
    }
    rc, out, _ = run(capsys, "partners", "RAD51", "--top", "3", "--json")
    d = json.loads(out)
    assert d["contexts"] == list(BUILTIN_ORDER) and d["missing_contexts"] == ["OV"]
    p = d["partners"][0]
    assert set(p) == {
        "partner",
        "scores",
        "mean",
        "max",
        "min",
        "n_contexts",
        "n_contexts_high",
        "best_context",
        "specificity",
        "percentiles",
        "top_fractions",
        "heldout_recall",
        "above_typicals",
        "mean_percentile",
        "max_percentile",
        "best_top_fraction",
        "mean_above_typical",
    }
    assert len(d["partners"]) == 3  # --top N: N partners across contexts (issue 16)
    assert p["scores"]["OV"] is None and p["max"] == max(
        v for v in p["scores"].values() if v is not None
    )
    rc, out, _ = run(capsys, "partners", "RAD51", "--top", "3")
    assert rc == 0 and out.splitlines()[2].split()[:2] == ["partner", "BRCA"]
    assert "not in these contexts' universes: OV" in out
    rc, _, err = run(capsys, "partners", "NOTAGENE_XYZ")
    assert (
        rc == 1 and "could not resolve" in err
    )  # issue 16: an unresolved gene exits 1, as in `score`


def test_models_list_add_remove(models, capsys, tmp_path):
    rc, out, _ = run(capsys, "models", "list")
    lines = out.splitlines()
    assert rc == 0 and lines[0].split() == [
        "name",
        "kind",
        "strategy",
        "val_auc",
        "test_auc",
        "omics",
        "genes",
        "folds",
        "size_mb",
    ]
    assert [ln.split()[0] for ln in lines[1:]] == list(BUILTIN_ORDER)
    assert lines[1].split()[1:3] == ["bundled", "umt"] and lines[1].split()[7] == "3/3"
    src = make_bundle(tmp_path / "MINE", "MINE", n_genes=40, n_folds=2, strategy="ume", seed=5)
    rc, out, _ = run(capsys, "models", "add", src)
    assert rc == 0 and "added user model MINE" in out
    rc, out, _ = run(capsys, "models", "list", "--json")
    d = json.loads(out)
    assert [m["name"] for m in d] == [*BUILTIN_ORDER, "MINE"] and d[-1]["kind"] == "user"
    assert {"val_auc", "test_auc", "strategy", "omics", "n_genes", "folds_shipped"} <= set(d[0])
    rc, out, _ = run(capsys, "score", "BRCA1", "TP53", "--contexts", "MINE", "--json")
    assert json.loads(out)["contexts"]["MINE"]["in_context"] is True
    rc, out, _ = run(capsys, "models", "show", "mine")
    assert rc == 0 and json.loads(out)["name"] == "MINE"
    rc, _, err = run(capsys, "models", "remove", "BRCA")
    assert rc == 2 and "cannot be removed" in err
    rc, out, _ = run(capsys, "models", "remove", "MINE")
    assert rc == 0 and "removed" in out


def test_export_genome_wide(models, capsys, tmp_path):
    out = tmp_path / "gw.tsv"
    rc, _stdout, err = run(
        capsys, "export", "genome-wide", "--context", "luad", "--top", "7", "--out", out
    )
    assert rc == 0 and "LUAD: wrote 7 pairs" in err and "%" in err
    df = pd.read_csv(out, sep="\t")
    assert (
        list(df.columns[:6]) == ["gene1", "gene2", "score", "sd", "known_label", "in_training"]
        and len(df) == 7
    )
    assert list(df.columns[6:]) == [
        "percentile",
        "top_fraction",
        "heldout_recall",  # issue 12
        "both_lost",
        "expected_both",
        "coinact_p",
    ]  # issue 13
    rc, _, err = run(capsys, "export", "genome-wide", "--context", "LUAD", "--out", out)
    assert rc == 2 and "--top" in err


def test_no_models_installed(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SYNLEAF_BUNDLED_MODELS", str(tmp_path / "empty"))
    hint = "synleaf bundle build --data ../shared/data --out bundled_models"
    for argv in (
        ["score", "BRCA1", "TP53"],
        ["partners", "BRCA1"],
        ["models", "list"],
        [
            "export",
            "genome-wide",
            "--context",
            "BRCA",
            "--top",
            "5",
            "--out",
            str(tmp_path / "x.tsv"),
        ],
    ):
        rc, _, err = run(capsys, *argv)
        assert rc == 2 and hint in err, argv
