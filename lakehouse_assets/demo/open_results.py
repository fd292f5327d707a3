"""Where a demo keeps its results and the commands that open them afterwards.

The demo writes into a folder of its own (its data root, with its Dagster instance inside), so
it never touches the user's `.lakehouse/` or instance; the commands point the UI and
`lakehouse status` at that folder and at the contracts it ran.
"""

from __future__ import annotations

import shlex
from importlib import resources
from pathlib import Path

INSTANCE_DIR = "dagster_home"  # the demo's DAGSTER_HOME, inside its data folder


def demo_contracts() -> Path:
    """The demo's contract folder. `lakehouse_assets/demo/contracts` is a symlink to the
    repository's `contracts/`: a checkout resolves it there, and a wheel carries the files
    (the build copies what the link points to)."""
    folder = resources.files("lakehouse_assets.demo") / "contracts"
    if not isinstance(folder, Path) or not (folder / "config.json").is_file():
        raise FileNotFoundError(
            f"the demo contracts are not at {folder}: reinstall lakehouse_assets from a wheel "
            "or a checkout (an unpacked install; the contracts are package data)"
        )
    return folder.resolve()


def demo_environment(data_dir: Path, project_dir: Path) -> dict[str, str]:
    """The settings under which the code location sees the demo's tables and runs."""
    return {
        "DAGSTER_HOME": str(data_dir / INSTANCE_DIR),
        "LAKEHOUSE_DATA_ROOT": str(data_dir),
        "LAKEHOUSE_PROJECT_DIR": str(project_dir),
    }


def open_commands(data_dir: Path, project_dir: Path) -> dict[str, str]:
    """Shell commands (sh, bash, zsh) that open the demo's results: "ui" and "status"."""
    settings = " ".join(
        f"{name}={shlex.quote(value)}"
        for name, value in demo_environment(data_dir, project_dir).items()
    )
    return {
        "ui": f"{settings} dagster dev -m lakehouse_assets.definitions",
        "status": f"{settings} lakehouse status",
    }


def render_open_commands(data_dir: Path, project_dir: Path) -> str:
    commands = open_commands(data_dir, project_dir)
    return "\n".join(
        [
            "open these results in the Dagster UI (then the URL it prints):",
            f"  {commands['ui']}",
            "or per table in the terminal:",
            f"  {commands['status']}",
        ]
    )
