"""A streaming ingestion's trigger (DKOps' `trigger`, Spark's names): how often its landing
sensor looks for new entries. Both triggers run the same available-now bronze runs here; none
is a long-running query (Sail has no Structured Streaming to or from Delta).

- `available_now` (DKOps' default): a sensor every 15 s.
- `continuous`: a short-interval sensor, every 5 s. Its latency floor is the interval plus a
  run's launch (seconds with the in-process executor, more with a run launcher that starts a
  process or a container per run), not Spark's milliseconds: say so as an info note.

`trigger_interval_seconds` overrides either interval (Dagster's sensor minimum interval; the
daemon evaluates sensors no more often than its own loop: dagster's sensor daemon
MIN_INTERVAL_LOOP_TIME, 5 s).
"""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.errors import ContractIssue
from lakehouse_assets.contracts.models import IngestionContract

BATCH_INTERVAL_S = 60
STREAMING_INTERVAL_S = 15
CONTINUOUS_INTERVAL_S = 5


def sensor_interval(ingestion: IngestionContract) -> int:
    if ingestion.ingest_type != "streaming":
        return BATCH_INTERVAL_S
    if ingestion.trigger_interval_seconds is not None:
        return ingestion.trigger_interval_seconds
    return CONTINUOUS_INTERVAL_S if ingestion.trigger == "continuous" else STREAMING_INTERVAL_S


def trigger_issues(file: Path, ingestion: IngestionContract) -> list[ContractIssue]:
    set_here = ingestion.trigger != "available_now" or ingestion.trigger_interval_seconds
    if ingestion.ingest_type != "streaming":
        if not set_here:
            return []
        return [
            ContractIssue(
                file,
                "trigger",
                "trigger and trigger_interval_seconds apply to streaming ingestions only: "
                f"this batch ingestion's landing sensor runs every {BATCH_INTERVAL_S} s",
                'set "ingest_type": "streaming", or remove them',
                "warning",
            )
        ]
    if ingestion.trigger != "continuous":
        return []
    interval = sensor_interval(ingestion)
    return [
        ContractIssue(
            file,
            "trigger",
            f"trigger 'continuous' runs here as a landing sensor every {interval} s, each tick "
            "starting an available-now run that appends the new entries: latency is at least "
            f"{interval} s plus a run's launch, not a long-running streaming query",
            "set trigger_interval_seconds to change the interval (dagster-daemon evaluates "
            "sensors at most every 5 s)",
            "info",
        )
    ]
