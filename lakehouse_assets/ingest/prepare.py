"""Each landing file checked before the engine reads it, so that nothing makes the engine fail a
whole run, and nothing is lost: what the engine could not read is set aside here, with its
line number, raw text and reason, and goes to quarantine.

- A file that cannot be read at all (a truncated or corrupt .gz/.bz2, binary junk, a parquet,
  avro or orc file without its magic bytes) is set aside whole, as one entry; the partition's
  other files still load.
- Lines that are not valid in the file's encoding, and CSV records with more or fewer fields
  than the header (ingest/csv_records.py), are set aside one by one (Sail fails the whole query
  on either).
- What the engine's reader cannot take as it is (multiLine, allowComments, another encoding,
  compression) is staged as a UTF-8 copy (ingest/staging.py); the source line of each staged
  record is kept (Prepared.lines), so quarantined rows keep their real line numbers.
A file that needs none of this is read by the engine where it lies (the common, fast path).
Files are read through lakehouse_assets.storage: local, mounted or on object storage alike.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

from lakehouse_assets.contracts.source_options import ReadOptions
from lakehouse_assets.ingest.csv_records import csv_records, field_counts_agree
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.ingest.set_aside import SetAside
from lakehouse_assets.ingest.staging import json_records, strip_comments, write_staged
from lakehouse_assets.storage.files import read_bytes, read_chunks, read_ends

_MAGIC = {"parquet": (b"PAR1", b"PAR1"), "avro": (b"Obj\x01", b""), "orc": (b"ORC", b"")}
_DECOMPRESS = {".gz": gzip.decompress, ".bz2": bz2.decompress}
COMPRESSED_SUFFIXES = frozenset(_DECOMPRESS)
_CHUNK = 16 << 20  # bytes read at a time by the streaming check
_PREVIEW = 200  # bytes of an unreadable file shown in its quarantine row


@dataclass(frozen=True)
class Prepared:
    path: str  # the landing file's own path (rows keep it as _source_file)
    read_path: str | None  # what the engine reads; None when nothing in the file can be read
    set_aside: tuple[SetAside, ...] = ()
    # Source line of each record of a staged copy (None: read_path's lines are the file's own).
    lines: tuple[int, ...] | None = None


def prepare(entry: ManifestEntry, fmt: str, options: ReadOptions, root: Path) -> Prepared:
    path = entry.file_path
    suffix = Path(path).suffix.lower()
    try:
        if fmt in _MAGIC:
            return _typed_file(path, fmt)
        if suffix not in _DECOMPRESS and _streams_as_is(path, fmt, options):
            return Prepared(path, path)  # the common case: the engine reads the file where it lies
        data = read_bytes(path)
    except OSError as exc:
        return Prepared(path, None, (SetAside(None, "", f"cannot read the file: {exc}"),))
    if suffix in _DECOMPRESS:
        try:
            data = _DECOMPRESS[suffix](data)
        except (OSError, EOFError, zlib.error, ValueError) as exc:
            return Prepared(
                path,
                None,
                (SetAside(None, _preview(data), f"corrupt or truncated {suffix} file: {exc}"),),
            )
    if b"\x00" in data and not options.encoding.lower().startswith(("utf-16", "utf-32")):
        return Prepared(
            path,
            None,
            (SetAside(None, _preview(data), f"binary data (NUL bytes), not {fmt} text"),),
        )
    plain = suffix not in _DECOMPRESS and not data.startswith(b"\xef\xbb\xbf") and options.utf8
    if plain and _fast_path(data, fmt, options):
        return Prepared(path, path)  # the common case: the engine reads the file where it lies
    lines, bad = _decode_lines(data, options.encoding)
    if fmt == "csv":
        records, bad_records = csv_records(lines, options)
        lines, bad = [(r.line, r.text) for r in records], bad + bad_records
    elif fmt == "json" and (options.multiline or options.allow_comments):
        return _staged_json(entry, lines, bad, options, root)
    if not bad and plain:
        return Prepared(path, path)
    return _staged(entry, fmt, options, root, lines, bad)


def _staged(
    entry: ManifestEntry,
    fmt: str,
    options: ReadOptions,
    root: Path,
    records: list[tuple[int, str]],
    bad: list[SetAside],
) -> Prepared:
    """A staged copy of these (source line, text) records, and what was set aside."""
    staged = write_staged(entry, fmt, options, root, [t for _, t in records])
    return Prepared(entry.file_path, staged, tuple(bad), tuple(n for n, _ in records))


def _streams_as_is(path: str, fmt: str, options: ReadOptions) -> bool:
    """The common case, checked in chunks without holding the file: JSON lines or text in
    UTF-8, no BOM, no NUL byte, every byte valid UTF-8. Holding a 1.2 GB file and its decoded
    text cost 7 s and 4 GiB at 10M rows; anything else takes the full path below."""
    if fmt not in ("json", "text") or not options.utf8:
        return False
    if fmt == "json" and (options.multiline or options.allow_comments):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    first = True
    for chunk in read_chunks(path, _CHUNK):
        if (first and chunk.startswith(b"\xef\xbb\xbf")) or b"\x00" in chunk:
            return False
        first = False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    try:
        decoder.decode(b"", final=True)  # a file that ends inside a character
    except UnicodeDecodeError:
        return False
    return True


def _fast_path(data: bytes, fmt: str, options: ReadOptions) -> bool:
    """True when the engine can read the file as it is: valid UTF-8 and, for JSON, no option
    it cannot honour; for CSV also as many fields in every record as in the first (checked in
    ingest/csv_records.py). Costs one pass in C over the bytes, not a Python parse."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if fmt == "json":
        return not (options.multiline or options.allow_comments)
    return fmt != "csv" or field_counts_agree(data, text, options)


def _preview(data: bytes) -> str:
    """The first bytes of a file that cannot be read, every non-ASCII byte escaped."""
    return data[:_PREVIEW].decode("latin-1").encode("unicode_escape").decode("ascii")


def _typed_file(path: str, fmt: str) -> Prepared:
    """A parquet, avro or orc file is checked by its magic bytes only (no need to hold it)."""
    head, tail = _MAGIC[fmt]
    size, start, end = read_ends(path, max(len(head), _PREVIEW), len(tail))
    if start.startswith(head) and end == tail and size > len(head) + len(tail):
        return Prepared(path, path)
    return Prepared(
        path,
        None,
        (
            SetAside(
                None,
                _preview(start),
                f"not a {fmt} file (its magic bytes are missing: truncated or another format)",
            ),
        ),
    )


def _decode_lines(data: bytes, encoding: str) -> tuple[list[tuple[int, str]], list[SetAside]]:
    """(line number, text) of each line; lines not valid in the encoding are set aside."""
    try:
        text = data.decode(encoding).removeprefix("\ufeff")
        return list(enumerate(text.splitlines(), start=1)), []
    except UnicodeDecodeError:
        pass
    good, bad = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.removesuffix(b"\r")
        try:
            good.append((number, raw.decode(encoding).removeprefix("\ufeff")))
        except UnicodeDecodeError as exc:
            bad.append(
                SetAside(
                    number,
                    raw.decode(encoding, "backslashreplace"),
                    f"not valid {encoding} (byte {exc.start + 1} of the line)",
                )
            )
    return good, bad


def _staged_json(
    entry: ManifestEntry,
    lines: list[tuple[int, str]],
    bad: list[SetAside],
    options: ReadOptions,
    root: Path,
) -> Prepared:
    text = "\n".join(t for _, t in lines)
    starts = [n for n, _ in lines]
    if options.allow_comments:
        text = strip_comments(text)
    if options.multiline:
        numbered = [
            (starts[min(line, len(starts)) - 1] if starts else 1, raw)
            for line, raw in json_records(text)
        ]
    else:
        numbered = [(n, t) for n, t in zip(starts, text.split("\n"), strict=False) if t.strip()]
    return _staged(entry, "json", options, root, numbered, bad)
