"""The package type-checks with pyright: zero errors (run by the README's test command)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from tests.helpers import run_command

ROOT = Path(__file__).resolve().parents[1]


def test_pyright_finds_no_errors():
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent)) or "pyright"
    done = run_command(
        [pyright, "--pythonpath", sys.executable, "lakehouse_assets"], timeout_s=600, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"(^|\s)0 errors", done.stdout), done.stdout[-4000:]
