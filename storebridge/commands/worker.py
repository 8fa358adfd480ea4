"""``storebridge worker``: the Dramatiq workers, one standard ``dramatiq`` command per queue group.

Two groups, so that a bulk import on ``batch`` never takes the threads interactive syncs on
``normal`` need: ``dramatiq workers.actors --queues normal --threads WORKER_NORMAL_THREADS`` and the
same for ``batch`` with ``WORKER_BATCH_THREADS``, each with ``--processes WORKER_PROCESSES`` (always
given: Dramatiq's default is the *node's* CPU count) and ``--worker-shutdown-timeout`` from
``SHUTDOWN_TIMEOUT_S``. With ``PROMETHEUS_MULTIPROC_DIR`` set, the children also get
``dramatiq_prom_db`` pointing at the same directory (``workers.broker`` explains why).

``--queues normal``, ``--queues batch`` or ``--queues normal,batch`` (the default) chooses the groups:
the Helm chart runs one queue per Deployment through this command, so every worker pod gets the
same start-up checks (credentials, services, the operator's category map) and the same endpoints.
With ``WORKER_METRICS_PORT`` (default 9191; 0 = off) the command serves ``GET /health`` (every
group alive) and ``GET /metrics`` (the pod's multiprocess directory, the directory's health, the
workers' CPU and memory): ``workers.pod_metrics``.

Supervision lives in ``workers.supervisor``: a group that dies is restarted (the other keeps
running), at most ``WORKER_MAX_RESTARTS`` times within ``WORKER_RESTART_WINDOW_S``, after which
the command stops everything and exits non-zero so that Kubernetes restarts the pod. SIGTERM or
SIGINT is forwarded once, as SIGTERM, to each group, whose workers finish the messages in flight
within the shutdown timeout (a group with nothing in flight exits within about a second); a
second signal is forwarded again and Dramatiq's workers exit at once. Groups still running
``KILL_GRACE_S`` after the shutdown timeout are killed. Exit status 0 only when every group
stopped cleanly on request.
"""

from __future__ import annotations

import argparse
import os
import sys

from storebridge.config import Settings, load_settings
from storebridge.logs import configure_logging
from storebridge.reference import require_operator_category_map
from workers.pod_metrics import MetricsServer
from workers.supervisor import RestartPolicy, Supervisor

#: Module the ``dramatiq`` command imports: it builds the broker and declares the actors.
ACTORS_MODULE = "workers.actors"
#: The queue groups, in start order.
QUEUES = ("normal", "batch")
#: Seconds granted beyond ``SHUTDOWN_TIMEOUT_S`` (consumers closing, resources closing) before SIGKILL.
KILL_GRACE_S = 15.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``worker`` subcommand."""
    parser = subparsers.add_parser(
        "worker",
        help="run the Dramatiq workers (queues normal and batch)",
        description="Start one `dramatiq workers.actors` process group per queue (normal, batch) with "
        "the configured processes and threads; SIGTERM stops them gracefully. Serves /health and "
        "/metrics on WORKER_METRICS_PORT.",
    )
    parser.add_argument(
        "--queues",
        type=parse_queues,
        default=QUEUES,
        metavar="normal|batch|normal,batch",
        help="the queue groups to run (default: both)",
    )
    parser.set_defaults(handler=run)


def parse_queues(text: str) -> tuple[str, ...]:
    """``normal``, ``batch`` or both, comma-separated, without repeats (argparse type)."""
    queues = tuple(dict.fromkeys(q.strip() for q in text.split(",")))
    if not queues or not set(queues) <= set(QUEUES):
        raise argparse.ArgumentTypeError(f"{text!r}: give normal, batch or normal,batch")
    return queues


def dramatiq_commands(settings: Settings, queues: tuple[str, ...] = QUEUES) -> dict[str, list[str]]:
    """The ``dramatiq`` command line of each chosen queue group."""
    every = {"normal": settings.worker_normal_threads, "batch": settings.worker_batch_threads}
    threads = {queue: every[queue] for queue in queues}
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
    from storebridge.commands.preflight import check_services

    # One line naming the variable, not a traceback from every worker process of both groups.
    check_services(settings, redis=True, database=True, s3=True)
    require_operator_category_map(settings)  # the real Naver API needs the operator's category map
    configure_logging(settings.log_level, settings.log_format, secrets=settings.secret_values())
    supervisor = Supervisor(
        dramatiq_commands(settings, getattr(args, "queues", QUEUES)),
        child_environment(settings),
        stop_timeout_s=settings.shutdown_timeout_s + KILL_GRACE_S,
        policy=RestartPolicy(
            max_restarts=settings.worker_max_restarts, window_s=settings.worker_restart_window_s
        ),
    )
    server = None
    if settings.worker_metrics_port:
        server = MetricsServer(
            supervisor.health,
            multiproc_dir=settings.prometheus_multiproc_dir,
            host=settings.worker_metrics_host,
            port=settings.worker_metrics_port,
        )
        server.start()
    try:
        return supervisor.run()
    finally:
        if server is not None:
            server.stop()
