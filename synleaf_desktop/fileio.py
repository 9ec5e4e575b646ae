"""Atomic writes and checksums for every file the app writes for a user.

Also: replacing a whole folder so that a crash never loses both copies
(:func:`replace_dir`, :func:`recover_folder`), a lock per folder (:func:`folder_lock`), and
disk errors turned into one-line messages (:func:`os_errors`, :func:`ensure_free_space`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .errors import StorageError, storage_error


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: suffix of the temporary files and folders written beside their final path
PART_SUFFIX = ".part"
#: a temporary entry whose writer cannot be checked (no pid in its name, or not POSIX) is
#: treated as abandoned after this many seconds
ORPHAN_AGE_SECONDS = 3600.0


def _tmp_prefix(name: str) -> str:
    """``.<name>.<pid>-``: temporary entries name their writer, so clean-up can tell an
    abandoned one (writer gone) from one being written right now."""
    return f".{name}.{os.getpid()}-"


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(path.name), suffix=PART_SUFFIX, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.exists():  # mkstemp makes 0600 files: give the usual permissions
            os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Yield a temporary directory beside ``path``; it replaces ``path`` on success.

    The new folder is flushed to disk, then put in place by :func:`replace_dir`: a crash at
    any moment leaves either the old or the new folder at ``path`` (after
    :func:`recover_folder` has run, for platforms without an atomic exchange). On an
    exception the temporary folder is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(path.name), suffix=PART_SUFFIX, dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        fsync_tree(tmp)
        replace_dir(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# ----------------------------------------------------------------------
# replacing a folder without a moment where neither copy is in place
#
# Where the kernel offers it (Linux renameat2 with RENAME_EXCHANGE), the new folder and the
# old one swap names in one step and the old one (now under the temporary name) is deleted.
# Elsewhere a journal ``.<name>.journal`` is written first; it says that ``.<name>.<pid>-*.part``
# is complete and is to replace ``<name>`` (moved aside as ``.<name>.old``). A crash between
# the two renames leaves the journal, and :func:`recover_folder` finishes the replacement.
# The small helpers below are where tests inject crashes.


def _rename(src: Path, dst: Path) -> None:
    os.replace(src, dst)


def _rmtree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _write_journal(path: Path, record: dict[str, Any]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh)
        fh.flush()
        os.fsync(fh.fileno())
    _fsync_dir(path.parent)


def _remove_journal(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


_exchange_supported: bool | None = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap the names of ``a`` and ``b`` (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False, changing nothing, where the platform or file system cannot do it.
    """
    global _exchange_supported
    if _exchange_supported is False or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        _exchange_supported = False
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), rename_exchange) == 0:
        _exchange_supported = True
        return True
    err = ctypes.get_errno()
    if err in (
        errno.ENOSYS,
        errno.EINVAL,
        errno.EOPNOTSUPP,
        getattr(errno, "ENOTSUP", errno.EOPNOTSUPP),
    ):
        _exchange_supported = False
        return False
    raise OSError(err, os.strerror(err), str(b))


def replace_dir(tmp: str | Path, dest: str | Path) -> None:
    """Put the complete folder ``tmp`` at ``dest`` (same parent), replacing any folder there.

    One atomic exchange where possible, else a journalled pair of renames; on an error the
    old folder is put back before the error is raised.
    """
    tmp, dest = Path(tmp), Path(dest)
    parent = dest.parent
    if not dest.exists() and not dest.is_symlink():
        _rename(tmp, dest)
        _fsync_dir(parent)
        return
    if _exchange(tmp, dest):
        _fsync_dir(parent)
        _rmtree(tmp)  # holds the old folder now; after a crash, clean-up removes it (a .part)
        return
    old = parent / f".{dest.name}.old"
    journal = parent / f".{dest.name}.journal"
    recover_folder(parent, only=dest.name)
    if old.exists() or old.is_symlink():
        _rmtree(old)
    _write_journal(
        journal,
        {
            "dest": dest.name,
            "new": tmp.name,
            "old": old.name,
            "pid": os.getpid(),
            "time": time.time(),
        },
    )
    try:
        _rename(dest, old)
    except BaseException:
        _remove_journal(journal)
        raise
    try:
        _rename(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            _rename(old, dest)
        _remove_journal(journal)
        raise
    _fsync_dir(parent)
    _remove_journal(journal)  # the commit point: from here on the old folder is garbage
    _rmtree(old)


def _writer_alive(pid: int | None, mtime: float) -> bool:
    """Whether the process that wrote a temporary entry may still be writing it."""
    if pid is None:
        return False  # names without a pid come from versions that wrote no journal: abandoned
    if pid == os.getpid():
        return True  # another thread of this process
    if os.name == "posix":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True  # exists, owned by someone else
        return time.time() - mtime < 24 * ORPHAN_AGE_SECONDS
    return time.time() - mtime < ORPHAN_AGE_SECONDS


def _part_owner(name: str) -> tuple[str, int | None] | None:
    """``(final name, writer pid or None)`` of a ``.<name>.<pid>-<random>.part`` entry."""
    if not (name.startswith(".") and name.endswith(PART_SUFFIX)):
        return None
    body = name[1 : -len(PART_SUFFIX)]
    if "." not in body:
        return None
    final, tag = body.rsplit(".", 1)
    pid_text = tag.split("-", 1)[0] if "-" in tag else ""
    return final, int(pid_text) if pid_text.isdigit() else None


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return time.time()


def recover_folder(parent: str | Path, only: str | None = None) -> list[str]:
    """Finish or undo what interrupted writes left in ``parent``; returns what was done.

    - ``.<name>.journal``: a replacement that was cut short is completed (the new folder is
      complete when the journal exists), or, when ``<name>`` is still in place, undone;
    - ``.<name>.old`` (no journal): restored as ``<name>`` when that is missing (an older
      version of the app crashed between its two renames), else deleted;
    - ``.<name>.<pid>-*.part`` and ``.<name>.removing``: deleted once their writer is gone.

    Entries whose writer is still running are left alone. ``only`` limits the work to one
    name. Errors (e.g. a read-only folder) are ignored: this is clean-up.
    """
    parent = Path(parent)
    done: list[str] = []
    try:
        entries = [p for p in parent.iterdir() if p.name.startswith(".")]
    except OSError:
        return done

    def mine(name: str) -> bool:
        return only is None or name == only

    try:
        for j in [p for p in entries if p.name.endswith(".journal")]:
            try:
                rec = json.loads(j.read_text(encoding="utf-8"))
                dest, new, old = (parent / str(rec[k]) for k in ("dest", "new", "old"))
                pid = int(rec.get("pid")) if rec.get("pid") is not None else None
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if not mine(dest.name) or _writer_alive(pid, _mtime(j)):
                continue
            if dest.name != Path(dest.name).name or new.parent != parent or old.parent != parent:
                continue
            if new.exists() and not dest.exists():
                _rename(new, dest)
                done.append(f"completed the replacement of {dest.name}")
            elif new.exists():
                _rmtree(new)
                done.append(f"undid an unfinished replacement of {dest.name}")
            elif not dest.exists() and old.exists():
                _rename(old, dest)
                done.append(f"restored {dest.name}")
            _remove_journal(j)
            if dest.exists() and old.exists():
                _rmtree(old)
        entries = [p for p in parent.iterdir() if p.name.startswith(".")]
        for p in entries:
            name = p.name
            if name.endswith(".old") and len(name) > 5:
                final = name[1:-4]
                if not mine(final) or (parent / f".{final}.journal").exists():
                    continue
                dest = parent / final
                if not dest.exists() and not dest.is_symlink():
                    _rename(p, dest)
                    done.append(f"restored {final} (a replacement was interrupted)")
                else:
                    _rmtree(p)
                    done.append(f"removed a leftover copy of {final}")
            elif name.endswith(".removing") and len(name) > 10:
                if mine(name[1:-9]):
                    _rmtree(p)
            else:
                owner = _part_owner(name)
                if owner is None or not mine(owner[0]) or _writer_alive(owner[1], _mtime(p)):
                    continue
                _rmtree(p)
                done.append(f"removed an unfinished copy of {owner[0]}")
    except OSError:
        pass
    return done


def fsync_tree(folder: str | Path) -> None:
    """Flush every file under ``folder`` (and the folders themselves, where possible) to disk."""
    folder = Path(folder)
    for root, _dirs, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            if os.path.islink(p):
                continue
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            except OSError:
                if (
                    os.name == "posix"
                ):  # a full disk can surface here: the caller keeps the old folder
                    raise
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ----------------------------------------------------------------------
# a lock per folder, across threads and processes

_locks_guard = threading.Lock()
_locks: dict[str, list[Any]] = {}  # key -> [RLock, fd or None, depth]


def _try_lock_fd(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except (
        OSError
    ) as exc:  # a file system without locks (some network shares): the thread lock still holds
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            return True
        raise


def _unlock_fd(fd: int) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)


LOCK_FILE = ".synleaf.lock"


@contextlib.contextmanager
def folder_lock(
    folder: str | Path, timeout: float = 120.0, action: str = "changing it"
) -> Iterator[None]:
    """Hold the lock file ``<folder>/.synleaf.lock`` (exclusive between processes and threads;
    re-entrant in one thread). Creates ``folder``.

    Raises:
        StorageError: the folder cannot be written (read-only, permission denied), or another
            process kept the lock for ``timeout`` seconds.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        key = str(folder.resolve())
    except OSError as exc:
        raise storage_error(exc, folder, action) from None
    with _locks_guard:
        entry = _locks.setdefault(key, [threading.RLock(), None, 0])
    rlock: threading.RLock = entry[0]
    if not rlock.acquire(timeout=timeout):
        raise StorageError(
            f"{folder}: another task of this program is {action}; try again when it has finished",
            folder,
        )
    try:
        if entry[2] == 0:
            try:
                fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise storage_error(exc, folder, action) from None
            deadline = time.monotonic() + timeout
            while not _try_lock_fd(fd):
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise StorageError(
                        f"{folder}: another SynLeaF process is {action} and did not finish within "
                        f"{timeout:.0f} s; try again when it has finished",
                        folder,
                    )
                time.sleep(0.02)
            entry[1] = fd
        entry[2] += 1
        try:
            yield
        finally:
            entry[2] -= 1
            if entry[2] == 0 and entry[1] is not None:
                fd, entry[1] = entry[1], None
                _unlock_fd(fd)
                os.close(fd)
    finally:
        rlock.release()


# ----------------------------------------------------------------------
# disk errors as messages


def free_bytes(path: str | Path) -> int | None:
    """Free bytes on the disk holding ``path`` (or its nearest existing parent); None if unknown."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return int(shutil.disk_usage(probe).free)
    except OSError:
        return None


#: room kept free beyond what a write needs (file system overhead, other programs)
SPACE_MARGIN = 1 << 20


def ensure_free_space(folder: str | Path, needed: int, action: str = "saving") -> None:
    """Raise :class:`StorageError` (disk full, nothing changed) unless ``needed`` bytes fit."""
    free = free_bytes(folder)
    if free is not None and free < needed + SPACE_MARGIN:
        raise storage_error(
            OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), folder, action, needed, free=free
        )


@contextlib.contextmanager
def os_errors(
    path: str | Path | None, action: str = "saving", needed: int | None = None
) -> Iterator[None]:
    """Turn an :class:`OSError` raised inside the block into a one-line :class:`StorageError`."""
    try:
        yield
    except StorageError:
        raise
    except OSError as exc:
        raise storage_error(exc, path, action, needed) from None


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def read_json(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def save_npz(path: str | Path, compress: bool = True, **arrays: np.ndarray) -> None:
    """Atomic ``numpy.savez`` (no object arrays: they would need pickle to load)."""
    for name, arr in arrays.items():
        if np.asarray(arr).dtype == object:
            raise TypeError(f"array {name!r} has dtype object; convert strings to a 'U' dtype")
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        # numpy's stubs: a **dict of arrays could bind its allow_pickle flag
        (np.savez_compressed if compress else np.savez)(fh, **arrays)  # type: ignore[arg-type]


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Safe ``numpy.load`` of an .npz into a dict (``allow_pickle=False``)."""
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
