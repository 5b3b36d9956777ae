"""The oracle reporter's config file (YAML), validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from backend.common.addresses import checked_address
from backend.common.config_files import parse_yaml
from backend.common.errors import ConfigError


class SolarSourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["solar"]
    capacity_kw: int = Field(default=5000, gt=0, strict=True)
    module_name: str | None = None
    inverter_name: str | None = None


class WindSourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["wind"]
    n_turbines: int = Field(default=4, gt=0, strict=True)
    turbine_type: str = "E-82/2350"
    # Metres; the tallest turbines built stand near 170 m, so more is a typo (780 for 78).
    hub_height: float = Field(default=78.0, gt=10, le=200, allow_inf_nan=False, strict=True)


SourceConfig = Annotated[SolarSourceConfig | WindSourceConfig, Field(discriminator="type")]


class ProjectConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: str = Field(min_length=1, description="project address or share-token symbol")
    start: Literal["operation"] | Annotated[int, Field(ge=0, strict=True)] = Field(
        default="operation",
        description="first period: 'operation' (first full hour after the project entered "
        "operation) or a unix time that is a multiple of the period",
    )
    # Strict, like every number here: YAML reads `yes` as true, which would count as 1.
    emission_factor_g_per_kwh: int = Field(ge=0, le=2000, strict=True)
    source: SourceConfig

    @field_validator("project", mode="before")
    @classmethod
    def _address_or_symbol(cls, value: object) -> object:
        # The scripts' rule: a checksum typo is caught, and an unquoted address (which YAML
        # reads as a number, losing its checksum) is refused with a hint to quote it.
        unquoted = isinstance(value, int) and not isinstance(value, bool)
        if unquoted or (isinstance(value, str) and value[:2].lower() == "0x"):
            return checked_address(value)
        return value


class OracleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rpc_url: str = "http://127.0.0.1:8545"
    deployment: Path
    key_env: str | None = Field(default=None, description="environment variable with the key")
    keystore: Path | None = Field(default=None, description="encrypted JSON keystore file")
    password_env: str | None = None
    batch_periods: int = Field(default=24, gt=0, le=200, strict=True)
    poll_seconds: float = Field(default=15, gt=0, le=3600, allow_inf_nan=False, strict=True)
    projects: list[ProjectConfig] = Field(min_length=1)


def load_config(path: Path) -> OracleConfig:
    """Reads and validates the config; paths inside it are relative to the working directory."""
    try:
        data = parse_yaml(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read oracle config {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of settings (rpc_url, deployment, key_env, projects, "
            f"...), found {type(data).__name__ if data is not None else 'an empty file'}"
        )
    try:
        config = OracleConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
    if (config.key_env is None) == (config.keystore is None):
        raise ConfigError(f"{path}: give exactly one of key_env or keystore for the reporter key")
    return config
