"""One loaded Project per (folder, environment, data root) and process."""

from __future__ import annotations

from functools import lru_cache

from lakehouse_assets.contracts.environment import data_root
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.project_loader import default_project_dir, load_project_or_raise


@lru_cache(maxsize=16)
def _cached(project_dir: str, env: str | None, root: str) -> Project:
    return load_project_or_raise(project_dir, env)


def get_project(project_dir: str | None = None, env: str | None = None) -> Project:
    return _cached(str(project_dir or default_project_dir()), env, str(data_root()))
