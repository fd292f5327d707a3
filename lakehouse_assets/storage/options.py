"""Storage options: the standard environment variables, plus config.json's optional
`environments.<env>.storage_options` for this process's project.

A value may be a `{env:VAR}` reference, resolved from the environment when a store is opened
(so config.json holds no secret). Values are never shown: not in reprs, errors, logs or Dagster
metadata; only the option names are.

delta-rs and obstore read the standard variables themselves; Sail reads only its process's
environment, so `export_for_engine` copies configured options there (as the variables of the
same name, `aws_endpoint` -> AWS_ENDPOINT) before the embedded server starts, without
overriding what the user set.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping

from lakehouse_assets.storage.urls import family

_ENV_REF = re.compile(r"\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
# Key prefix each store family takes (obstore refuses keys of another family).
PREFIXES = {"s3": "aws_", "azure": "azure_", "gcs": "google_"}
# delta-rs' own S3 commit keys: not object_store options, so not for obstore.
DELTA_ONLY = frozenset({"aws_s3_allow_unsafe_rename", "aws_s3_locking_provider"})
# Standard variables whose values are secrets: scrubbed from any text we show.
SECRET_VARIABLES = (
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_ACCESS_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_CLIENT_SECRET",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
)


class StorageConfigError(ValueError):
    """A storage option that cannot be resolved; the message names the field and the fix."""


class StorageOptions:
    """Configured options by lowercase key; `source` names where they come from, for errors."""

    def __init__(self, raw: Mapping[str, str] | None = None, source: str = "storage_options"):
        self._raw = {k.lower(): v for k, v in (raw or {}).items()}
        self.source = source

    def __repr__(self) -> str:  # names only: a value may be a secret
        return f"StorageOptions({sorted(self._raw)}, source={self.source!r})"

    __str__ = __repr__

    def keys(self) -> list[str]:
        return sorted(self._raw)

    def resolved(self) -> dict[str, str]:
        """Every option with its `{env:VAR}` references replaced by the variable's value."""
        out = {}
        for key, value in self._raw.items():

            def variable(match: re.Match[str], key: str = key) -> str:
                name = match.group(1)
                if name not in os.environ:
                    raise StorageConfigError(
                        f"{self.source}.{key}: environment variable {name} is not set (export "
                        f"{name}=..., or remove the {{env:{name}}} reference)"
                    )
                return os.environ[name]

            out[key] = _ENV_REF.sub(variable, value)
        return out


_lock = threading.Lock()
_configured = StorageOptions()


def configure(options: StorageOptions) -> None:
    """The options this process's project uses (set when its contracts load)."""
    global _configured
    with _lock:
        _configured = options


def configured() -> StorageOptions:
    return _configured


def storage_options_for(path: str, engine: str = "delta-rs") -> dict[str, str] | None:
    """The configured options that apply to `path`'s store (None for local paths or none set).
    `engine="obstore"` leaves out delta-rs' own keys. Standard variables are read by delta-rs
    and obstore themselves, so they are not repeated here."""
    kind = family(path)
    if kind == "local":
        return None
    prefixes = tuple(p for f, p in PREFIXES.items() if f != kind)
    options = {
        k: v
        for k, v in _configured.resolved().items()
        if not k.startswith(prefixes) and not (engine == "obstore" and k in DELTA_ONLY)
    }
    return options or None


def export_for_engine() -> list[str]:
    """Copy configured options into the environment (as KEY in upper case) where unset, for
    an engine that reads only its process's environment (Sail); returns the names set."""
    exported = []
    for key, value in _configured.resolved().items():
        name = key.upper()
        if name not in os.environ:
            os.environ[name] = value
            exported.append(name)
    return exported


def secret_values() -> list[str]:
    """Every configured value and standard secret variable's value: what no text may show."""
    values = list(_configured.resolved().values()) if _configured.keys() else []
    values += [os.environ[v] for v in SECRET_VARIABLES if os.environ.get(v)]
    return [v for v in values if len(v) >= 4]


def scrub(text: str) -> str:
    """`text` with every secret value replaced by ***."""
    try:
        values = secret_values()
    except StorageConfigError:
        values = [os.environ[v] for v in SECRET_VARIABLES if os.environ.get(v)]
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "***")
    return text
