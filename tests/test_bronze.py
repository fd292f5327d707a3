"""Bronze: one partition from its landing files; re-running it gives identical rows."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import delta_rows, run_assets, table_path

ORDERS = "bronze/shop/orders_raw"


def _landing_records(landing: Path, source: str, day: str) -> list[str]:
    return (landing / source / f"dt={day}" / "part-0000.json").read_text().splitlines()


def test_partition_is_idempotent_and_names_real_files(demo_project, demo_landing, spark_resource):
    first = run_assets(demo_project, spark_resource, [ORDERS], "2024-01-02")
    rows1 = delta_rows(table_path(demo_project, ORDERS))
    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-02")
    rows2 = delta_rows(table_path(demo_project, ORDERS))

    def key(r):
        return json.dumps(r, sort_keys=True, default=str)

    assert sorted(map(key, rows1)) == sorted(map(key, rows2))
    landed = _landing_records(demo_landing, "orders", "2024-01-02")
    assert len(rows1) == len(landed)  # day 2 has no bad records
    files = {r["_source_file"] for r in rows1}
    assert files == {str(demo_landing / "orders" / "dt=2024-01-02" / "part-0000.json")}
    assert all(Path(f).is_file() for f in files)
    assert {str(r["_ingested_date"]) for r in rows1} == {"2024-01-02"}
    meta = first.asset_materializations_for_node("bronze__shop__orders_raw")[0].metadata
    assert meta["rows_written"].value == len(landed)
    assert meta["files_read"].value == 1
    assert meta["partitions"].value == "2024-01-02"


def test_other_partitions_are_left_alone(demo_project, demo_landing, spark_resource):
    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-01")
    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-02")
    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-01")
    rows = delta_rows(table_path(demo_project, ORDERS))
    by_day: dict[str, int] = {}
    for r in rows:
        by_day[str(r["_ingested_date"])] = by_day.get(str(r["_ingested_date"]), 0) + 1
    assert by_day == {
        "2024-01-01": len(_landing_records(demo_landing, "orders", "2024-01-01")),
        "2024-01-02": len(_landing_records(demo_landing, "orders", "2024-01-02")),
    }


def test_malformed_records_are_quarantined_with_reason(demo_project, demo_landing, spark_resource):
    result = run_assets(demo_project, spark_resource, [ORDERS], "2024-01-03")
    landed = _landing_records(demo_landing, "orders", "2024-01-03")
    rows = delta_rows(table_path(demo_project, ORDERS))
    bad = delta_rows(str(table_path(demo_project, ORDERS)) + "_quarantine")
    assert len(rows) + len(bad) == len(landed)
    assert len(bad) == 1
    assert bad[0]["quantity"] == "two"
    assert bad[0]["_quarantine_reason"] == "quantity: 'two' is not INT"
    assert json.loads(bad[0]["_raw"])["quantity"] == "two"
    meta = result.asset_materializations_for_node("bronze__shop__orders_raw")[0].metadata
    assert meta["rows_quarantined"].value == 1


def test_corrupt_json_line_is_kept_raw(demo_project, demo_landing, spark_resource):
    run_assets(demo_project, spark_resource, ["bronze/shop/events_raw"], "2024-01-02")
    bad = delta_rows(str(table_path(demo_project, "bronze/shop/events_raw")) + "_quarantine")
    assert [b["_quarantine_reason"] for b in bad] == ["malformed JSON record"]
    assert bad[0]["_raw"].startswith('{"event_id": "ev-broken"')


def test_manifest_pins_files_to_their_partition(demo_project, demo_landing, spark_resource):
    from lakehouse_assets.assets.bronze import manifest_for

    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-01")
    entries = manifest_for(demo_project).entries(ORDERS)
    assert {e.partition for e in entries.values()} == {"2024-01-01"}
    # A file arriving later in an old dated folder goes to that folder's date, once.
    late = demo_landing / "orders" / "dt=2024-01-01" / "part-0001.json"
    late.write_text(
        json.dumps(
            {
                "order_id": 777,
                "customer_id": 1,
                "product_id": 1,
                "quantity": 1,
                "amount": "1.00",
                "status": "placed",
                "order_ts": "2024-01-01T10:00:00",
                "op_type": "I",
                "updated_at": "2024-01-01T10:00:00",
            }
        )
        + "\n"
    )
    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-01")
    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-01")
    rows = delta_rows(table_path(demo_project, ORDERS))
    assert sum(r["order_id"] == 777 for r in rows) == 1
    assert len(manifest_for(demo_project).entries(ORDERS)) == 2
