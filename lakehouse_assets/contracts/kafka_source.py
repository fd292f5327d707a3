"""A Kafka source (`source.format: "kafka"`) as DKOps writes it: the `source.kafka` block.

`starting_offsets` takes Spark's values: `earliest`, `latest`, or JSON offsets per topic and
partition (`{"orders": {"0": 23, "1": -2}}`, -2 = earliest, -1 = latest). SASL credentials may be
`{env:VAR}` references, resolved when the broker is contacted; they never appear in a repr, an
error or a log (only their field names do).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from lakehouse_assets.contracts.contract_base import ContractModel

EARLIEST, LATEST = -2, -1  # Spark's (and Kafka's) codes in starting_offsets JSON
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")  # Kafka's legal topic names
_ENV_REF = re.compile(r"\{env:([^}]*)\}")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# The columns `metadata.add_kafka_metadata` fills (DKOps' names; the timestamp also as
# `_kafka_ts`, DKOps' own spelling, when the bronze contract declares that one instead).
KAFKA_TOPIC, KAFKA_PARTITION, KAFKA_OFFSET = "_kafka_topic", "_kafka_partition", "_kafka_offset"
KAFKA_TIMESTAMP, KAFKA_TS, RAW_VALUE = "_kafka_timestamp", "_kafka_ts", "_raw_value"
KAFKA_COLUMNS: dict[str, str] = {
    KAFKA_TOPIC: "STRING",
    KAFKA_PARTITION: "INT",
    KAFKA_OFFSET: "BIGINT",
    KAFKA_TIMESTAMP: "TIMESTAMP",
    KAFKA_TS: "TIMESTAMP",
    RAW_VALUE: "STRING",
}

StartingOffsets = str | dict[str, dict[str, int]]


class KafkaSettings(ContractModel):
    topic: str
    bootstrap_servers: str
    starting_offsets: StartingOffsets = "earliest"
    sasl_username: str | None = Field(default=None, repr=False)
    sasl_password: str | None = Field(default=None, repr=False)
    # DKOps' defaults when credentials are set (Confluent Cloud): SASL_SSL with PLAIN.
    security_protocol: str | None = None
    sasl_mechanism: str | None = None

    @field_validator("topic")
    @classmethod
    def _topics(cls, v: str) -> str:
        for name in split_topics(v):
            if not _TOPIC.match(name):
                raise ValueError(
                    f"{name!r} is not a Kafka topic name (letters, digits, '.', '_', '-'; "
                    'several topics as a comma list: "orders,refunds")'
                )
        if not split_topics(v):
            raise ValueError('names no topic: write e.g. "topic": "orders"')
        return v

    @field_validator("bootstrap_servers")
    @classmethod
    def _servers(cls, v: str) -> str:
        if not v.strip():
            raise ValueError('is empty: write the brokers as "host:port[,host:port]"')
        return v

    @field_validator("starting_offsets", mode="before")
    @classmethod
    def _offsets(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().startswith("{"):
            try:
                v = json.loads(v)
            except json.JSONDecodeError as exc:
                raise ValueError(f"is not valid JSON ({exc.msg}): {_OFFSETS_HELP}") from None
        if isinstance(v, str):
            if v.lower() not in ("earliest", "latest"):
                raise ValueError(f"{v!r} is not earliest, latest or JSON offsets: {_OFFSETS_HELP}")
            return v.lower()
        if not isinstance(v, dict) or not all(
            isinstance(parts, dict)
            and all(
                str(p).isdigit() and isinstance(o, int) and not isinstance(o, bool) and o >= -2
                for p, o in parts.items()
            )
            for parts in v.values()
        ):
            raise ValueError(f"is not earliest, latest or JSON offsets: {_OFFSETS_HELP}")
        return {t: {str(p): o for p, o in parts.items()} for t, parts in v.items()}

    @field_validator("sasl_username", "sasl_password")
    @classmethod
    def _secret(cls, v: str | None) -> str | None:
        """Errors name the reference, never a value (it may be the secret itself)."""
        for name in _ENV_REF.findall(v or ""):
            if not _VARIABLE.match(name):
                raise ValueError(
                    "holds a {env:...} reference that does not name an environment variable "
                    "(write {env:NAME}, NAME in letters, digits and _)"
                )
        return v

    @model_validator(mode="after")
    def _pairs(self) -> KafkaSettings:
        if bool(self.sasl_username) != bool(self.sasl_password):
            raise ValueError(
                "sasl_username and sasl_password go together: set both (e.g. "
                '"{env:KAFKA_USER}" and "{env:KAFKA_PASSWORD}") or neither'
            )
        if isinstance(self.starting_offsets, dict):
            unknown = sorted(set(self.starting_offsets) - set(self.topics))
            if unknown:
                raise ValueError(
                    f"starting_offsets names topic(s) {unknown} that 'topic' does not read"
                )
        return self

    @property
    def topics(self) -> list[str]:
        return split_topics(self.topic)

    def start_of(self, topic: str, partition: int) -> int:
        """Where a partition with no recorded range starts: an offset, EARLIEST or LATEST. A
        partition the JSON does not name starts at the earliest (Spark requires every
        partition there; new partitions, which Spark reads from earliest, are why)."""
        if isinstance(self.starting_offsets, str):
            return EARLIEST if self.starting_offsets == "earliest" else LATEST
        return self.starting_offsets.get(topic, {}).get(str(partition), EARLIEST)


_OFFSETS_HELP = (
    'write "earliest", "latest" or Spark\'s JSON per topic and partition, '
    'e.g. {"orders": {"0": 23, "1": -2}} (-2 earliest, -1 latest)'
)


def split_topics(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]
