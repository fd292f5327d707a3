"""Landing files that go wrong in the ways real ones do: one file per case, each with the outcome
it must have. Rows in (counted here, from the file, independently of the pipeline) must equal
rows loaded + rows quarantined, per file."""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

DAY = "2024-05-01"
BOM = "\ufeff"


@dataclass(frozen=True)
class Case:
    source: str  # events (JSON lines), rows (CSV, header), facts (parquet)
    name: str  # file name under landing/<source>/dt=DAY/
    content: bytes
    rows_in: int  # records the file holds, counted by hand
    loaded: int
    # (line, reason) of each quarantined row, sorted; line None for a whole file
    quarantined: list[tuple[int | None, str]] = field(default_factory=list)
    # exact values of some loaded rows: {column: value} subsets, sorted by id
    values: list[dict[str, object]] = field(default_factory=list)


def _j(*records: object) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def _gz(data: bytes) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as f:
        f.write(data)
    return out.getvalue()


def _parquet(table_dict: dict[str, list[object]], types: dict[str, object]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.table({k: pa.array(v, types[k]) for k, v in table_dict.items()}), out)
    return out.getvalue()


def _parquet_cases() -> list[Case]:
    import pyarrow as pa

    good = _parquet(
        {"id": [1, 2], "name": ["a", "b"], "amount": ["1.50", "2"]},
        {"id": pa.int32(), "name": pa.string(), "amount": pa.string()},
    )
    extra = _parquet(
        {"id": [7], "name": ["x"], "region": ["north"]},
        {"id": pa.int64(), "name": pa.string(), "region": pa.string()},
    )
    bad = _parquet(
        {"id": [3, 4], "name": ["c", "d"], "amount": ["abc", "4.25"]},
        {"id": pa.int64(), "name": pa.string(), "amount": pa.string()},
    )
    null_id = _parquet(
        {"id": [None, 6], "name": ["e", "f"]}, {"id": pa.int64(), "name": pa.string()}
    )
    return [
        Case(
            "facts",
            "p01 good int32 ids.parquet",
            good,
            2,
            2,
            values=[{"id": 1, "amount": "1.50"}, {"id": 2, "amount": "2.00"}],
        ),
        Case(
            "facts",
            "p02 extra column.parquet",
            extra,
            1,
            1,
            values=[{"id": 7, "_rescued_data": '{"region":"north"}'}],
        ),
        Case(
            "facts",
            "p03 bad amount.parquet",
            bad,
            2,
            1,
            [(None, "amount: 'abc' is not DECIMAL(10,2)")],
        ),
        Case(
            "facts", "p04 null id.parquet", null_id, 2, 1, [(None, "id: null in a NOT NULL column")]
        ),
        Case(
            "facts",
            "p05 truncated.parquet",
            good[: len(good) // 2],
            1,
            0,
            [
                (
                    None,
                    "not a parquet file (its magic bytes are missing: truncated or another format)",
                )
            ],
        ),
        Case(
            "facts",
            "p06 junk.parquet",
            b"this is not parquet at all\n",
            1,
            0,
            [
                (
                    None,
                    "not a parquet file (its magic bytes are missing: truncated or another format)",
                )
            ],
        ),
    ]


def cases() -> list[Case]:
    e = "events"
    ok = {"id": 1, "name": "a", "amount": "1.5", "ts": "2024-05-01 10:00:00"}
    deep: object = "leaf"
    for _ in range(60):
        deep = {"k": deep}
    return [
        # -- JSON lines ----------------------------------------------------------------------
        Case(e, "j01 valid.json", _j(ok, {**ok, "id": 2}), 2, 2),
        Case(e, "j02 zero bytes.json", b"", 0, 0),
        Case(e, "j03 blank lines only.json", b"\n\n  \n", 0, 0),
        Case(
            e,
            "j04 bom.json",
            (BOM + json.dumps({**ok, "id": 4}) + "\n").encode(),
            1,
            1,
            values=[{"id": 4, "name": "a"}],
        ),
        Case(
            e,
            "j05 invalid utf8.json",
            _j({**ok, "id": 5}) + b'{"id": 6, "name": "\xff\xfe"}\n' + _j({**ok, "id": 7}),
            3,
            2,
            [(2, "not valid utf-8 (byte 20 of the line)")],
        ),
        Case(
            e,
            "j06 binary junk.json",
            b"\x00\x01\x02PK\x03\x04\x00\xff" * 10,
            1,
            0,
            [(None, "binary data (NUL bytes), not json text")],
        ),
        Case(
            e,
            "j07 truncated.json.gz",
            _gz(_j(ok) * 50)[:40],
            1,
            0,
            [
                (
                    None,
                    "corrupt or truncated .gz file: Compressed file ended before the "
                    "end-of-stream marker was reached",
                )
            ],
        ),
        Case(e, "j08 gzipped.json.gz", _gz(_j({**ok, "id": 8}, {**ok, "id": 9})), 2, 2),
        Case(
            e,
            "j09 array on one line.json",
            b'[{"id": 10}, {"id": 11}]\n',
            1,
            0,
            [(1, "malformed JSON record")],
        ),
        Case(
            e,
            "j10 array and lines mixed.json",
            _j({**ok, "id": 12}) + b'[{"id": 13}]\n' + _j({**ok, "id": 14}),
            3,
            2,
            [(2, "malformed JSON record")],
        ),
        Case(
            e,
            "j11 truncated last line.json",
            _j({**ok, "id": 15}) + b'{"id": 16, "na',
            2,
            1,
            [(2, "malformed JSON record")],
        ),
        Case(
            e,
            "j12 missing not null.json",
            _j({"name": "no id"}, {**ok, "id": 17}),
            2,
            1,
            [(1, "id: null in a NOT NULL column")],
        ),
        Case(
            e,
            "j13 id not a number.json",
            _j({**ok, "id": "abc"}),
            1,
            0,
            [(1, "id: 'abc' is not BIGINT")],
        ),
        Case(
            e,
            "j14 decimal over precision.json",
            _j({**ok, "id": 18, "amount": "123456789012.5"}),
            1,
            0,
            [(1, "amount: '123456789012.5' is not DECIMAL(10,2)")],
        ),
        Case(
            e,
            "j15 timestamps in three formats.json",
            _j(
                {**ok, "id": 19, "ts": "2024-05-01T10:00:00Z"},
                {**ok, "id": 20, "ts": "2024-05-01 10:00:00"},
                {**ok, "id": 21, "ts": "2024-05-01T12:00:00+02:00"},
            ),
            3,
            3,
            values=[
                {"id": i, "ts": datetime(2024, 5, 1, 10, tzinfo=timezone.utc)} for i in (19, 20, 21)
            ],
        ),
        Case(
            e, "j16 one megabyte string.json", _j({**ok, "id": 22, "name": "x" * 1_000_000}), 1, 1
        ),
        Case(e, "j17 deeply nested unknown field.json", _j({**ok, "id": 23, "deep": deep}), 1, 1),
        Case(
            e, "j18 duplicate keys in one batch.json", _j({**ok, "id": 24}, {**ok, "id": 24}), 2, 2
        ),
        Case(
            e,
            "j19 unknown field kept.json",
            _j({**ok, "id": 25, "colour": "red"}),
            1,
            1,
            values=[{"id": 25, "_rescued_data": '{"colour":"red"}'}],
        ),
        Case(e, "j20 file name with spaces and ünïcödé.json", _j({**ok, "id": 26}), 1, 1),
        Case(
            e,
            "j21 crlf line endings.json",
            (
                json.dumps({**ok, "id": 27}) + "\r\n" + json.dumps({**ok, "id": 28}) + "\r\n"
            ).encode(),
            2,
            2,
        ),
        Case(
            e,
            "j22 scalar and null records.json",
            b'42\nnull\n"text"\n',
            3,
            0,
            [
                (1, "malformed JSON record"),
                (2, "malformed JSON record"),
                (3, "malformed JSON record"),
            ],
        ),
        Case(e, "j23 empty object.json", b"{}\n", 1, 0, [(1, "id: null in a NOT NULL column")]),
        Case(
            e,
            "j24 array given a scalar.json",
            _j({**ok, "id": 29, "tags": "x"}),
            1,
            0,
            [(1, "tags: 'x' is not ARRAY<STRING>")],
        ),
        Case(
            e, "j25 array of mixed values.json", _j({**ok, "id": 30, "tags": [1, "b", True]}), 1, 1
        ),
        Case(
            e,
            "j26 numbers as text.json",
            _j({**ok, "id": "31", "amount": 2}),
            1,
            1,
            values=[{"id": 31, "amount": "2.00"}],
        ),
        Case(
            e,
            "j27 fraction for an integer.json",
            _j({**ok, "id": 1.5}),
            1,
            0,
            [(1, "id: '1.5' is not BIGINT")],
        ),
        Case(
            e,
            "j28 unparsable timestamp.json",
            _j({**ok, "id": 32, "ts": "yesterday"}),
            1,
            0,
            [(1, "ts: 'yesterday' is not TIMESTAMP")],
        ),
        Case(
            e,
            "j29 several problems in one row.json",
            _j({"id": "x", "amount": "y", "ts": "z"}),
            1,
            0,
            [
                (
                    1,
                    "id: 'x' is not BIGINT; amount: 'y' is not DECIMAL(10,2); ts: 'z' is not "
                    "TIMESTAMP",
                )
            ],
        ),
        Case(
            e,
            "j30 utf16 without the encoding option.json",
            json.dumps({**ok, "id": 33}).encode("utf-16"),
            1,
            0,
            [(None, "binary data (NUL bytes), not json text")],
        ),
        Case(
            e,
            "j31 cdc ops.json",
            _j(
                {**ok, "id": 40, "op": "I"},
                {**ok, "id": 41, "op": "u"},
                {**ok, "id": 42, "op": "X"},
                {**ok, "id": 43, "op": None},
                {**ok, "id": 44, "op": "d"},
            ),
            5,
            5,
        ),
        Case(
            e,
            "j32 timestamp in year 10000.json",
            _j({**ok, "id": 45, "ts": "10000-01-01 00:00:00"}),
            1,
            0,
            [(1, "ts: '10000-01-01 00:00:00' is not TIMESTAMP")],
        ),
        Case(
            e,
            "j33 NaN for a decimal.json",
            _j({**ok, "id": 46, "amount": "NaN"}),
            1,
            0,
            [(1, "amount: 'NaN' is not DECIMAL(10,2)")],
        ),
        Case(
            e,
            "j34 an object and more on one line.json",
            b'{"id": 47} x\n{"id": 48} {"id": 49}\n{"id": 50}}\n{"id": 51, "name": NaN}\n'
            + _j({**ok, "id": 52}),
            5,
            1,
            [(n, "malformed JSON record") for n in (1, 2, 3, 4)],
            values=[{"id": 52}],
        ),
        # -- CSV (header) --------------------------------------------------------------------
        Case("rows", "c01 valid.csv", b"id,name,amount\n1,a,1.5\n2,b,2\n", 2, 2),
        Case(
            "rows",
            "c02 fewer fields.csv",
            b"id,name,amount\n3,c\n4,d,4\n",
            2,
            1,
            [(2, "expected 3 fields (as the first record), got 2")],
        ),
        Case(
            "rows",
            "c03 more fields.csv",
            b"id,name,amount\n5,e,5,extra\n6,f,6\n",
            2,
            1,
            [(2, "expected 3 fields (as the first record), got 4")],
        ),
        Case(
            "rows",
            "c04 quoted newline.csv",
            b'id,name,amount\n7,"two\nlines",7\n8,h,8\n',
            2,
            2,
            values=[{"id": 7, "name": "two\nlines"}],
        ),
        Case(
            "rows",
            "c05 unterminated quote.csv",
            b'id,name,amount\n9,i,9\n10,"open,10\n',
            2,
            1,
            [(3, "expected 3 fields (as the first record), got 2")],
        ),
        Case(
            "rows",
            "c06 reordered header.csv",
            b"amount,id,name\n11.5,11,k\n",
            1,
            1,
            values=[{"id": 11, "name": "k", "amount": "11.50"}],
        ),
        Case(
            "rows",
            "c07 extra column.csv",
            b"id,name,amount,colour\n12,l,12,red\n",
            1,
            1,
            values=[{"id": 12, "_rescued_data": '{"colour":"red"}'}],
        ),
        Case(
            "rows",
            "c08 missing column.csv",
            b"id,name\n13,m\n",
            1,
            1,
            values=[{"id": 13, "amount": None}],
        ),
        Case("rows", "c09 zero bytes.csv", b"", 0, 0),
        Case("rows", "c10 header only.csv", b"id,name,amount\n", 0, 0),
        Case(
            "rows",
            "c11 invalid utf8.csv",
            b"id,name,amount\n14,\xff,14\n15,o,15\n",
            2,
            1,
            [(2, "not valid utf-8 (byte 4 of the line)")],
        ),
        Case(
            "rows",
            "c12 empty not null.csv",
            b"id,name,amount\n,p,16\n17,q,17\n",
            2,
            1,
            [(2, "id: null in a NOT NULL column")],
        ),
        Case(
            "rows",
            "c13 bad amount.csv",
            b"id,name,amount\n18,r,lots\n",
            1,
            0,
            [(2, "amount: 'lots' is not DECIMAL(10,2)")],
        ),
        Case(
            "rows",
            "c14 bom and crlf.csv",
            (BOM + "id,name,amount\r\n19,s,19\r\n").encode(),
            1,
            1,
            values=[{"id": 19, "name": "s"}],
        ),
        Case("rows", "c15 blank lines between.csv", b"id,name,amount\n\n20,t,20\n\n", 1, 1),
        # -- parquet -------------------------------------------------------------------------
        *_parquet_cases(),
    ]
