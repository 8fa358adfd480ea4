# StoreBridge worker/daemon image. One image, three roles: `storebridge daemon`, `storebridge worker`
# (or the standard `dramatiq workers.actors`), and the cron `storebridge enqueue`.
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
ENV PYTHONUNBUFFERED=1 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    dramatiq_prom_db=/tmp/prometheus
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)" || exit 1
ENTRYPOINT ["storebridge"]
CMD ["daemon"]
