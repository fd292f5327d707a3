"""Run-failure sensor (log + webhook), automation conditions and schedules from contracts."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    Failure,
    build_run_status_sensor_context,
    job,
    op,
)

from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.sensors.run_failure import WEBHOOK_ENV, run_failure_reporter

reporter = run_failure_reporter()


@pytest.fixture
def webhook():
    """A tiny HTTP server on 127.0.0.1 that records what is posted to it."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


@op
def breaks():
    raise Failure("landing file orders/x.json is not JSON")


@job
def failing_job():
    breaks()


def _failure_context(instance: DagsterInstance):
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    event = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    return build_run_status_sensor_context(
        sensor_name=run_failure_reporter().name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=event,
    ).for_run_failure(), run


def test_failure_is_posted_to_the_webhook(webhook, monkeypatch):
    url, received = webhook
    monkeypatch.setenv(WEBHOOK_ENV, url)
    monkeypatch.setenv("LAKEHOUSE_UI_URL", "http://127.0.0.1:3000")
    with DagsterInstance.ephemeral() as instance:
        context, run = _failure_context(instance)
        reporter(context)
    assert len(received) == 1
    body = received[0]
    assert body["run_id"] == run.run_id
    assert body["job"] == "failing_job"
    assert "breaks" in body["error"]
    assert body["dagster_url"] == f"http://127.0.0.1:3000/runs/{run.run_id}"


def test_failure_without_webhook_or_with_a_dead_one_is_only_logged(monkeypatch):
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    with DagsterInstance.ephemeral() as instance:
        context, _ = _failure_context(instance)
        reporter(context)  # no webhook: nothing to post, no error
        monkeypatch.setenv(WEBHOOK_ENV, "http://127.0.0.1:9/nothing-listens")
        reporter(context)  # unreachable webhook: logged, not raised


def _write_json(path, change):
    data = json.loads(path.read_text())
    data.update(change)
    path.write_text(json.dumps(data))


def test_automation_and_schedules_follow_contracts(demo_dir, spark_resource):
    _write_json(demo_dir / "ingestion" / "batch" / "orders.json", {"schedule": "15 2 * * *"})
    _write_json(
        demo_dir / "ingestion" / "silver" / "products.json",
        {"automation": "on_cron", "schedule": "0 6 * * *"},
    )
    _write_json(demo_dir / "ingestion" / "silver" / "events.json", {"automation": "none"})
    gold = next((demo_dir / "tables" / "gold").rglob("daily_revenue.json"))
    _write_json(gold, {"automation": "none", "schedule": "0 7 * * *"})
    defs = build_definitions(str(demo_dir), spark=spark_resource)
    graph = defs.resolve_asset_graph()

    def condition(key: str):
        return graph.get(AssetKey(key.split("/"))).automation_condition

    assert condition("bronze/shop/orders_raw") is None
    assert condition("silver/shop/orders").get_label() == "follow upstream days (any day)"
    assert "0 6 * * *" in condition("silver/shop/products").get_label()
    assert condition("silver/shop/events") is None
    assert condition("gold/shop/daily_revenue") is None
    assert condition("gold/shop/customer_engagement").get_label() == "follow upstream tables"
    schedules = {s.name: s for s in defs.get_repository_def().schedule_defs}
    assert set(schedules) == {
        "bronze__shop__orders_raw__schedule",
        "gold__shop__daily_revenue__schedule",
    }
    assert schedules["bronze__shop__orders_raw__schedule"].cron_schedule == "15 2 * * *"
    assert schedules["gold__shop__daily_revenue__schedule"].cron_schedule == "0 7 * * *"
