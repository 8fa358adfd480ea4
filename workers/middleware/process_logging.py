"""StoreBridge logging (JSON lines or text, secrets redacted) and Sentry in each worker process.

``after_process_boot`` is emitted by the ``dramatiq`` command in every worker process after it
imported the broker, and by nothing else, so the daemon and the tests, which import the actors
module too, keep their own logging. Start ``dramatiq`` with ``--skip-logging`` (``storebridge
worker`` does): otherwise Dramatiq's ``basicConfig`` handler prints every line a second time.
"""

from __future__ import annotations

from typing import Any

from dramatiq.middleware import Middleware

from storebridge.config import Settings
from storebridge.logs import configure_logging
from storebridge.observability import init_sentry


class ProcessLogging(Middleware):
    """Configure logging from ``LOG_LEVEL`` / ``LOG_FORMAT`` once the worker process has booted."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def after_process_boot(self, broker: Any) -> None:
        """Install the StoreBridge log handler on the root logger (replaces an earlier one)."""
        settings = self.settings
        configure_logging(settings.log_level, settings.log_format, secrets=settings.secret_values())
        init_sentry(settings, component="worker")
