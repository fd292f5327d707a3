"""The ingest log's rule on any ManifestEntry (landing files or Kafka offset ranges), on a
real delta-rs table: an append run takes only what is not done; an entry started and never
done makes the next run replace the day with every entry."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from lakehouse_assets.assets.bronze_stream import StreamIngest
from lakehouse_assets.ingest.ingest_log import IngestLog
from lakehouse_assets.ingest.manifest import ManifestEntry

DAY = "2024-01-01"
SOURCE = "bronze.shop.events_raw"


def _offsets(*ranges: str) -> list[ManifestEntry]:
    now = datetime.now(timezone.utc)
    return [ManifestEntry(SOURCE, f"kafka://events/0/{r}", 0, 0.0, DAY, now) for r in ranges]


def _run(log: IngestLog, run_id: str, entries: list[ManifestEntry]) -> tuple[StreamIngest, list]:
    ingest = StreamIngest(log, SOURCE, run_id, append=True)
    ingest.prepare([DAY])
    return ingest, [e.file_path for e in ingest.select(DAY, entries)]


def test_offset_ranges_are_appended_once_and_a_dead_run_means_replace(tmp_path: Path):
    log = IngestLog(str(tmp_path / "ops"))
    first, chosen = _run(log, "r1", _offsets("0-99"))
    assert chosen == ["kafka://events/0/0-99"] and first.append
    first.done()

    second, chosen = _run(log, "r2", _offsets("0-99", "100-149"))
    assert chosen == ["kafka://events/0/100-149"] and second.append
    # r2 dies after its write: `done` never recorded.

    third, chosen = _run(log, "r3", _offsets("0-99", "100-149", "150-199"))
    assert not third.append and third.recovering
    assert chosen == [f"kafka://events/0/{r}" for r in ("0-99", "100-149", "150-199")]
    third.done()
    assert log.states(SOURCE, [DAY]) == {
        "kafka://events/0/0-99": {"started", "done"},
        "kafka://events/0/100-149": {"started", "done"},
        "kafka://events/0/150-199": {"started", "done"},
    }

    fourth, chosen = _run(log, "r4", _offsets("0-99", "100-149", "150-199"))
    assert chosen == [] and fourth.append  # nothing new: nothing to write
    assert log.states(SOURCE, ["2024-01-02"]) == {}  # another day is its own


def test_ops_tables_keep_every_row_and_stay_compact(tmp_path: Path):
    import pyarrow as pa
    from deltalake import DeltaTable

    from lakehouse_assets.io.ops_tables import COMPACT_EVERY, append_rows

    path = str(tmp_path / "ops" / "ingest_log")
    for i in range(2 * COMPACT_EVERY + 5):
        append_rows(path, pa.table({"source": ["s"], "entry": [f"e{i:03d}"]}), ["source"])
    table = DeltaTable(path)
    entries = sorted(table.to_pyarrow_table()["entry"].to_pylist())
    assert entries == [f"e{i:03d}" for i in range(2 * COMPACT_EVERY + 5)]
    assert len(table.file_uris()) <= 6  # two compactions: 1 file, then the last appends


def test_a_batch_whose_entries_bypassed_select_replaces(tmp_path: Path):
    """A reader that read every entry of its day itself (not through `select`) must not be
    appended: its rows would repeat the day's earlier ones."""
    import pyarrow as pa

    from lakehouse_assets.io.batch import TableBatch

    ingest = StreamIngest(IngestLog(str(tmp_path / "ops")), SOURCE, "r1", append=True)
    ingest.prepare([DAY])
    batch = TableBatch(data=pa.table({"x": [1]}), partitions=[DAY])  # type: ignore[arg-type]
    bound = ingest.bind(batch)
    assert not bound.append and bound.facts["ingest_mode"] == "replace"

    ingest.select(DAY, _offsets("0-9"))
    assert ingest.bind(batch).append
