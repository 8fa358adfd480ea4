"""Which shared bucket a request belongs to: the bucket ids the pipeline uses.

``bucket_for(key)`` maps a client's ``RequestKey`` to its bucket: Domeggook spends one budget per
key whatever the operation; a Naver request is routed by its method and path template. Naver
limits each API separately (per API per application, reference §5.1), so the limiter keeps one
bucket per API family the client calls. Reference-data lookups that the pipeline makes rarely and
caches (origin areas, notice templates, attributes, brands, seller data) share the
``naver:categories`` bucket: Naver counts them separately, so sharing one of our buckets can only
make us slower, never over the limit.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from storebridge.http import RequestKey

#: Domeggook: one budget per key (180/min), list and detail share it.
DOMEGGOOK = "domeggook"
#: Naver token endpoint (``POST /v1/oauth2/token``).
NAVER_AUTH = "naver:auth"
#: Naver image upload (``POST /v1/product-images/upload``).
NAVER_IMAGES = "naver:images"
#: Naver product create/read/update/delete, status, price and stock.
NAVER_PRODUCTS = "naver:products"
#: Naver product search (``POST /v1/products/search``).
NAVER_SEARCH = "naver:search"
#: Naver categories and the other cached reference data.
NAVER_CATEGORIES = "naver:categories"

#: Every bucket id the pipeline uses.
ALL_BUCKETS = (DOMEGGOOK, NAVER_AUTH, NAVER_IMAGES, NAVER_PRODUCTS, NAVER_SEARCH, NAVER_CATEGORIES)

#: Path prefixes (after ``/external`` and the version segment are dropped) → bucket, most specific
#: first; a prefix matches a whole segment run (``/products`` does not match ``/products-for-…``).
_PREFIXES: tuple[tuple[str, str, str], ...] = (
    # (method or "*", path prefix, bucket)
    ("POST", "/oauth2/token", NAVER_AUTH),
    ("POST", "/product-images/upload", NAVER_IMAGES),
    ("POST", "/products/search", NAVER_SEARCH),
    ("*", "/products", NAVER_PRODUCTS),
    ("*", "/categories", NAVER_CATEGORIES),
    ("*", "/product-origin-areas", NAVER_CATEGORIES),
    ("*", "/products-for-provided-notice", NAVER_CATEGORIES),
    ("*", "/product-attributes", NAVER_CATEGORIES),
    ("*", "/options", NAVER_CATEGORIES),
    ("*", "/product-brands", NAVER_CATEGORIES),
    ("*", "/product-manufacturers", NAVER_CATEGORIES),
    ("*", "/product-models", NAVER_CATEGORIES),
    ("*", "/tags", NAVER_CATEGORIES),
    ("*", "/seller", NAVER_CATEGORIES),
    ("*", "/product-delivery-info", NAVER_CATEGORIES),
)

_VERSIONS = ("v1", "v2")


def _api_path(path_or_url: str) -> str:
    """``https://…/external/v2/products/origin-products/1?x=1`` → ``/products/origin-products/1``."""
    segments = [s for s in urlsplit(path_or_url).path.split("/") if s]
    for index, segment in enumerate(segments):
        if segment in _VERSIONS:
            return "/" + "/".join(segments[index + 1 :])
    raise ValueError(f"not a Naver Commerce API path (no /v1 or /v2 segment): {path_or_url!r}")


def _matches(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def naver_bucket_for(method: str, path: str) -> str:
    """The bucket id of a Naver request, from its method and path (or full URL, query ignored).

    Raises ``ValueError`` for a path this table does not know: a new endpoint must be given a
    bucket on purpose (in review) rather than silently sharing, or escaping, a budget.
    """
    api_path = _api_path(path)
    verb = method.upper()
    for want_method, prefix, bucket in _PREFIXES:
        if want_method in ("*", verb) and _matches(api_path, prefix):
            return bucket
    raise ValueError(f"no rate-limit bucket for Naver request {verb} {api_path}")


@functools.cache
def bucket_for(key: RequestKey) -> str:
    """The bucket id a request named ``key`` spends (looked up once per key, then cached).

    Raises ``ValueError`` for an API or a Naver endpoint this table does not know.
    """
    if key.api == "domeggook":
        return DOMEGGOOK
    if key.api == "naver":
        return naver_bucket_for(key.method, key.template)
    raise ValueError(f"no rate-limit bucket for API {key.api!r}")
