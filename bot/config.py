"""Settings, parsed once from the environment (and an optional ``.env``) and passed in.

Secrets are ``SecretStr`` so that a settings object printed or logged by accident shows
``**********`` rather than a token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///skilltree.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = DEFAULT_DATABASE_URL
    curriculum_file: Path | None = None
    chapter_base_url: str | None = Field(
        default=None, description="Where chapter links point, e.g. a docs site; none by default."
    )
    default_locale: str = "en"
    log_level: str = "INFO"
    log_format: str = "text"  # "json": one JSON object per line (bot/logging_setup.py)
    output_dir: Path = Path("skilltree-out")
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    # Connections kept open, and how many more a burst may open (closed again after it).
    database_pool_size: int = Field(default=10, ge=1, le=1000)
    database_max_overflow: int = Field(default=10, ge=0, le=1000)

    # HTTP server (Slack's endpoint, health checks)
    port: int = Field(default=3000, ge=0, le=65535)  # 0: any free port (tests)
    host: str = "0.0.0.0"

    # Discord
    discord_token: SecretStr | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_admin_user_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Scheduler
    scheduler_interval_seconds: float = Field(default=30.0, gt=0)
    reminder_grace_hours: float = Field(default=6.0, ge=0)
    delivery_concurrency: int = Field(default=8, ge=1)

    # Web leaderboard: links are signed with WEB_SECRET (off when unset) and expire
    web_secret: SecretStr | None = None
    public_base_url: str = "http://localhost:3000"
    web_link_ttl_minutes: int = Field(default=60, ge=1)
    # /plan's calendar subscription links (signed with WEB_SECRET too, for their own purpose)
    calendar_link_ttl_days: int = Field(default=180, ge=1)

    # Discord sharding (adapters/discord/sharding.py parses and checks these at start-up, so a
    # bad value is one clear line, never a traceback). Neither set: ask Discord how many shards
    # (GET /gateway/bot) and run them all here. Several replicas: the same DISCORD_SHARD_COUNT
    # everywhere, and each replica its own DISCORD_SHARD_IDS ("0,1" or "0-3").
    discord_shard_count: str | None = Field(
        default=None, description="Total shards across every replica; none: Discord's advice."
    )
    discord_shard_ids: str | None = Field(
        default=None, description="The shards this replica runs, e.g. 0,1 or 4-7; none: all."
    )
    # Discord allows a bot 50 requests/s in all; the notifier paces its own sends to this, so a
    # fan-out never runs into 429s. Several replicas sharing one token: divide it among them.
    discord_requests_per_second: float = Field(default=50.0, gt=0, le=50)

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, v: str) -> str:
        return "zh" if v.lower().startswith("zh") else "en"

    @field_validator("discord_guild_ids", "slack_admin_user_ids", mode="before")
    @classmethod
    def _comma_list(cls, v: Any) -> Any:
        """``DISCORD_GUILD_IDS=1,2`` reads better in a .env than JSON."""
        if isinstance(v, str):
            return [part.strip() for part in v.split(",") if part.strip()]
        return v

    @property
    def has_slack_oauth(self) -> bool:
        """Many workspaces: Slack's OAuth install flow, tokens kept in our database."""
        return bool(self.slack_client_id) and self.slack_client_secret is not None

    @property
    def has_slack(self) -> bool:
        return self.slack_bot_token is not None or self.has_slack_oauth

    @property
    def has_platform_token(self) -> bool:
        return self.discord_token is not None or self.has_slack
