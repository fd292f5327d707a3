"""Object-store failures as errors that name the setting to fix and show no secret."""

from __future__ import annotations

import os
import re

from lakehouse_assets.storage.options import configured, scrub
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
    "azure": "AZURE_STORAGE_ACCOUNT_NAME",
    "gcs": "the bucket name",
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


def _endpoint() -> str:
    try:
        options = configured().resolved()
    except ValueError:
        options = {}
    return (
        options.get("aws_endpoint")
        or options.get("aws_endpoint_url")
        or os.environ.get("AWS_ENDPOINT_URL")
        or os.environ.get("AWS_ENDPOINT")
        or ""
    )


def _http_not_allowed() -> bool:
    try:
        configured_allow = configured().resolved().get("aws_allow_http")
    except ValueError:
        configured_allow = None
    allow = configured_allow or os.environ.get("AWS_ALLOW_HTTP", "")
    return _endpoint().startswith("http://") and allow.strip().lower() != "true"


def _where(kind: str) -> str:
    options = configured()
    extra = f", or {options.source}" if options.keys() else ""
    endpoint = _endpoint()
    server = f" at {endpoint}" if kind == "s3" and endpoint else ""
    return f"{extra}{server}"


def explain(exc: BaseException, path: str, action: str) -> StorageError:
    """A StorageError for `exc`, raised while `action` (e.g. "listing") `path`."""
    kind = family(path)
    text = str(exc)
    code = _code(text) or type(exc).__name__
    store = split(path).store_url if kind != "local" else path
    if kind == "s3" and _http_not_allowed():
        message = (
            f"{action} {path}: the endpoint {_endpoint()} is plain http:// and http is not "
            "allowed: set AWS_ALLOW_HTTP=true (or aws_allow_http in config.json "
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
