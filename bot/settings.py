"""Application settings, read from the environment and an optional ``.env`` file."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.store.db import is_sqlite

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///skillswap.db"
# Listener threads per web worker taking work as it comes, on PostgreSQL (see
# Settings.steady_listener_threads).
STEADY_LISTENER_THREADS = 4


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the variable and what to do."""


class Settings(BaseSettings):
    """Every knob SkillSwap reads. Secrets are ``SecretStr`` and never logged."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_oauth_authorize_url: str = "https://slack.com/oauth/v2/authorize"
    # The OAuth redirect URL, when the Slack app lists more than one (else Slack uses its own).
    slack_redirect_uri: str | None = None
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
    )
    port: int = Field(default=3000, ge=1, le=65535)
    host: str = "0.0.0.0"
    web_workers: int = Field(default=2, ge=1, le=64)
    web_threads: int = Field(default=8, ge=1, le=256)
    # Seconds a stopping web process gives requests and listeners in flight to finish.
    web_graceful_timeout: int = Field(default=20, ge=1, le=600)
    # app_uninstalled: also delete the workspace's members and history (default: keep them,
    # so a reinstall picks up where it left off; tokens are always deleted).
    delete_data_on_uninstall: bool = False
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    admin_user_ids: str = ""

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        value = value.strip()
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        """Heroku-style ``postgres://`` URLs name no driver; we use psycopg 3."""
        value = value.strip()
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def configured_admins(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.admin_user_ids.split(",") if u.strip())

    @property
    def steady_listener_threads(self) -> int:
        """Threads per web worker that take listeners (Bolt's work around each ack) as they
        come. On SQLite every writer waits inside its listener for the one before it, so one
        per request thread (five at least); on PostgreSQL, where listeners mostly compute,
        four: one interpreter lock per process runs one thread at a time, and each thread
        taking turns lengthens the others' requests (RELIABILITY.md, issue 20's seventh
        pass)."""
        if is_sqlite(self.database_url):
            return max(5, self.web_threads)
        return STEADY_LISTENER_THREADS

    @property
    def spare_listener_threads(self) -> int:
        """Threads per web worker standing by for when every steady one is stuck (see
        :class:`bot.slack.acks.AckWaitExecutor`): one per request thread, each of which
        waits for one listener's ack at a time."""
        return self.web_threads

    @property
    def listener_threads(self) -> int:
        """Threads per web worker that may run listeners at once, at most."""
        return self.steady_listener_threads + self.spare_listener_threads

    def require_http(self) -> None:
        """Raise :class:`ConfigError` unless the app can verify and answer Slack over HTTP."""
        if self.slack_signing_secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: copy it from your Slack app's "
                "'Basic Information' page into the environment or .env."
            )
        self.require_token()

    def require_token(self) -> None:
        if self.slack_bot_token is None and not self.oauth_enabled:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from "
                "'OAuth & Permissions', or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for "
                "multi-workspace installs."
            )

    def require_socket(self) -> None:
        if self.slack_app_token is None:
            raise ConfigError(
                "SLACK_APP_TOKEN is not set: create an app-level token (xapp-…) with the "
                "connections:write scope under 'Basic Information' to use Socket Mode."
            )
        self.require_token()


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first.get("loc", ())).upper() or "settings"
        raise ConfigError(f"{name}: {first.get('msg', 'invalid value')}") from exc
