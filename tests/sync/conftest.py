"""Fixtures of the sync tests: the service URLs of this test and a running harness over them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.sync.harness import Harness, running


@pytest.fixture
def service_urls(
    redis_url: str, redis_namespace: str, database_url: str, s3_endpoint: str, s3_bucket: str
) -> dict[str, str]:
    """This test's own Redis namespace, database and bucket, as settings."""
    return {
        "REDIS_URL": redis_url,
        "REDIS_NAMESPACE": redis_namespace,
        "DATABASE_URL": database_url,
        "S3_ENDPOINT": s3_endpoint,
        "S3_BUCKET": s3_bucket,
    }


@pytest.fixture
async def h(service_urls: dict[str, str]) -> AsyncIterator[Harness]:
    """A 60-item sandbox and open pipeline resources."""
    async with running(60, service_urls) as harness:
        yield harness
