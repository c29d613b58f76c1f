"""The data contracts in data_contracts/: one description of every landed source, read by all stages."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import yaml

from ilp_pipeline.settings import CONTRACTS_DIR


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    pii: str = "none"
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    max_under_five: float | None = None
    staged_as: str | None = None


@dataclass(frozen=True)
class TableContract:
    name: str
    raw_table: str
    columns: tuple[Column, ...]
    landing_glob: str | None = None
    staging_model: str | None = None
    staging_key: tuple[str, ...] = ()

    # Cached: ingestion maps every landed file's header against them.
    @cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _columns(raw: list[dict]) -> tuple[Column, ...]:
    return tuple(
        Column(
            name=c["name"],
            type=c["type"],
            required=bool(c.get("required", False)),
            pii=c.get("pii", "none"),
            allowed=tuple(str(v) for v in c["allowed"]) if "allowed" in c else None,
            min=c.get("min"),
            max=c.get("max"),
            max_under_five=c.get("max_under_five"),
            staged_as=c.get("staged_as"),
        )
        for c in raw
    )


@cache
def _load(name: str) -> dict:
    return yaml.safe_load((CONTRACTS_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def tabular(name: str) -> TableContract:
    """A contract of a tabular source: posyandu_register, kader, kader_penilaian."""
    raw = _load(name)
    return TableContract(
        raw["source"], raw["raw_table"], _columns(raw["columns"]), raw.get("landing_glob"), **_staging(raw)
    )


def _staging(raw: dict) -> dict:
    staging = raw.get("staging") or {}
    return {"staging_model": staging.get("model"), "staging_key": tuple(staging.get("key", ()))}


def reference_tables() -> dict[str, tuple[str, TableContract]]:
    """Reference masters: name -> (relative file path, contract)."""
    raw = _load("reference")
    return {
        name: (spec["file"], TableContract(name, f"raw.ref_{name}", _columns(spec["columns"]), **_staging(spec)))
        for name, spec in raw["tables"].items()
    }


def staged() -> list[TableContract]:
    """Every contract whose source has a staging model, for the staging suites."""
    tables = [tabular(name) for name in ("posyandu_register", "kader", "kader_penilaian")]
    tables += [contract for _path, contract in reference_tables().values()]
    return [t for t in tables if t.staging_model]


def fhir() -> dict:
    return _load("fhir")
