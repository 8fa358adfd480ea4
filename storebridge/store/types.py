"""Row types, input specs and errors of the state store (no I/O).

Rows coming *out* of PostgreSQL are frozen dataclasses (trusted, cheap to build, never raw asyncpg
Records). Rule rows going *in* from files or operators are pydantic models (``CategoryMappingSpec``,
``BannedWordSpec``) so a loader can ``model_validate`` a dict and get a one-line error.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, model_validator

from storebridge.errors import PermanentError, TransientError
from storebridge.store.states import State

#: JSON value as stored in jsonb columns (decoded with orjson).
Json = Any


class StaleState(TransientError):
    """The row was not in the state the caller expected: someone else moved it first.

    Transient on purpose: nothing is wrong with the request, the caller re-reads the row and
    decides again (usually: another worker already did the work).
    """

    def __init__(self, product_id: int, expected: State, actual: State) -> None:
        super().__init__(f"product {product_id} is {actual}, not {expected}: moved by someone else")
        self.product_id = product_id
        self.expected = expected
        self.actual = actual


class ProductNotFound(PermanentError):
    """No product row with that id (a caller bug: ids come from ``claim``)."""

    def __init__(self, product_id: int) -> None:
        super().__init__(f"no product with id {product_id}", code="PRODUCT_NOT_FOUND")
        self.product_id = product_id


class InvariantViolation(PermanentError):
    """PostgreSQL refused a write that would break a row rule (nothing was changed).

    Examples: COMPLETED without the Naver number, REGISTERING without an attempt id, two items
    sharing a seller management code, an identity column changed. ``constraint`` names the rule.
    """

    def __init__(self, message: str, *, constraint: str | None = None) -> None:
        super().__init__(message, code="INVARIANT_VIOLATION")
        self.constraint = constraint


class ProductFields(TypedDict, total=False):
    """Columns a transition (or an event) may update alongside the state; nothing else is writable.

    ``retry_count`` is also maintained by the database: entering RETRYING adds one, entering
    COMPLETED resets it (a value passed together with those transitions is overridden).
    """

    origin_product_no: int | None
    channel_product_no: int | None
    source_hash: str | None
    structure_hash: str | None
    snapshot: Json
    attempt_id: uuid.UUID | None
    retry_count: int
    next_retry_at: datetime | None
    last_error_code: str | None
    last_error_message: str | None


#: Column names of ``ProductFields``, in a fixed order (the only column names ever spliced into SQL).
PRODUCT_FIELD_COLUMNS: tuple[str, ...] = tuple(ProductFields.__annotations__)


@dataclass(frozen=True, slots=True)
class ProductRow:
    """One product as stored: where it is in its life and what we last told Naver."""

    id: int
    market: str
    item_no: int
    state: State
    seller_management_code: str
    origin_product_no: int | None
    channel_product_no: int | None
    source_hash: str | None
    structure_hash: str | None
    snapshot: Json
    attempt_id: uuid.UUID | None
    retry_count: int
    next_retry_at: datetime | None
    last_error_code: str | None
    last_error_message: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @property
    def registered(self) -> bool:
        """True once the product is known to exist on Naver (never create it again)."""
        return self.origin_product_no is not None


@dataclass(frozen=True, slots=True)
class ProductEvent:
    """One history entry: a transition (``to_state`` set) or an event without a state change."""

    id: int
    product_id: int
    from_state: State | None
    to_state: State | None
    code: str
    message: str | None
    trace_id: str | None
    details: Json
    at: datetime


@dataclass(frozen=True, slots=True)
class ImageRow:
    """A cached image: where its bytes are in S3 and, once uploaded, its Naver URL."""

    sha256: str
    s3_key: str
    naver_url: str | None
    width: int
    height: int
    size_bytes: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CategoryMapping:
    """A Domeggook category's Naver leaf category and the attributes it needs."""

    domeggook_code: str
    naver_leaf_category_id: str
    required_attributes: Json
    default_attributes: Json
    confidence: float
    source: str
    is_active: bool
    usage_count: int
    success_count: int
    version: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class BannedWord:
    """One banned-word rule; ``word`` is a regular expression when ``is_regex``."""

    id: int
    word: str
    is_regex: bool
    kind: Literal["block", "replace", "warn"]  # the table's CHECK constraint guarantees it
    replacement: str | None
    category: str
    severity: str
    source: str
    is_active: bool


class CategoryMappingSpec(BaseModel):
    """A category mapping to load (from a file, an operator or the auto-mapper)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    domeggook_code: str = Field(pattern=r"^[0-9]{2}(_[0-9]{2}){4}$")
    naver_leaf_category_id: str = Field(pattern=r"^[0-9]{1,20}$")
    required_attributes: list[Json] = Field(default_factory=list)
    default_attributes: dict[str, Json] = Field(default_factory=dict)
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    is_active: bool = True


class BannedWordSpec(BaseModel):
    """A banned-word rule to load; ``replacement`` is required exactly when ``kind == "replace"``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    word: str = Field(min_length=1)
    is_regex: bool = False
    kind: Literal["block", "replace", "warn"]
    replacement: str | None = None
    category: str = "prohibited"
    severity: Literal["low", "medium", "high"] = "medium"
    source: str = "manual"
    is_active: bool = True

    @model_validator(mode="after")
    def _replacement_matches_kind(self) -> BannedWordSpec:
        if (self.kind == "replace") != (self.replacement is not None):
            raise ValueError("replacement is required for kind 'replace' and only for it")
        if self.is_regex:
            try:
                re.compile(self.word)
            except re.error as exc:
                raise ValueError(f"word is not a valid regular expression: {exc}") from None
        return self
