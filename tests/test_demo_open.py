"""`lakehouse demo` leaves results a user can open: the status command it prints, run in an
environment without any lakehouse or Dagster settings, sees every table built with its check
results, and the demo's runs carry the code location's job names in its instance."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

from tests.helpers import clean_environment, command_settings, demo_commands, run_command

BIN = Path(sys.executable).parent  # the CLIs of the interpreter running the tests


def test_printed_commands_open_the_demo(tmp_path: Path):
    data = tmp_path / "demo"
    env = clean_environment(PATH=f"{BIN}:{clean_environment()['PATH']}")
    done = run_command(
        [str(BIN / "lakehouse"), "demo", "--data-dir", str(data), "--days", "2"],
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    commands = demo_commands(done.stdout)
    assert commands["ui"].endswith(" dagster dev -m lakehouse_assets.definitions")
    settings = command_settings(commands["ui"])
    assert settings == command_settings(commands["status"])
    assert settings["DAGSTER_HOME"] == str(data / "dagster_home")
    assert settings["LAKEHOUSE_DATA_ROOT"] == str(data)
    assert (Path(settings["LAKEHOUSE_PROJECT_DIR"]) / "config.json").is_file()

    status = run_command(["bash", "-c", commands["status"]], env=env, cwd=tmp_path)
    assert status.returncode == 0, status.stderr[-3000:]
    rows = {line.split()[0]: line for line in status.stdout.splitlines()[1:]}
    assert len(rows) == 11 and "note:" not in status.stdout, status.stdout
    for key, line in rows.items():
        version, count, last = line.split()[1:4]
        assert version.isdigit() and int(count) > 0, line
        assert last == ("-" if key.startswith("gold/") else "2024-01-02"), line
        assert "succeeded" in line, line
    # the second day lands a corrupt event on purpose
    assert "quarantined_on_load: failed" in rows["bronze/shop/events_raw"]

    with DagsterInstance.from_ref(InstanceRef.from_dir(settings["DAGSTER_HOME"])) as instance:
        runs = sorted(
            (r.job_name, r.tags.get("dagster/partition"), r.status.value)
            for r in instance.get_runs()
        )
    assert runs == [
        ("bronze_silver_day", "2024-01-01", "SUCCESS"),
        ("bronze_silver_day", "2024-01-02", "SUCCESS"),
        ("gold_tables", None, "SUCCESS"),
    ]
