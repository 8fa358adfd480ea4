"""Dramatiq's own Prometheus metrics, written where ``/metrics`` reads, without the server it would fork.

Imported only when ``PROMETHEUS_MULTIPROC_DIR`` is set (``workers.broker``), because importing
``dramatiq.middleware.prometheus`` reads ``dramatiq_prom_db`` and creates that directory.

Two changes to the parent class:

- No forked exposition server. The parent forks one on port 9191 per ``dramatiq`` command;
  StoreBridge runs two (one per queue group), which would fight for the port (Bogdanp/dramatiq#280),
  and the daemon's ``/metrics`` already adds up every process's samples from the shared directory.
- Enabled only in a booted worker process whose ``dramatiq_prom_db`` names the same directory as
  ``PROMETHEUS_MULTIPROC_DIR``. At boot the parent points ``PROMETHEUS_MULTIPROC_DIR`` at
  ``dramatiq_prom_db``, so with two different directories StoreBridge's own samples would follow
  into one nobody reads; rather than lose them, Dramatiq's metrics are left out with a warning.
  ``storebridge worker`` sets both. Processes that only send (the daemon) never boot it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from dramatiq.middleware.prometheus import DB_PATH, Prometheus

log = logging.getLogger(__name__)


class DramatiqMetrics(Prometheus):
    """``Prometheus`` minus the exposition server, active once a worker process booted with matching dirs."""

    def __init__(self, multiproc_dir: str) -> None:
        super().__init__()
        self.multiproc_dir = multiproc_dir
        self.enabled = False

    @property
    def forks(self) -> list[Any]:
        """No forked exposition server (the daemon serves ``/metrics`` for the whole pod)."""
        return []

    def after_process_boot(self, broker: Any) -> None:
        """Create the metrics if Dramatiq would write them into ``PROMETHEUS_MULTIPROC_DIR``."""
        if os.path.realpath(DB_PATH) != os.path.realpath(self.multiproc_dir):
            log.warning(
                "worker.dramatiq_metrics.disabled",
                extra={"dramatiq_prom_db": DB_PATH, "prometheus_multiproc_dir": self.multiproc_dir},
            )
            return
        super().after_process_boot(broker)  # type: ignore[no-untyped-call]
        self.enabled = True

    # Every other hook touches the metrics, which exist only once enabled.
    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        """Dramatiq's hook, once the metrics are enabled."""
        if self.enabled:
            super().after_worker_shutdown(broker, worker)  # type: ignore[no-untyped-call]

    def after_nack(self, broker: Any, message: Any) -> None:
        """Dramatiq's hook, once the metrics are enabled."""
        if self.enabled:
            super().after_nack(broker, message)  # type: ignore[no-untyped-call]

    def after_enqueue(self, broker: Any, message: Any, delay: Any) -> None:
        """Dramatiq's hook, once the metrics are enabled."""
        if self.enabled:
            super().after_enqueue(broker, message, delay)  # type: ignore[no-untyped-call]

    def before_delay_message(self, broker: Any, message: Any) -> None:
        """Dramatiq's hook, once the metrics are enabled."""
        if self.enabled:
            super().before_delay_message(broker, message)  # type: ignore[no-untyped-call]

    def before_process_message(self, broker: Any, message: Any) -> None:
        """Dramatiq's hook, once the metrics are enabled."""
        if self.enabled:
            super().before_process_message(broker, message)  # type: ignore[no-untyped-call]

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        """Dramatiq's hook, once the metrics are enabled."""
        if self.enabled:
            super().after_process_message(broker, message, result=result, exception=exception)  # type: ignore[no-untyped-call]

    after_skip_message = after_process_message
