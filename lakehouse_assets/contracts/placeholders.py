"""Resolve {catalog.X}, {path.X}, {env} and {env_short} in every string of a contract."""

from __future__ import annotations

import re
from typing import Any

from lakehouse_assets.contracts.environment import Environment

# Anything shaped like a placeholder; SQL braces such as {"a": 1} do not match.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\}")


class UnresolvedPlaceholder(Exception):
    def __init__(self, field: str, placeholder: str, known: list[str]):
        self.field = field
        self.placeholder = placeholder
        self.known = known
        super().__init__(f"unresolved placeholder {placeholder}")


def _lookup(env: Environment, namespace: str, key: str | None) -> str | None:
    if key is None:
        return {"env": env.env, "env_short": env.env_short}.get(namespace)
    table = {"catalog": env.catalogs, "path": env.paths}.get(namespace)
    return None if table is None else table.get(key)


def _known(env: Environment) -> list[str]:
    return (
        ["{env}", "{env_short}"]
        + [f"{{catalog.{k}}}" for k in env.catalogs]
        + [f"{{path.{k}}}" for k in env.paths]
    )


def resolve_text(text: str, env: Environment, field: str = "") -> str:
    def replace(match: re.Match[str]) -> str:
        value = _lookup(env, match.group(1), match.group(2))
        if value is None:
            raise UnresolvedPlaceholder(field, match.group(0), _known(env))
        return value

    return _PLACEHOLDER.sub(replace, text)


def resolve(value: Any, env: Environment, field: str = "") -> Any:
    """Resolve placeholders recursively; raises UnresolvedPlaceholder naming the field."""
    if isinstance(value, str):
        return resolve_text(value, env, field)
    if isinstance(value, list):
        return [resolve(v, env, f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: resolve(v, env, f"{field}.{k}" if field else k) for k, v in value.items()}
    return value
