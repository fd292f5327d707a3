"""Landing files the engine's reader cannot take as they are, rewritten into what it can.

Sail's JSON and CSV readers know neither `multiLine` nor `encoding` nor `allowComments`, and
bronze needs each record's own raw text for quarantine on every engine. So such a file is read
once in Python (ingest/prepare.py) and staged here as UTF-8 (JSON: one record per line, each
the exact text of the source record, newlines folded); the engine reads the staged copy.
Staged copies are named by the file's path, size, mtime and options, so a re-run reuses them;
copies older than a week are swept when a new one is written.

Spark's `multiLine` reads a file as one JSON value: an object, or an array of objects. We also
take several top-level values in a row (pretty-printed objects one after another) rather than
stop after the first: nothing is lost. Text that does not parse ends the file's records, and is
staged as one malformed record, so it is quarantined with the reason, not dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from lakehouse_assets.contracts.source_options import ReadOptions
from lakehouse_assets.ingest.manifest import ManifestEntry

MAX_AGE_S = 7 * 24 * 3600
_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


def write_staged(
    entry: ManifestEntry, fmt: str, options: ReadOptions, root: Path, records: list[str]
) -> str:
    """A UTF-8 copy holding these records, one per line; named by the landing file's path,
    size, mtime and options, so a re-run finds it again."""
    key = hashlib.sha1(
        json.dumps(
            [
                entry.file_path,
                entry.size,
                entry.mtime,
                fmt,
                options.multiline,
                options.allow_comments,
                options.encoding,
                sorted(options.csv.items()),
            ]
        ).encode()
    ).hexdigest()
    target = root / f"{key}.{'jsonl' if fmt == 'json' else fmt}"
    if not target.exists():
        root.mkdir(parents=True, exist_ok=True)
        _sweep(root)
        scratch = target.with_suffix(f".{os.getpid()}.tmp")
        scratch.write_text("".join(r + "\n" for r in records), encoding="utf-8")
        scratch.replace(target)  # atomic: a concurrent run sees the whole copy or none
    return str(target)


def _sweep(root: Path) -> None:
    cutoff = time.time() - MAX_AGE_S
    for old in root.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:
            pass  # swept by a concurrent run


def json_records(text: str) -> list[tuple[int, str]]:
    """(first line, one-line source text) of each record of a multi-line JSON document."""
    records: list[tuple[int, str]] = []
    line, counted = 1, 0

    def line_at(pos: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, pos)
        counted = pos
        return line

    pos = _skip(text, 0)
    in_array = False
    while pos < len(text):
        try:
            if not in_array and text[pos] == "[":
                in_array, pos = True, _skip(text, pos + 1)
                continue
            if in_array and text[pos] == "]":
                in_array, pos = False, _skip(text, pos + 1)
                continue
            _, end = _DECODER.raw_decode(text, pos)
            records.append((line_at(pos), _one_line(text[pos:end])))
            pos = _skip(text, end)
            if in_array and pos < len(text) and text[pos] == ",":
                pos = _skip(text, pos + 1)
            elif in_array and (pos >= len(text) or text[pos] != "]"):
                raise json.JSONDecodeError("expected , or ]", text, pos)
        except json.JSONDecodeError:
            # The rest does not parse: one malformed record (quarantined with its text), so
            # nothing before it is read twice and nothing after it is lost.
            rest = _one_line(text[pos:])
            if rest:
                records.append((line_at(pos), rest))
            break
    return records


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _one_line(raw: str) -> str:
    # JSON strings cannot hold a raw newline, so folding newlines only touches whitespace.
    return raw.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").strip()


def strip_comments(text: str) -> str:
    """JSON with // and /* */ comments (Spark's allowComments) as plain JSON. Comment
    characters become spaces and newlines stay, so records keep their lines."""
    out, i, n, in_string = [], 0, len(text), False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end - 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join(c if c == "\n" else " " for c in text[i:end]))
            i = end - 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)
