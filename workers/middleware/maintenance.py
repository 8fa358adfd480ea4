"""Every worker process hands dead workers' messages back, on a timer (``workers.broker`` says why).

A daemon thread per booted worker process calls ``broker.maintain()`` once at boot and then every
``interval_s`` (with up to 20 % jitter, so the processes of a pod do not all run it together).
Several processes doing it is harmless: the pass is one atomic script per queue and does nothing
when no process is dead. A Redis error is logged once per streak and tried again next time.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

from dramatiq.middleware import Middleware

log = logging.getLogger(__name__)

#: Up to this share of the interval is added to each wait.
JITTER_FRACTION = 0.2
#: Longest wait for the thread when the worker shuts down (seconds).
JOIN_TIMEOUT_S = 5.0


class BrokerMaintenance(Middleware):
    """Run ``broker.maintain()`` every ``interval_s`` seconds in a booted worker process."""

    def __init__(self, interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be > 0, got {interval_s}")
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        """Start the timer thread (only brokers with ``maintain``: a test's stub broker has none)."""
        if not hasattr(broker, "maintain") or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(broker,), name="broker-maintenance", daemon=True
        )
        self._thread.start()

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        """Stop the timer thread (it wakes at once)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(JOIN_TIMEOUT_S)

    def _run(self, broker: Any) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                handed_back = broker.maintain()
            except Exception as exc:  # Redis away: the consumers report it too; try again next time
                if not failing:
                    error = f"{type(exc).__name__}: {exc}"
                    log.warning("worker.broker.maintenance_failed", extra={"error": error})
                failing = True
            else:
                failing = False
                if handed_back:
                    log.warning("worker.broker.reclaimed", extra={"messages": handed_back})
            self._stop.wait(self.interval_s * (1 + random.uniform(0, JITTER_FRACTION)))
