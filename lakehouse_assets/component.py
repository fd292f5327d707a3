"""`LakehouseComponent`: one contract folder as a Dagster Component declared in a `defs.yaml`,
so `dg dev`, `dg check defs`, `dg list defs` and `dg scaffold defs` apply, and several folders
(domains) live in one code location, each under its own `resource_prefix`.

A field left unset falls back to what `build_definitions()` reads (LAKEHOUSE_PROJECT_DIR,
LAKEHOUSE_ENV, LAKEHOUSE_DATA_ROOT, LAKEHOUSE_SPARK_MODE, LAKEHOUSE_CONNECT_URL, DATABRICKS_*):
the repo's own defs.yaml sets none, so those variables keep working. A path that is set is
relative to the defs.yaml's folder. The standard `post_processing` key of defs.yaml applies on
top (Dagster runs it on every component's definitions).
"""

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from dagster import (
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    Component,
    ComponentLoadContext,
    Definitions,
    EnvVar,
    Model,
    PartitionsDefinition,
    ResolutionContext,
    Resolvable,
    Resolver,
    Scaffolder,
    ScaffoldRequest,
    scaffold_with,
)
from dagster.components.resolved.core_models import (
    MultiRunBackfillPolicyModel,
    SingleRunBackfillPolicyModel,
    resolve_backfill_policy,
)
from dagster.components.resolved.errors import ResolutionException
from dagster.components.utils.translation import TranslationFn, TranslationFnResolver
from pydantic import BaseModel, ConfigDict, Field

from lakehouse_assets.assets.partitions import daily_partitions
from lakehouse_assets.assets.translator import ContractTranslator
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.contracts.project import AssetKeyPath, Project, TableAsset
from lakehouse_assets.engine.resource import Mode, SparkResource
from lakehouse_assets.tables.location import TableLocation

# `{{ env.NAME }}` or `{{ env('NAME') }}`, the whole value: such a setting stays an EnvVar, so
# the UI shows the variable's name, never its value.
_ENV_TEMPLATE = re.compile(
    r"""^\s*\{\{\s*env(?:\.(?P<dot>\w+)|\(\s*['"](?P<call>\w+)['"]\s*\))\s*\}\}\s*$"""
)


def _env_name(raw: Any) -> str | None:
    match = _ENV_TEMPLATE.match(raw) if isinstance(raw, str) else None
    return (match.group("dot") or match.group("call")) if match else None


def _env_setting(context: ResolutionContext, raw: Any) -> EnvVar | str | None:
    """An env template becomes an EnvVar (None while unset, so the resource names what is
    missing); anything else resolves as usual."""
    name = _env_name(raw)
    if name is None:
        return context.resolve_value(raw, as_type=str)
    return EnvVar(name) if context.resolve_value(raw, as_type=str) else None


def _secret(context: ResolutionContext, raw: Any) -> EnvVar | None:
    """A secret written in the file would live in git and in the UI's run config."""
    if raw is not None and _env_name(raw) is None:
        raise ResolutionException(
            f"{'.'.join(map(str, context.path))}: a secret cannot be written in defs.yaml; "
            "read it from the environment, e.g. '{{ env.DATABRICKS_TOKEN }}'"
        )
    setting = _env_setting(context, raw)
    return setting if isinstance(setting, EnvVar) else None


class EngineSettings(Resolvable, Model):
    """The Spark resource (engine/resource.py); unset: LAKEHOUSE_SPARK_MODE and friends."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)  # EnvVar stays one

    mode: Mode = "local"
    connect_url: str | None = None
    connect_profile: Literal["sail", "spark", "databricks"] = "sail"
    databricks_host: Annotated[
        EnvVar | str | None,
        Resolver(_env_setting, model_field_type=str, inject_before_resolve=False),
    ] = None
    databricks_token: Annotated[
        EnvVar | None,
        Resolver(
            _secret,
            model_field_type=str,
            inject_before_resolve=False,
            description="only as '{{ env.NAME }}': never a literal secret",
        ),
    ] = None
    databricks_profile: Annotated[
        EnvVar | str | None,
        Resolver(_env_setting, model_field_type=str, inject_before_resolve=False),
    ] = None
    databricks_cluster_id: Annotated[
        EnvVar | str | None,
        Resolver(_env_setting, model_field_type=str, inject_before_resolve=False),
    ] = None
    databricks_serverless: bool = False

    def resource(self) -> SparkResource:
        return SparkResource(
            mode=self.mode,
            connect_url=self.connect_url,
            connect_profile=self.connect_profile,
            databricks_host=self.databricks_host,
            databricks_token=self.databricks_token,
            databricks_profile=self.databricks_profile,
            databricks_cluster_id=self.databricks_cluster_id,
            databricks_serverless=self.databricks_serverless,
        )


def translation_scope(asset: TableAsset) -> Mapping[str, Any]:
    """What a `translation` template sees besides `spec` (the translator's AssetSpec)."""
    layer, schema, table = asset.key
    return {
        "asset": asset,
        "contract": asset.contract,
        "layer": layer,
        "schema": schema,
        "table": table,
    }


class LakehouseTranslator(ContractTranslator):
    """ContractTranslator with a component's settings on top: the partition start, the
    backfill policy of partitioned tables, and `translation` applied to each spec. A changed
    key reaches the tables that read it: specs are made dependencies first
    (assets/specs.py), and a dependency is named by the key its spec got."""

    def __init__(
        self,
        translation: TranslationFn[TableAsset] | None = None,
        partition_start: date | None = None,
        backfill_policy: BackfillPolicy | None = None,
    ) -> None:
        self.translation = translation
        self.partition_start = partition_start
        self.backfill_policy = backfill_policy
        self._keys: dict[AssetKeyPath, AssetKey] = {}

    def get_partitions_def(
        self, asset: TableAsset, project: Project
    ) -> PartitionsDefinition | None:
        if not asset.partitioned or self.partition_start is None:
            return super().get_partitions_def(asset, project)
        return daily_partitions(project, self.partition_start.isoformat())

    def get_backfill_policy(self, asset: TableAsset) -> BackfillPolicy | None:
        if self.backfill_policy is None or not asset.partitioned:
            return super().get_backfill_policy(asset)
        return self.backfill_policy

    def dep_key(self, project: Project, key: AssetKeyPath) -> AssetKey:
        made = self._keys.get(key)
        return made if made is not None else super().dep_key(project, key)

    def get_asset_spec(
        self, asset: TableAsset, project: Project, location: TableLocation
    ) -> AssetSpec:
        spec = super().get_asset_spec(asset, project, location)
        if self.translation is not None:
            spec = self.translation(spec, asset)
        self._keys[asset.key] = spec.key
        return spec


def _resolve_date(context: ResolutionContext, raw: Any) -> date | None:
    value = context.resolve_value(raw)
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class ScaffoldParams(BaseModel):
    contracts: str = Field(
        default="contracts", description="the contract folder, relative to the project root"
    )
    resource_prefix: str | None = Field(default=None, description="default: the new folder's name")


DEFS_YAML = """\
type: {type_name}

attributes:
  # The contract folder (config.json, tables/, ingestion/); a relative path is relative to
  # this file. `lakehouse validate <folder>` checks it.
  contracts: "{contracts}"
  # Starts this folder's resource keys, job and sensor names: unique per folder.
  resource_prefix: {resource_prefix}
  # Unset settings fall back to the environment variables (README, "Using it"):
  # env: dev                           # LAKEHOUSE_ENV
  # data_dir: ../../../.lakehouse      # LAKEHOUSE_DATA_ROOT
  # partition_start: "2024-01-01"      # config.json's PARTITION_START_DATE
  # backfill_policy: {{type: multi_run, max_partitions_per_run: 7}}
  # engine:                            # LAKEHOUSE_SPARK_MODE, LAKEHOUSE_CONNECT_URL
  #   mode: databricks                 # unset settings: the Databricks SDK's unified auth
  #   databricks_profile: prod         # a ~/.databrickscfg profile (or host + token/OAuth)
  #   databricks_cluster_id: "{{{{ env.DATABRICKS_CLUSTER_ID }}}}"   # or databricks_serverless
  # translation:                       # per table: spec, asset, contract, layer, schema, table
  #   group_name: "{resource_prefix}_{{{{ layer }}}}"

# post_processing:
#   assets:
#     - target: "*"
#       attributes:
#         tags:
#           domain: {resource_prefix}
"""


class LakehouseScaffolder(Scaffolder[ScaffoldParams]):
    """`dg scaffold defs lakehouse_assets.LakehouseComponent <folder> [--contracts PATH]`
    writes the folder's defs.yaml and nothing else: the contracts are yours (see the README's
    contracts/ for the shape)."""

    @classmethod
    def get_scaffold_params(cls) -> type[ScaffoldParams]:
        return ScaffoldParams

    def scaffold(self, request: ScaffoldRequest[ScaffoldParams]) -> None:
        if request.scaffold_format != "yaml":
            from dagster.components.component_scaffolding import scaffold_component

            scaffold_component(request)  # component.py that loads it in Python
            return
        params = request.params or ScaffoldParams()
        contracts = params.contracts
        if not Path(contracts).is_absolute():
            contracts = "{{ context.project_root }}/" + contracts.strip("/")
        prefix = params.resource_prefix or re.sub(r"\W", "_", request.target_path.name)
        request.target_path.mkdir(parents=True, exist_ok=True)
        (request.target_path / "defs.yaml").write_text(
            DEFS_YAML.format(
                type_name=request.type_name, contracts=contracts, resource_prefix=prefix
            ),
            encoding="utf-8",
        )


@scaffold_with(LakehouseScaffolder)
class LakehouseComponent(Component, Resolvable, Model):
    """A folder of lakehouse contracts (config.json, tables/, ingestion/) as Delta Lake
    bronze/silver/gold assets, with their checks, sensors, schedules and resources."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    contracts: str | None = Field(
        default=None,
        description="the contract folder, relative to this defs.yaml "
        "(unset: $LAKEHOUSE_PROJECT_DIR, else contracts/)",
    )
    env: str | None = Field(
        default=None,
        description="which environments.<name> of config.json "
        "(unset: $LAKEHOUSE_ENV, else its EXECUTION_ENVIRONMENT)",
    )
    data_dir: str | None = Field(
        default=None,
        description="where config.json's relative paths live, relative to this defs.yaml "
        "(unset: $LAKEHOUSE_DATA_ROOT, else ./.lakehouse)",
    )
    engine: EngineSettings | None = None
    partition_start: Annotated[
        date | None,
        Resolver(
            _resolve_date,
            model_field_type=str,
            description="first daily partition, YYYY-MM-DD (unset: PARTITION_START_DATE)",
        ),
    ] = None
    backfill_policy: Annotated[
        BackfillPolicy | None,
        Resolver(
            resolve_backfill_policy,
            model_field_type=SingleRunBackfillPolicyModel | MultiRunBackfillPolicyModel,
            description="of bronze and silver (unset: single_run)",
        ),
    ] = None
    translation: Annotated[
        TranslationFn[TableAsset] | None,
        TranslationFnResolver[TableAsset](template_vars_for_translation_fn=translation_scope),
    ] = None
    resource_prefix: str = Field(
        default="",
        description="starts resource keys, job and sensor names: one per folder of a location",
    )

    def translator(self) -> ContractTranslator:
        return LakehouseTranslator(self.translation, self.partition_start, self.backfill_policy)

    def build_defs(self, context: ComponentLoadContext) -> Definitions:
        def here(path: str | None) -> str | None:
            return str((context.path / path).resolve()) if path else None

        return build_definitions(
            project_dir=here(self.contracts),
            env=self.env,
            spark=self.engine.resource() if self.engine else None,
            translator=self.translator(),
            data_dir=here(self.data_dir),
            resource_prefix=self.resource_prefix,
        )
