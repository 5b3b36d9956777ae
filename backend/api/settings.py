"""Settings of the API process: environment variables with the prefix ``INFRAX_``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.indexer.db import DEFAULT_DATABASE_URL

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ApiSettings(BaseSettings):
    """INFRAX_DATABASE_URL (the indexer's database; amounts are formatted with the funding-asset
    decimals the indexer stored there, so no node is needed), INFRAX_API_HOST, INFRAX_API_PORT,
    INFRAX_LOG_LEVEL."""

    model_config = SettingsConfigDict(env_prefix="INFRAX_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    log_level: LogLevel = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value
