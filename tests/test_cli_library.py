"""``synleaf library``: import into the app's library and train a model from it on the command
line, by the same use cases as the app (issue 15)."""

from __future__ import annotations

import json

import pytest

from synleaf_desktop.app.library import Library
from synleaf_desktop.cli.main import main

from .test_gui_common import make_training_inputs

pytest.importorskip("torch")

TINY = "max_epochs=2; hidden_dims=32,16; batch_size=64; kg_dims=32,128"


def test_import_list_train_and_score(tmp_path, capsys):
    lib = Library()
    make_training_inputs(lib, tmp_path)  # cohort "tiny", graph "tinykg", labels.csv on disk
    assert main(["library", "import", str(tmp_path / "labels.csv"), "--name", "cli labels"]) == 0
    assert "saved labels/cli labels" in capsys.readouterr().out
    assert main(["library", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {e["name"] for e in listed["labels"]} >= {"cli labels", "tinylabels"}
    assert [e["name"] for e in listed["cohorts"]] == ["tiny"]

    argv = ["library", "train", "CLI_TINY", "--cohort", "tiny", "--labels", "cli labels"]
    argv += ["--cancer", "BRCA", "--graph", "tinykg", "--quick", "--quiet", "--set", TINY]
    assert main(argv) == 0
    assert "model CLI_TINY installed" in capsys.readouterr().out
    manifest = json.loads((lib.root / "models" / "CLI_TINY" / "manifest.json").read_text())
    assert manifest["training"]["quick"] is True
    assert manifest["training"]["config"]["max_epochs"] == 2
    assert any(k.startswith("labels/cli labels/") for k in manifest["data_checksums"])
    from synleaf_desktop.bundle.registry import Registry

    genes = list(Registry().load("CLI_TINY").genes[:2])
    assert main(["score", *genes, "--contexts", "CLI_TINY", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 0 < out["contexts"]["CLI_TINY"]["score"] < 1


def test_train_bad_input_is_a_clear_error(capsys):
    assert main(["library", "train", "X", "--cohort", "nope", "--labels", "x"]) == 2
    assert "no cohort named 'nope'" in capsys.readouterr().err
    assert (
        main(["library", "train", "X", "--cohort", "a", "--labels", "b", "--set", "epochs=3"]) == 2
    )
    assert "unknown training setting(s) 'epochs'" in capsys.readouterr().err


def test_inspect_uses_the_format_registry(tmp_path, capsys):
    from .test_gui_common import make_labels

    path = make_labels(tmp_path / "labels.csv")
    assert main(["inspect", str(path), "--json", "-q"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["labels"] and out["labels"]["positive"] > 0
    assert main(["inspect", str(path), "-q"]) == 0
    assert "SL label table (labels.csv)" in capsys.readouterr().out
