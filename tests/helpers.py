"""Helpers for tests: run assets through Dagster, read Delta tables back as Python rows."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetsDefinition, DagsterInstance, materialize

from lakehouse_assets.assets.factory import build_assets
from lakehouse_assets.assets.run_config import QUIET
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.contracts.project import Project

DAGSTER = str(Path(sys.executable).parent / "dagster")  # the CLI of the interpreter running tests


def run_assets(
    project: Project,
    spark_resource: Any,
    keys: list[str],
    partition: str | None = None,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
    tags: dict[str, str] | None = None,
) -> Any:
    """`tags`: the run's, e.g. a sensor request's (a streaming run appends with them)."""
    defs = build_definitions(str(project.root), spark=spark_resource)
    assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]
    selection = [a.key for a in assets if a.key.to_user_string() in keys]
    assert len(selection) == len(keys), f"unknown keys among {keys}"
    return materialize(
        assets,
        selection=selection,
        partition_key=partition,
        resources=dict(defs.resources or {}),
        instance=instance,
        run_config=QUIET,
        raise_on_error=raise_on_error,
        tags=tags,
    )


def free_port() -> int:
    """A free TCP port on loopback for a server a test starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def delta_rows(path: str | Path, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """A Delta table's rows through delta-rs: an independent reader of what the engine wrote."""
    from deltalake import DeltaTable

    table = DeltaTable(str(path)).to_pyarrow_table(columns=columns)
    return table.to_pylist()


def table_path(project: Project, key: str) -> Path:
    layer, schema, name = key.split("/")
    return Path(project.environment.paths[layer]) / schema / name


def stop_process(
    proc: subprocess.Popen | int, grace_s: float = 30.0, kill_wait_s: float = 30.0
) -> None:
    """Stop a process a test started, by its own id: SIGTERM, up to grace_s for it to end, then
    SIGKILL and up to kill_wait_s; raises if it survives that. One started with
    start_new_session=True leads its own group and is stopped with it (a server's workers go
    too). Call it from a `finally` or after a fixture's `yield`, so a failing test stops it too."""
    pid = proc if isinstance(proc, int) else proc.pid
    group = _leads_group(pid)
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, kill_wait_s)):
        if not _send(proc, group, sig) or _ended(proc, group, wait_s):
            return
    raise RuntimeError(f"process {pid} outlived SIGKILL by {kill_wait_s} s")


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command name) of every live process below pid (Linux /proc)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for stat in _stats():
        children.setdefault(stat[1], []).append((stat[0], stat[3]))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def _stats() -> list[tuple[int, int, int, str]]:
    """(pid, parent, group, name) of every process that is not a zombie."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        state, parent, group = text[text.rindex(")") + 2 :].split()[:3]
        if state != "Z":
            out.append((int(entry.name), int(parent), int(group), name))
    return out


def _leads_group(pid: int) -> bool:
    """It leads a group of its own (never ours), or did and left members behind."""
    try:
        return os.getpgid(pid) == pid != os.getpgid(0)
    except ProcessLookupError:
        return pid != os.getpgid(0) and any(stat[2] == pid for stat in _stats())


def _send(proc: subprocess.Popen | int, group: bool, sig: int) -> bool:
    """Signal it (its group if it leads one); False when there is nothing left to signal."""
    pid = proc if isinstance(proc, int) else proc.pid
    try:
        if group:
            os.killpg(pid, sig)
        elif isinstance(proc, int):
            os.kill(pid, sig)
        elif proc.poll() is None:
            proc.send_signal(sig)  # not os.kill: Popen knows if its pid was reaped and reused
        else:
            return False
    except ProcessLookupError:
        return False
    return True


def _ended(proc: subprocess.Popen | int, group: bool, wait_s: float) -> bool:
    """Polls until the process (and its group) is gone or wait_s passes; reaps a child."""
    pid = proc if isinstance(proc, int) else proc.pid
    deadline = time.monotonic() + wait_s
    while True:
        if not isinstance(proc, int):
            proc.poll()  # reap it, or its zombie would count as alive
        alive = {s[0] for s in _stats() if s[0] == pid or (group and s[2] == pid)}
        if not alive:
            if not isinstance(proc, int):
                proc.wait(timeout=10)  # it may have died after the poll above: reap it now
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def run_command(
    args: list[str], timeout_s: float = 600.0, **popen: Any
) -> subprocess.CompletedProcess[str]:
    """subprocess.run for the processes tests start (CLIs, python -c): output captured as text, a
    generous bound (slow machines pass; a hang fails), and the process with any workers it
    started stopped by stop_process whatever happens."""
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stop_process(proc)
        out, err = proc.communicate()
        raise AssertionError(f"{args} ran over {timeout_s} s; stderr: {err[-3000:]}") from None
    finally:
        stop_process(proc)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def dagster_env(project_dir: Path, home: Path) -> dict[str, str]:
    """The environment of a `dagster` command on this contract folder, with its own
    DAGSTER_HOME (telemetry off)."""
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {**os.environ, "LAKEHOUSE_PROJECT_DIR": str(project_dir), "DAGSTER_HOME": str(home)}


def materialize_command(select: str, partition: str) -> list[str]:
    """`dagster asset materialize` of these assets' partition from the code location."""
    command = [DAGSTER, "asset", "materialize", "-m", "lakehouse_assets.definitions"]
    return [*command, "--select", select, "--partition", partition]


# What a Spark Connect client in this process sets: a child classic Spark (ours, DKOps',
# spark-submit) or a CLI run must not take itself for a Connect client.
CONNECT_CLIENT_MARKERS = ("SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE", "SPARK_LOCAL_REMOTE")


def without_connect_client(env: dict[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's environment) minus the Connect client's markers."""
    source = os.environ if env is None else env
    return {k: v for k, v in source.items() if k not in CONNECT_CLIENT_MARKERS}


def environment(
    name: str = "local", short: str = "l", layers: tuple[str, ...] = ("bronze", "silver", "gold")
) -> dict[str, Any]:
    """A config.json environment whose catalogs and paths are named after the layers, with
    landing and ops paths beside them (relative: resolved under the data root)."""
    return {
        "env": name,
        "env_short": short,
        "catalogs": {layer: layer for layer in layers},
        "paths": {p: p for p in ("landing", *layers, "ops")},
    }


def orders_pipeline(columns: list[dict[str, Any]]) -> dict[str, str]:
    """Contract files of bronze shop.orders_raw (JSON landing) -> silver shop.orders
    (full_merge on order_id, ordered by updated_at), with these columns in both."""
    import json

    def table(layer: str, name: str) -> str:
        return json.dumps(
            {"catalog": f"{{catalog.{layer}}}", "schema": "shop", "name": name, "columns": columns}
        )

    return {
        "tables/bronze/orders_raw.json": table("bronze", "orders_raw"),
        "tables/silver/orders.json": table("silver", "orders"),
        "ingestion/batch/orders.json": json.dumps(
            {
                "name": "orders",
                "ingest_type": "batch",
                "load_type": "incremental",
                "source": {"format": "json", "path": "{path.landing}/orders"},
                "destination_contract": "../../tables/bronze/orders_raw.json",
            }
        ),
        "ingestion/silver/orders.json": json.dumps(
            {
                "name": "orders",
                "strategy": "full_merge",
                "merge_keys": ["order_id"],
                "watermark_col": "updated_at",
                "source_contract": "../../tables/bronze/orders_raw.json",
                "destination_contract": "../../tables/silver/orders.json",
            }
        ),
    }


DG = str(Path(sys.executable).parent / "dg")  # dagster-dg-cli of the interpreter running tests


def dg_project(root: Path, package: str, components: dict[str, str]) -> Path:
    """A dg project at root: pyproject.toml ([tool.dg]), `package` with a definitions.py that
    loads its defs folder, and each `components` entry (folder -> defs.yaml text) in it.
    `package` must be a fresh module name: tests import it."""
    (root / "pyproject.toml").parent.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{package}"\nversion = "0"\n\n'
        f'[tool.dg]\ndirectory_type = "project"\n\n'
        f'[tool.dg.project]\nroot_module = "{package}"\n'
    )
    defs = root / package / "defs"
    defs.mkdir(parents=True, exist_ok=True)
    (root / package / "__init__.py").write_text("")
    (defs / "__init__.py").write_text("")
    (root / package / "definitions.py").write_text(
        "from pathlib import Path\n\nimport dagster as dg\n\n"
        "defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)\n"
    )
    for folder, text in components.items():
        (defs / folder).mkdir(parents=True, exist_ok=True)
        (defs / folder / "defs.yaml").write_text(text, encoding="utf-8")
    return root


def demo_commands(stdout: str) -> dict[str, str]:
    """The commands `lakehouse demo` prints to open its results: "ui" and "status" (each the
    line after its heading)."""
    lines = stdout.splitlines()
    found = {}
    for heading, name in (
        ("open these results in the Dagster UI", "ui"),
        ("or per table", "status"),
    ):
        at = next(i for i, line in enumerate(lines) if line.startswith(heading))
        found[name] = lines[at + 1].strip()
    return found


def command_settings(command: str) -> dict[str, str]:
    """The NAME=value assignments a shell command line starts with."""
    import shlex

    settings = {}
    for word in shlex.split(command):
        name, equals, value = word.partition("=")
        if not equals or not name.isidentifier():
            break
        settings[name] = value
    return settings


def copy_sources(repo: Path, dest: Path) -> Path:
    """What a build of the package reads, copied (setuptools writes build/ and *.egg-info beside
    the sources, and the checkout must stay as it is)."""
    import shutil

    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(repo / name, dest / name)
    for name in ("lakehouse_assets", "contracts"):
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(repo / name, dest / name, symlinks=True, ignore=ignore)
    return dest


def clean_environment(**extra: str) -> dict[str, str]:
    """os.environ without the lakehouse's and Dagster's settings: a command run with it proves
    that what it needs is on its own command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAKEHOUSE_", "DAGSTER_"))}
    return {**env, **extra}


def wait_until_listening(
    proc: subprocess.Popen, port: int, deadline_s: float, what: str, log: Path | None = None
) -> None:
    """Polls 127.0.0.1:port until the server `proc` started listens; fails (with the tail of
    its log) if it exits first or deadline_s passes. Generous deadlines: a JVM on a busy
    2-core machine takes tens of seconds."""
    import socket

    def tail() -> str:
        return log.read_text(errors="replace")[-3000:] if log and log.exists() else ""

    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}: {tail()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not listen on {port} within {deadline_s} s: {tail()}")


@contextlib.contextmanager
def serving(
    args: list[str],
    port: int,
    log: Path,
    what: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    deadline_s: float = 120.0,
) -> Iterator[str]:
    """http://127.0.0.1:port of the server `args` starts (output to `log`), once it listens;
    stopped by its own pid on exit, even when the test fails."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
    try:
        wait_until_listening(proc, port, deadline_s, what, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)
