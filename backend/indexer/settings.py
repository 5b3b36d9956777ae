"""Settings of the indexer process: environment variables with the prefix ``INFRAX_``,
overridden by command-line options."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.indexer.db import DEFAULT_DATABASE_URL
from backend.indexer.ingest import DEFAULT_BATCH_SIZE

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class IndexerSettings(BaseSettings):
    """INFRAX_DEPLOYMENT, INFRAX_RPC_URL, INFRAX_DATABASE_URL, INFRAX_BATCH_SIZE,
    INFRAX_CONFIRMATIONS, INFRAX_POLL_SECONDS, INFRAX_LOG_LEVEL."""

    model_config = SettingsConfigDict(env_prefix="INFRAX_", extra="ignore")

    deployment: Path = Path("deployments/anvil.json")
    rpc_url: str = "http://127.0.0.1:8545"
    database_url: str = DEFAULT_DATABASE_URL
    batch_size: int = Field(
        default=DEFAULT_BATCH_SIZE, ge=1, description="blocks per eth_getLogs range"
    )
    confirmations: int = Field(default=0, ge=0, description="blocks behind the head left unindexed")
    poll_seconds: float = Field(default=2.0, gt=0, le=3600, allow_inf_nan=False)
    log_level: LogLevel = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value
