"""Pure parts of the limiter: bucket routing of request keys and Naver paths, configuration."""

from __future__ import annotations

import pytest

from storebridge.http import RequestKey
from storebridge.limiter import ALL_BUCKETS, BucketConfig, bucket_for, default_buckets, naver_bucket_for


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("POST", "/v1/oauth2/token", "naver:auth"),
        ("POST", "https://api.commerce.naver.com/external/v1/product-images/upload", "naver:images"),
        ("POST", "/external/v2/products", "naver:products"),
        ("GET", "/v2/products/origin-products/123", "naver:products"),
        ("PUT", "/v2/products/origin-products/123", "naver:products"),
        ("DELETE", "/v2/products/channel-products/9", "naver:products"),
        ("put", "/v1/products/origin-products/123/change-status", "naver:products"),
        ("PUT", "/v1/products/origin-products/123/option-stock", "naver:products"),
        ("PATCH", "/v1/products/origin-products/multi-update", "naver:products"),
        ("POST", "/v1/products/search?page=2", "naver:search"),
        ("GET", "/v1/categories?last=true", "naver:categories"),
        ("GET", "/v1/categories/50000803/sub-categories", "naver:categories"),
        ("GET", "/v1/products-for-provided-notice?categoryId=1", "naver:categories"),
        ("GET", "/v1/product-origin-areas/query", "naver:categories"),
        ("GET", "/v1/seller/addressbooks-for-page", "naver:categories"),
    ],
)
def test_each_naver_request_maps_to_its_bucket(method: str, path: str, bucket: str) -> None:
    assert naver_bucket_for(method, path) == bucket


@pytest.mark.parametrize(
    ("path", "refusal"),
    [
        ("/v1/pay-order/seller/orders", "no rate-limit bucket for Naver request GET /pay-order/"),
        ("/products", "not a Naver Commerce API path"),
        ("/v1/oauth2/authorize", "no rate-limit bucket for Naver request GET /oauth2/authorize"),
    ],
)
def test_an_unknown_naver_endpoint_has_no_bucket_until_someone_gives_it_one(path: str, refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        naver_bucket_for("GET", path)


def test_a_request_key_is_routed_to_its_bucket_by_api_method_and_template() -> None:
    assert bucket_for(RequestKey("domeggook", "GET", "")) == "domeggook"
    assert bucket_for(RequestKey("naver", "POST", "/v1/products/search")) == "naver:search"
    assert bucket_for(RequestKey("naver", "GET", "/v2/products/origin-products/{no}")) == "naver:products"
    with pytest.raises(ValueError, match="no rate-limit bucket"):
        bucket_for(RequestKey("coupang", "GET", "/v1/products"))
    with pytest.raises(ValueError, match="no rate-limit bucket"):
        bucket_for(RequestKey("naver", "GET", "/v1/pay-order/seller/orders"))


def test_the_pipeline_buckets_pace_under_the_provider_rates() -> None:
    buckets = {b.api: b for b in default_buckets(domeggook_rate_per_s=3.0, naver_rate_per_s=2.0)}
    assert set(buckets) == set(ALL_BUCKETS)
    assert buckets["domeggook"].pacing_rate_per_s == pytest.approx(2.85)
    assert buckets["domeggook"].penalty_pause_s >= 180
    assert all(b.burst == 1 and b.max_wait_s == 2.0 for b in buckets.values())
    assert buckets["naver:products"].pacing_rate_per_s == pytest.approx(1.9)


@pytest.mark.parametrize(
    "bad",
    [{"rate_per_s": 0}, {"burst": 0}, {"safety_factor": 1.5}, {"decrease_factor": 0}, {"max_wait_s": -1}],
)
def test_a_bucket_config_that_could_never_work_is_refused(bad: dict[str, float]) -> None:
    fields: dict[str, float] = {"rate_per_s": 2.0, **bad}
    with pytest.raises(ValueError, match="bucket naver:products: "):
        BucketConfig("naver:products", **fields)  # type: ignore[arg-type]
