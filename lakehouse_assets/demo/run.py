"""The demo lakehouse end to end: generate landing files, then materialize every asset for
every day through Dagster on the embedded engine, and summarise what the tables hold."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dagster import DagsterInstance, Definitions

from lakehouse_assets.assets.run_config import QUIET
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.demo.generator import generate
from lakehouse_assets.demo.open_results import INSTANCE_DIR, demo_contracts, render_open_commands
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.jobs import DAY_JOB, GOLD_JOB
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.tables.location import locate_key, quarantine_location


@dataclass
class DemoSummary:
    data_dir: Path
    project_dir: Path
    days: list[str]
    rows: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)
    runs: int = 0
    seconds: float = 0.0
    # "asset/check" -> [runs passed, runs failed]
    checks: dict[str, list[int]] = field(default_factory=dict)

    def record_checks(self, result: Any) -> None:
        for ev in result.get_asset_check_evaluations():
            name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
            self.checks.setdefault(name, [0, 0])[0 if ev.passed else 1] += 1

    def render(self) -> str:
        width = max(len(k) for k in self.rows)
        lines = [
            f"demo lakehouse in {self.data_dir}",
            f"days: {self.days[0]} .. {self.days[-1]}"
            f" ({len(self.days)}), {self.runs} Dagster runs, {self.seconds:.1f} s",
            "",
        ]
        lines.append(f"{'table'.ljust(width)}  {'rows':>8}  {'quarantined':>11}")
        for key, count in self.rows.items():
            q = self.quarantined.get(key, 0)
            lines.append(f"{key.ljust(width)}  {count:>8}  {q:>11}")
        if self.checks:
            failing = sorted(k for k, (_, bad) in self.checks.items() if bad)
            lines += [
                "",
                f"asset checks: {len(self.checks)}, "
                f"{len(self.checks) - len(failing)} always passed, "
                f"{len(failing)} failed in some run",
            ]
            lines += [
                f"  FAILED {k} ({self.checks[k][1]} of {sum(self.checks[k])} runs)" for k in failing
            ]
        lines += ["", render_open_commands(self.data_dir, self.project_dir)]
        return "\n".join(lines)


def run_demo(
    data_dir: Path,
    days: int = 5,
    scale: int = 1,
    start: date = date(2024, 1, 1),
    project_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
    spark: SparkResource | None = None,
) -> DemoSummary:
    """`project_dir`: the contracts (default: the demo shop's, see demo_contracts). `spark`:
    the engine (default the embedded one; tests run the same demo on Apache Spark)."""
    started = time.perf_counter()
    data_dir = data_dir.resolve()
    project_dir = (project_dir or demo_contracts()).resolve()
    project = load_project_or_raise(str(project_dir), data_dir=data_dir)
    landing = Path(project.environment.paths["landing"])
    day_keys = [(start + timedelta(days=i)).isoformat() for i in range(days)]
    progress(f"generating {days} days of landing files (scale {scale}) in {landing}")
    generate(landing, start, days, scale)

    spark = spark or SparkResource(mode="local")
    defs = build_definitions(str(project_dir), spark=spark, data_dir=str(data_dir))
    summary = DemoSummary(data_dir, project_dir, day_keys)
    _run_days(defs, data_dir / INSTANCE_DIR, summary, progress)
    _count_tables(project, spark, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _run_days(
    defs: Definitions, home: Path, summary: DemoSummary, progress: Callable[[str], None]
) -> None:
    """Bronze and silver one run per day, as a daily schedule would; then gold in one run. The
    code location's named jobs, so the runs show under those names in the instance at `home`
    (the one the printed commands open)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    runs: list[tuple[str, str, str | None]] = [
        (f"materializing bronze + silver for {day}", DAY_JOB, day) for day in summary.days
    ]
    runs.append(("materializing gold", GOLD_JOB, None))
    with DagsterInstance.local_temp(str(home)) as instance:
        for message, job, day in runs:
            progress(message)
            result = defs.resolve_job_def(job).execute_in_process(
                run_config=QUIET, instance=instance, partition_key=day, raise_on_error=True
            )
            summary.runs += int(result.success)
            summary.record_checks(result)


def _count_tables(project: Project, spark: SparkResource, summary: DemoSummary) -> None:
    session, caps = spark.get_session(), spark.capabilities
    for key in project.assets:
        location = locate_key(project, key, caps)
        summary.rows["/".join(key)] = location.read(session).count()
        quarantine = quarantine_location(location)
        if quarantine.exists(session):
            summary.quarantined["/".join(key)] = quarantine.read(session).count()
