"""Landing-file read options with Spark's names and meanings, checked before any run.

Spark treats option names case-insensitively; so do we. Every option a contract writes is one
of: honoured (the same meaning on every engine: see ingest/staging.py and
ingest/typed_values.py for what the embedded engine's reader cannot do itself), accepted and
ignored with an info line (the contract's schema always wins over inference), or not honoured:
a warning naming it, never a silent difference.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any

# Spark's spelling of each honoured option, by format (keys are lower case, as Spark matches).
_COMMON = {
    "encoding": "encoding",
    "charset": "encoding",
    "dateformat": "dateFormat",
    "timestampformat": "timestampFormat",
}
HONOURED: dict[str, dict[str, str]] = {
    "json": {**_COMMON, "multiline": "multiLine", "allowcomments": "allowComments"},
    "csv": {
        **_COMMON,
        "header": "header",
        "sep": "sep",
        "delimiter": "sep",
        "quote": "quote",
        "escape": "escape",
        "nullvalue": "nullValue",
        "comment": "comment",
    },
    "text": {"encoding": "encoding", "charset": "encoding"},
    "parquet": {},
    "avro": {},
    "orc": {},
}
# Options about inferring a schema: the contract's columns decide, so these change nothing.
SCHEMA_INFERENCE = frozenset(
    {
        "inferschema",
        "samplingratio",
        "primitivesasstring",
        "prefersdecimal",
        "mergeschema",
        "enforceschema",
    }
)
_BOOLEAN = frozenset({"multiline", "allowcomments", "header"})


@dataclass(frozen=True)
class OptionNote:
    option: str
    message: str
    fix: str
    severity: str  # "error" | "warning" | "info"


@dataclass(frozen=True)
class ReadOptions:
    """What a source's options mean, resolved once: the readers use these fields only."""

    multiline: bool = False
    allow_comments: bool = False
    encoding: str = "utf-8"
    date_format: str | None = None
    timestamp_format: str | None = None
    header: bool = False  # Spark's default: the first CSV line is data unless header is true
    csv: dict[str, str] = field(default_factory=dict)  # sep, quote, escape, nullValue, comment
    notes: tuple[OptionNote, ...] = ()

    @property
    def utf8(self) -> bool:
        return codecs.lookup(self.encoding).name == "utf-8"


def _flag(value: Any) -> bool | None:
    text = str(value).strip().lower()
    return {"true": True, "false": False}.get(text)


def read_options(fmt: str, options: dict[str, Any]) -> ReadOptions:
    honoured = HONOURED.get(fmt, {})
    notes: list[OptionNote] = []
    values: dict[str, Any] = {}
    for written, value in options.items():
        low = written.lower()
        if low not in honoured:
            notes.append(_unhonoured_note(fmt, written))
        elif low in _BOOLEAN and _flag(value) is None:
            notes.append(
                OptionNote(written, f"{value!r} is not a boolean", "write true or false", "error")
            )
        else:
            values[honoured[low]] = _flag(value) if low in _BOOLEAN else str(value)
    encoding = values.get("encoding", "utf-8")
    encoding_note = _unknown_encoding_note(encoding)
    if encoding_note is not None:
        notes.append(encoding_note)
        encoding = "utf-8"  # ReadOptions.utf8 looks the encoding up: keep one that exists
    csv = {k: values[k] for k in ("sep", "quote", "escape", "nullValue", "comment") if k in values}
    return ReadOptions(
        multiline=bool(values.get("multiLine", False)),
        allow_comments=bool(values.get("allowComments", False)),
        encoding=encoding,
        date_format=values.get("dateFormat"),
        timestamp_format=values.get("timestampFormat"),
        header=bool(values.get("header", False)),
        csv=csv,
        notes=tuple(notes),
    )


def _unhonoured_note(fmt: str, written: str) -> OptionNote:
    """Why an option the format does not honour changes nothing: schema inference is the
    contract's job, `mode` is quarantine's, and anything else is named so it is never a silent
    difference from Spark."""
    low = written.lower()
    if low in SCHEMA_INFERENCE:
        return OptionNote(
            written,
            "accepted and ignored: the contract's columns are the schema",
            "remove it",
            "info",
        )
    if low == "mode":
        return OptionNote(
            written,
            "ignored: rows that cannot be parsed always go to "
            "<table>_quarantine with the reason (never dropped, never "
            "failing the run)",
            "remove it",
            "warning",
        )
    known = ", ".join(sorted(set(HONOURED.get(fmt, {}).values()))) or "none"
    return OptionNote(
        written,
        f"not honoured for {fmt} sources here",
        f"remove it; options honoured for {fmt}: {known}",
        "warning",
    )


def _unknown_encoding_note(encoding: str) -> OptionNote | None:
    """An error for an encoding Python's codecs do not know; None for a known one."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        return OptionNote(
            "encoding",
            f"unknown encoding {encoding!r}",
            "use a name such as UTF-8, ISO-8859-1, windows-1252, UTF-16",
            "error",
        )
    return None
