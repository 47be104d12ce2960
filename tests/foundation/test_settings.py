from __future__ import annotations

import pytest

from bot.settings import ConfigError, Settings, load_settings


def test_postgres_urls_get_the_psycopg_driver() -> None:
    s = Settings(_env_file=None, database_url="postgres://u:p@db:5432/app")  # type: ignore[call-arg]
    assert s.database_url == "postgresql+psycopg://u:p@db:5432/app"


def test_api_url_gets_a_trailing_slash_for_govslack() -> None:
    s = Settings(_env_file=None, slack_api_url="https://slack-gov.com/api")  # type: ignore[call-arg]
    assert s.slack_api_url == "https://slack-gov.com/api/"


def test_missing_signing_secret_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    s = Settings(_env_file=None, slack_bot_token="xoxb-1")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        s.require_http()


def test_missing_token_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(_env_file=None, slack_signing_secret="s")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        s.require_http()


def test_secrets_never_show_in_repr() -> None:
    s = Settings(_env_file=None, slack_bot_token="xoxb-very-secret")  # type: ignore[call-arg]
    assert "xoxb-very-secret" not in repr(s)
    assert "xoxb-very-secret" not in str(s.model_dump())


def test_bad_value_gives_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    with pytest.raises(ConfigError, match="PORT"):
        load_settings(_env_file=None)
