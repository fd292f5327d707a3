"""Contracts are data: models, loading, placeholder resolution and validation."""

from lakehouse_assets.contracts.errors import ContractError, ContractIssue
from lakehouse_assets.contracts.loader import load_project
from lakehouse_assets.contracts.project import Project, TableAsset

__all__ = ["ContractError", "ContractIssue", "Project", "TableAsset", "load_project"]
