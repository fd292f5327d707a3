"""The streaming check of a landing file (ingest/prepare.py): chunk boundaries never split a
verdict. With 3-byte chunks, multi-byte characters straddle every boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse_assets.contracts.source_options import ReadOptions
from lakehouse_assets.ingest import prepare

GOOD = '{"name": "Zoë ✓ 𝄞"}\n{"name": "b"}\n'.encode()


@pytest.mark.parametrize(
    ("content", "as_is"),
    [
        (GOOD, True),
        (GOOD + b'{"name": "\xff"}\n', False),  # an invalid byte after valid chunks
        (GOOD[:-3] + "é".encode()[:1], False),  # the file ends inside a character
        (b"\xef\xbb\xbf" + GOOD, False),  # a BOM: the full path strips it
        (GOOD + b"\x00", False),  # a NUL byte: the full path sets the file aside
    ],
)
def test_chunk_boundaries_do_not_change_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, as_is: bool
) -> None:
    monkeypatch.setattr(prepare, "_CHUNK", 3)
    path = tmp_path / "part-0.json"
    path.write_bytes(content)
    assert prepare._streams_as_is(str(path), "json", ReadOptions()) is as_is


def test_options_the_engine_cannot_take_never_stream(tmp_path: Path) -> None:
    path = tmp_path / "part-0.json"
    path.write_bytes(GOOD)
    assert not prepare._streams_as_is(str(path), "json", ReadOptions(multiline=True))
    assert not prepare._streams_as_is(str(path), "csv", ReadOptions())
    assert not prepare._streams_as_is(str(path), "json", ReadOptions(encoding="latin-1"))
