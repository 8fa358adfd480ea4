#!/bin/sh
# StoreBridge image entry point. One image, every role:
#   daemon | worker [--queues Q] | migrate | enqueue ... | status | smoke ITEM_NO | retry ...  -> storebridge ARGS
#   dramatiq MODULE --queues Q ...        -> one bare Dramatiq worker group (no /health, no /metrics)
#   healthcheck                           -> Docker HEALTHCHECK for whichever role PID 1 runs
# The Prometheus multiprocess directory is wiped before a daemon or worker starts: an emptyDir
# survives container restarts, and files of dead processes would keep their samples. Only its
# contents are removed (it is a mount point).
set -eu

wipe_multiproc_dir() {
    if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
        mkdir -p "${PROMETHEUS_MULTIPROC_DIR}"
        find "${PROMETHEUS_MULTIPROC_DIR}" -mindepth 1 -delete
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
            *" worker"*)
                # `storebridge worker` serves /health (its queue groups alive) unless the port is 0.
                if [ "${WORKER_METRICS_PORT:-9191}" != "0" ]; then
                    http_ok "http://127.0.0.1:${WORKER_METRICS_PORT:-9191}/health"
                fi
                exit 0 ;;
            *) exit 0 ;;  # one-shot roles (migrate, enqueue, smoke); bare dramatiq: PID 1 alive
        esac
        ;;
    dramatiq)
        wipe_multiproc_dir
        exec "$@"
        ;;
    daemon|worker)
        wipe_multiproc_dir
        exec storebridge "$@"
        ;;
    *)
        exec storebridge "$@"
        ;;
esac
