# syntax=docker/dockerfile:1
# StoreBridge image: one image for every role (docker-entrypoint.sh): `daemon` (default), `worker
# --queues Q` (one queue group per Deployment, serving /health and /metrics), `migrate` (Helm hook),
# `enqueue ...` (CronJob), `smoke ITEM_NO`.
# Checked by hadolint in tests/deploy/test_container.py (no Docker engine on the build machines).

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first, from the lock the CI installs too: this layer is rebuilt only when the lock
# changes, not on every code change.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY storebridge ./storebridge
COPY workers ./workers
COPY schemas ./schemas
RUN pip install --no-deps . \
    && python -c "import storebridge.cli"

FROM python:3.11-slim-bookworm
RUN groupadd --system --gid 10001 storebridge \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin storebridge \
    && mkdir -p /var/run/storebridge/prometheus /opt/storebridge \
    && chown 10001:10001 /var/run/storebridge/prometheus
COPY --from=build /opt/venv /opt/venv
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# The sandbox's category map at a fixed path for compose's sandbox profile (monitoring/compose/sandbox.env).
COPY storebridge/sandbox/naver/category_map.csv /opt/storebridge/sandbox/category_map.csv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/var/run/storebridge/prometheus \
    dramatiq_prom_db=/var/run/storebridge/prometheus
USER 10001:10001
# 8000: the daemon's /health and /metrics; 9191: a worker's /health and /metrics (WORKER_METRICS_PORT).
EXPOSE 8000 9191
# The entrypoint checks whatever role PID 1 runs: the daemon's /health, a worker's /health,
# nothing for one-shot roles.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["docker-entrypoint.sh", "healthcheck"]
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["daemon"]
