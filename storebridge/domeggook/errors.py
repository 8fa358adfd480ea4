"""Domeggook API errors, named for the caller's decision, and the check of every answer.

Reference §3/§5: the API can put an ``errors`` object in a 200 answer, so errors are looked for on
every status. Only ``dcode`` ITEM_ERROR means an item is gone; a block (HTTP 429, or an ``errors``
body on any status that says so, ``is_block``) stops the key for at least 3 minutes; everything
else (HTTP failures, 5xx, non-JSON bodies such as an HTML redirect page) is transient. Messages
never contain the API key (it travels in the query string as ``aid``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from schemas.domeggook import DomeggookErrors, DomeggookItem, ItemParseFailure, find_api_error
from storebridge.errors import PermanentError, StoreBridgeError, TransientError
from storebridge.http import RawResponse, header

#: A 429 blocks the key for 3 minutes (reference §4); never retry sooner.
RATE_LIMIT_BLOCK_S = 180.0
#: Texts of the documented block notice ("분당 180회 이상 접속 시 3분, 일 15,000회 이상 접속 시 자정까지
#: 차단됩니다", research S16). The status and codes of a block answer are undocumented (fidelity
#: evidence #20) and Domeggook sends errors with HTTP 200, so the text is the signal relied on.
BLOCK_MARKERS = ("차단", "접속 제한", "호출 제한")
#: ``errors.code`` / ``dcode`` values read as a block wherever they appear (ours and clients' guesses).
BLOCK_CODES = frozenset({"429", "LIMIT_EXCEEDED", "RATE_LIMIT", "TOO_MANY_REQUESTS"})
#: An error mentioning these means "no rows on this page" (reference §1.6 [ONE S12]), not a failure.
NO_ROWS_MARKERS = ("페이지", "목록이 없습니다")

E = TypeVar("E", bound="DomeggookError")


class DomeggookError(StoreBridgeError):
    """Family base; ``mode`` (getItemView ...), HTTP ``status`` and the API's ``dcode`` when known."""

    mode: str = ""
    status: int | None = None
    dcode: str | None = None


class ItemGone(DomeggookError, PermanentError):
    """``ITEM_ERROR``: the item was deleted or never existed; take it off sale, do not retry."""

    item_no: int | None = None


class DomeggookInvalidItem(DomeggookError, PermanentError):
    """The item came back but its data is unusable (failed validation); a person must look."""


class DomeggookRateLimited(DomeggookError, TransientError):
    """429: the key is blocked (3 minutes, or until midnight KST for the daily quota)."""


class DomeggookUnavailable(DomeggookError, TransientError):
    """No usable answer: timeout, reset, HTTP error, 5xx, or a body that is not JSON (HTML, redirect)."""


class DomeggookApiError(DomeggookError, TransientError):
    """An ``errors`` object other than ITEM_ERROR (bad key, unknown service, bad search condition).

    Transient by the reference's rule (only ITEM_ERROR is final), but not retried in-client: the
    same request would get the same answer. ``code``/``dmessage`` say what the API objected to.
    """

    code: str | None = None

    @property
    def no_rows(self) -> bool:
        """True for the "no rows on this page" error that ends a listing."""
        text = f"{self.dcode} {self}"
        return any(marker in text for marker in NO_ROWS_MARKERS)


@dataclass(frozen=True)
class ItemBatch:
    """Outcome of ``get_items``: found items, confirmed-gone numbers, unresolved and unusable ones.

    ``gone`` numbers answered ITEM_ERROR. ``missing`` numbers were left out of a batch answer and
    not looked up one by one (only with ``confirm_missing=False``); check them before concluding
    anything. ``invalid`` entries came back but failed validation (a person must look).
    """

    items: tuple[DomeggookItem, ...]
    gone: tuple[int, ...]
    missing: tuple[int, ...]
    invalid: tuple[ItemParseFailure, ...]


def make_error(cls: type[E], text: str, mode: str, status: int | None, **kwargs: Any) -> E:
    """An instance of ``cls`` with ``mode`` and ``status`` filled in."""
    error = cls(text, **kwargs)
    error.mode, error.status = mode, status
    return error


def check_answer(raw: RawResponse, mode: str, *, item_no: int | None, secret: str) -> dict[str, Any]:
    """The decoded JSON object of a good answer, or raise the matching ``DomeggookError``.

    Order matters: a 429 wins whatever the body; then a body that is not JSON; then an ``errors``
    object on any status; then any other non-2xx. ``secret`` (the API key) is scrubbed from quoted
    server text.
    """
    where = f"Domeggook {mode} -> HTTP {raw.status}"
    if raw.status == 429:
        retry_after = (header(raw.headers, "Retry-After") or "").strip()
        wait_s = max(RATE_LIMIT_BLOCK_S, float(retry_after) if retry_after.isdigit() else 0.0)
        raise make_error(DomeggookRateLimited, f"{where}: key blocked", mode, 429, retry_after_s=wait_s)
    body = raw.body.lstrip()
    try:
        # A body starting with "<" is an HTML page (redirect, proxy error) or XML: not our answer.
        doc = orjson.loads(body) if body and not body.startswith(b"<") else None
    except orjson.JSONDecodeError:
        doc = None
    if not isinstance(doc, dict):
        text = f"{where}: body is not a JSON object ({len(raw.body)} bytes)"
        raise make_error(DomeggookUnavailable, text, mode, raw.status)
    errors = find_api_error(doc)
    if errors is not None:
        raise _api_error(errors, where, mode, raw.status, item_no, secret)
    if not 200 <= raw.status < 300 or not isinstance(doc.get("domeggook"), dict):
        raise make_error(DomeggookUnavailable, f"{where}: no 'domeggook' object", mode, raw.status)
    return doc


def is_block(errors: DomeggookErrors) -> bool:
    """True when an ``errors`` object says the key is blocked (rate limit or daily quota)."""
    if {errors.code.strip().upper(), errors.dcode.strip().upper()} & BLOCK_CODES:
        return True
    text = f"{errors.message} {errors.dmessage}"
    return any(marker in text for marker in BLOCK_MARKERS)


def _api_error(
    errors: DomeggookErrors, where: str, mode: str, status: int, item_no: int | None, secret: str
) -> DomeggookError:
    text = f"{where} {errors.dcode or errors.code}: {errors.dmessage or errors.message}"
    if secret:
        text = text.replace(secret, "***")
    error: DomeggookError
    if errors.item_gone:
        gone = make_error(ItemGone, text, mode, status, code="ITEM_ERROR")
        gone.item_no = item_no
        error = gone
    elif is_block(errors):
        error = make_error(DomeggookRateLimited, text, mode, status, retry_after_s=RATE_LIMIT_BLOCK_S)
    else:
        api = make_error(DomeggookApiError, text, mode, status)
        api.code = errors.code or None
        error = api
    error.dcode = errors.dcode or None
    return error
