"""Columns the framework fills, by name, and the types it can fill them with.

DKOps table contracts declare them like any column: `_ingested_at`, `_ingested_date`,
`_source_file` (and `_rescued_data`, as Auto Loader names it) in bronze; `_silver_created_at`,
`_silver_modified_at` in silver. A declared one keeps its declared type, nullability and
comment, and is never read from the landing file.
"""

from __future__ import annotations

INGESTED_AT, INGESTED_DATE, SOURCE_FILE = "_ingested_at", "_ingested_date", "_source_file"
# Landing fields the contract does not declare, as JSON (Auto Loader's name): kept, not dropped.
RESCUED_DATA = "_rescued_data"
SILVER_CREATED, SILVER_MODIFIED = "_silver_created_at", "_silver_modified_at"
BRONZE_COLUMNS = (INGESTED_AT, INGESTED_DATE, SOURCE_FILE, RESCUED_DATA)
SILVER_COLUMNS = (SILVER_CREATED, SILVER_MODIFIED)

# The types each column can be filled with (the first is the one the framework adds itself).
FILLABLE_TYPES: dict[str, tuple[str, ...]] = {
    INGESTED_AT: ("TIMESTAMP", "TIMESTAMP_NTZ"),
    INGESTED_DATE: ("DATE",),
    SOURCE_FILE: ("STRING",),
    RESCUED_DATA: ("STRING",),
    SILVER_CREATED: ("TIMESTAMP", "TIMESTAMP_NTZ"),
    SILVER_MODIFIED: ("TIMESTAMP", "TIMESTAMP_NTZ"),
}


def type_problem(name: str, declared: str) -> str | None:
    """Why the framework cannot fill `name` with the declared type, or None."""
    allowed = FILLABLE_TYPES.get(name)
    if allowed is None or declared in allowed:
        return None
    return f"{name} is filled by the framework as {' or '.join(allowed)}, not {declared}"


# Quarantine tables: why a row was set aside, and the rules it failed.
QUARANTINE_REASON, FAILED_RULES = "_quarantine_reason", "_failed_rules"
RUN_ID, QUARANTINED_AT = "_run_id", "_quarantined_at"  # which run set the row aside, and when
RAW, LINE = "_raw", "_line"  # a landing row's raw text and its line in the file
