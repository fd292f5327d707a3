"""The `apply_migrations` Dagster job: plan every table, apply the safe steps (or only list
them with dry_run), report destructive ones, and apply GRANTs and column masks on Unity Catalog.

No `from __future__ import annotations`: Dagster reads the op's annotations at runtime.
"""

from dagster import Config, Failure, JobDefinition, MetadataValue, OpExecutionContext, job, op

from lakehouse_assets.contracts.project import Project
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.migrations.apply import apply_plan
from lakehouse_assets.migrations.plan import plan_project
from lakehouse_assets.security.plan import governance_plan

JOB_NAME, OP_NAME = "apply_migrations", "apply_safe_migrations"


class MigrationConfig(Config):
    dry_run: bool = False
    # Fail the run when some table needs a destructive change (CI gates on it).
    fail_on_destructive: bool = False


def migrations_job(
    project: Project, name: str = JOB_NAME, op_name: str = OP_NAME, spark_key: str = "spark"
) -> JobDefinition:
    """The names are this contract folder's (assets/names.py: unique per folder)."""

    @op(name=op_name, required_resource_keys={spark_key})
    def _apply(context: OpExecutionContext, config: MigrationConfig) -> None:
        spark: SparkResource = getattr(context.resources, spark_key)
        session, caps = spark.get_session(), spark.capabilities
        plans = plan_project(session, project, caps)
        done: list[str] = []
        for plan in plans:
            done += apply_plan(session, plan, caps, dry_run=config.dry_run)
        destructive = [f"{p.label}: {s.detail}" for p in plans for s in p.destructive]
        governance = governance_plan(project, caps)
        if governance.applied and not config.dry_run:
            for statement in governance.statements:
                session.sql(statement).collect()
        context.add_output_metadata(
            {
                "dry_run": config.dry_run,
                "safe_steps": MetadataValue.int(len(done)),
                "applied" if not config.dry_run else "would_apply": "\n".join(done) or "nothing",
                "destructive": "\n".join(destructive) or "none",
                "governance": governance.render(),
            }
        )
        context.log.info("\n".join(p.render() for p in plans))
        if destructive and config.fail_on_destructive:
            raise Failure("destructive changes need a person:\n" + "\n".join(destructive))

    @job(
        name=name,
        description="apply the safe schema migrations of every table "
        "(config dry_run: true to only list them)",
    )
    def _job() -> None:
        _apply()

    return _job
