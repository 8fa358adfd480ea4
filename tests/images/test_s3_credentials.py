"""S3 credentials: both keys empty mean the default AWS credential chain (IRSA on EKS).

Against the session's real S3 server (moto): with no static keys the pipeline still reaches the
bucket when the chain has credentials (here its first link, ``AWS_ACCESS_KEY_ID``), and fails when
the chain has none, which shows that nothing is filled in behind the operator's back.
"""

from __future__ import annotations

import pytest

from storebridge.config import ConfigError
from storebridge.images import ImagePipeline
from storebridge.images.types import ImageStorageFailed

CHAIN_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


@pytest.fixture
def no_chain(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment in which the default chain finds nothing (no variables, files or IMDS)."""
    for name in CHAIN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    return monkeypatch


def pipeline(s3_endpoint: str, bucket: str, access: str = "", secret: str = "") -> ImagePipeline:
    return ImagePipeline(
        s3_endpoint=s3_endpoint, s3_access_key=access, s3_secret_key=secret, s3_bucket=bucket
    )


async def test_empty_keys_use_the_default_credential_chain(
    no_chain: pytest.MonkeyPatch, s3_endpoint: str, s3_bucket: str
) -> None:
    no_chain.setenv("AWS_ACCESS_KEY_ID", "chain-key")
    no_chain.setenv("AWS_SECRET_ACCESS_KEY", "chain-secret")
    async with pipeline(s3_endpoint, s3_bucket) as images:
        await images.ensure_bucket()
        assert await images.ensure_bucket() is False  # it exists now: the chain's keys worked


async def test_empty_keys_and_an_empty_chain_fail_instead_of_guessing(
    no_chain: pytest.MonkeyPatch, s3_endpoint: str, s3_bucket: str
) -> None:
    async with pipeline(s3_endpoint, s3_bucket) as images:
        with pytest.raises(ImageStorageFailed):
            await images.ensure_bucket()


@pytest.mark.parametrize(("access", "secret"), [("key", ""), ("", "secret")])
async def test_one_key_without_the_other_is_a_configuration_error(
    s3_endpoint: str, s3_bucket: str, access: str, secret: str
) -> None:
    with pytest.raises(ConfigError, match="set both, or neither"):
        async with pipeline(s3_endpoint, s3_bucket, access, secret):
            pass
