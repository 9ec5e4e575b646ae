"""The registry of bundled + user models."""

from __future__ import annotations

import shutil

import pytest

from synleaf_desktop import paths
from synleaf_desktop.bundle.format import BUILTIN_ORDER, BundleError
from synleaf_desktop.bundle.registry import Registry
from tests.bundle_fixtures import make_bundle, make_bundle_set


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundled_models")
    # written in a scrambled order: the registry must still list the built-ins in their fixed order
    make_bundle_set(
        root, names=("pan", "OV", "BRCA", "LUAD"), n_genes=40, n_folds=2, with_splits=False
    )
    return root


def test_list_order_kinds_and_headline(bundled, tmp_path):
    user = tmp_path / "user"
    make_bundle(user / "zeta", "zeta", n_genes=30, n_folds=2, strategy="ume", seed=9)
    make_bundle(user / "Alpha", "Alpha", n_genes=30, n_folds=2, strategy="umt", seed=8)
    reg = Registry(bundled, user)
    models = reg.list()
    assert [m.name for m in models] == ["BRCA", "LUAD", "OV", "pan", "Alpha", "zeta"]
    assert [m.kind for m in models] == ["bundled"] * 4 + ["user"] * 2
    brca = models[0]
    assert brca.strategy == "umt" and brca.folds_shipped == 2 and brca.n_genes > 30
    assert 0.5 < brca.headline["val_auc"] < 1 and "test_auc" in brca.headline
    assert brca.to_dict()["val_auc"] == brca.headline["val_auc"]
    assert reg.kinds()["Alpha"] == "user"
    b = reg.load("ov")  # case-insensitive lookup
    assert b.name == "OV" and b.strategy == "umt"
    assert [x.name for x in reg.load_all(["pan", "Alpha"])] == ["pan", "Alpha"]


def test_default_dirs_come_from_paths(bundled, monkeypatch):
    monkeypatch.setenv("SYNLEAF_BUNDLED_MODELS", str(bundled))
    reg = Registry()
    assert reg.bundled_dir == bundled and reg.user_dir == paths.user_models_dir()
    assert reg.names() == ["BRCA", "LUAD", "OV", "pan"]


def test_add_and_remove_user_bundle(bundled, tmp_path):
    reg = Registry(bundled, tmp_path / "user")
    src = make_bundle(
        tmp_path / "src" / "MINE", "MINE", n_genes=30, n_folds=2, strategy="ume", seed=1
    )
    info = reg.add_user_bundle(src)
    assert info.kind == "user" and info.folder == tmp_path / "user" / "MINE"
    assert reg.names()[-1] == "MINE" and reg.load("MINE").n_genes == 30
    # a name that is taken: refused (bundled always; user unless overwrite)
    with pytest.raises(BundleError, match="already exists"):
        reg.add_user_bundle(src)
    reg.add_user_bundle(src, overwrite=True)
    with pytest.raises(BundleError, match="bundled model named 'BRCA'"):
        reg.add_user_bundle(src, name="brca", overwrite=True)
    with pytest.raises(BundleError, match="not allowed"):
        reg.add_user_bundle(src, name="../evil")
    # rename on the way in: the manifest name changes, the checksums still hold
    renamed = reg.add_user_bundle(src, name="MINE2")
    assert reg.load("MINE2", verify="full").name == "MINE2" and renamed.name == "MINE2"
    # removing
    with pytest.raises(BundleError, match="cannot be removed"):
        reg.remove_user_bundle("BRCA")
    reg.remove_user_bundle("MINE")
    assert "MINE" not in reg.names() and not (tmp_path / "user" / "MINE").exists()
    with pytest.raises(KeyError, match="no model named"):
        reg.remove_user_bundle("MINE")


def test_add_refuses_a_damaged_bundle(bundled, tmp_path):
    reg = Registry(bundled, tmp_path / "user")
    src = make_bundle(
        tmp_path / "src" / "BAD", "BAD", n_genes=30, n_folds=2, strategy="ume", seed=2
    )
    data = bytearray((src / "model.npz").read_bytes())
    data[-20] ^= 0xFF
    (src / "model.npz").write_bytes(bytes(data))
    with pytest.raises(BundleError, match="checksum mismatch"):
        reg.add_user_bundle(src)
    assert not (tmp_path / "user" / "BAD").exists()


def test_broken_folders_are_reported_not_fatal(bundled, tmp_path):
    root = tmp_path / "bm"
    shutil.copytree(bundled, root)
    (root / "junk").mkdir()
    (root / "junk" / "model.npz").write_text("hello")  # model files but no manifest: reported
    (root / "evaluation").mkdir()
    (root / "evaluation" / "EVAL.md").write_text("tables")  # not a model folder: ignored quietly
    (root / "LUAD" / "manifest.json").write_text("[]")
    reg = Registry(root, tmp_path / "user")
    assert reg.names() == ["BRCA", "OV", "pan"]
    assert {p.name for p, _ in reg.problems} == {"junk", "LUAD"}
    assert set(BUILTIN_ORDER) >= set(reg.names())
