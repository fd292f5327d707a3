"""config.json: the environments a contract folder can run in."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

LAYERS = ("landing", "bronze", "silver", "gold", "ops")


class Environment(BaseModel):
    model_config = ConfigDict(extra="allow")

    env: str
    env_short: str = ""
    catalogs: dict[str, str] = Field(default_factory=dict)
    paths: dict[str, str] = Field(default_factory=dict)


class ProjectConfig(BaseModel):
    """The DKOps config.json, plus optional keys of ours (all have defaults)."""

    model_config = ConfigDict(extra="allow")

    EXECUTION_ENVIRONMENT: str = "local"
    environments: dict[str, Environment]
    # First daily partition of bronze and silver assets.
    PARTITION_START_DATE: str = "2024-01-01"
    # Modules imported at load so that their @gold_builder functions register.
    PYTHON_MODULES: list[str] = Field(default_factory=list)


def data_root() -> Path:
    """Where relative environment paths point: $LAKEHOUSE_DATA_ROOT, else ./.lakehouse."""
    return Path(os.environ.get("LAKEHOUSE_DATA_ROOT", Path.cwd() / ".lakehouse")).resolve()


def absolute_path(path: str, root: Path) -> str:
    """A relative path is taken under `root`; absolute paths and URLs stay as they are."""
    return path if ("://" in path or Path(path).is_absolute()) else str(root / path)


def absolute_paths(env: Environment, root: Path) -> Environment:
    """Relative paths in config.json are taken under `root` (default data_root()), so a demo
    can move."""
    paths = {k: absolute_path(v, root) for k, v in env.paths.items()}
    return env.model_copy(update={"paths": paths})
