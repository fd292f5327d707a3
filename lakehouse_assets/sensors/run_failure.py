"""Run-failure sensor: every failed run is logged and, if a webhook is configured, posted.

The webhook URL comes from $LAKEHOUSE_FAILURE_WEBHOOK (read at each failure, so it can be set
without reloading code). The body is JSON: run_id, job, error, tags, and dagster_url if
$LAKEHOUSE_UI_URL is set. A webhook that is down is logged, never raised: the sensor must keep
reporting other failures.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from typing import Any

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorDefinition,
    run_failure_sensor,
)

WEBHOOK_ENV = "LAKEHOUSE_FAILURE_WEBHOOK"
log = logging.getLogger("lakehouse_assets.failures")


def failure_payload(run_id: str, job: str, error: str | None, tags: dict[str, str]) -> dict:
    payload: dict[str, Any] = {"run_id": run_id, "job": job, "error": error, "tags": tags}
    ui = os.environ.get("LAKEHOUSE_UI_URL")
    if ui:
        payload["dagster_url"] = f"{ui.rstrip('/')}/runs/{run_id}"
    return payload


def post_webhook(url: str, payload: dict, timeout_s: float = 10.0) -> int | None:
    """POST the payload as JSON; returns the HTTP status, None if the webhook is unreachable."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return int(response.status)
    except OSError as exc:
        log.warning("failure webhook %s unreachable: %s", url, exc)
        return None


FAILURE_SENSOR = "lakehouse_run_failures"


def run_failure_reporter(name: str = FAILURE_SENSOR) -> SensorDefinition:
    """`name`: unique per contract folder when several share a code location."""

    @run_failure_sensor(
        name=name,
        default_status=DefaultSensorStatus.RUNNING,
        monitor_all_code_locations=False,
    )
    def _report(context: RunFailureSensorContext) -> None:
        run = context.dagster_run
        error = context.failure_event.message if context.failure_event else None
        payload = failure_payload(run.run_id, run.job_name, error, dict(run.tags))
        context.log.error(f"run {run.run_id} of {run.job_name} failed: {error}")
        url = os.environ.get(WEBHOOK_ENV)
        if url:
            status = post_webhook(url, payload)
            context.log.info(f"failure posted to webhook: HTTP {status}")

    return _report
