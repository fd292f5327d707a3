"""An ingestion's `load_type` checked against the contracts around it, so it keeps its meaning.

Bronze writes every load type the same way (a day's files replace that day's partition), as
DKOps does: load_type says what the files hold, and the promotion reading bronze acts on it.
What can be checked before a run is whether the contracts agree with that promise.
"""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.errors import ContractIssue
from lakehouse_assets.contracts.extensions import PromotionRules
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.contracts.stream_trigger import trigger_issues

DEFAULT_OP_COL = "op_type"


def load_type_issues(project: Project, strategies: PromotionRules) -> list[ContractIssue]:
    issues: list[ContractIssue] = []
    for bronze in project.assets.values():
        if bronze.ingestion is None:
            continue
        file = _rel(project, bronze.producer_file)
        readers = [a for a in project.assets.values() if a.promotion and bronze.key in a.deps]
        if bronze.ingestion.load_type == "cdc":
            issues += _cdc_issues(project, file, bronze, readers, strategies.op_readers())
        issues += _streaming_issues(file, bronze)
        issues += trigger_issues(file, bronze.ingestion)
    return issues


def _cdc_issues(
    project: Project,
    file: Path,
    bronze: TableAsset,
    readers: list[TableAsset],
    op_readers: list[str],
) -> list[ContractIssue]:
    # Bronze keeps only the columns its contract declares, so an undeclared op column is lost
    # before any promotion could apply the I/U/D events.
    table = _rel(project, bronze.table.file)
    op_cols = sorted({r.promotion.op_col for r in readers if r.promotion}) or [DEFAULT_OP_COL]
    issues = [
        ContractIssue(
            file,
            "load_type",
            f"load_type 'cdc' needs the operation column "
            f"{col!r} (I/U/D) in the bronze table {table}",
            f'add {{"name": "{col}", "type": "STRING"}} to the columns of '
            f"{table}, or set load_type to 'incremental' or 'full'",
        )
        for col in op_cols
        if col not in bronze.contract.column_names
    ]
    for reader in readers:
        # A strategy reading no operation column would turn the batch's deletes into upserts.
        if reader.promotion and reader.promotion.strategy not in op_readers:
            issues.append(
                ContractIssue(
                    file,
                    "load_type",
                    f"load_type 'cdc' is promoted by "
                    f"{_rel(project, reader.producer_file)} with strategy "
                    f"{reader.promotion.strategy!r}, which reads no operation column: its deletes "
                    "become upserts",
                    f"use strategy {' or '.join(map(repr, op_readers))} there",
                    "warning",
                )
            )
    return issues


def _streaming_issues(file: Path, bronze: TableAsset) -> list[ContractIssue]:
    # DKOps also runs by ingest_type and treats load_type 'streaming' as a label, so such a
    # contract runs here as it does there (batch): a warning, not an error. The reverse
    # (ingest_type streaming, load_type incremental/full/cdc) is consistent: load_type says what
    # the files hold, ingest_type how they are read.
    ingestion = bronze.ingestion
    if (
        ingestion is None
        or ingestion.load_type != "streaming"
        or ingestion.ingest_type == "streaming"
    ):
        return []
    return [
        ContractIssue(
            file,
            "load_type",
            "load_type 'streaming' with ingest_type 'batch' "
            "runs as batch (a landing sensor every 60 s)",
            'set "ingest_type": "streaming" for available-now streaming, or '
            "load_type to 'incremental'",
            "warning",
        )
    ]


def _rel(project: Project, file: Path) -> Path:
    try:
        return file.relative_to(project.root)
    except ValueError:
        return file
