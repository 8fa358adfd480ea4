"""Sentry is off without a DSN, and what it would send is scrubbed of every configured secret."""

from __future__ import annotations

import pytest

from storebridge.config import load_settings
from storebridge.observability import _scrubber, init_sentry

SECRET = "naver-secret-value-123"


def test_sentry_stays_off_without_a_dsn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    assert init_sentry(load_settings(), component="cli") is False


def test_every_secret_setting_is_known_for_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAVER_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("DOMEGGOOK_API_KEY", "dg-key-value")
    monkeypatch.setenv("S3_SECRET_KEY", "s3-secret-value")
    values = load_settings().secret_values()
    assert {SECRET, "dg-key-value", "s3-secret-value"} <= set(values)


def test_sentry_events_are_scrubbed_of_secrets() -> None:
    before_send = _scrubber([SECRET])
    event = {"message": f"token call failed with {SECRET}", "extra": {"args": [SECRET, 1]}, "level": "error"}
    scrubbed = before_send(event, {})
    assert SECRET not in repr(scrubbed)
    assert scrubbed["message"] == "token call failed with ***"
    assert scrubbed["level"] == "error"
