"""The Naver endpoint table: each operation stated once, routed to a limiter bucket and labelled."""

from __future__ import annotations

import pytest

from storebridge.limiter import ALL_BUCKETS, bucket_for
from storebridge.metrics import request_labels
from storebridge.naver import endpoints
from storebridge.naver.endpoints import Endpoint, Idempotency


@pytest.mark.parametrize("endpoint", endpoints.ALL_ENDPOINTS, ids=lambda e: e.key.endpoint)
def test_every_endpoint_spends_a_known_bucket_and_has_bounded_labels(endpoint: Endpoint) -> None:
    assert bucket_for(endpoint.key) in ALL_BUCKETS
    assert request_labels(endpoint.key) == ("naver", endpoint.key.endpoint)
    assert "{" not in endpoint.path(no=12)


def test_endpoints_route_to_the_buckets_naver_counts_separately() -> None:
    assert bucket_for(endpoints.TOKEN.key) == "naver:auth"
    assert bucket_for(endpoints.UPLOAD_IMAGES.key) == "naver:images"
    assert bucket_for(endpoints.SEARCH_PRODUCTS.key) == "naver:search"
    assert bucket_for(endpoints.CATEGORIES.key) == "naver:categories"
    assert bucket_for(endpoints.CREATE_PRODUCT.key) == "naver:products"
    assert bucket_for(endpoints.CHANGE_STATUS.key) == "naver:products"


def test_the_concrete_path_fills_the_template_and_drops_the_leading_slash() -> None:
    assert endpoints.GET_PRODUCT.key.endpoint == "GET /v2/products/origin-products/{no}"
    assert endpoints.GET_PRODUCT.path(no=123) == "v2/products/origin-products/123"
    assert endpoints.CHANGE_STATUS.path(no=7) == "v1/products/origin-products/7/change-status"


def test_only_the_create_is_never_retried_blindly_and_post_reads_are_safe() -> None:
    not_idempotent = [e for e in endpoints.ALL_ENDPOINTS if e.idempotency is Idempotency.NOT_IDEMPOTENT]

    assert not_idempotent == [endpoints.CREATE_PRODUCT]
    assert endpoints.SEARCH_PRODUCTS.key.method == "POST"
    assert endpoints.SEARCH_PRODUCTS.idempotency is Idempotency.SAFE
    assert not Idempotency.SAFE.writes
    assert Idempotency.IDEMPOTENT.writes
    assert Idempotency.NOT_IDEMPOTENT.writes
