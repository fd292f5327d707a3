"""Available-now streaming: a streaming contract's day filled over several sensor ticks.

Each run the sensor requests appends only the entries not ingested yet (run facts and the
table's rows say so); a run that dies between its append and its ingest-log record is repaired
by the next run, which replaces the day with every entry once; a run by hand replaces the day.
Real engine, real Delta tables, the real sensor tick and Dagster runs with the sensor's tags.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from dagster import AssetKey, DagsterInstance, RunRequest, materialize

from lakehouse_assets.assets.bronze import manifest_for
from lakehouse_assets.assets.bronze_stream import APPEND_TAG, StreamIngest
from lakehouse_assets.assets.factory import build_assets
from lakehouse_assets.assets.run_config import QUIET
from lakehouse_assets.checks.specs import ROW_ACCOUNTING
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.ingest.ingest_log import IngestLog
from lakehouse_assets.sensors.landing import landing_tick
from tests.helpers import delta_rows, table_path

EVENTS = "bronze/shop/events_raw"
DAY = "2024-01-01"


def _land(project: Any, name: str, ids: list[str], bad_lines: int = 0) -> None:
    folder = Path(project.environment.paths["landing"]) / "events" / f"dt={DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    row = {"customer_id": 1, "product_id": 2, "event_type": "view", "event_ts": f"{DAY}T10:00"}
    lines = [json.dumps({"event_id": i, **row}) for i in ids]
    lines += ['{"event_id": "broken", "customer_id": "not a number"'] * bad_lines
    (folder / name).write_text("\n".join(lines) + "\n")


class Stream:
    """The sensor's ticks and the runs they request, as the daemon would launch them."""

    def __init__(self, project: Any, spark_resource: Any, instance: DagsterInstance):
        self.project, self.instance = project, instance
        self.cursor: str | None = None
        self.table = project.assets[tuple(EVENTS.split("/"))]
        defs = build_definitions(str(project.root), spark=spark_resource)
        self.resources = dict(defs.resources or {})
        self.assets = [a for a in build_assets(project) if hasattr(a, "op")]

    def tick(self) -> list[RunRequest]:
        tick = landing_tick(
            manifest_for(self.project),
            EVENTS,
            self.table.ingestion,
            AssetKey(EVENTS.split("/")),
            self.cursor,
        )
        self.cursor = tick.cursor
        return tick.requests

    def run(self, tags: dict[str, str] | None = None, raise_on_error: bool = True) -> Any:
        return materialize(
            self.assets,
            selection=[AssetKey(EVENTS.split("/"))],
            partition_key=DAY,
            resources=self.resources,
            instance=self.instance,
            run_config=QUIET,
            tags=tags or {},
            raise_on_error=raise_on_error,
        )

    def tick_and_run(self) -> dict[str, Any]:
        requests = self.tick()
        assert [r.partition_key for r in requests] == [DAY]
        assert requests[0].tags[APPEND_TAG] == "append"
        return facts(self.run(dict(requests[0].tags)))


def facts(result: Any) -> dict[str, Any]:
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    out = {k: v.value for k, v in meta.items()}
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    out["accounting_passed"] = checks[ROW_ACCOUNTING].passed
    return out


def rows(project: Any) -> list[str]:
    return sorted(r["event_id"] for r in delta_rows(table_path(project, EVENTS), ["event_id"]))


def quarantined(project: Any) -> list[dict[str, Any]]:
    path = Path(str(table_path(project, EVENTS)) + "_quarantine")
    return delta_rows(path, ["_source_file", "_run_id"]) if path.exists() else []


def test_each_tick_appends_only_new_files_and_a_hand_run_replaces(demo_project, spark_resource):
    with DagsterInstance.ephemeral() as instance:
        stream = Stream(demo_project, spark_resource, instance)
        _land(demo_project, "a.json", ["a1", "a2", "a3"])
        first = stream.tick_and_run()
        assert (first["files_read"], first["rows_written"], first["ingest_mode"]) == (
            1,
            3,
            "append",
        )
        assert first["dagster/partition_row_count"] == 3 and first["accounting_passed"]

        _land(demo_project, "b.json", ["b1", "b2"])
        _land(demo_project, "c.json", ["c1"], bad_lines=2)
        second = stream.tick_and_run()
        assert (second["files_read"], second["rows_written"]) == (2, 3)
        assert second["rows_quarantined"] == 2 and second["accounting_passed"]
        assert second["dagster/partition_row_count"] == 6
        assert rows(demo_project) == ["a1", "a2", "a3", "b1", "b2", "c1"]
        assert [q["_source_file"].rsplit("/", 1)[-1] for q in quarantined(demo_project)] == [
            "c.json",
            "c.json",
        ]

        assert stream.tick() == []  # nothing new: no run

        # By hand (no sensor tag): the day replaced with all of its files, quarantine too.
        hand = facts(stream.run())
        assert (hand["files_read"], hand["rows_written"], hand["ingest_mode"]) == (3, 6, "replace")
        assert hand["rows_quarantined"] == 2 and hand["accounting_passed"]
        assert rows(demo_project) == ["a1", "a2", "a3", "b1", "b2", "c1"]
        assert len(quarantined(demo_project)) == 2

        # The hand run recorded its files as ingested: the next tick appends only the new one.
        _land(demo_project, "d.json", ["d1", "d2"])
        after = stream.tick_and_run()
        assert (after["files_read"], after["rows_written"], after["rows_quarantined"]) == (1, 2, 0)
        assert after["accounting_passed"] and after["dagster/partition_row_count"] == 8
        assert rows(demo_project) == ["a1", "a2", "a3", "b1", "b2", "c1", "d1", "d2"]
        assert len(quarantined(demo_project)) == 2


def test_a_run_dead_between_append_and_done_is_replaced_by_the_next(
    demo_project, spark_resource, monkeypatch: pytest.MonkeyPatch
):
    with DagsterInstance.ephemeral() as instance:
        stream = Stream(demo_project, spark_resource, instance)
        _land(demo_project, "a.json", ["a1", "a2"])
        stream.tick_and_run()

        # The run dies right after its append committed, before its `done` reaches the log.
        def die(self: StreamIngest) -> None:
            raise SystemExit("killed between the Delta append and the ingest log")

        _land(demo_project, "b.json", ["b1", "b2"])
        (request,) = stream.tick()
        with monkeypatch.context() as patch:
            patch.setattr(StreamIngest, "done", die)
            with pytest.raises(BaseException, match="killed"):
                stream.run(dict(request.tags))
        assert rows(demo_project) == ["a1", "a2", "b1", "b2"]  # the append itself committed
        log = IngestLog(demo_project.environment.paths["ops"])
        states = log.states(stream.table.key_string, [DAY])
        assert {Path(p).name: s for p, s in states.items()} == {
            "a.json": {"started", "done"},
            "b.json": {"started"},
        }

        # Appending again would duplicate b: the next run replaces the day instead.
        _land(demo_project, "c.json", ["c1"])
        repaired = stream.tick_and_run()
        assert repaired["ingest_mode"] == "replace" and "ingest_recovered" in repaired
        assert (repaired["files_read"], repaired["rows_written"]) == (3, 5)
        assert repaired["accounting_passed"]
        assert rows(demo_project) == ["a1", "a2", "b1", "b2", "c1"]

        # Everything is done now: the following tick appends again.
        _land(demo_project, "d.json", ["d1"])
        again = stream.tick_and_run()
        assert (again["ingest_mode"], again["files_read"], again["rows_written"]) == (
            "append",
            1,
            1,
        )
        assert rows(demo_project) == ["a1", "a2", "b1", "b2", "c1", "d1"]
