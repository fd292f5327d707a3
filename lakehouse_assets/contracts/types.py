"""Column types a contract may declare, normalised to Spark SQL DDL types."""

from __future__ import annotations

import re

_ALIASES = {
    "STRING": "STRING", "VARCHAR": "STRING", "TEXT": "STRING",
    "INT": "INT", "INTEGER": "INT",
    "BIGINT": "BIGINT", "LONG": "BIGINT",
    "SMALLINT": "SMALLINT", "SHORT": "SMALLINT",
    "TINYINT": "TINYINT", "BYTE": "TINYINT",
    "DOUBLE": "DOUBLE", "FLOAT": "FLOAT", "REAL": "FLOAT",
    "BOOLEAN": "BOOLEAN", "BOOL": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP", "TIMESTAMP_NTZ": "TIMESTAMP_NTZ",
    "BINARY": "BINARY",
}  # fmt: skip
_DECIMAL = re.compile(r"^DECIMAL\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$")

KNOWN_TYPES = [*sorted(set(_ALIASES)), "DECIMAL(p,s)"]


def normalize_type(declared: str) -> str:
    """'integer' -> 'INT', 'decimal(10, 2)' -> 'DECIMAL(10,2)'; ValueError for anything else."""
    text = declared.strip().upper()
    if text in _ALIASES:
        return _ALIASES[text]
    match = _DECIMAL.match(text)
    if match and 0 < int(match.group(1)) <= 38 and int(match.group(2)) <= int(match.group(1)):
        return f"DECIMAL({match.group(1)},{match.group(2)})"
    raise ValueError(f"unknown column type {declared!r}; use one of {', '.join(KNOWN_TYPES)}")
