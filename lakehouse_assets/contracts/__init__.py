"""Contracts are data: models, loading, placeholder resolution and validation. Loading a folder
needs the strategies and gold builders above this package: use lakehouse_assets.project_loader."""

from lakehouse_assets.contracts.errors import ContractError, ContractIssue
from lakehouse_assets.contracts.project import Project, TableAsset

__all__ = ["ContractError", "ContractIssue", "Project", "TableAsset"]
