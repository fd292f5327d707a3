"""Object-store failures as errors that name the setting to fix and show no secret."""

from __future__ import annotations

import os
import re

from lakehouse_assets.storage.options import PREFIXES, configured, scrub
from lakehouse_assets.storage.urls import family, split

# The variables (and config.json option keys) that decide each store family's access.
CREDENTIALS = {
    "s3": "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys)",
    "azure": "AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY (or "
    "AZURE_STORAGE_SAS_TOKEN, or AZURE_CLIENT_ID / AZURE_CLIENT_SECRET / AZURE_TENANT_ID)",
    "gcs": "GOOGLE_APPLICATION_CREDENTIALS (a service account JSON file) or GOOGLE_SERVICE_ACCOUNT",
}
ENDPOINT = {
    "s3": "AWS_ENDPOINT_URL (for an S3-compatible server; AWS_ALLOW_HTTP=true for http://) and "
    "AWS_REGION",
    "azure": "AZURE_STORAGE_ACCOUNT_NAME (and AZURE_STORAGE_ENDPOINT for an emulator or a private "
    "endpoint, with AZURE_ALLOW_HTTP=true for http://)",
    "gcs": "the bucket name",
}
# Option keys (in this order; as variables, upper case) naming a custom endpoint; with one,
# http:// is refused unless the family's `allow_http` key is true.
_ENDPOINT_KEYS = {
    "s3": ("aws_endpoint_url", "aws_endpoint"),
    "azure": ("azure_storage_endpoint", "azure_endpoint"),
}
_CODES = (
    re.compile(r"<Code>(\w+)</Code>"),
    re.compile(r"\"code\"\s*:\s*\"?(\w+)"),
    re.compile(r"non-2xx status code: (\d{3})"),
)
_MISSING_STORE = ("NoSuchBucket", "ContainerNotFound", "BucketNotFound")
_DENIED = (
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "AuthenticationFailed",
    "AuthorizationFailure",
    "InvalidToken",
    "ExpiredToken",
    "403",
    "401",
)


class StorageError(RuntimeError):
    """Storage could not be reached or used; the message names the setting to fix."""


def _code(text: str) -> str:
    """The store's error code (NoSuchBucket, InvalidAccessKeyId...), else the HTTP status."""
    for pattern in _CODES:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return ""


def _option(*keys: str) -> str:
    """The first of `keys` set in config.json's storage options, else as a variable."""
    try:
        options = configured().resolved()
    except ValueError:
        options = {}
    found = next((options[k] for k in keys if options.get(k)), "")
    return found or next((os.environ[k.upper()] for k in keys if os.environ.get(k.upper())), "")


def _endpoint(kind: str) -> str:
    """The custom endpoint a store family is pointed at (an S3-compatible server, Azurite)."""
    return _option(*_ENDPOINT_KEYS.get(kind, ()))


def _http_not_allowed(kind: str) -> bool:
    if kind == "azure" and _option("azure_storage_use_emulator").strip().lower() == "true":
        return False  # object_store allows http for the emulator by itself
    allow = _option(f"{PREFIXES[kind]}allow_http")
    return _endpoint(kind).startswith("http://") and allow.strip().lower() != "true"


def _where(kind: str) -> str:
    options = configured()
    extra = f", or {options.source}" if options.keys() else ""
    endpoint = _endpoint(kind)
    server = f" at {endpoint}" if endpoint else ""
    return f"{extra}{server}"


def explain(exc: BaseException, path: str, action: str) -> StorageError:
    """A StorageError for `exc`, raised while `action` (e.g. "listing") `path`."""
    kind = family(path)
    text = str(exc)
    code = _code(text) or type(exc).__name__
    store = split(path).store_url if kind != "local" else path
    if kind in _ENDPOINT_KEYS and _http_not_allowed(kind):
        allow = f"{PREFIXES[kind]}allow_http"
        message = (
            f"{action} {path}: the endpoint {_endpoint(kind)} is plain http:// and http is not "
            f"allowed: set {allow.upper()}=true (or {allow} in config.json "
            "environments.<env>.storage_options), or use https://"
        )
    elif any(c in text for c in _MISSING_STORE):
        message = (
            f"{action} {path}: {store} does not exist ({code}){_where(kind)}. Create the "
            "bucket/container, or fix the path in config.json (environments.<env>.paths) or "
            f"the server it is looked for on: {ENDPOINT.get(kind, '')}"
        )
    elif (
        code in _DENIED
        or "PermissionDenied" in type(exc).__name__
        or "Unauthenticated" in (type(exc).__name__)
    ):
        message = (
            f"{action} {path}: the store refused the credentials ({code}){_where(kind)}. Set "
            f"{CREDENTIALS.get(kind, 'the credentials')} to a key that may use {store}, or the "
            "same option keys in config.json environments.<env>.storage_options"
        )
    else:
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        message = (
            f"{action} {path}: {first[:300]}. Check {ENDPOINT.get(kind, 'the path')} and "
            f"{CREDENTIALS.get(kind, 'the credentials')}"
        )
    return StorageError(scrub(message))
