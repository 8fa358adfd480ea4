"""Naver's gateway rate-limit headers: one parser, read case-insensitively, garbage ignored."""

from __future__ import annotations

from multidict import CIMultiDict

from schemas.naver_gateway import RateLimitHeaders


def test_rate_headers_are_read_case_insensitively_and_garbage_is_ignored() -> None:
    http2 = RateLimitHeaders.from_headers(
        {
            "gncp-gw-ratelimit-replenish-rate": "2",
            "gncp-gw-ratelimit-burst-capacity": "4",
            "gncp-gw-ratelimit-remaining": "0",
        }
    )
    http1 = RateLimitHeaders.from_headers(CIMultiDict({"GNCP-GW-RateLimit-Replenish-Rate": "0.5"}))
    garbled = RateLimitHeaders.from_headers(
        [("GNCP-GW-RateLimit-Replenish-Rate", "nan"), ("GNCP-GW-RateLimit-Burst-Capacity", "0"), ("x", "1")]
    )
    assert (http2.replenish_rate_per_s, http2.burst_capacity, http2.remaining) == (2.0, 4, 0)
    assert http1.replenish_rate_per_s == 0.5
    assert http1.remaining is None
    assert garbled.empty


def test_non_positive_rates_and_fractional_counts_are_not_trusted_as_given() -> None:
    seen = RateLimitHeaders.from_headers(
        {
            "GNCP-GW-RateLimit-Replenish-Rate": "-1",
            "GNCP-GW-RateLimit-Burst-Capacity": "4.7",
            "GNCP-GW-RateLimit-Remaining": "-3",
        }
    )

    assert (seen.replenish_rate_per_s, seen.burst_capacity, seen.remaining) == (None, 4, None)


def test_an_answer_without_the_headers_is_empty() -> None:
    assert RateLimitHeaders.from_headers({"Content-Type": "application/json"}).empty
