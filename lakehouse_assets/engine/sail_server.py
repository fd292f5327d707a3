"""The embedded Sail Spark Connect server: started lazily, once per process, stopped at exit.

This module owns only the server; its clients register what must happen before it stops
(`before_stop`), so it imports none of them.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from typing import Any

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
