"""The state store: PostgreSQL (asyncpg) behind one async context manager, ``StateStore``.

``StateStore`` owns one asyncpg pool. Its methods come from five parts, one per group of tables,
split to keep modules small: ``products.ProductStore`` (claim, transitions, events, re-drive,
counts), ``image_cache.ImageCache`` (content hash → S3 key and Naver URL),
``category_rules.CategoryRules`` (category map, banned words) and ``intake_jobs.IntakeJobs``
(stream → queue hand-offs), plus ``reference_data.ReferenceData`` (the category trees and
Naver's per-leaf rules, cached with their fetch time). Schema changes are plain SQL files applied
by ``migrate`` (``store.migrate``). Rows come back as the frozen dataclasses of ``store.types``,
never as asyncpg Records.

Typical use::

    async with StateStore(dsn) as store:
        row = await store.claim("dome", 46072413, "DG-dome-46072413")
        row = await store.transition(row.id, State.PENDING, State.VALIDATED)
"""

from __future__ import annotations

import warnings
from types import TracebackType
from typing import Self

import asyncpg

from storebridge.config import Settings
from storebridge.store.category_rules import CategoryRules
from storebridge.store.db import Pool, init_connection
from storebridge.store.image_cache import ImageCache
from storebridge.store.intake_jobs import IntakeJobs
from storebridge.store.migrate import MigrationError, migrate
from storebridge.store.products import ProductStore
from storebridge.store.recheck import Recheck
from storebridge.store.reference_data import ReferenceData
from storebridge.store.types import (
    BannedWord,
    BannedWordSpec,
    CategoryMapping,
    CategoryMappingSpec,
    ImageRow,
    InvariantViolation,
    ProductEvent,
    ProductFields,
    ProductNotFound,
    ProductRow,
    StaleState,
)

__all__ = [
    "BannedWord",
    "BannedWordSpec",
    "CategoryMapping",
    "CategoryMappingSpec",
    "ImageRow",
    "InvariantViolation",
    "MigrationError",
    "ProductEvent",
    "ProductFields",
    "ProductNotFound",
    "ProductRow",
    "StaleState",
    "StateStore",
    "migrate",
]

#: Default pool bounds (connections); a worker process needs about one per concurrent actor.
DEFAULT_MIN_SIZE = 1
DEFAULT_MAX_SIZE = 10
#: How long opening one connection may take, in seconds.
CONNECT_TIMEOUT_S = 10.0
#: Longest a statement may run before the server cancels it, in milliseconds (a stuck lock must
#: surface as an error, not hang a worker).
STATEMENT_TIMEOUT_MS = 30_000


class StateStore(ProductStore, ImageCache, CategoryRules, IntakeJobs, ReferenceData, Recheck):
    """Products and their history, the image cache, the listing-rule tables and the intake jobs.

    Open with ``async with StateStore(dsn) as store`` or ``store = await StateStore.open(dsn)``
    (then ``await store.close()``). ``close()`` is idempotent; a store garbage-collected while open
    emits ``ResourceWarning``. Methods on a closed store raise ``RuntimeError``.
    """

    def __init__(
        self, dsn: str, *, min_size: int = DEFAULT_MIN_SIZE, max_size: int = DEFAULT_MAX_SIZE
    ) -> None:
        self._dsn = dsn
        self._min_size = min_size
        self._max_size = max_size
        self._pool: Pool | None = None
        self._closed = False

    @classmethod
    async def open(
        cls, dsn: str, *, min_size: int = DEFAULT_MIN_SIZE, max_size: int = DEFAULT_MAX_SIZE
    ) -> Self:
        """A store with its pool already open (the caller must ``close()`` it)."""
        store = cls(dsn, min_size=min_size, max_size=max_size)
        await store.start()
        return store

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """A (not yet opened) store for ``DATABASE_URL`` with the configured pool bounds.

        ``DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW`` is the most connections one process opens
        (the original guide's SQLAlchemy meaning). Connections are opened on demand from one, not
        pre-opened, so N idle worker processes do not hold N × pool-size server connections.
        """
        return cls(
            settings.database_url.get_secret_value(),
            min_size=DEFAULT_MIN_SIZE,
            max_size=settings.database_pool_size + settings.database_max_overflow,
        )

    async def start(self) -> None:
        """Open the pool (connects ``min_size`` connections now; fails fast if the DB is down)."""
        if self._closed:
            raise RuntimeError("StateStore was closed; create a new one")
        if self._pool is not None:
            return
        self._pool = await asyncpg.create_pool(
            self._dsn,
            min_size=self._min_size,
            max_size=self._max_size,
            timeout=CONNECT_TIMEOUT_S,
            init=init_connection,
            server_settings={
                "application_name": "storebridge",
                "statement_timeout": str(STATEMENT_TIMEOUT_MS),
            },
        )

    async def close(self) -> None:
        """Close the pool, waiting for connections in use to be released; safe to call twice."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called (or before the store was ever opened)."""
        return self._pool is None

    async def ping(self) -> bool:
        """True if the database answers (for health checks); never raises."""
        if self._pool is None:
            return False
        try:
            return bool(await self._pool.fetchval("SELECT 1", timeout=CONNECT_TIMEOUT_S) == 1)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __del__(self) -> None:
        if getattr(self, "_pool", None) is not None:
            warnings.warn(f"unclosed {type(self).__name__}", ResourceWarning, stacklevel=1)
