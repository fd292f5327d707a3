"""Errors a run can meet that are not bugs -> a `dagster.Failure` a user can act on.

One place turns them into a one-line description (what failed, the error's first line) with
the original text in the metadata, so no run ends in a bare engine stack trace. The original
stays chained (`from exc`), so Dagster still records its traceback. Anything else (TypeError,
KeyError...) is a bug in this package and keeps its own trace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from dagster import Failure
from dagster import MetadataValue as MV

from lakehouse_assets.storage.options import scrub

MAX_LINE = 300


def _explainable() -> tuple[type[BaseException], ...]:
    """Engine, Delta and our own value errors; imported late: loading stays engine-free."""
    from deltalake.exceptions import DeltaError

    # RuntimeError covers our set-up messages (and NotImplementedError); ValueError covers
    # pyarrow's ArrowInvalid and the contract checks that run at materialization time.
    errors: tuple[type[BaseException], ...] = (DeltaError, ValueError, RuntimeError, OverflowError)
    try:
        from pyspark.errors import PySparkException
    except ImportError:  # no engine extra installed: the set-up error says which to install
        return errors
    return (PySparkException, *errors)


def first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    line = lines[0] if lines else type(exc).__name__
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."


def failure_from(label: str, exc: BaseException) -> Failure:
    """No storage secret (a configured option, AWS_SECRET_ACCESS_KEY...) reaches the event."""
    line = scrub(first_line(exc))
    return Failure(
        description=line if line.startswith(f"{label}:") else f"{label}: {line}",
        metadata={"error": MV.text(scrub(str(exc))), "error_type": type(exc).__name__},
    )


@contextlib.contextmanager
def explained_failures(label: str) -> Iterator[None]:
    """Run a block of an asset (body, write, load); an engine or value error becomes a Failure
    described as `<label>: <first line of the error>`."""
    try:
        yield
    except Failure:
        raise
    except _explainable() as exc:
        raise failure_from(label, exc) from exc
