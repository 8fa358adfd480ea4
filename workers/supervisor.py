"""Supervision of the Dramatiq queue groups that ``storebridge worker`` runs.

Each group is one standard ``dramatiq`` command (its own main process and worker processes, in a
session of its own so a terminal's Ctrl-C reaches it only through here). The supervisor:

- **restarts a group that dies** (exits while nobody asked it to: a worker process was killed and
  Dramatiq stopped the group, the main process crashed or was killed) after ``delay_s`` doubling
  with each recent restart, and leaves the other group alone: a crash of ``batch`` never takes
  ``normal`` down. What survives of a dead group (worker processes orphaned by a killed main
  process, which would go on consuming unsupervised) gets SIGTERM, then SIGKILL past the stop
  timeout. The messages the dead processes held come back through the broker's maintenance
  (``workers.broker``); their in-flight markers expire or are taken over (``storebridge.intake.inflight``).
- **bounds a crash loop**: a group that died more than ``max_restarts`` times within ``window_s``
  is not restarted; every group is stopped and the command exits non-zero, so that Kubernetes
  restarts the pod with its own backoff and the failure shows in the pod's status.
- **stops on SIGTERM/SIGINT**: forwarded once, as SIGTERM, to each group, whose workers finish
  the messages in flight within ``--worker-shutdown-timeout`` (``SHUTDOWN_TIMEOUT_S``; with nothing
  in flight a group exits within about a second); a second signal is forwarded again and
  Dramatiq's workers exit at once. Every ``WAIT_LOG_INTERVAL_S`` it logs what it still waits for.
  Groups still running ``stop_timeout_s`` after the first signal are killed.

Exit status: 0 only when every group stopped cleanly on request.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import time
from collections import deque
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger(__name__)

#: ``prctl`` option: the signal a child receives when its parent dies.
PR_SET_PDEATHSIG = 1
#: How often the children are checked (seconds).
POLL_INTERVAL_S = 0.2
#: While stopping, what is still awaited is logged this often (seconds).
WAIT_LOG_INTERVAL_S = 5.0
#: Longest wait before a restart (seconds), however many recent restarts.
MAX_RESTART_DELAY_S = 30.0
#: Signals that stop the workers.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(frozen=True)
class RestartPolicy:
    """At most ``max_restarts`` restarts of one group within ``window_s``; the first after ``delay_s``."""

    max_restarts: int = 5
    window_s: float = 300.0
    delay_s: float = 1.0

    def __post_init__(self) -> None:
        if self.max_restarts < 0 or self.window_s <= 0 or self.delay_s < 0:
            raise ValueError("max_restarts >= 0, window_s > 0 and delay_s >= 0 are required")


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the supervisor dies (Linux ``PR_SET_PDEATHSIG``).

    The groups run in sessions of their own, so nothing else would stop them if the supervisor
    were SIGKILLed: they would keep consuming as orphans. Elsewhere than Linux this is a no-op.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to a process group (0: only check it exists); False when nothing of it is left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - the pgid was reused by someone else's processes
        return False
    return True


@dataclass
class Group:
    """One queue group: its command, its current process, its recent restarts."""

    queue: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: deque[float] = field(default_factory=deque)  # monotonic times of recent restarts
    restart_at: float | None = None  # monotonic time of a scheduled restart
    handled: bool = True  # the current process's exit was dealt with (or there is none)

    @property
    def running(self) -> bool:
        """The group's main process exists and has not exited."""
        return self.process is not None and self.process.poll() is None


@dataclass
class Supervisor:
    """Start the groups, restart those that die (within a bound), forward stop signals."""

    commands: dict[str, list[str]]
    env: dict[str, str]
    stop_timeout_s: float
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    groups: dict[str, Group] = field(default_factory=dict)
    stopping: bool = False
    deadline: float = 0.0
    status: int = 0
    _orphans: dict[int, float] = field(default_factory=dict)  # pgid → when to SIGKILL it
    _next_wait_log: float = 0.0

    def run(self) -> int:
        """Supervise until a stop and every group has exited; returns the exit status."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        self.groups = {queue: Group(queue, command) for queue, command in self.commands.items()}
        try:
            for group in self.groups.values():
                if not self.stopping:
                    self._start(group)
            while not self._finished():
                self._tick()
                time.sleep(POLL_INTERVAL_S)
        except BaseException:
            self._kill_all()
            raise
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._kill_orphans()
        logger.info("worker.stopped", extra={"status": self.status})
        return self.status

    def health(self) -> dict[str, bool]:
        """Per queue: True while its group runs or waits for a scheduled restart; all False once
        stopping (a crash loop given up stops everything). Read from the metrics thread."""
        groups = dict(self.groups)
        return {
            queue: not self.stopping
            and (group := groups.get(queue)) is not None
            and (group.running or group.restart_at is not None)
            for queue in self.commands
        }

    def stop(self) -> None:
        """Ask every running group to stop (SIGTERM); a second call repeats it (Dramatiq: exit now)."""
        if not self.stopping:
            self.stopping = True
            self.deadline = time.monotonic() + self.stop_timeout_s
            self._next_wait_log = time.monotonic() + WAIT_LOG_INTERVAL_S
            running = [g.queue for g in self.groups.values() if g.running]
            logger.info(
                "worker.stopping",
                extra={
                    "groups": running,
                    "waiting_for": "messages in flight to finish (each worker logs worker.shutdown.waiting)",
                    "timeout_s": self.stop_timeout_s,
                },
            )
        for group in self.groups.values():
            group.restart_at = None
            if group.running and group.process is not None:
                group.process.send_signal(signal.SIGTERM)

    # -- internals -----------------------------------------------------------------------------------
    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.info("worker.signal", extra={"signal": signal.Signals(signum).name})
        self.stop()

    def _start(self, group: Group) -> None:
        group.restart_at = None
        group.handled = False
        group.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            group.command, env=self.env, start_new_session=True, preexec_fn=_die_with_parent
        )
        extra = {"queue": group.queue, "pid": group.process.pid, "restarts": len(group.restarts)}
        logger.info("worker.group.started", extra=extra)

    def _finished(self) -> bool:
        return self.stopping and all(g.handled for g in self.groups.values())

    def _tick(self) -> None:
        now = time.monotonic()
        for group in self.groups.values():
            process = group.process
            if process is not None and not group.handled:
                code = process.poll()
                if code is not None:
                    group.handled = True
                    self._exited(group, code, now)
            if group.restart_at is not None and now >= group.restart_at and not self.stopping:
                self._start(group)
        for pgid, kill_at in list(self._orphans.items()):
            if now >= kill_at or not _signal_group(pgid, 0):
                _signal_group(pgid, signal.SIGKILL)
                del self._orphans[pgid]
        if self.stopping:
            if now >= self._next_wait_log:
                self._next_wait_log = now + WAIT_LOG_INTERVAL_S
                waiting = [g.queue for g in self.groups.values() if g.running]
                logger.info(
                    "worker.stop.waiting",
                    extra={"groups": waiting, "left_s": round(max(self.deadline - now, 0.0), 1)},
                )
            if now > self.deadline:
                logger.error("worker.stop.timeout", extra={"timeout_s": self.stop_timeout_s})
                self.status = self.status or 1
                self._kill_all()

    def _exited(self, group: Group, code: int, now: float) -> None:
        assert group.process is not None
        pgid = group.process.pid
        if self.stopping:
            logger.info("worker.group.exited", extra={"queue": group.queue, "status": code})
            if code != 0:
                self.status = self.status or (code if code > 0 else 1)
            self._orphans.setdefault(pgid, now + self.stop_timeout_s)  # normally nothing is left
            return
        logger.error("worker.group.died", extra={"queue": group.queue, "status": code})
        if _signal_group(pgid, signal.SIGTERM):  # worker processes of a killed main process
            self._orphans[pgid] = now + self.stop_timeout_s
        while group.restarts and group.restarts[0] <= now - self.policy.window_s:
            group.restarts.popleft()
        if len(group.restarts) >= self.policy.max_restarts:
            logger.critical(
                "worker.group.crash_loop",
                extra={
                    "queue": group.queue,
                    "restarts": len(group.restarts),
                    "window_s": self.policy.window_s,
                    "status": code,
                },
            )
            self.status = code if code > 0 else 1
            self.stop()
            return
        delay_s = min(self.policy.delay_s * 2 ** len(group.restarts), MAX_RESTART_DELAY_S)
        group.restarts.append(now)
        group.restart_at = now + delay_s
        extra = {"queue": group.queue, "in_s": delay_s, "restarts": len(group.restarts)}
        logger.warning("worker.group.restarting", extra=extra)

    def _kill_all(self) -> None:
        for group in self.groups.values():
            if group.process is not None and group.process.poll() is None:
                # The group leader and its worker processes (they share its process group).
                _signal_group(group.process.pid, signal.SIGKILL)
                group.process.wait()

    def _kill_orphans(self) -> None:
        for pgid in self._orphans:
            _signal_group(pgid, signal.SIGKILL)
        self._orphans.clear()
