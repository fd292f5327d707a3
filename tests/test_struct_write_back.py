"""The key-slice write-back with a struct in the row identity (scd2's valid_from with several
sequence_by columns): delta-rs's MERGE cannot compare structs and pyarrow cannot sort or cast
them, so io/slice_write_back.py matches and compares them field by field. Real Delta tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from lakehouse_assets.io.key_slice import flat_columns, identity_values
from lakehouse_assets.io.slice_write_back import Slice, write_back

ORDER = pa.struct([("ts", pa.int64()), ("seq", pa.int64())])


def _table(rows: list[tuple]) -> pa.Table:
    k, vf, vt, v = zip(*rows, strict=True) if rows else ([], [], [], [])
    return pa.table(
        {
            "k": pa.array(k, pa.int64()),
            "vf": pa.array([{"ts": a, "seq": b} for a, b in vf], ORDER),
            "vt": pa.array([None if x is None else {"ts": x[0], "seq": x[1]} for x in vt], ORDER),
            "v": pa.array(v, pa.string()),
        }
    )


def test_struct_identity_rows_are_updated_deleted_and_inserted(tmp_path: Path):
    from deltalake import DeltaTable, write_deltalake

    path = str(tmp_path / "t")
    before = _table(
        [
            (1, (1, 1), None, "a"),  # closed by the new version below
            (1, (1, 0), (1, 1), "x"),  # gone
            (2, (1, 2), None, "b"),  # unchanged
            (2, (1, 1), (1, 2), "c"),  # same ts as the next row: only seq tells them apart
        ]
    )
    write_deltalake(path, before)
    table = DeltaTable(path)
    after = _table(
        [
            (1, (1, 1), (1, 2), "a"),
            (1, (1, 2), None, "d"),
            (2, (1, 2), None, "b"),
            (2, (1, 1), (1, 2), "c"),
        ]
    )
    counts = write_back(Slice(["k", "vf"], table, table.to_pyarrow_table(), ""), after)
    assert (counts["rows_updated"], counts["rows_deleted"], counts["rows_inserted"]) == (1, 1, 1)
    rows = sorted(
        DeltaTable(path).to_pyarrow_table().to_pylist(), key=lambda r: (r["k"], r["vf"]["seq"])
    )
    assert rows == sorted(after.to_pylist(), key=lambda r: (r["k"], r["vf"]["seq"]))
    # A re-run with the same state commits nothing.
    version = DeltaTable(path).version()
    again = DeltaTable(path)
    write_back(Slice(["k", "vf"], again, again.to_pyarrow_table(), ""), after)
    assert DeltaTable(path).version() == version


def test_a_null_struct_differs_from_a_struct_of_nulls(tmp_path: Path):
    from deltalake import DeltaTable, write_deltalake

    path = str(tmp_path / "t")
    write_deltalake(path, _table([(1, (1, 1), None, "a")]))
    table = DeltaTable(path)
    after = _table([(1, (1, 1), (None, None), "a")])
    counts = write_back(Slice(["k", "vf"], table, table.to_pyarrow_table(), ""), after)
    assert counts["rows_updated"] == 1
    assert DeltaTable(path).to_pyarrow_table().to_pylist()[0]["vt"] == {"ts": None, "seq": None}


def test_identity_values_flatten_structs():
    rows = _table([(1, (1, 2), None, "a"), (1, (12, None), None, "b")])
    flat, names = flat_columns(rows, ["k", "vf"])
    assert names == ["k", "vf.ts", "vf.seq"] and "vt.ts" in flat.column_names
    assert identity_values(rows, ["k", "vf"]).to_pylist() == ["1\x1f1\x1f2", None]
