"""Whether the engine in use can read a bronze source's file format: a contract error at
validate time (`lakehouse validate` checks the configured engine), a clear failure at run time."""

from __future__ import annotations

from lakehouse_assets.contracts.errors import ContractIssue
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities


def format_problem(asset: TableAsset, capabilities: Capabilities) -> str | None:
    if asset.ingestion is None:
        return None
    fmt = asset.ingestion.source.format
    if fmt in capabilities.file_formats or fmt == "kafka":  # topics are read by a client
        return None
    return (
        f"the {capabilities.engine} engine cannot read {fmt} files (it reads "
        f"{', '.join(sorted(capabilities.file_formats))})"
    )


def unreadable_sources(project: Project, capabilities: Capabilities) -> list[ContractIssue]:
    issues = []
    for asset in project.assets.values():
        problem = format_problem(asset, capabilities)
        if problem:
            file = (
                asset.producer_file.relative_to(project.root)
                if asset.producer_file.is_relative_to(project.root)
                else asset.producer_file
            )
            issues.append(
                ContractIssue(
                    file,
                    "source.format",
                    problem,
                    "convert the landing files to a format it reads, or "
                    "run on an engine that reads them (LAKEHOUSE_SPARK_MODE)",
                )
            )
    return issues


def require_readable(asset: TableAsset, capabilities: Capabilities) -> None:
    problem = format_problem(asset, capabilities)
    if problem:
        raise ValueError(
            f"{asset.producer_file.name}: source.format: {problem}; convert the "
            "landing files or run on an engine that reads them"
        )
