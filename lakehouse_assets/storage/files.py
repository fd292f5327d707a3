"""Files below a root, on a local (or mounted) file system or on object storage."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from lakehouse_assets.storage.errors import explain
from lakehouse_assets.storage.options import storage_options_for
from lakehouse_assets.storage.urls import is_remote, normalized, split

# A store that does not answer fails in seconds, not object_store's default 3 minutes.
_RETRY = {"max_retries": 3, "retry_timeout": timedelta(seconds=30)}
_CHUNK = 16 << 20
# HTTP client options: obstore takes them apart from the store's (unprefixed), delta-rs and Sail
# as `aws_allow_http` / AWS_ALLOW_HTTP alike.
_CLIENT_KEYS = frozenset({
    "allow_http", "allow_invalid_certificates", "connect_timeout", "timeout", "proxy_url",
    "proxy_ca_certificate", "proxy_excludes", "pool_idle_timeout", "pool_max_idle_per_host",
    "http1_only", "http2_only", "user_agent", "default_content_type",
})  # fmt: skip
_FAMILY_PREFIXES = ("aws_", "azure_", "google_")


@dataclass(frozen=True)
class FileInfo:
    path: str  # local path, or the file's URL (s3a:// given as s3://)
    size: int
    mtime: float  # seconds since the epoch


def _hidden(name: str) -> bool:
    """Hidden and _-prefixed names (_SUCCESS, .crc, _delta_log) are not data."""
    return name.startswith((".", "_"))


_VARIABLES = ("AWS_", "AZURE_", "GOOGLE_")


@functools.lru_cache(maxsize=32)
def _store(store_url: str, options: tuple[tuple[str, str], ...], _env: int) -> Any:
    """`_env` (a hash of the standard variables) opens a new store when they change."""
    from obstore.store import from_url

    config, client = {}, {}
    for key, value in options:
        bare = next((key[len(p) :] for p in _FAMILY_PREFIXES if key.startswith(p)), key)
        if bare in _CLIENT_KEYS:
            client[bare] = value
        else:
            config[key] = value
    return from_url(
        store_url,
        config=config or None,  # type: ignore[arg-type]
        client_options=client or None,  # type: ignore[arg-type]
        retry_config=_RETRY,  # type: ignore[arg-type]
    )


def _open(path: str) -> tuple[Any, str]:
    """(store, key) for a remote path; the store is opened once per bucket and options."""
    url = split(normalized(path))
    options = storage_options_for(path, engine="obstore") or {}
    try:
        env = hash(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_VARIABLES))))
        return _store(url.store_url, tuple(sorted(options.items())), env), url.prefix
    except BaseException as exc:  # a bad option or URL: obstore says which (pyo3 may panic)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise explain(exc, path, "opening") from None


def list_files(root: str) -> list[FileInfo]:
    """Every data file below `root`, recursively, sorted by path; a root that does not exist
    has none. Raises StorageError when the store itself cannot be used (no bucket, refused
    credentials), naming the setting to fix."""
    return _list_remote(root) if is_remote(root) else _list_local(root)


def _list_local(root: str) -> list[FileInfo]:
    found: list[FileInfo] = []
    stack = [root]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if _hidden(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.is_file():
                stat = entry.stat()
                found.append(FileInfo(entry.path, stat.st_size, stat.st_mtime))
    return sorted(found, key=lambda f: f.path)


def _list_remote(root: str) -> list[FileInfo]:
    import obstore

    store, prefix = _open(root)
    base = split(normalized(root))
    found: list[FileInfo] = []
    try:
        for chunk in obstore.list(store, prefix=f"{prefix}/" if prefix else None, chunk_size=1000):
            for meta in chunk:
                key = meta["path"]
                below = key[len(prefix) :].strip("/") if prefix else key
                if any(_hidden(part) for part in below.split("/")):
                    continue
                found.append(
                    FileInfo(base.url(key), int(meta["size"]), meta["last_modified"].timestamp())
                )
    except Exception as exc:
        raise explain(exc, root, "listing") from None
    return sorted(found, key=lambda f: f.path)


def root_exists(root: str) -> bool:
    """A local folder exists; on object storage, a prefix exists when some object is below it
    (a bucket root when the bucket does). Raises StorageError for a missing bucket or refused
    credentials: that is a setting to fix, not an empty landing."""
    if not is_remote(root):
        return os.path.isdir(root)
    import obstore

    store, prefix = _open(root)
    try:
        for chunk in obstore.list(store, prefix=f"{prefix}/" if prefix else None, chunk_size=1):
            return bool(chunk)
    except Exception as exc:
        raise explain(exc, root, "listing") from None
    return False


def read_bytes(path: str) -> bytes:
    """The whole file (OSError when it cannot be read, as for a local file)."""
    if not is_remote(path):
        with open(path, "rb") as stream:
            return stream.read()
    import obstore

    store, key = _open(path)
    try:
        return bytes(obstore.get(store, key).bytes())
    except Exception as exc:
        raise OSError(str(explain(exc, path, "reading"))) from None


def read_chunks(path: str, chunk: int = _CHUNK) -> Iterator[bytes]:
    """The file in pieces of about `chunk` bytes, without holding it whole."""
    if not is_remote(path):
        with open(path, "rb") as stream:
            while piece := stream.read(chunk):
                yield piece
        return
    import obstore

    store, key = _open(path)
    try:
        for piece in obstore.get(store, key).stream(min_chunk_size=chunk):
            yield bytes(piece)
    except Exception as exc:
        raise OSError(str(explain(exc, path, "reading"))) from None


def read_ends(path: str, head: int, tail: int) -> tuple[int, bytes, bytes]:
    """(size, first `head` bytes, last `tail` bytes): a file's magic bytes, without reading it."""
    if not is_remote(path):
        size = os.path.getsize(path)
        with open(path, "rb") as stream:
            start = stream.read(head)
            stream.seek(max(0, size - tail))
            end = stream.read(tail) if tail else b""
        return size, start, end
    import obstore

    store, key = _open(path)
    try:
        size = int(obstore.head(store, key)["size"])
        start = bytes(obstore.get_range(store, key, start=0, end=min(head, size))) if size else b""
        end = b""
        if tail and size:
            end = bytes(obstore.get_range(store, key, start=max(0, size - tail), end=size))
    except Exception as exc:
        raise OSError(str(explain(exc, path, "reading"))) from None
    return size, start, end
