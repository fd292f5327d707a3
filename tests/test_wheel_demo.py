"""The demo works from an installed wheel, not only from a checkout: the wheel carries the
demo contracts (lakehouse_assets/demo/contracts, a symlink to contracts/ that the build
follows), and `lakehouse demo` run from there, outside the repository, builds one day and
prints commands that open it."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import clean_environment, copy_sources, demo_commands, run_command

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


@pytest.mark.slow
def test_demo_runs_from_the_installed_wheel(tmp_path: Path):
    src = copy_sources(REPO, tmp_path / "src")
    pip = [PYTHON, "-m", "pip", "--disable-pip-version-check"]
    built = run_command(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(src)]
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (tmp_path / "dist").glob("lakehouse_assets-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    contracts = [p.relative_to(REPO) for p in (REPO / "contracts").rglob("*") if p.is_file()]
    assert contracts and all(f"lakehouse_assets/demo/{p}" in shipped for p in contracts)

    site = tmp_path / "site"
    installed = run_command(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)]
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"  # no checkout in the working directory either
    elsewhere.mkdir()
    env = clean_environment(
        PYTHONPATH=str(site), PATH=f"{site / 'bin'}:{clean_environment()['PATH']}"
    )
    where = run_command(
        [PYTHON, "-c", "import lakehouse_assets; print(lakehouse_assets.__file__)"],
        env=env,
        cwd=elsewhere,
    )
    assert Path(where.stdout.strip()).is_relative_to(site), (where.stdout, where.stderr)

    data = tmp_path / "demo"
    demo = run_command(
        [str(site / "bin" / "lakehouse"), "demo", "--data-dir", str(data), "--days", "1"],
        env=env,
        cwd=elsewhere,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "silver/shop/orders" in demo.stdout
    status_command = demo_commands(demo.stdout)["status"]
    packaged = site / "lakehouse_assets" / "demo" / "contracts"
    assert f"LAKEHOUSE_PROJECT_DIR={packaged}" in status_command
    status = run_command(["bash", "-c", status_command], env=env, cwd=elsewhere)
    assert status.returncode == 0, status.stderr[-3000:]
    orders = next(x for x in status.stdout.splitlines() if x.startswith("silver/shop/orders "))
    assert orders.split()[3] == "2024-01-01" and "succeeded" in orders, status.stdout
