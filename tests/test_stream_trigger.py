"""`trigger` on a streaming ingestion (DKOps' available_now | continuous): the landing
sensor's interval, and the note that says what `continuous` means here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lakehouse_assets.assets.specs import contract_specs
from lakehouse_assets.project_loader import load_project
from lakehouse_assets.sensors.landing import landing_sensors

EVENTS = "ingestion/streaming/events.json"


def _edit(root: Path, **fields: Any) -> None:
    path = root / EVENTS
    path.write_text(json.dumps({**json.loads(path.read_text()), **fields}))


def _loaded(root: Path) -> tuple[list[str], dict[str, int]]:
    project = load_project(str(root))
    notes = [str(i) for i in project.issues if i.field == "trigger"]
    sensors = landing_sensors(project, contract_specs(project))
    return notes, {s.name: s.minimum_interval_seconds or 0 for s in sensors}


def test_available_now_is_the_default_every_15_s(demo_dir: Path):
    notes, intervals = _loaded(demo_dir)
    assert notes == []
    assert intervals["landing__shop__events_raw"] == 15
    assert intervals["landing__shop__orders_raw"] == 60


def test_continuous_is_a_short_interval_sensor_with_an_info_note(demo_dir: Path):
    _edit(demo_dir, trigger="continuous")
    notes, intervals = _loaded(demo_dir)
    assert intervals["landing__shop__events_raw"] == 5
    assert notes == [
        "info: ingestion/streaming/events.json: trigger: trigger 'continuous' runs here as a "
        "landing sensor every 5 s, each tick starting an available-now run that appends the "
        "new entries: latency is at least 5 s plus a run's launch, not a long-running "
        "streaming query (fix: set trigger_interval_seconds to change the interval "
        "(dagster-daemon evaluates sensors at most every 5 s))"
    ]
    _edit(demo_dir, trigger_interval_seconds=2)
    notes, intervals = _loaded(demo_dir)
    assert intervals["landing__shop__events_raw"] == 2 and "every 2 s" in notes[0]


def test_a_trigger_on_a_batch_ingestion_is_a_warning(demo_dir: Path):
    _edit(demo_dir, ingest_type="batch", load_type="incremental", trigger="continuous")
    notes, intervals = _loaded(demo_dir)
    assert intervals["landing__shop__events_raw"] == 60
    assert notes == [
        "warning: ingestion/streaming/events.json: trigger: trigger and "
        "trigger_interval_seconds apply to streaming ingestions only: this batch ingestion's "
        'landing sensor runs every 60 s (fix: set "ingest_type": "streaming", or remove them)'
    ]


def test_an_unknown_trigger_names_the_field(demo_dir: Path):
    _edit(demo_dir, trigger="processing_time")
    problems = [str(i) for i in load_project(str(demo_dir)).issues if i.severity == "error"]
    assert any("events.json" in p and "trigger" in p for p in problems), problems
