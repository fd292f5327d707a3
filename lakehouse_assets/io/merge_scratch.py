"""The scratch folders a key-slice merge (io/key_slice_merge.py) copies its slices into.

Scratch copies live in `.merge_scratch/<id>/` beside the tables, and `<id>.lock` next to it is
held (flock) while the run lives. A run killed mid-merge cannot clean up, but the kernel drops
its lock: every merge first removes the folders whose lock nobody holds, so the next run of any
table of the schema sweeps them. Folders without a lock (from versions before the lock) are
removed once they are an hour old.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

SCRATCH = ".merge_scratch"
UNLOCKED_SCRATCH_MAX_AGE_S = 3600  # scratch left without a lock file (older versions)


@contextlib.contextmanager
def scratch_folder(scratch: Path) -> Iterator[Path]:
    """A fresh folder under scratch, its <id>.lock held while the run lives; removed after."""
    import fcntl

    fd, lock = _locked_file(scratch)
    root = lock.with_suffix("")
    try:
        root.mkdir()
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        lock.unlink(missing_ok=True)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        _remove_if_empty(scratch)


def _locked_file(scratch: Path) -> tuple[int, Path]:
    """<id>.lock under scratch, already locked when it gets its name: a sweeper never sees it
    unlocked while this run lives."""
    import fcntl

    for _ in range(3):
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            fd, temp = tempfile.mkstemp(dir=scratch, prefix=".", suffix=".locking")
            break
        except FileNotFoundError:  # another run removed the empty folder meanwhile
            continue
    else:
        raise RuntimeError(f"{scratch}: cannot create a scratch folder there")
    fcntl.flock(fd, fcntl.LOCK_EX)
    lock = scratch / f"{uuid.uuid4().hex[:12]}.lock"
    os.rename(temp, lock)
    return fd, lock


def sweep_scratch(scratch: Path) -> int:
    """Remove the scratch folders of runs that died (their lock is free); returns how many."""
    if not scratch.is_dir():
        return 0
    removed = 0
    for entry in scratch.iterdir():
        if entry.suffix == ".lock":
            removed += _remove_if_unlocked(entry)
        elif _age_s(entry) <= UNLOCKED_SCRATCH_MAX_AGE_S:
            continue  # a folder being locked (.locking) or named right now
        elif entry.suffix == ".locking":  # a run died between creating its lock and naming it
            entry.unlink(missing_ok=True)
        elif entry.is_dir() and not entry.with_suffix(".lock").exists():
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _remove_if_unlocked(lock: Path) -> int:
    import fcntl

    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:  # its run just finished
        return 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # its run is alive
            return 0
        folder = lock.with_suffix("")
        existed = folder.exists()
        shutil.rmtree(folder, ignore_errors=True)
        lock.unlink(missing_ok=True)
        return int(existed)
    finally:
        os.close(fd)


def _age_s(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # another merge still uses it
        folder.rmdir()
