"""The source line of each quarantined landing row.

The engine reads lines without numbering them, so the rows it rejects (a value not of its
type, a corrupt JSON record) are numbered here, by finding their raw text again in the file it
read: lines for JSON and text, the record's fields for CSV. Only files that had rejected rows
are read, once each. Rows set aside before the engine saw them already carry their line.
A row that cannot be found again (a typed format: parquet, avro, orc) keeps no number.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from lakehouse_assets.contracts.source_options import ReadOptions
from lakehouse_assets.ingest.csv_records import csv_records
from lakehouse_assets.ingest.prepare import Prepared
from lakehouse_assets.storage.files import read_bytes


def number_rows(
    rows: list[dict[str, Any]],
    prepared: dict[str, Prepared],
    fmt: str,
    options: ReadOptions,
    raw: str,
    file: str,
    columns: list[str],
) -> list[int | None]:
    """The line of each row (dicts holding `raw` and `file`), in order; None where unknown.
    `columns`: the names a CSV without a header is read under, by position."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        wanted[row[file]].append(i)
    lines: list[int | None] = [None] * len(rows)
    for path, indexes in wanted.items():
        source = prepared.get(path)
        if source is None or source.read_path is None or fmt not in ("json", "text", "csv"):
            continue
        found = _positions(source, fmt, options, columns)
        for i in indexes:
            key = _key(rows[i][raw], fmt)
            if key is not None and found.get(key):
                lines[i] = found[key].pop(0)  # equal records take their lines in file order
    return lines


def _key(text: str | None, fmt: str) -> Any:
    if text is None:
        return None
    if fmt != "csv":
        return text.rstrip("\r")
    try:  # the engine's raw for CSV: the record's non-null fields as a JSON object
        return tuple(sorted((k, str(v)) for k, v in json.loads(text).items()))
    except (ValueError, AttributeError):
        return None


def _positions(
    source: Prepared, fmt: str, options: ReadOptions, columns: list[str]
) -> dict[Any, list[int]]:
    """Each record's key -> its source lines, in file order."""
    assert source.read_path is not None
    text = read_bytes(source.read_path).decode("utf-8", errors="replace")
    found: dict[Any, list[int]] = defaultdict(list)
    if fmt == "csv":
        records, _ = csv_records(list(enumerate(text.split("\n"), start=1)), options)
        names = records[0].fields if options.header and records else columns
        for index, record in enumerate(records):
            own = names
            # The engine's raw for a CSV row: its non-empty fields by name (NULLs left out).
            key = tuple(sorted((n, v) for n, v in zip(own, record.fields, strict=False) if v))
            found[key].append(source.lines[index] if source.lines is not None else record.line)
        return found
    for index, line in enumerate(text.split("\n")):  # "\n" only, as the engine splits
        if source.lines is not None and index >= len(source.lines):
            break  # the staged copy's final newline
        found[line.rstrip("\r")].append(source.lines[index] if source.lines else index + 1)
    return found
