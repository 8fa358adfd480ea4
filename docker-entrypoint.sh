#!/bin/sh
# Wipe the Prometheus multiprocess directory at container start (samples of a previous container
# would otherwise be added up again), then run the storebridge command given as arguments.
set -e
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"
    mkdir -p "${PROMETHEUS_MULTIPROC_DIR}"
fi
exec storebridge "$@"
