#!/bin/sh
# StoreBridge image entry point. One image, every role:
#   daemon | worker | migrate | enqueue ... | status | smoke ITEM_NO | retry ...   -> storebridge ARGS
#   dramatiq MODULE --queues Q ...        -> one Dramatiq worker group (Helm: a Deployment per queue)
#   metrics-exporter                      -> serve PROMETHEUS_MULTIPROC_DIR on EXPORTER_PORT (sidecar)
#   healthcheck                           -> Docker HEALTHCHECK for whichever role PID 1 runs
# The Prometheus multiprocess directory is wiped before a daemon or worker starts: an emptyDir
# survives container restarts, and files of dead processes would keep their samples. Only its
# contents are removed (it is a mount point), and never by the exporter, which only reads it.
set -eu

wipe_multiproc_dir() {
    if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
        mkdir -p "${PROMETHEUS_MULTIPROC_DIR}"
        find "${PROMETHEUS_MULTIPROC_DIR}" -mindepth 1 -delete
    fi
}

start_embedded_exporter() {
    # Compose and plain `docker run` have no sidecars: METRICS_EXPORTER=1 runs the exporter in the
    # background of the worker container (it dies with the container).
    if [ "${METRICS_EXPORTER:-0}" = "1" ]; then
        python "${EXPORTER_SCRIPT:-/opt/storebridge/metrics_exporter.py}" &
    fi
}

http_ok() {
    python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2).read()' "$1"
}

case "${1:-daemon}" in
    healthcheck)
        role=$(tr '\0' ' ' < /proc/1/cmdline)
        case "$role" in
            *" daemon"*) http_ok "http://127.0.0.1:${DAEMON_PORT:-8000}/health"; exit 0 ;;
            *dramatiq*|*" worker"*)
                if [ "${METRICS_EXPORTER:-0}" = "1" ]; then
                    http_ok "http://127.0.0.1:${EXPORTER_PORT:-9191}/health"
                fi
                exit 0 ;;  # PID 1 alive = workers alive: Dramatiq exits when a worker process dies
            *) exit 0 ;;  # one-shot roles (migrate, enqueue, smoke)
        esac
        ;;
    metrics-exporter)
        exec python "${EXPORTER_SCRIPT:-/opt/storebridge/metrics_exporter.py}"
        ;;
    dramatiq)
        wipe_multiproc_dir
        start_embedded_exporter
        exec "$@"
        ;;
    daemon|worker)
        wipe_multiproc_dir
        [ "$1" = worker ] && start_embedded_exporter
        exec storebridge "$@"
        ;;
    *)
        exec storebridge "$@"
        ;;
esac
