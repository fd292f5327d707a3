"""The base of every contract model: descriptive fields and unknown fields are kept, not
rejected; the loader turns unknown ones into warnings that name the file and the field, so
teams can keep their own annotations next to ours."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lakehouse_assets.contracts.cron import cron_problem

# Fields of the seed's format that describe rather than configure; accepted on every model.
DESCRIPTIVE_FIELDS = frozenset(
    {"_doc", "_comment", "description", "comment", "owner", "owners", "tags", "version",
     "domain", "notes", "$schema"}
)  # fmt: skip


class ContractModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @field_validator("schedule", check_fields=False)
    @classmethod
    def _cron(cls, v: str | None) -> str | None:
        problem = cron_problem(v) if v is not None else None
        if problem:
            raise ValueError(f'{problem}; e.g. "0 6 * * *" (every day at 06:00)')
        return v

    doc: str | None = Field(default=None, alias="_doc")
    description: str | None = None
    owner: str | None = None
    owners: list[str] = Field(default_factory=list)
    tags: dict[str, str] | list[str] = Field(default_factory=dict)

    def unknown_fields(self) -> list[str]:
        return sorted(k for k in (self.model_extra or {}) if k not in DESCRIPTIVE_FIELDS)

    def all_owners(self) -> list[str]:
        return ([self.owner] if self.owner else []) + list(self.owners)

    def tag_dict(self) -> dict[str, str]:
        if isinstance(self.tags, list):
            return {t: "" for t in self.tags}
        return {k: str(v) for k, v in self.tags.items()}
