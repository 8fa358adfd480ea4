"""The one settings object, read from the environment once per entry point.

Names and defaults are those of the original deployment guide's ``.env.example`` so existing
deployments keep working; what the new design adds is documented in ``.env.example``. Only this
module reads the environment (style principle 6): components receive a ``Settings`` or a small
frozen piece of it as arguments.

A bad or missing value fails at start with one line naming the variable (``ConfigError``), and
secrets are ``SecretStr`` so neither ``repr`` nor logs show them.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Variables whose presence in the environment means "use this real service, do not start an
#: embedded one" for ``make run`` and the tests.
SERVICE_URL_VARIABLES = ("REDIS_URL", "DATABASE_URL", "S3_ENDPOINT")
#: One ``IMAGE_ALLOWED_HOSTS`` entry: ``*``, a name or IP literal, or ``*.`` + a name.
_HOST_PATTERN = re.compile(r"\*|(\*\.)?[a-z0-9_:\[\]-]+(\.[a-z0-9_:\[\]-]+)*\.?")


def _comma_list(value: object) -> object:
    """``"a, b,,c"`` → ``("a", "b", "c")``; anything else unchanged (already a sequence)."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class ConfigError(Exception):
    """The configuration cannot be used; ``str()`` is one line naming the variable and the cause."""


class Settings(BaseSettings):
    """Every setting of StoreBridge, by its environment variable name (case-insensitive)."""

    model_config = SettingsConfigDict(
        env_file=None, case_sensitive=False, extra="ignore", frozen=True, hide_input_in_errors=True
    )

    environment: Literal["development", "test", "staging", "production"] = Field(
        default="development", alias="ENVIRONMENT"
    )

    # -- Domeggook ---------------------------------------------------------------------------
    domeggook_api_key: SecretStr = Field(default=SecretStr(""), alias="DOMEGGOOK_API_KEY")
    domeggook_api_url: str = Field(default="https://domeggook.com/ssl/api/", alias="DOMEGGOOK_API_URL")
    domeggook_market: Literal["dome", "supply"] = Field(default="dome", alias="DOMEGGOOK_MARKET")
    #: Calls per second for the shared Domeggook budget (the provider allows 180/min = 3/s).
    domeggook_max_tps: float = Field(default=3.0, gt=0, alias="DOMEGGOOK_MAX_TPS")
    #: Calls per KST day; work beyond it is deferred to after midnight KST, not failed.
    domeggook_daily_limit: int = Field(default=15000, gt=0, alias="DOMEGGOOK_DAILY_LIMIT")

    # -- Naver Commerce ----------------------------------------------------------------------
    naver_client_id: str = Field(default="", alias="NAVER_CLIENT_ID")
    naver_client_secret: SecretStr = Field(default=SecretStr(""), alias="NAVER_CLIENT_SECRET")
    naver_api_url: str = Field(default="https://api.commerce.naver.com/external", alias="NAVER_API_URL")
    #: Requests per second per Naver API bucket (the gateway's documented replenish rate is 2).
    naver_max_tps: float = Field(default=2.0, gt=0, alias="NAVER_MAX_TPS")

    #: After a create whose answer was lost, wait this long before concluding from a search by
    #: seller code that the product does not exist (Naver's search may lag behind writes).
    naver_search_grace_s: float = Field(default=60.0, ge=0, alias="NAVER_SEARCH_GRACE_S")
    #: Whether ``NAVER_API_URL`` is the real Commerce API: ``auto`` = real unless it is plain
    #: ``http://`` or a loopback host (Naver serves only https); ``real`` / ``sandbox`` force it.
    #: Against the real API, the worker and daemon refuse to start without an operator's category
    #: map (``storebridge.reference.guard``).
    naver_api_kind: Literal["auto", "real", "sandbox"] = Field(default="auto", alias="NAVER_API_KIND")
    #: How long Naver reference data cached in PostgreSQL (a leaf's exceptional categories and
    #: certification types, notice types, origin areas, tag checks) is trusted before it is fetched again.
    naver_reference_ttl_s: float = Field(default=86_400.0, gt=0, alias="NAVER_REFERENCE_TTL_S")

    # -- Listing rules (what the transform puts on Naver) ----------------------------------------
    #: A/S telephone shown on every product; Naver rejects placeholders, so it has no default.
    store_as_phone: str = Field(default="", alias="STORE_AS_PHONE")
    price_margin_percent: float = Field(default=20.0, ge=0, le=1000, alias="PRICE_MARGIN_PERCENT")
    price_margin_fixed_won: int = Field(default=0, ge=0, alias="PRICE_MARGIN_FIXED_WON")
    #: Naver's sales + payment commission, taken out of the sale price (percent of it).
    price_commission_percent: float = Field(default=0.0, ge=0, lt=100, alias="PRICE_COMMISSION_PERCENT")
    #: Store coupon budget, also a percent of the sale price.
    price_coupon_percent: float = Field(default=0.0, ge=0, lt=100, alias="PRICE_COUPON_PERCENT")
    #: Smallest net margin (won) after cost, fees and included shipping; below it → review
    #: (PRICE_BELOW_MIN_MARGIN): "never sold below cost plus fees".
    price_min_margin_won: int = Field(default=0, ge=0, alias="PRICE_MIN_MARGIN_WON")
    #: "separate": Naver charges the supplier's shipping fee; "included": free shipping with the
    #: largest per-unit fee share folded into the price (pay-on-delivery items stay separate).
    price_shipping_mode: Literal["separate", "included"] = Field(
        default="separate", alias="PRICE_SHIPPING_MODE"
    )
    #: Courier code sent as ``deliveryCompany`` (Naver's codes: CJGLS, HANJIN, LOTTE, EPOST, LOGEN…).
    delivery_company: str = Field(default="CJGLS", min_length=1, alias="DELIVERY_COMPANY")
    #: Seller address-book numbers (``GET /v1/seller/addresses``) for dispatch and returns/exchanges;
    #: empty = Naver uses the store's default addresses.
    naver_shipping_address_id: int | None = Field(default=None, ge=1, alias="NAVER_SHIPPING_ADDRESS_ID")
    naver_return_address_id: int | None = Field(default=None, ge=1, alias="NAVER_RETURN_ADDRESS_ID")

    @field_validator("naver_shipping_address_id", "naver_return_address_id", mode="before")
    @classmethod
    def _empty_address_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    #: Supplier minimum order quantities up to this are listed with ``minPurchaseQuantity`` (Naver
    #: enforces up to 10,000); a seller who prefers "N개 묶음" bundles sets it lower.
    moq_max: int = Field(default=10_000, ge=1, le=10_000, alias="MOQ_MAX")
    #: A larger MOQ: "review" the item (MOQ_TOO_HIGH), or "bundle" it as one unit of N pieces.
    moq_policy: Literal["review", "bundle"] = Field(default="review", alias="MOQ_POLICY")
    #: CSV ``domeggook_code,naver_leaf_category_id[,requires,note]``, loaded into PostgreSQL at
    #: start; empty = the mapping stored in PostgreSQL (``storebridge categories import``). Nothing
    #: is shipped: against the real API a map must come from the operator.
    category_map_file: str = Field(default="", alias="CATEGORY_MAP_FILE")

    # -- State and infrastructure ------------------------------------------------------------
    database_url: SecretStr = Field(
        default=SecretStr("postgresql://user:pass@localhost:5432/storebridge"), alias="DATABASE_URL"
    )
    database_pool_size: int = Field(default=10, ge=1, alias="DATABASE_POOL_SIZE")
    database_max_overflow: int = Field(default=20, ge=0, alias="DATABASE_MAX_OVERFLOW")
    redis_url: SecretStr = Field(default=SecretStr("redis://localhost:6379"), alias="REDIS_URL")
    #: Prefix of every Redis key (stream, limiter buckets, token); lets deployments share a Redis.
    redis_namespace: str = Field(default="storebridge", min_length=1, alias="REDIS_NAMESPACE")
    redis_max_connections: int = Field(default=50, ge=1, alias="REDIS_MAX_CONNECTIONS")
    s3_endpoint: str = Field(default="http://localhost:9000", alias="S3_ENDPOINT")
    s3_access_key: SecretStr = Field(default=SecretStr("admin"), alias="S3_ACCESS_KEY")
    s3_secret_key: SecretStr = Field(default=SecretStr("password"), alias="S3_SECRET_KEY")
    s3_bucket: str = Field(default="storebridge-images", min_length=3, alias="S3_BUCKET")
    s3_region: str = Field(default="us-east-1", alias="S3_REGION")

    #: ``global`` (Redis, shared by every process: production), ``local`` (aiolimiter per process:
    #: the benchmark's baseline, overshoots with N processes) or ``none``.
    rate_limit_mode: Literal["global", "local", "none"] = Field(default="global", alias="RATE_LIMIT_MODE")

    # -- Image fetching: the SSRF guard (storebridge/images/guard.py) -----------------------------
    #: Hosts representative and optional images may come from, comma-separated: exact names or IP
    #: literals, ``*.example.com`` (any subdomain) or ``*``. Default: Domeggook's CDNs.
    image_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("domeggook.com", "*.domeggook.com"), alias="IMAGE_ALLOWED_HOSTS"
    )
    #: Detail images live on supplier hosts by design: allow any host whose address is public.
    image_detail_any_public_host: bool = Field(default=True, alias="IMAGE_DETAIL_ANY_PUBLIC_HOST")
    #: CIDRs exempt from the loopback/private/link-local refusal, for allow-listed hosts only.
    image_allowed_networks: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), alias="IMAGE_ALLOWED_NETWORKS"
    )
    #: Ports image URLs (and redirects) may use.
    image_allowed_ports: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(80, 443), alias="IMAGE_ALLOWED_PORTS"
    )

    # -- Runtime (daemon and workers) -------------------------------------------------------------
    #: Port of the daemon's only HTTP endpoints, ``/health`` and ``/metrics``.
    daemon_port: int = Field(default=8000, ge=0, le=65535, alias="DAEMON_PORT")
    #: Address the daemon's HTTP endpoints bind to (all interfaces in a pod; loopback for demos).
    daemon_host: str = Field(default="0.0.0.0", alias="DAEMON_HOST")  # noqa: S104 - probes need it
    #: Items per Dramatiq message (one batched Domeggook call each; ≤ 100).
    intake_batch_size: int = Field(default=50, ge=1, le=100, alias="INTAKE_BATCH_SIZE")
    #: A stream entry pending this long in a dead daemon is reclaimed by another one.
    intake_claim_idle_s: float = Field(default=60.0, gt=0, alias="INTAKE_CLAIM_IDLE_S")
    #: Worker processes per queue group, and threads (in-flight messages) per process.
    worker_processes: int = Field(default=1, ge=1, le=64, alias="WORKER_PROCESSES")
    worker_normal_threads: int = Field(default=4, ge=1, le=64, alias="WORKER_NORMAL_THREADS")
    worker_batch_threads: int = Field(default=2, ge=1, le=64, alias="WORKER_BATCH_THREADS")
    #: Longest one message may run before Dramatiq interrupts it.
    worker_time_limit_s: float = Field(default=600.0, gt=0, alias="WORKER_TIME_LIMIT_S")
    #: SIGTERM: stop intake, let in-flight work finish or hand it back within this bound.
    shutdown_timeout_s: float = Field(default=30.0, gt=0, alias="SHUTDOWN_TIMEOUT_S")
    #: Where every process writes Prometheus samples so ``/metrics`` can add them up.
    prometheus_multiproc_dir: str = Field(default="", alias="PROMETHEUS_MULTIPROC_DIR")
    #: Port of ``storebridge worker``'s ``/health`` (queue groups alive) and ``/metrics`` (the
    #: pod's multiprocess directory); 0 = not served. Dramatiq's own exposition server stays off.
    worker_metrics_port: int = Field(default=9191, ge=0, le=65535, alias="WORKER_METRICS_PORT")
    #: Address the worker's endpoints bind to (all interfaces in a pod, for probes and scrapes).
    worker_metrics_host: str = Field(default="0.0.0.0", alias="WORKER_METRICS_HOST")  # noqa: S104 - Prometheus scrapes the pod IP
    #: A worker process silent this long is dead: its unacknowledged messages go back to the queue.
    dramatiq_heartbeat_timeout_s: float = Field(default=30.0, gt=0, alias="DRAMATIQ_HEARTBEAT_TIMEOUT_S")
    #: How often each worker process hands dead workers' messages back (``workers.broker``).
    dramatiq_maintenance_interval_s: float = Field(
        default=10.0, gt=0, alias="DRAMATIQ_MAINTENANCE_INTERVAL_S"
    )
    #: Expiry of a running message's in-flight markers, renewed every third of it while it runs.
    inflight_ttl_s: float = Field(default=90.0, ge=3, alias="INFLIGHT_TTL_S")
    #: Expiry of the markers the intake sets while a message waits in the queue.
    inflight_queued_ttl_s: float = Field(default=3600.0, gt=0, alias="INFLIGHT_QUEUED_TTL_S")
    #: How often the daemon looks for stalled work to re-drive (0 = never). With the bound below,
    #: work lost with its message is back within 60–90 s, without anyone tuning anything.
    sweeper_interval_s: float = Field(default=30.0, ge=0, alias="SWEEPER_INTERVAL_S")
    #: A product in a working state unchanged (or past its retry time) this long, with no in-flight
    #: marker, or an intake job this old without a product row, is re-driven. Short is safe: live
    #: work holds a marker (``workers.sweeper``), and even a re-drive racing a live sync cannot
    #: create twice (the state machine's compare-and-set and the REGISTERING/UNKNOWN protocol).
    sweeper_stale_after_s: float = Field(default=60.0, gt=0, alias="SWEEPER_STALE_AFTER_S")
    #: Intake jobs older than this are not looked at for a missing product row, and the sweeper
    #: deletes them (the table is never pruned otherwise).
    sweeper_lookback_s: float = Field(default=86400.0, gt=0, alias="SWEEPER_LOOKBACK_S")
    #: Most items re-driven per sweep.
    sweeper_batch_limit: int = Field(default=500, ge=1, alias="SWEEPER_BATCH_LIMIT")
    #: ``storebridge worker`` restarts a queue group that died, at most this many times within
    #: ``WORKER_RESTART_WINDOW_S``; one more and it exits non-zero (the pod restarts).
    worker_max_restarts: int = Field(default=5, ge=0, alias="WORKER_MAX_RESTARTS")
    worker_restart_window_s: float = Field(default=300.0, gt=0, alias="WORKER_RESTART_WINDOW_S")

    # -- Observability -----------------------------------------------------------------------
    sentry_dsn: SecretStr = Field(default=SecretStr(""), alias="SENTRY_DSN")
    sentry_environment: str = Field(default="development", alias="SENTRY_ENVIRONMENT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO", alias="LOG_LEVEL"
    )
    log_format: Literal["json", "text"] = Field(default="json", alias="LOG_FORMAT")

    # -- Retries -----------------------------------------------------------------------------
    max_retries: int = Field(default=3, ge=0, le=20, alias="MAX_RETRIES")
    #: Base of the exponential retry backoff, in seconds (the original guide's unit).
    retry_backoff_base: float = Field(default=300.0, ge=0, alias="RETRY_BACKOFF_BASE")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("domeggook_api_url", "naver_api_url", "s3_endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("image_allowed_hosts", mode="before")
    @classmethod
    def _host_patterns(cls, value: object) -> object:
        value = _comma_list(value)
        if isinstance(value, tuple | list):
            if not value:
                raise ValueError("must list at least one host pattern (or *)")
            for pattern in value:
                if not isinstance(pattern, str) or not _HOST_PATTERN.fullmatch(pattern.lower()):
                    raise ValueError(f"bad host pattern {str(pattern)[:60]!r}: use name or *.name")
            return tuple(pattern.lower().rstrip(".") for pattern in value)
        return value

    @field_validator("image_allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        value = _comma_list(value)
        if isinstance(value, tuple | list):
            try:
                return tuple(str(ipaddress.ip_network(str(net))) for net in value)
            except ValueError as exc:
                raise ValueError(f"not a CIDR network ({exc})") from None
        return value

    @field_validator("image_allowed_ports", mode="before")
    @classmethod
    def _ports(cls, value: object) -> object:
        value = _comma_list(value)
        if isinstance(value, tuple | list):
            ports = [int(p) if isinstance(p, str) and p.isdigit() else p for p in value]
            if not ports or not all(isinstance(p, int) and 1 <= p <= 65535 for p in ports):
                raise ValueError("must be a comma-separated list of ports 1..65535")
            return tuple(ports)
        return value

    def secret_values(self) -> list[str]:
        """Every non-empty secret, for log redaction (``configure_logging(secrets=...)``)."""
        return [
            v.get_secret_value()
            for v in vars(self).values()
            if isinstance(v, SecretStr) and v.get_secret_value()
        ]

    def require_credentials(self) -> None:
        """Raise ``ConfigError`` naming the first missing API credential.

        Separate from loading because commands like ``migrate`` or ``status`` need no API keys.
        """
        for name, value in (
            ("DOMEGGOOK_API_KEY", self.domeggook_api_key.get_secret_value()),
            ("NAVER_CLIENT_ID", self.naver_client_id),
            ("NAVER_CLIENT_SECRET", self.naver_client_secret.get_secret_value()),
        ):
            if not value:
                raise ConfigError(f"{name} is not set: it is required to call the APIs")


def load_settings(**overrides: object) -> Settings:
    """Build ``Settings`` from the environment (plus ``overrides``); raise a one-line ``ConfigError``.

    ``overrides`` use the environment variable names, e.g. ``load_settings(REDIS_URL="redis://…")``.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "configuration"
        raise ConfigError(f"{name.upper()}: {first['msg']}") from None


def explicit_service_urls() -> dict[str, str]:
    """The service URLs that were set in the environment (empty values count as unset).

    ``make run`` and the test fixtures start embedded stand-ins only for the others.
    """
    return {name: os.environ[name] for name in SERVICE_URL_VARIABLES if os.environ.get(name)}


def running_in_ci() -> bool:
    """True under CI (``CI=true``): a service that cannot be started fails instead of skipping."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}
