"""End to end in a real browser: dagster-webserver on loopback against the demo, driven by
headless Debian Chromium through Playwright. Checks the asset graph and the checks, launches a
materialization of one bronze partition from the UI, and waits for it to succeed.
A screenshot is saved to test-artifacts/. Chromium comes from the system (`.ci/run` installs
Debian's `chromium`); without it the test skips, saying so. The webserver and the browser are
stopped by their ids (tests.helpers.stop_process) even when the test fails."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import (
    clean_environment,
    command_settings,
    delta_rows,
    demo_commands,
    descendants,
    free_port,
    run_command,
    stop_process,
    table_path,
)

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCATION = "__repository__@lakehouse_assets.definitions"
BIN = Path(sys.executable).parent  # the CLIs of the interpreter running the tests
# Buttons that close the pop-ups a fresh instance opens on a timer ("Join the Dagster community"
# has Skip); anything else is closed with Escape.
POPUP_CLOSERS = re.compile(r"^(Skip|Dismiss|Close|Got it|No thanks|Not now|Maybe later)$", re.I)
UI_WAIT_MS = 180_000  # bounds, not expectations: a loaded machine renders slowly


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium is not installed ({CHROMIUM}): install the Debian package chromium, "
            "as .ci/run does"
        )
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' (playwright)")
    return CHROMIUM


@pytest.fixture
def webserver(demo_project, demo_landing, tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    # Runs launched from the UI start at once (no daemon in a test).
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\nrun_coordinator:\n  module: dagster._core.run_coordinator\n"
        "  class: DefaultRunCoordinator\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(home), "LAKEHOUSE_PROJECT_DIR": str(demo_project.root)}
    with _serving(env, tmp_path / "webserver.log") as url:
        yield url, home


@contextlib.contextmanager
def _serving(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """dagster-webserver on loopback in this environment: its URL. Stopped by its id after."""
    port = free_port()
    with log_path.open("w") as log:
        # Its own process group: its code server and run workers are stopped with it.
        proc = subprocess.Popen(
            [
                str(BIN / "dagster-webserver"),
                "-m",
                "lakehouse_assets.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(proc, url, log_path, deadline_s=300)
            yield url
        finally:
            stop_process(proc, grace_s=60)


def _wait_until_serving(proc: subprocess.Popen, url: str, log: Path, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"dagster-webserver exited: {log.read_text()[-3000:]}"
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/server_info", timeout=5) as answer,
        ):
            if answer.status == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"dagster-webserver did not serve within {deadline_s} s: {log.read_text()}")


@contextlib.contextmanager
def _browser(playwright) -> Iterator:
    """Chromium through Playwright, its processes stopped by id afterwards whatever happened."""
    before = {pid for pid, _ in descendants(os.getpid())}
    browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
    mine = [
        pid
        for pid, name in descendants(os.getpid())
        if pid not in before and "chrom" in name.lower()
    ]
    try:
        yield browser
    finally:
        with contextlib.suppress(Exception):  # a browser already gone has nothing to close
            browser.close()
        for pid in mine:
            stop_process(pid, grace_s=10)


def _runs(home: Path):
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        return [
            (
                r.status.value,
                r.tags.get("dagster/partition"),
                sorted(k.to_user_string() for k in r.asset_selection or []),
            )
            for r in instance.get_runs()
        ]


def test_ui_shows_assets_and_launches_a_partition(webserver, demo_project):
    from playwright.sync_api import sync_playwright

    url, home = webserver
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p, _browser(p) as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(UI_WAIT_MS)  # clicks wait out overlays still animating in
        # A fresh instance's "Join the Dagster community" pop-up opens on a timer, over whatever
        # is on screen (the launch dialog too): dismissed whenever it shows up before an action.
        page.add_locator_handler(
            page.get_by_text("Join the Dagster community"),
            lambda _: page.get_by_role("button", name="Skip").click(),
        )
        expected = {
            "bronze": ["customers_raw", "orders_raw", "products_raw", "events_raw"],
            "silver": ["customers", "customers_history", "orders", "products", "events"],
            "gold": ["daily_revenue", "customer_engagement"],
        }
        for group, names in expected.items():
            page.goto(f"{url}/locations/{LOCATION}/asset-groups/{group}/lineage")
            page.get_by_text(names[0], exact=True).first.wait_for(timeout=UI_WAIT_MS)
            text = page.inner_text("body")
            assert all(n in text for n in names), (group, text[:2000])
            assert "Asset checks" in text
        page.screenshot(path=str(ARTIFACTS / "ui_silver_graph.png"))

        page.goto(f"{url}/assets/bronze/shop/orders_raw?view=checks")
        page.get_by_text("positive_quantity").first.wait_for(timeout=UI_WAIT_MS)
        checks = page.inner_text("body")
        assert all(c in checks for c in ("positive_quantity", "row_accounting", "schema_migration"))

        page.get_by_role("button", name="Materialize").first.click()
        page.get_by_text("Show all partitions").click()
        partition_box = page.locator("[role=dialog] input[type=text]").first
        partition_box.fill("2024-01-02")
        partition_box.press("Enter")
        page.get_by_role("button", name="Launch 1 run").click()

        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not any(r[0] == "SUCCESS" for r in _runs(home)):
            assert not any(r[0] == "FAILURE" for r in _runs(home)), _runs(home)
            time.sleep(2)
        runs = _runs(home)
        assert runs == [("SUCCESS", "2024-01-02", ["bronze/shop/orders_raw"])], runs
        page.goto(f"{url}/runs")
        page.get_by_text("Success").first.wait_for(timeout=UI_WAIT_MS)
        page.screenshot(path=str(ARTIFACTS / "ui_run_succeeded.png"))

    rows = delta_rows(table_path(demo_project, "bronze/shop/orders_raw"))
    assert rows and {str(r["_ingested_date"]) for r in rows} == {"2024-01-02"}


def _dismiss_popups(page) -> None:
    """Whatever dialog shows up (the test opens none of its own) is closed before the next
    action or auto-waiting assertion: by its closing button, else Escape."""
    dialog = page.locator("[role=dialog]").first

    def close(_) -> None:
        button = dialog.get_by_role("button", name=POPUP_CLOSERS)
        if button.count():
            button.first.click()
        else:
            page.keyboard.press("Escape")

    page.add_locator_handler(dialog, close)


def test_ui_opens_the_demos_results(tmp_path: Path):
    """After `lakehouse demo`, the UI on the demo's instance (the settings its printed `dagster
    dev` command gives) shows the materialized partitions, the row count, check results and
    the runs under their job names."""
    from playwright.sync_api import expect, sync_playwright

    _chromium()
    data = tmp_path / "demo"
    env = clean_environment()
    done = run_command(
        [str(BIN / "lakehouse"), "demo", "--data-dir", str(data), "--days", "2"], env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    settings = command_settings(demo_commands(done.stdout)["ui"])
    orders = len(delta_rows(data / "bronze" / "shop" / "orders_raw"))
    ARTIFACTS.mkdir(exist_ok=True)
    with (
        _serving({**env, **settings}, tmp_path / "webserver.log") as url,
        sync_playwright() as p,
        _browser(p) as browser,
    ):
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(UI_WAIT_MS)
        _dismiss_popups(page)

        # Each wait is for what the assertion needs (parts of a page load separately).
        page.goto(f"{url}/assets/bronze/shop/orders_raw")
        body = page.locator("body")
        row_count = re.compile(rf"Row count\s+{orders:,}\b")
        expect(body).to_contain_text(row_count, use_inner_text=True, timeout=UI_WAIT_MS)
        page.screenshot(path=str(ARTIFACTS / "ui_demo_orders_raw.png"))

        page.goto(f"{url}/assets/silver/shop/orders?view=partitions")
        expect(page.get_by_text("Materialized (2)").first).to_be_visible(timeout=UI_WAIT_MS)

        page.goto(f"{url}/assets/bronze/shop/events_raw?view=checks")
        expect(page.get_by_text("quarantined_on_load").first).to_be_visible(timeout=UI_WAIT_MS)
        for result in ("Failed", "Succeeded"):  # day 2 lands a corrupt event on purpose
            expect(page.get_by_text(result, exact=True).first).to_be_visible(timeout=UI_WAIT_MS)
        page.screenshot(path=str(ARTIFACTS / "ui_demo_checks.png"))

        page.goto(f"{url}/runs")
        expect(page.get_by_text("gold_tables", exact=True)).to_have_count(1, timeout=UI_WAIT_MS)
        expect(page.get_by_text("bronze_silver_day", exact=True)).to_have_count(2)
        expect(page.get_by_text("Success", exact=True)).to_have_count(3)
        page.screenshot(path=str(ARTIFACTS / "ui_demo_runs.png"))
