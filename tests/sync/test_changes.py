"""Change detection and the listing snapshot, pure: no fixtures, no I/O."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

from schemas.domeggook import DomeggookItem
from storebridge.sync import ChangeKind, ListingSnapshot
from storebridge.sync.changes import RulesFingerprint, classify, listing_hashes
from storebridge.transform import TransformRules
from tests.paths import item_body

RULES = TransformRules(category_map={"04_01_00_00_00": "50000803"}, as_phone="02-1234-5678")


def item(**basis: Any) -> DomeggookItem:
    raw = item_body()
    raw["basis"].update(basis)
    return DomeggookItem.model_validate(raw)


def test_an_unchanged_item_under_unchanged_rules_needs_nothing() -> None:
    fingerprint = RulesFingerprint.of(RULES)
    content, structure = listing_hashes(item(), fingerprint)

    assert classify(content, structure, item(), fingerprint) is ChangeKind.NONE


def test_unknown_previous_hashes_count_as_structural() -> None:
    assert classify(None, None, item(), RulesFingerprint.of(RULES)) is ChangeKind.STRUCTURE


def test_a_margin_change_is_a_price_change_and_a_title_change_is_structural() -> None:
    content, structure = listing_hashes(item(), RulesFingerprint.of(RULES))
    repriced = RulesFingerprint.of(dataclasses.replace(RULES, margin_percent=Decimal("55")))

    assert classify(content, structure, item(), repriced) is ChangeKind.PRICE_STOCK
    assert classify(content, structure, item(title="새 이름"), RulesFingerprint.of(RULES)) is (
        ChangeKind.STRUCTURE
    )


def test_snapshot_of_a_payload_remembers_price_stock_and_option_ids() -> None:
    wire = {"originProduct": {"salePrice": 12900, "stockQuantity": 7}}

    snapshot = ListingSnapshot.of_wire(wire, {"DG-dome-1-00": 11})

    assert snapshot == ListingSnapshot(sale_price=12900, stock=7, option_ids={"DG-dome-1-00": 11})
    assert snapshot.to_json() == {"sale_price": 12900, "stock": 7, "option_ids": {"DG-dome-1-00": 11}}


def test_snapshot_round_trips_through_the_row_json_and_remembers_a_suspension() -> None:
    stored = ListingSnapshot(sale_price=100, stock=0, option_ids={"a": 1}).as_suspended().to_json()

    assert stored["suspended"] is True
    assert ListingSnapshot.from_json(stored).suspended
    assert ListingSnapshot.from_json(json.loads(json.dumps(stored))) == ListingSnapshot(
        sale_price=100, stock=0, option_ids={"a": 1}, suspended=True
    )


def test_a_row_without_a_snapshot_reads_as_the_empty_one() -> None:
    assert ListingSnapshot.from_json(None) == ListingSnapshot()
    assert not ListingSnapshot.from_json(None).suspended
