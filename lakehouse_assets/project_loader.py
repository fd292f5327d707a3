"""Load a contract folder with the strategies and gold builders that validate it."""

from __future__ import annotations

from lakehouse_assets.contracts.loader import (
    default_project_dir,
    load_project,
    load_project_or_raise,
)

__all__ = ["default_project_dir", "load_project", "load_project_or_raise"]
