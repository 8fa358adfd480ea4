"""Shared client plumbing: request keys and the one settings object of both API clients."""

from __future__ import annotations

import pytest

from storebridge.config import load_settings
from storebridge.http import ClientSettings, RequestKey


def test_a_request_key_names_its_endpoint_and_formats_its_concrete_path() -> None:
    key = RequestKey("naver", "PUT", "/v1/products/origin-products/{no}/option-stock")

    assert key.endpoint == "PUT /v1/products/origin-products/{no}/option-stock"
    assert key.path(no=5) == "v1/products/origin-products/5/option-stock"
    assert {key: 1}[RequestKey("naver", "PUT", "/v1/products/origin-products/{no}/option-stock")] == 1


def test_client_settings_take_max_retries_from_the_environment_and_keep_the_wait_defaults() -> None:
    settings = load_settings(MAX_RETRIES="5")

    client = ClientSettings.from_settings(settings)

    assert client == ClientSettings(timeout_s=30.0, max_retries=5, retry_base_s=0.5, retry_max_s=10.0)


@pytest.mark.parametrize(
    "fields", [{"max_retries": -1}, {"timeout_s": 0.0}, {"retry_base_s": -0.1}, {"retry_max_s": -1.0}]
)
def test_client_settings_refuse_values_without_meaning(fields: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"(max_retries|timeout_s|retry waits) must be"):
        ClientSettings(**fields)  # type: ignore[arg-type]
