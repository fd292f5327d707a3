"""Which paths are object storage, and the store and key a URL names."""

from __future__ import annotations

from dataclasses import dataclass

# URL scheme -> the object_store family that serves it (s3a is Hadoop's name for s3).
SCHEMES = {
    "s3": "s3",
    "s3a": "s3",
    "abfss": "azure",
    "abfs": "azure",
    "az": "azure",
    "azure": "azure",
    "gs": "gcs",
}


def is_remote(path: str) -> bool:
    """A `scheme://` path is object storage; anything else (incl. /Volumes/...) is a local or
    mounted file system."""
    return "://" in path


def scheme_of(path: str) -> str:
    return path.split("://", 1)[0].lower() if is_remote(path) else "file"


def family(path: str) -> str:
    """ "s3", "azure", "gcs" or "local"; ValueError for a scheme no store here serves."""
    if not is_remote(path):
        return "local"
    scheme = scheme_of(path)
    if scheme == "file":
        return "local"
    if scheme not in SCHEMES:
        raise ValueError(
            f"{path}: unsupported storage scheme {scheme}:// (use a local path, /Volumes/..., "
            f"or one of {', '.join(s + '://' for s in sorted(SCHEMES))})"
        )
    return SCHEMES[scheme]


@dataclass(frozen=True)
class StoreUrl:
    """A root URL split into the store's URL (bucket or container) and the key prefix in it."""

    store_url: str  # e.g. s3://bucket, abfss://container@account.dfs.core.windows.net
    prefix: str  # key below the store, no leading or trailing slash

    def key(self, path: str) -> str:
        """The key of `path` (a URL below this root, or relative to it) in the store."""
        rest = path.split("://", 1)[-1]
        store = self.store_url.split("://", 1)[-1]
        return rest[len(store) :].strip("/") if rest.startswith(store) else path.strip("/")

    def url(self, key: str) -> str:
        return f"{self.store_url}/{key}"


def split(path: str) -> StoreUrl:
    """`s3a://b/x/y` -> store `s3://b`, prefix `x/y` (s3a maps to s3: one store, one name)."""
    scheme, rest = path.split("://", 1)
    scheme = scheme.lower()
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise ValueError(f"{path}: no bucket or container after {scheme}://")
    if scheme == "s3a":
        scheme = "s3"
    return StoreUrl(f"{scheme}://{bucket}", prefix.strip("/"))


def normalized(path: str) -> str:
    """The URL the stores use for `path` (s3a:// -> s3://); local paths unchanged."""
    if not is_remote(path) or scheme_of(path) != "s3a":
        return path
    return "s3://" + path.split("://", 1)[1]
