"""The embedded Sail Spark Connect server: started lazily, once per process, stopped at exit.

This module owns only the server; its clients register what must happen before it stops
(`before_stop`), so it imports none of them.

Before the server starts, what Sail reads only from its process's environment is put there:
- config.json's `storage_options` (lakehouse_assets.storage.options), as the variables of the
  same names, where the user did not set them: Sail then reaches the same buckets as delta-rs.
- $LAKEHOUSE_SAIL_MODE as Sail's own SAIL_MODE: `local` (one process, the default) or
  `local-cluster` (Sail plans distributed, with a driver and workers talking over RPC, here in
  one process: the code path of its `kubernetes-cluster` mode). The server is one per process,
  so the mode is too.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from typing import Any

from lakehouse_assets.storage.options import export_for_engine

SAIL_MODE_VARIABLE = "LAKEHOUSE_SAIL_MODE"
SAIL_MODES = ("local", "local-cluster")
_lock = threading.Lock()
_server: Any = None
_before_stop: list[Callable[[], None]] = []


def before_stop(callback: Callable[[], None]) -> None:
    """Run `callback` (registered once, however often asked) before the server stops."""
    with _lock:
        if callback not in _before_stop:
            _before_stop.append(callback)


def embedded_url() -> str:
    """sc:// URL of this process's Sail server, starting it on first use (about 0.6 s)."""
    global _server
    with _lock:
        if _server is None:
            # Sail logs every session at INFO, and warns of aborted tasks at every clean shutdown.
            # It reads its level only from RUST_LOG, in this process: set only when unset.
            os.environ.setdefault("RUST_LOG", "warn,sail_common::actor=error")
            _set_sail_mode()
            export_for_engine()
            from pysail.spark import SparkConnectServer

            server = SparkConnectServer(ip="127.0.0.1", port=0)
            server.start(background=True)
            _server = server
            atexit.register(stop_embedded)
        _, port = _server.listening_address
        return f"sc://127.0.0.1:{port}"


def stop_embedded() -> None:
    global _server
    with _lock:
        callbacks = list(_before_stop)
    for callback in callbacks:
        callback()
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None


def is_running() -> bool:
    return _server is not None


def _set_sail_mode() -> None:
    mode = os.environ.get(SAIL_MODE_VARIABLE, "").strip()
    if not mode:
        return
    if mode not in SAIL_MODES:
        raise ValueError(
            f"{SAIL_MODE_VARIABLE}={mode!r}: the embedded engine runs as one of "
            f"{', '.join(SAIL_MODES)} (for Sail on Kubernetes, run its server there and use "
            "LAKEHOUSE_SPARK_MODE=connect)"
        )
    os.environ["SAIL_MODE"] = mode
