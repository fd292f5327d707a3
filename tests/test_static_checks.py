"""The code's own checks, run by the README's test command: pyright finds no type error in the
package, and ruff finds no lint error and nothing to reformat in the package, tests and bench."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import run_command

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def test_pyright_finds_no_errors():
    done = run_command(
        [_tool("pyright"), "--pythonpath", sys.executable, "lakehouse_assets"],
        timeout_s=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"(^|\s)0 errors", done.stdout), done.stdout[-4000:]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command: list[str]):
    done = run_command([_tool("ruff"), *command, "lakehouse_assets", "tests", "bench"], cwd=ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
