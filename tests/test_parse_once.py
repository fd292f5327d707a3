"""A run parses its landing files once: the judged records are computed into the run's scratch
folder, and the rules, the quarantine, the counts and the write read that copy. Proof: the
parse computes once, the landing files are deleted as soon as the parse returns (line numbers
of rejected rows included), and the run still loads every row and quarantines the bad one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import lakehouse_assets.assets.bronze as bronze
import lakehouse_assets.ingest.parse as parse
from tests.helpers import delta_rows, run_assets, table_path
from tests.strategy_lab import day, make_project

KEY = "bronze/lab/ev_raw"


def test_a_bronze_run_parses_its_landing_files_once(
    tmp_path, data_root, spark_resource, monkeypatch
):
    project = make_project(tmp_path / "contracts", "full_merge")
    landing = Path(project.environment.paths["landing"]) / "ev"
    folder = landing / f"dt={day(0)}"
    folder.mkdir(parents=True)
    rows = [{"k": k, "seq": 1, "v": f"v{k}", "op_type": "I"} for k in range(5)]
    rows.append({"k": 9, "seq": "not a number", "v": "x", "op_type": "I"})  # quarantined
    (folder / "part-0.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    staged_landing = Path(project.environment.paths["ops"]) / "staged_landing"
    parses = []
    real_once, real_parse = parse.computed_once, bronze.parse_landing

    def counted(df, scratch, name):
        parses.append(name)
        return real_once(df, scratch, name)

    def then_delete_the_landing_files(*args, **kwargs):
        parsed = real_parse(*args, **kwargs)
        shutil.rmtree(landing)  # any later read of the landing files now fails the run
        shutil.rmtree(staged_landing, ignore_errors=True)
        return parsed

    monkeypatch.setattr(parse, "computed_once", counted)
    monkeypatch.setattr(bronze, "parse_landing", then_delete_the_landing_files)
    result = run_assets(project, spark_resource, [KEY], day(0))
    assert parses == ["judged"]
    loaded = delta_rows(table_path(project, KEY), ["k"])
    assert sorted(r["k"] for r in loaded) == [0, 1, 2, 3, 4]
    quarantined = delta_rows(str(table_path(project, KEY)) + "_quarantine")
    assert [q["k"] for q in quarantined] == ["9"]
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["row_accounting"].passed
    scratch = Path(project.environment.paths["ops"]) / "run_scratch"
    assert not scratch.exists() or not any(scratch.iterdir())  # removed after the run


def test_scratch_left_by_a_killed_run_is_swept(tmp_path, data_root):
    import os
    import time

    from lakehouse_assets.assets.run_scratch import STALE_SCRATCH_S, run_scratch

    project = make_project(tmp_path / "contracts", "full_merge")
    root = Path(project.environment.paths["ops"]) / "run_scratch"
    killed, running = root / "killed-run", root / "running-run"
    for folder in (killed, running):
        (folder / "bronze__lab__ev_raw").mkdir(parents=True)
    old = time.time() - STALE_SCRATCH_S - 60
    os.utime(killed, (old, old))
    with run_scratch(project, "this-run", project.asset(KEY)) as scratch:
        assert scratch.is_dir()
    assert sorted(p.name for p in root.iterdir()) == ["running-run"]
