"""``NaverSimConfig``: defaults, CLI-friendly fields and start-up validation."""

from __future__ import annotations

import dataclasses

import pytest

from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.naver.categories import LEAF_CATEGORY_IDS, NAVER_CATEGORIES


def test_every_field_has_a_default_a_help_text_and_a_plain_type() -> None:
    config = NaverSimConfig()
    for field in dataclasses.fields(NaverSimConfig):
        assert field.metadata["help"]
        assert type(getattr(config, field.name)) in (int, float, str, bool)


def test_defaults_follow_the_reference() -> None:
    config = NaverSimConfig()
    assert (config.rate_per_s, config.burst_multiplier, config.burst_capacity) == (2.0, 2.0, 4.0)
    assert (config.token_ttl_s, config.token_reuse_min_remaining_s, config.timestamp_max_age_s) == (
        10800,
        1800,
        300,
    )
    assert config.max_images_per_upload == 10
    assert config.client_secret.startswith("$2a$04$")


def test_config_is_frozen() -> None:
    config = NaverSimConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.rate_per_s = 3.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "secret",
    [
        "$2a$10$abcdefghijklmnopqrstuv",  # the documentation's non-canonical example
        "plain-secret",
        "$2a$04$short",
        "$2a$31$abcdefghijklmnopqrstuu",
    ],
)
def test_secret_that_is_not_a_canonical_bcrypt_salt_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="client_secret"):
        NaverSimConfig(client_secret=secret)


def test_canonical_documentation_salt_is_accepted() -> None:
    assert NaverSimConfig(client_secret="$2a$10$abcdefghijklmnopqrstuu").client_secret.endswith("stuu")


@pytest.mark.parametrize(
    "changes",
    [
        {"rate_per_s": 0.0},
        {"burst_multiplier": 0.5},
        {"max_images_per_upload": 0},
        {"token_reuse_min_remaining_s": 10800},
    ],
)
def test_out_of_range_knobs_are_refused(changes: dict[str, object]) -> None:
    knob = next(iter(changes))
    with pytest.raises(ValueError, match=f"^{knob} must "):
        NaverSimConfig(**changes)  # type: ignore[arg-type]


def test_category_tree_covers_the_storebridge_assortment_with_eight_digit_leaves() -> None:
    tops = {c.name for c in NAVER_CATEGORIES if c.parent_id is None}
    middles = {c.whole_name.split(">")[1] for c in NAVER_CATEGORIES if c.whole_name.count(">") >= 1}
    assert {"패션의류", "패션잡화", "화장품/미용", "디지털/가전", "식품", "스포츠/레저", "생활/건강"} <= tops
    assert {"주방용품", "반려동물", "문구/사무용품", "완구/인형", "인테리어소품"} <= middles
    assert len(LEAF_CATEGORY_IDS) >= 60
    assert all(len(leaf) == 8 and leaf.isdigit() for leaf in LEAF_CATEGORY_IDS)
