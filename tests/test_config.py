"""Settings: original names and defaults, one-line errors naming the variable, secrets never shown."""

from __future__ import annotations

import logging

import pytest

from storebridge.config import ConfigError, load_settings
from storebridge.logs import JsonFormatter, TextFormatter

SECRET = "s3cr3t-value-that-must-not-leak"


def test_defaults_match_the_original_deployment_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DOMEGGOOK_MAX_TPS",
        "NAVER_MAX_TPS",
        "MAX_RETRIES",
        "RETRY_BACKOFF_BASE",
        "LOG_FORMAT",
        "REDIS_URL",
        "DATABASE_URL",
        "S3_ENDPOINT",
        "S3_BUCKET",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.domeggook_max_tps == 3
    assert settings.naver_max_tps == 2
    assert settings.max_retries == 3
    assert settings.retry_backoff_base == 300
    assert settings.log_format == "json"
    assert settings.s3_bucket == "storebridge-images"
    assert settings.domeggook_api_url == "https://domeggook.com/ssl/api/"
    assert settings.naver_api_url == "https://api.commerce.naver.com/external"


def test_environment_variables_are_read_by_their_original_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAVER_MAX_TPS", "1.5")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.naver_max_tps == 1.5
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NAVER_MAX_TPS", "fast"),
        ("NAVER_MAX_TPS", "0"),
        ("LOG_FORMAT", "xml"),
        ("MAX_RETRIES", "-1"),
        ("NAVER_API_URL", "ftp://x"),
        ("DATABASE_POOL_SIZE", "zero"),
    ],
)
def test_a_bad_value_fails_with_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name}:")
    assert "\n" not in message


def test_missing_credentials_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOMEGGOOK_API_KEY", "k")
    monkeypatch.delenv("NAVER_CLIENT_ID", raising=False)
    with pytest.raises(ConfigError, match=r"^NAVER_CLIENT_ID is not set"):
        load_settings().require_credentials()


def test_secrets_do_not_appear_in_repr_or_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAVER_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://u:{SECRET}@h/db")
    monkeypatch.setenv("S3_SECRET_KEY", SECRET)
    settings = load_settings()
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())
    monkeypatch.setenv("NAVER_MAX_TPS", SECRET)  # a secret pasted into the wrong variable
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("formatter_cls", [JsonFormatter, TextFormatter])
def test_log_lines_redact_configured_secrets(formatter_cls: type[logging.Formatter]) -> None:
    formatter = formatter_cls([SECRET])  # type: ignore[call-arg]
    record = logging.makeLogRecord(
        {"msg": "naver.token.failed", "levelname": "ERROR", "levelno": 40, "body": f"secret={SECRET}"}
    )
    line = formatter.format(record)
    assert "naver.token.failed" in line
    assert SECRET not in line
    assert "***" in line


def test_env_example_lists_every_setting() -> None:
    from pathlib import Path

    from storebridge.config import Settings

    text = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    listed = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line and not line.startswith("#")}
    assert {f.alias for f in Settings.model_fields.values()} <= listed


#: Credentials have no default; .env.example shows where each goes with a placeholder.
PLACEHOLDERS = {"DOMEGGOOK_API_KEY", "NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"}


def _example_values() -> dict[str, str]:
    from pathlib import Path

    text = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    values: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            values.setdefault(name.strip(), value.split(" #", 1)[0].strip().strip("\"'"))
    return values


def test_env_example_shows_each_setting_s_default() -> None:
    from pydantic import SecretStr

    from storebridge.config import Settings

    differ = []
    for field in Settings.model_fields.values():
        alias = str(field.alias)
        default = field.default
        if alias in PLACEHOLDERS:
            continue
        if isinstance(default, SecretStr):
            default = default.get_secret_value()
        if isinstance(default, tuple):
            default = ",".join(map(str, default))
        if isinstance(default, bool):
            default = str(default).lower()
        shown = _example_values()[alias]
        same = shown == ("" if default is None else str(default))
        if not same:
            try:
                same = float(shown.replace("_", "")) == float(default)
            except (TypeError, ValueError):
                same = False
        if not same:
            differ.append(f"{alias}: .env.example {shown!r}, default {default!r}")
    assert differ == []
