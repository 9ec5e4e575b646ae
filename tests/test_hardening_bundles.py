"""Issue 14 (hardening), model bundles: the validator every admitting path uses, installs that
write nothing outside the app's folders, broken user models that never block the others, and
disk errors as one-line messages.

Each test names the case of the issue it covers (1 ... 6).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from synleaf_desktop import fileio, paths
from synleaf_desktop.bundle.format import Bundle, BundleError, read_manifest
from synleaf_desktop.bundle.registry import Registry
from synleaf_desktop.bundle.validate import MEMBERS, check_model_name, member_path, validate_bundle
from synleaf_desktop.cli.main import main
from synleaf_desktop.errors import StorageError
from synleaf_desktop.scoring.engine import ScoringEngine
from tests.conftest import rewrite_member


def _hidden(folder):
    """Entries a failed or crashed write could leave (the lock file is expected)."""
    return (
        sorted(
            p.name
            for p in folder.iterdir()
            if p.name.startswith(".") and p.name != fileio.LOCK_FILE
        )
        if folder.is_dir()
        else []
    )


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bundled(tmp_path_factory):
    from tests.bundle_fixtures import make_bundle_set

    root = tmp_path_factory.mktemp("bundled")
    make_bundle_set(root, names=("BRCA", "OV"), n_genes=40, n_folds=2, with_splits=True)
    return root


@pytest.fixture
def cli_env(bundled, monkeypatch):
    """The CLI sees the two synthetic bundled models and the test's own user folders."""
    monkeypatch.setenv("SYNLEAF_BUNDLED_MODELS", str(bundled))
    return paths.user_models_dir()


# ----------------------------------------------------------------------
# 1. a bundle cannot read or write outside its folder


@pytest.mark.parametrize("key_kind", ["dotdot", "absolute"])
def test_1_add_refuses_escaping_member_keys_and_writes_nothing(
    small_bundle, tmp_path, cli_env, capsys, key_kind
):
    from synleaf_desktop.fileio import sha256_file

    src = small_bundle("EVIL")  # tmp_path/src/EVIL
    victim = (
        paths.user_data_dir() / "victim.txt"
    )  # the old code wrote to <models tmp>/../../victim.txt
    victim.parent.mkdir(parents=True)
    victim.write_text("precious\n")
    if key_kind == "dotdot":
        key = "../../victim.txt"
        (tmp_path / "victim.txt").write_text("overwritten\n")  # what src/../../victim.txt reads
        digest = sha256_file(tmp_path / "victim.txt")
    else:
        key = "/etc/hostname" if Path("/etc/hostname").is_file() else str(victim)
        digest = sha256_file(key)
    man = json.loads((src / "manifest.json").read_text())
    man["files"][key] = {"sha256": digest, "bytes": 12}
    (src / "manifest.json").write_text(json.dumps(man))
    code, out, err = _run(capsys, "models", "add", src)
    assert code == 2 and out == ""
    assert "not a bundle member" in err and err.count("\n") == 1 and "Traceback" not in err
    assert victim.read_text() == "precious\n"
    assert sorted(os.listdir(paths.user_data_dir())) == ["victim.txt"], "nothing may be written"
    with pytest.raises(BundleError, match="not a bundle member"):
        validate_bundle(src)


def test_1_symlinked_members_are_refused(small_bundle, tmp_path, cli_env, capsys):
    good = small_bundle("GOOD")
    src = small_bundle("LINKED")
    outside = tmp_path / "elsewhere.npz"
    shutil.copy(good / "model.npz", outside)
    (src / "model.npz").unlink()
    os.symlink(outside, src / "model.npz")
    rewrite_member(src, "model.npz")  # the sha of the link's target
    with pytest.raises(BundleError, match="symbolic link"):
        member_path(src, "model.npz")
    code, _, err = _run(capsys, "models", "add", src)
    assert code == 2 and "symbolic link" in err and not cli_env.exists()
    # a symlinked model card is not copied from outside either
    src2 = small_bundle("CARD")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not copy")
    (src2 / "MODEL_CARD.md").unlink(missing_ok=True)
    os.symlink(secret, src2 / "MODEL_CARD.md")
    code, _, err = _run(capsys, "models", "add", src2)
    assert code == 2 and "symbolic link" in err and not cli_env.exists()


def test_1_only_allow_listed_members(small_bundle):
    assert set(MEMBERS) == {
        "model.npz",
        "split_pairs.npz",
        "calibration.npz",
        "evidence.npz",
        "pair_model.npz",
    }
    src = small_bundle("EXTRA")
    (src / "notes.txt").write_text("x")
    rewrite_member(src, "notes.txt")
    with pytest.raises(BundleError, match=r"'notes.txt', which is not a bundle member"):
        validate_bundle(src)


def _calibration(**over):
    a = {
        "rank_score": np.array([0.9, 0.5, 0.1]),
        "rank_tail": np.array([0.01, 0.5, 1.0]),
        "n_pairs": np.array([780], np.int64),
        "heldout": np.array([0.2, 0.8], np.float32),
    }
    a.update(over)
    return a


def _evidence(g, **over):
    a = {
        "inact_bits": np.zeros((g, 1), np.uint8),
        "profile_counts": np.zeros((g, 5), np.int32),
        "profiled": np.full(5, 3, np.int32),
        "gene_types": np.ones(g, np.uint8),
        "samples": np.array(["S1", "S2", "S3"]),
        "meta_json": np.array('{"cohort": "toy"}'),
    }
    a.update(over)
    return a


@pytest.mark.parametrize(
    "member, arrays, ok",
    [
        ("calibration.npz", _calibration(), True),
        ("calibration.npz", _calibration(rank_score=np.array([0.9, np.nan, 0.1])), False),
        ("calibration.npz", _calibration(rank_tail=np.array([0.5])), False),
        ("calibration.npz", _calibration(heldout=np.array(["x"], dtype=object)), False),
        ("evidence.npz", _evidence(40), True),
        ("evidence.npz", _evidence(39), False),
        ("evidence.npz", _evidence(40, inact_bits=np.zeros((40, 2), np.uint8)), False),
        ("evidence.npz", _evidence(40, meta_json=np.array("{not json")), False),
    ],
)
def test_1_optional_members_are_checked(small_bundle, member, arrays, ok):
    src = small_bundle("OPT")
    rewrite_member(
        src, member, arrays=arrays, allow_pickle=any(v.dtype == object for v in arrays.values())
    )
    if ok:
        assert member in validate_bundle(src)["files"]
    else:
        with pytest.raises(BundleError, match=member.replace(".", r"\.")):
            validate_bundle(src)


# ----------------------------------------------------------------------
# 2. a replace cannot lose the previous model, whatever step a crash hits


def _crash_child(step: int, src, user, overwrite: bool, journal: bool) -> None:
    """In a forked child: count the steps of an install and die (no clean-up at all, as in a
    power cut) right after step ``step``; exit 0 if the install finished first."""
    count = [0]

    def after(fn):
        def wrapped(*a, **k):
            out = fn(*a, **k)
            count[0] += 1
            if count[0] == step:
                os._exit(17)
            return out

        return wrapped

    import synleaf_desktop.bundle.registry as registry_mod

    for name in ("_rename", "_rmtree", "_write_journal", "_remove_journal", "fsync_tree"):
        setattr(fileio, name, after(getattr(fileio, name)))
    if journal:
        fileio._exchange = lambda a, b: False
    else:
        fileio._exchange = after(fileio._exchange)
    registry_mod.shutil = type(
        "S",
        (),
        {
            "copyfile": staticmethod(after(shutil.copyfile)),
            "copystat": staticmethod(shutil.copystat),
            "rmtree": staticmethod(shutil.rmtree),
        },
    )
    try:
        Registry(tmp_bundled_dir(user), user).add_user_bundle(src, overwrite=overwrite)
    except BaseException:
        os._exit(3)
    os._exit(0)


def tmp_bundled_dir(user):
    return user.parent / "no_bundled_models"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="crash injection forks a child process")
@pytest.mark.parametrize("journal", [False, True], ids=["exchange", "journal"])
def test_2_crash_at_every_step_of_a_replace_keeps_a_working_model(small_bundle, tmp_path, journal):
    user = tmp_path / "user" / "models"
    old_src = small_bundle("MINE", seed=1, dest=tmp_path / "old" / "MINE")
    new_src = small_bundle("MINE", seed=2, dest=tmp_path / "new" / "MINE")
    old_seed, new_seed = 1, 2
    outcomes = []
    for step in range(1, 40):
        if user.exists():
            shutil.rmtree(user)
        Registry(tmp_bundled_dir(user), user).add_user_bundle(old_src)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            _crash_child(step, new_src, user, overwrite=True, journal=journal)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        assert code in (0, 17), f"step {step}: the install failed with {code}"
        # the next start: clean-up, then the model is listed and scores
        reg = Registry(tmp_bundled_dir(user), user)
        infos = reg.list()
        assert [m.name for m in infos] == ["MINE"], (step, reg.recovered, sorted(os.listdir(user)))
        seed = infos[0].manifest["seed"]
        assert seed in (old_seed, new_seed)
        engine = ScoringEngine.from_registry(reg, verify="full")
        genes = [str(g) for g in engine.bundle("MINE").genes[:2]]
        assert engine.score_pair(*genes).contexts["MINE"].score is not None
        assert _hidden(user) == [], (step, _hidden(user))
        outcomes.append(seed)
        if code == 0:
            break
    else:  # pragma: no cover
        pytest.fail("the install never finished")
    print(f"crash points: {len(outcomes) - 1}, outcomes {outcomes}")
    assert len(outcomes) >= 4 and outcomes[0] == old_seed and outcomes[-1] == new_seed


def test_2_leftovers_of_the_old_two_rename_replace_are_restored(small_bundle, tmp_path):
    """What the previous version left after a crash between its two renames: the model only as
    .NAME.old and an orphan .NAME.*.part. The next start lists the model again."""
    user = tmp_path / "user"
    reg = Registry(tmp_path / "none", user)
    reg.add_user_bundle(small_bundle("MINE", seed=1))
    os.replace(user / "MINE", user / ".MINE.old")
    orphan = user / ".MINE.k3j4h2.part"
    orphan.mkdir()
    (orphan / "model.npz").write_bytes(b"half")
    assert Registry(tmp_path / "none", tmp_path / "elsewhere").names() == []
    reg2 = Registry(tmp_path / "none", user)
    assert reg2.names() == ["MINE"] and any("restored MINE" in r for r in reg2.recovered)
    assert _hidden(user) == []
    assert reg2.load("MINE", verify="full").name == "MINE"
    # and a later replace starts from a clean folder
    reg2.add_user_bundle(
        small_bundle("MINE", seed=2, dest=tmp_path / "v2" / "MINE"), overwrite=True
    )
    assert reg2.get("MINE").manifest["seed"] == 2 and _hidden(user) == []


def test_2_a_part_folder_being_written_is_not_cleaned_up(tmp_path):
    parent = tmp_path / "d"
    parent.mkdir()
    live = parent / f".X.{os.getpid()}-abc.part"  # this process: still being written
    live.mkdir()
    fileio.recover_folder(parent)
    assert live.exists()


# ----------------------------------------------------------------------
# 3. the name check and the install are under one lock


def test_3_concurrent_adds_of_one_name_one_wins(small_bundle, tmp_path, monkeypatch):
    import synleaf_desktop.bundle.registry as registry_mod

    src = small_bundle("SAME")
    real_copy = shutil.copyfile

    def slow_copy(*a, **k):  # widen the window between the name check and the rename
        threading.Event().wait(0.02)
        return real_copy(*a, **k)

    monkeypatch.setattr(registry_mod.shutil, "copyfile", slow_copy)
    for round_ in range(8):
        user = tmp_path / f"user{round_}"
        barrier = threading.Barrier(2)
        results: list[str] = []

        def add(barrier: threading.Barrier, user: Path, results: list[str]) -> None:
            barrier.wait()
            try:
                Registry(tmp_path / "none", user).add_user_bundle(src)
                results.append("ok")
            except BundleError as exc:
                results.append("taken" if "already exists" in str(exc) else str(exc))

        threads = [threading.Thread(target=add, args=(barrier, user, results)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(results) == ["ok", "taken"], (round_, results)
        assert Registry(tmp_path / "none", user).names() == ["SAME"] and _hidden(user) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_3_the_lock_holds_across_processes(tmp_path):
    folder = tmp_path / "models"
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child holds the lock for a moment
        os.close(r)
        with fileio.folder_lock(folder):
            os.write(w, b"x")
            threading.Event().wait(0.5)
        os._exit(0)
    os.close(w)
    os.read(r, 1)
    with (
        pytest.raises(StorageError, match="another SynLeaF process"),
        fileio.folder_lock(folder, timeout=0.1),
    ):
        pass
    with fileio.folder_lock(folder, timeout=10):
        pass
    os.waitpid(pid, 0)


# ----------------------------------------------------------------------
# 4. one bad user model never blocks the others; bad bundles are refused at add


def _break(kind, folder, model_arrays):
    """Make ``folder`` a bundle with one defect (checksums kept valid)."""
    a = model_arrays(folder)
    if kind == "object_split_pairs":
        rewrite_member(
            folder,
            "split_pairs.npz",
            arrays={"fold0_train": np.array([{"x": 1}], dtype=object)},
            allow_pickle=True,
        )
    elif kind == "no_genes":
        a["genes"] = a["genes"][:0]
        a["uni_terms"] = a["uni_terms"][:, :0]
        rewrite_member(folder, "model.npz", arrays=a, manifest={"n_genes": 0})
    elif kind == "nan_weights":
        a["uni_terms"][0, 3, 1] = np.nan
        rewrite_member(folder, "model.npz", arrays=a)
    elif kind == "duplicate_genes":
        a["genes"][5] = a["genes"][6]
        rewrite_member(folder, "model.npz", arrays=a)
    elif kind in ("split_index_huge", "split_index_negative"):
        with np.load(folder / "split_pairs.npz") as z:
            sp = {k: np.array(z[k]) for k in z.files}
        sp["fold0_train"][0, 0] = 10**9 if kind == "split_index_huge" else -5
        rewrite_member(folder, "split_pairs.npz", arrays=sp)
    elif kind == "name_dotdot":
        rewrite_member(folder, "model.npz", manifest={"name": "x.."})
    elif kind == "n_genes_text":
        rewrite_member(folder, "model.npz", manifest={"n_genes": "abc"})
    elif kind == "bad_gene_name":
        a["genes"][3] = "x.."
        rewrite_member(folder, "model.npz", arrays=a)
    else:  # pragma: no cover
        raise ValueError(kind)


DEFECTS = [
    "object_split_pairs",
    "no_genes",
    "nan_weights",
    "duplicate_genes",
    "split_index_huge",
    "split_index_negative",
    "name_dotdot",
    "n_genes_text",
    "bad_gene_name",
]


@pytest.mark.parametrize("kind", DEFECTS)
def test_4_add_refuses_a_defective_bundle(kind, small_bundle, model_arrays, cli_env, capsys):
    src = small_bundle("BAD", seed=3)
    _break(kind, src, model_arrays)
    with pytest.raises(BundleError):
        validate_bundle(src)
    code, out, err = _run(capsys, "models", "add", src)
    assert code == 2 and out == "" and err.startswith("error: ") and err.count("\n") == 1, err
    assert not cli_env.exists() or os.listdir(cli_env) in ([], [fileio.LOCK_FILE])


@pytest.mark.parametrize(
    "kind",
    [
        "object_split_pairs",
        "nan_weights",
        "duplicate_genes",
        "split_index_huge",
        "n_genes_text",
        "no_genes",
    ],
)
def test_4_a_broken_installed_user_model_is_skipped_and_the_others_score(
    kind, small_bundle, model_arrays, cli_env, capsys
):
    Registry().add_user_bundle(small_bundle("GOOD", seed=4))
    Registry().add_user_bundle(small_bundle("BAD", seed=5))
    _break(kind, cli_env / "BAD", model_arrays)  # as if installed by an older version
    code, out, err = _run(capsys, "score", "BRCA1", "RAD51")
    assert code == 0, err
    assert "BAD" in err and "skipped" in err and "warning:" in err
    assert "GOOD" in out and "BRCA" in out and "\nBAD " not in out
    code, out, err = _run(capsys, "partners", "BRCA1", "--top", "3")
    assert code == 0 and "BAD" in err
    engine = ScoringEngine.from_registry()
    assert "BAD" not in engine.contexts and {"BRCA", "OV", "GOOD"} <= set(engine.contexts)
    assert any("'BAD'" in m for _, m in engine.problems)


def test_4_validated_content_is_remembered_by_checksum(small_bundle, monkeypatch):
    import synleaf_desktop.bundle.validate as validate_mod

    src = small_bundle("FAST", strategy="umt", seed=6)
    calls = []
    real = validate_mod.load_member
    monkeypatch.setattr(validate_mod, "load_member", lambda p: (calls.append(p), real(p))[1])
    Bundle.load(src)  # first load: full check (split pairs read)
    assert calls
    calls.clear()
    b = Bundle.load(src)  # same content: the cheap check only
    assert calls == [] and not b._checked_in_full
    Bundle.load(src, check="full")
    assert calls


# ----------------------------------------------------------------------
# 6. messages, not tracebacks


def test_6_manifest_with_text_n_genes(small_bundle, cli_env, capsys, bundled):
    src = small_bundle("TXT")
    rewrite_member(src, "model.npz", manifest={"n_genes": "abc"})
    code, _, err = _run(capsys, "models", "add", src)
    assert (
        code == 2 and "'n_genes' must be a positive whole number" in err and "Traceback" not in err
    )
    reg = Registry(bundled, src.parent)
    assert "TXT" not in reg.names() and any("n_genes" in m for _, m in reg.problems)


def test_6_read_only_user_folder(small_bundle, cli_env, capsys, monkeypatch):
    src = small_bundle("RO")

    def refuse(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(cli_env))

    with monkeypatch.context() as m:  # what a read-only folder does (tests may run as root)
        m.setattr(fileio.os, "mkdir", refuse)
        code, out, err = _run(capsys, "models", "add", src)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "permission denied" in err and "Nothing was changed" in err and "Traceback" not in err
    assert not cli_env.exists()


def test_6_full_disk_during_models_add(small_bundle, cli_env, capsys, monkeypatch):
    import synleaf_desktop.bundle.registry as registry_mod

    src = small_bundle("BIG")
    Registry().add_user_bundle(small_bundle("BIG", seed=9, dest=src.parent / "old" / "BIG"))
    before = sorted(os.listdir(cli_env / "BIG"))
    real_copy = shutil.copyfile
    n = [0]

    def copy_then_fail(a, b, **k):
        n[0] += 1
        if n[0] == 2:  # half-way: write a partial file, then the disk is full
            with open(b, "wb") as fh:
                fh.write(b"\0" * 100)
            raise OSError(errno.ENOSPC, "No space left on device", str(b))
        return real_copy(a, b, **k)

    monkeypatch.setattr(registry_mod.shutil, "copyfile", copy_then_fail)
    code, out, err = _run(capsys, "models", "add", src, "--overwrite")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "not enough disk space" in err and "needs about" in err and ("MB" in err or "kB" in err)
    assert "Nothing was changed" in err
    assert sorted(os.listdir(cli_env / "BIG")) == before and _hidden(cli_env) == []
    assert Registry().get("BIG").manifest["seed"] == 9
    # and the free-space check refuses before copying anything
    monkeypatch.setattr(registry_mod.shutil, "copyfile", real_copy)
    monkeypatch.setattr(fileio, "free_bytes", lambda p: 10)
    code, _, err = _run(capsys, "models", "add", small_bundle("OTHER"))
    assert code == 2 and "not enough disk space" in err and "10 bytes free" in err
    assert not (cli_env / "OTHER").exists() and _hidden(cli_env) == []


def test_6_storage_error_is_one_line(tmp_path):
    e = StorageError("x")
    assert isinstance(e, OSError)
    from synleaf_desktop.errors import storage_error

    msg = str(
        storage_error(
            OSError(errno.ENOSPC, "No space"), tmp_path, "saving cohort X", needed=12_345_678
        )
    )
    assert "\n" not in msg and "12.3 MB" in msg and "free" in msg and "Nothing was changed" in msg


def test_model_names():
    for bad in ["x..", "x.", "../evil", "a/b", "CON", "nul.txt", "", "-x", "a" * 65]:
        with pytest.raises(BundleError):
            check_model_name(bad, None)
    for good in ["BRCA", "my_model-2", "v1.2", "pan+x"]:
        assert check_model_name(good, None) == good


def test_real_bundles_pass_the_full_check():
    """The shipped bundles (when built) pass the validator in full."""
    root = paths.repo_root() / "bundled_models"
    names = (
        [p for p in sorted(root.iterdir()) if (p / "manifest.json").is_file()]
        if root.is_dir()
        else []
    )
    if not names:
        pytest.skip("no bundled models in this checkout")
    for folder in names[:2]:  # the full hash + read of all nine takes seconds
        man = validate_bundle(folder)
        assert man["name"] == folder.name and read_manifest(folder)["n_genes"] > 0
