"""Sentry for the daemon, the workers and the CLI, when ``SENTRY_DSN`` is set.

Sentry's default logging integration turns ERROR log lines and unhandled exceptions into events.
Events pass through the same secret redaction as the logs (``before_send``), personal data is not
sent, and no performance tracing is sampled (the service's numbers are in Prometheus).
"""

from __future__ import annotations

from typing import Any

from storebridge.config import Settings

_REDACTED = "***"


def _scrubber(secrets: list[str]) -> Any:
    ordered = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for secret in ordered:
                value = value.replace(secret, _REDACTED)
            return value
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(v) for v in value]
        return value

    def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        return dict(scrub(event))

    return before_send


def init_sentry(settings: Settings, *, component: str) -> bool:
    """Initialise Sentry for this process (``component`` = daemon / worker / cli); False without a DSN."""
    dsn = settings.sentry_dsn.get_secret_value()
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=settings.sentry_environment,
        send_default_pii=False,
        traces_sample_rate=0.0,
        before_send=_scrubber(settings.secret_values()),
    )
    sentry_sdk.set_tag("component", component)
    return True
