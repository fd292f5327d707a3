"""Exclusive locks per table for what Delta's own conflict checks do not make safe between
runs of one table that start together (a sensor's runs for several days, a backfill):

- `create`: on Sail, concurrent CREATEs at one location fail (`Protocol changed since last
  commit`) or read the other's half-made table; whoever gets the lock second finds the table and
  creates nothing (the first write of the delta-rs file manifest likewise).
- `merge`: the key-slice merge reads the rows of its keys, then writes the difference back. Two
  runs that both find a key absent both insert it, and delta-rs commits two insert-only MERGEs
  side by side: the key would be in silver twice (seen: 1 run in 6 of the 4-concurrent-silver
  test). Merges of one table therefore queue, each on the slices the previous one left.
- `ingest`: a streaming contract's bronze runs read the ingest log, write, then record what
  they wrote (assets/bronze_stream.py); two at once could both append one file, or a replace
  and an append could overlap. They queue per source.

A lock is a file beside the table, held with flock: the kernel drops it when its process dies,
so a killed run never blocks the next. Other threads and processes wait for it; the thread
holding it may enter again (a writer nested in a merge stands for one outside this lock, and
the merge's lost-commit retry still covers writers that take no lock: other tools, Spark).
Local paths only: for a table on object storage (a path with ://) no lock is taken, and runs
of one table that start together rely on Delta's conflict checks alone: delta-rs commits with a
conditional put there (lakehouse_assets/storage/delta.py), so no commit is lost or overwritten
and a lost one is retried, but two merges that both find a key absent can both insert it. Keep
one run per table at a time on object storage (its Dagster pool with a limit of 1; README,
"Running beyond your laptop").
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from lakehouse_assets.storage.urls import is_remote

_held = threading.local()  # locks this thread holds: taking one again does not wait on itself


@contextlib.contextmanager
def table_lock(path: str | None, purpose: Literal["create", "merge", "ingest"]) -> Iterator[None]:
    held: set[tuple[str, str]] = _held.__dict__.setdefault("locks", set())
    if path is None or is_remote(path) or (path, purpose) in held:
        yield
        return
    import fcntl

    lock = Path(path).parent / f".{Path(path).name}.{purpose}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        held.add((path, purpose))
        try:
            yield
        finally:
            held.discard((path, purpose))
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
