"""Every Commerce API operation the client calls, each stated once: method, path template, retry class.

The path template is the gateway's path under ``/external`` (reference naver-commerce-api.md); its
``RequestKey`` is what the limiter routes to a bucket and the metrics label, and ``path(no=...)``
gives the concrete path. A new endpoint is added here and nowhere else (the limiter's route table
must know its path: ``tests/naver/test_endpoints.py`` checks that every one has a bucket).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from storebridge.http import RequestKey

#: ``RequestKey.api`` of every Naver request.
API = "naver"


class Idempotency(enum.Enum):
    """What sending a request twice would do, hence how it may be retried and what a failure means.

    The transport retries transient failures (429, 5xx, timeouts, resets) of ``SAFE`` and
    ``IDEMPOTENT`` calls freely, at most ``ClientSettings.max_retries`` times; it retries a
    ``NOT_IDEMPOTENT`` call only when Naver provably did not process it (a 429 from the gateway, a
    connection that was never opened, a token that was not obtained).
    """

    #: Changes nothing that matters on Naver's side (reads, search, token, an image upload whose
    #: duplicate is a harmless unused image): retried freely; a failure is ``NaverTransient``.
    SAFE = "safe"
    #: A write whose repetition gives the same state (full-replace PUT, absolute price/stock,
    #: status, delete): retried freely; a failure after sending is ``NaverOutcomeUnknown``.
    IDEMPOTENT = "idempotent"
    #: A write that must not be repeated (a create would duplicate the product): retried only when
    #: provably unsent; any other failure after sending is ``NaverOutcomeUnknown``.
    NOT_IDEMPOTENT = "not-idempotent"

    @property
    def writes(self) -> bool:
        """True when a failure after sending leaves the outcome unknown (the call may have applied)."""
        return self is not Idempotency.SAFE


@dataclass(frozen=True)
class Endpoint:
    """One Commerce API operation: its ``RequestKey`` and how it may be retried."""

    key: RequestKey
    idempotency: Idempotency

    def path(self, **values: object) -> str:
        """The concrete path relative to the API root, e.g. ``v2/products/origin-products/12``."""
        return self.key.path(**values)


def _endpoint(method: str, template: str, idempotency: Idempotency) -> Endpoint:
    return Endpoint(RequestKey(API, method, template), idempotency)


#: ``POST /v1/oauth2/token``: form body only (reference §1).
TOKEN = _endpoint("POST", "/v1/oauth2/token", Idempotency.SAFE)
#: ``POST /v2/products``: never re-posted once it may have reached Naver.
CREATE_PRODUCT = _endpoint("POST", "/v2/products", Idempotency.NOT_IDEMPOTENT)
#: The whole stored product document (needed before any full-replace PUT).
GET_PRODUCT = _endpoint("GET", "/v2/products/origin-products/{no}", Idempotency.SAFE)
#: Full replace: omitted fields are deleted (reference §4.2).
REPLACE_PRODUCT = _endpoint("PUT", "/v2/products/origin-products/{no}", Idempotency.IDEMPOTENT)
DELETE_PRODUCT = _endpoint("DELETE", "/v2/products/origin-products/{no}", Idempotency.IDEMPOTENT)
CHANGE_STATUS = _endpoint("PUT", "/v1/products/origin-products/{no}/change-status", Idempotency.IDEMPOTENT)
OPTION_STOCK = _endpoint("PUT", "/v1/products/origin-products/{no}/option-stock", Idempotency.IDEMPOTENT)
MULTI_UPDATE = _endpoint("PATCH", "/v1/products/origin-products/multi-update", Idempotency.IDEMPOTENT)
#: A POST, but a read: searching twice changes nothing.
SEARCH_PRODUCTS = _endpoint("POST", "/v1/products/search", Idempotency.SAFE)
CATEGORIES = _endpoint("GET", "/v1/categories", Idempotency.SAFE)
#: One category with its ``exceptionalCategories`` and ``certificationInfos`` [DOC get-category-product.md].
CATEGORY = _endpoint("GET", "/v1/categories/{no}", Idempotency.SAFE)
#: Notice types a (top-level) category recommends
#: [DOC get-all-product-info-provided-notice-type-vo-product.md].
NOTICE_TYPES = _endpoint("GET", "/v1/products-for-provided-notice", Idempotency.SAFE)
#: Every origin-area code [DOC get-all-origin-area-list-product.md].
ORIGIN_AREAS = _endpoint("GET", "/v1/product-origin-areas", Idempotency.SAFE)
#: Whether seller tags are restricted [DOC is-restrict-tags-product.md].
RESTRICTED_TAGS = _endpoint("GET", "/v2/tags/restricted-tags", Idempotency.SAFE)
#: A POST, but retried freely: a duplicate upload only leaves an unused image on Naver's side.
UPLOAD_IMAGES = _endpoint("POST", "/v1/product-images/upload", Idempotency.SAFE)

#: Every endpoint above (for the route check and documentation).
ALL_ENDPOINTS = (
    TOKEN,
    CREATE_PRODUCT,
    GET_PRODUCT,
    REPLACE_PRODUCT,
    DELETE_PRODUCT,
    CHANGE_STATUS,
    OPTION_STOCK,
    MULTI_UPDATE,
    SEARCH_PRODUCTS,
    CATEGORIES,
    UPLOAD_IMAGES,
    CATEGORY,
    NOTICE_TYPES,
    ORIGIN_AREAS,
    RESTRICTED_TAGS,
)
