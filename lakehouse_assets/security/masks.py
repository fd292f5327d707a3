"""Column masking functions: a contract's `mask: security.mask_email` names one of these.

A mask is SQL (so it runs on any engine and becomes a Unity Catalog column mask on Databricks):
a function from the quoted column to an expression of the same type. Register your own with
`@register_mask("team.my_mask")`.
"""

from __future__ import annotations

from collections.abc import Callable

MaskSql = Callable[[str], str]
MASKS: dict[str, MaskSql] = {}


def register_mask(name: str) -> Callable[[MaskSql], MaskSql]:
    def wrap(fn: MaskSql) -> MaskSql:
        MASKS[name] = fn
        return fn

    return wrap


def mask_sql(name: str, column: str, where: str = "") -> str:
    if name not in MASKS:
        raise ValueError(
            f"{where}unknown mask {name!r}; known masks: {', '.join(sorted(MASKS))}"
            " (register one with lakehouse_assets.security.masks.register_mask)"
        )
    return MASKS[name](column)


@register_mask("security.mask_email")
def _mask_email(col: str) -> str:
    # u***@example.com: the first letter and the domain stay, for support look-ups.
    return (
        f"CASE WHEN {col} IS NULL THEN NULL ELSE concat(substring({col}, 1, 1), '***', "
        f"regexp_replace({col}, '^[^@]*', '')) END"
    )


@register_mask("security.redact")
def _redact(col: str) -> str:
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE '****' END"


@register_mask("security.hash")
def _hash(col: str) -> str:
    return f"sha2(CAST({col} AS STRING), 256)"


@register_mask("security.last4")
def _last4(col: str) -> str:
    return (
        f"CASE WHEN {col} IS NULL THEN NULL "
        f"ELSE concat('****', right(CAST({col} AS STRING), 4)) END"
    )
