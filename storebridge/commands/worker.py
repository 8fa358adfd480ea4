"""``storebridge worker``: the Dramatiq workers, one standard ``dramatiq`` command per queue group.

Two groups, so that a bulk import on ``batch`` never takes the threads interactive syncs on
``normal`` need: ``dramatiq workers.actors --queues normal --threads WORKER_NORMAL_THREADS`` and the
same for ``batch`` with ``WORKER_BATCH_THREADS``, each with ``--processes WORKER_PROCESSES`` (always
given: Dramatiq's default is the *node's* CPU count) and ``--worker-shutdown-timeout`` from
``SHUTDOWN_TIMEOUT_S``. With ``PROMETHEUS_MULTIPROC_DIR`` set, the children also get
``dramatiq_prom_db`` pointing at the same directory (``workers.broker`` explains why).

Shutdown (style principle 7): SIGTERM or SIGINT is forwarded once, as SIGTERM, to each group's
``dramatiq`` process, which lets in-flight messages finish within the shutdown timeout; a second
signal is forwarded again, and Dramatiq's workers then exit at once. Children get a session of their
own, so a terminal's Ctrl-C reaches them only through here (twice would mean "exit at once").
Groups still running ``KILL_GRACE_S`` after the shutdown timeout are killed. If a group exits
while nobody asked it to, the other is stopped and the command exits non-zero, so Kubernetes
restarts the pod. Exit status 0 only when every group stopped cleanly on request.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

from storebridge.config import Settings, load_settings
from storebridge.logs import configure_logging

logger = logging.getLogger(__name__)

#: Module the ``dramatiq`` command imports: it builds the broker and declares the actors.
ACTORS_MODULE = "workers.actors"
#: ``prctl`` option: the signal a child receives when its parent dies.
PR_SET_PDEATHSIG = 1
#: Seconds granted beyond ``SHUTDOWN_TIMEOUT_S`` (consumers closing, resources closing) before SIGKILL.
KILL_GRACE_S = 15.0
#: How often the children are checked (seconds).
POLL_INTERVAL_S = 0.2
#: Signals that stop the workers.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``worker`` subcommand."""
    parser = subparsers.add_parser(
        "worker",
        help="run the Dramatiq workers (queues normal and batch)",
        description="Start one `dramatiq workers.actors` process group per queue (normal, batch) with "
        "the configured processes and threads; SIGTERM stops them gracefully.",
    )
    parser.set_defaults(handler=run)


def dramatiq_commands(settings: Settings) -> dict[str, list[str]]:
    """The ``dramatiq`` command line of each queue group."""
    threads = {"normal": settings.worker_normal_threads, "batch": settings.worker_batch_threads}
    return {
        queue: [
            sys.executable, "-m", "dramatiq", ACTORS_MODULE,
            "--queues", queue,
            "--processes", str(settings.worker_processes),
            "--threads", str(count),
            "--worker-shutdown-timeout", str(int(settings.shutdown_timeout_s * 1000)),
            "--skip-logging",  # workers.middleware.process_logging configures StoreBridge's logging
        ]
        for queue, count in threads.items()
    }  # fmt: skip


def child_environment(settings: Settings) -> dict[str, str]:
    """This process's environment plus the Prometheus directory for Dramatiq when one is configured."""
    env = dict(os.environ)
    if settings.prometheus_multiproc_dir:
        os.makedirs(settings.prometheus_multiproc_dir, exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = settings.prometheus_multiproc_dir
        env["dramatiq_prom_db"] = settings.prometheus_multiproc_dir
    return env


def run(args: argparse.Namespace) -> int:
    """Start both groups and supervise them until a signal or a crash; return the exit status."""
    settings = load_settings()
    settings.require_credentials()  # fail here with one line, not in every worker process
    configure_logging(settings.log_level, settings.log_format, secrets=settings.secret_values())
    supervisor = Supervisor(
        dramatiq_commands(settings),
        child_environment(settings),
        stop_timeout_s=settings.shutdown_timeout_s + KILL_GRACE_S,
    )
    return supervisor.run()


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the supervisor dies (Linux ``PR_SET_PDEATHSIG``).

    The groups run in sessions of their own (a terminal's SIGINT must reach them once, through
    the supervisor), so nothing else would stop them if the supervisor were SIGKILLed: they would
    keep consuming as orphans. Elsewhere than Linux this is a no-op.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class Supervisor:
    """Start the groups, forward stop signals, stop everything when one group dies."""

    commands: dict[str, list[str]]
    env: dict[str, str]
    stop_timeout_s: float
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    stopping: bool = False
    deadline: float = 0.0
    status: int = 0

    def run(self) -> int:
        """Supervise until every child has exited; returns the exit status."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            for queue, command in self.commands.items():
                if self.stopping:
                    break
                self.children[queue] = subprocess.Popen(  # noqa: S603 - our own fixed command line
                    command, env=self.env, start_new_session=True, preexec_fn=_die_with_parent
                )
                logger.info("worker.group.started", extra={"queue": queue, "pid": self.children[queue].pid})
            self._wait()
        except BaseException:
            self._kill_all()
            raise
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        logger.info("worker.stopped", extra={"status": self.status})
        return self.status

    def stop(self) -> None:
        """Ask every running group to stop (SIGTERM); a second call repeats it (Dramatiq: exit now)."""
        if not self.stopping:
            self.stopping = True
            self.deadline = time.monotonic() + self.stop_timeout_s
        for queue, child in self.children.items():
            if child.poll() is None:
                logger.info("worker.group.stopping", extra={"queue": queue, "pid": child.pid})
                child.send_signal(signal.SIGTERM)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.info("worker.signal", extra={"signal": signal.Signals(signum).name})
        self.stop()

    def _wait(self) -> None:
        reported: set[str] = set()
        while any(child.poll() is None for child in self.children.values()):
            for queue, child in self.children.items():
                code = child.poll()
                if code is None or queue in reported:
                    continue
                reported.add(queue)
                self._exited(queue, code)
            if self.stopping and time.monotonic() > self.deadline:
                logger.error("worker.stop.timeout", extra={"timeout_s": self.stop_timeout_s})
                self.status = self.status or 1
                self._kill_all()
            time.sleep(POLL_INTERVAL_S)
        for queue, child in self.children.items():
            if queue not in reported:
                self._exited(queue, child.returncode)

    def _exited(self, queue: str, code: int) -> None:
        if self.stopping:
            logger.info("worker.group.exited", extra={"queue": queue, "status": code})
            if code != 0:
                self.status = self.status or (code if code > 0 else 1)
            return
        logger.error("worker.group.died", extra={"queue": queue, "status": code})
        self.status = code if code > 0 else 1
        self.stop()

    def _kill_all(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                # The group leader and its worker processes (they share its process group).
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
