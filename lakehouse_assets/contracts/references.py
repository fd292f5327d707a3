"""A contract's path to another contract (source_contract, destination_contract), resolved to
the table it names; a path that is slightly off is forgiven when it matches one table."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.broken_files import BrokenFiles
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.project import LoadedTable, Project


def resolve_ref(
    project: Project, log: IssueLog, broken: BrokenFiles, file: Path, ref: str, field: str
) -> LoadedTable | None:
    """The table `ref` (relative to `file`) names; None after reporting why not, or silently
    when it names a broken file (whose own errors say what is wrong)."""
    by_file = {t.file: t for t in project.tables}
    target = (file.parent / ref).resolve()
    if not target.is_relative_to(log.root):  # `..` past the folder: never read it
        log.add(
            file,
            field,
            f"{ref} points outside the contract folder",
            "keep contracts in the folder; paths are relative to the contract file",
        )
        return None
    if target in by_file:
        return by_file[target]
    if broken.wait_for(target, file):
        return None
    if target.is_file():
        log.add(file, field, f"{ref} is not a table contract", "point it at a file with 'columns'")
        return None
    return _nearest(by_file, log, file, ref, field, target)


def _nearest(
    by_file: dict[Path, LoadedTable], log: IssueLog, file: Path, ref: str, field: str, target: Path
) -> LoadedTable | None:
    """A missing path whose tail matches exactly one table file: that one, with a warning."""
    tail = "/".join(p for p in Path(ref).parts if p not in ("..", "."))
    matches = [t for f, t in by_file.items() if f.as_posix().endswith("/" + tail)]
    if len(matches) == 1:
        log.add(
            file,
            field,
            f"{ref} does not exist relative to this file; using {log.rel(matches[0].file)}",
            "make the path relative to the contract file",
            severity="warning",
        )
        return matches[0]
    if len(matches) > 1:
        names = ", ".join(str(log.rel(m.file)) for m in matches)
        log.add(
            file,
            field,
            f"{ref} is ambiguous: it matches {names}",
            "give the path relative to this contract file",
        )
        return None
    log.add(
        file,
        field,
        f"broken relative path: {ref} (looked for {target})",
        "paths are relative to the contract file, e.g. ../../tables/bronze/x.json",
    )
    return None
