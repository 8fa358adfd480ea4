# StoreBridge image. One image, several roles: `daemon` (default), `worker`, `enqueue ...` (cron),
# `migrate` (Helm hook), `smoke ITEM_NO` (post-deploy check). Docker is not available on the build
# machines here, so this file is checked by review only.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY storebridge ./storebridge
COPY workers ./workers
COPY schemas ./schemas
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 storebridge
COPY --from=build /install /usr/local
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PYTHONUNBUFFERED=1 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    dramatiq_prom_db=/tmp/prometheus
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)" || exit 1
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["daemon"]
