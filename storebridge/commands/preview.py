"""``storebridge preview``: show the Naver payload one Domeggook item would become, listing nothing.

The item comes from the API (``preview ITEM_NO``) or from a saved raw getItemView answer
(``--from-file``, single or ``multiple=true``). The transform runs with the listing rules from the
environment, a category map given with ``--category-map`` (else ``CATEGORY_MAP_FILE``; no map ships:
``storebridge sandbox`` hands out the sandbox's, and without one every item is CATEGORY_NOT_MAPPED)
and, with ``--as-phone``, another A/S telephone.

Naver's reference data is added per item exactly as the sync adds it
(``reference.gates.ReferenceGates.rules_for``: per-leaf gates and certification types, notice types,
origin areas, restricted seller tags), so the payload is the one the sync would send. That needs
the Naver credentials and PostgreSQL (the same reference cache the sync reads and fills); when
either is missing or does not answer, or with ``--offline``, one stderr line says so
(``reference data: not loaded (<reason>) — gates shown as review``) and the transform runs without
it. Only reads reach Naver (a token and GETs); images are not uploaded, nothing is created, and
each supplier image URL stands for itself. The payload differs from the sync's in the image hosts;
with the reference data it reads the banned words (and, without a map file, the category map) from
PostgreSQL as the sync does, without it the built-in banned words and the map file only.

stdout: the payload JSON (an array when several items were previewed); stderr: adjustments, or one
``item N: CODE field: message`` line per rejection. Exit 0 when every item produced a payload, 1 when
one was rejected or unusable (gone, malformed JSON, failed validation), 2 on usage or config errors.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.domeggook import DomeggookItem, find_api_error, parse_item_view
from storebridge.commands.common import EXIT_FAILED, EXIT_OK, BadInput, CommandFailed, parse_item_number
from storebridge.config import ConfigError, Settings, load_settings
from storebridge.errors import StoreBridgeError
from storebridge.listing_rules import read_category_map, read_listing_rules, rules_from_specs
from storebridge.store import CategoryMappingSpec
from storebridge.transform import Transformed, TransformRules, build_product, image_sources

#: Exit status when an item was rejected or could not be previewed.
EXIT_REJECTED = EXIT_FAILED
#: Longest wait (s) for one Naver answer: the workers' 30 s, times the retries, would let an
#: unreachable host hold an interactive command for minutes.
REFERENCE_TIMEOUT_S = 10.0
#: The stderr line of a preview made without Naver's reference data.
NOT_LOADED = "reference data: not loaded ({reason}) — gates shown as review"
#: Longest error text quoted in that line.
MAX_REASON_CHARS = 240


class PreviewFailed(CommandFailed):
    """The item cannot be previewed (gone, unusable data): one line, exit 1."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``preview`` subcommand."""
    parser = subparsers.add_parser(
        "preview",
        help="show the Naver payload the sync would send for an item (creates nothing)",
        description="Transform one Domeggook item (fetched, or read from a saved getItemView answer) "
        "and print the Naver product payload the sync would send, or the reasons it would be "
        "rejected. Naver's reference data (gates, notice types, origin areas, restricted tags) is read "
        "as the sync reads it: GETs only, cached in PostgreSQL. No image is uploaded and nothing is "
        "created; images keep their supplier URLs.",
    )
    parser.add_argument(
        "item_no", nargs="?", metavar="ITEM_NO", help="item to fetch (with --from-file: the item to pick)"
    )
    parser.add_argument(
        "--from-file", metavar="RESPONSE.json", help="saved raw getItemView answer (single or multiple=true)"
    )
    parser.add_argument(
        "--category-map",
        metavar="FILE",
        help="category-map CSV (default: CATEGORY_MAP_FILE; no map ships, "
        "`storebridge sandbox` sets the sandbox's)",
    )
    parser.add_argument("--as-phone", metavar="PHONE", help="A/S telephone for this preview only")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="do not read Naver's reference data (gates, notice types, origin areas, restricted tags); "
        "gated leaves then show as review",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the item(s), transform each and print the outcome; return the exit status."""
    if args.item_no is None and args.from_file is None:
        raise BadInput("give an ITEM_NO or --from-file RESPONSE.json")
    item_no = parse_item_number(args.item_no) if args.item_no is not None else None
    settings = load_settings()
    if args.as_phone is not None:
        settings = settings.model_copy(update={"store_as_phone": args.as_phone})
    source = args.category_map or settings.category_map_file
    specs = read_category_map(source) if source else None  # ConfigError -> exit 2 in cli.main
    rules = rules_from_specs(settings, specs or [])
    if args.from_file is not None:
        path = Path(args.from_file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
        items = _items_from_file(path, data, item_no)
    else:
        assert item_no is not None
        items = asyncio.run(_fetch(settings, item_no))
    reason: str | None
    if args.offline:
        per_item, reason = [rules] * len(items), "--offline"
    else:
        per_item, reason = asyncio.run(_with_reference_data(settings, rules, items, specs))
    if reason is not None:
        print(NOT_LOADED.format(reason=reason), file=sys.stderr)
    return _preview(items, per_item)


def _items_from_file(path: Path, data: bytes, item_no: int | None) -> list[DomeggookItem]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PreviewFailed(f"{path}: not valid JSON: {exc}") from None
    items = _parse(doc, str(path))
    if item_no is None:
        return items
    chosen = [item for item in items if item.no == item_no]
    if not chosen:
        found = ", ".join(str(item.no) for item in items) or "none"
        raise PreviewFailed(f"{path}: item {item_no} is not in the file (items: {found})")
    return chosen


async def _fetch(settings: Settings, item_no: int) -> list[DomeggookItem]:
    """The raw getItemView answer for ``item_no``, parsed; only the Domeggook key is needed."""
    from storebridge.domeggook import DomeggookClient, DomeggookError, ItemGone

    if not settings.domeggook_api_key.get_secret_value():
        raise ConfigError("DOMEGGOOK_API_KEY is not set: it is required to fetch an item")
    try:
        async with DomeggookClient.from_settings(settings) as client:
            doc = await client.get_item_raw(item_no)
    except ItemGone:
        raise PreviewFailed(f"item {item_no} is gone at Domeggook (ITEM_ERROR)") from None
    except DomeggookError as exc:
        raise PreviewFailed(f"cannot fetch item {item_no}: {exc}") from None
    items = _parse(doc, f"Domeggook getItemView no={item_no}")
    if not items:
        raise PreviewFailed(f"Domeggook getItemView no={item_no}: the answer holds no item")
    return items


def _parse(doc: Any, source: str) -> list[DomeggookItem]:
    errors = find_api_error(doc)
    if errors is not None:
        what = "item gone (ITEM_ERROR)" if errors.item_gone else "API error"
        detail = errors.dmessage or errors.message
        raise PreviewFailed(f"{source}: {what} {errors.dcode or errors.code}: {detail}")
    try:
        return parse_item_view(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "document"
        raise PreviewFailed(f"{source}: unusable getItemView data: {field}: {first['msg']}") from None


async def _with_reference_data(
    settings: Settings,
    rules: TransformRules,
    items: list[DomeggookItem],
    specs: list[CategoryMappingSpec] | None,
) -> tuple[list[TransformRules], str | None]:
    """Each item's rules with Naver's reference data, built as the sync builds them.

    With PostgreSQL reachable the banned words, and the category map unless a file was given
    (``specs``), are the store's, as the workers read them. ``(rules per item, None)``, or the
    plain ``rules`` for every item and why the reference data could not be read: all items or
    none, so one preview never mixes the two.
    """
    import asyncpg

    from storebridge.commands.preflight import probe_database
    from storebridge.http import ClientSettings
    from storebridge.naver import NaverClient
    from storebridge.naver.errors import NaverError
    from storebridge.reference.gates import ReferenceGates
    from storebridge.reference.naver_rules import NaverRules
    from storebridge.store import StateStore

    plain = [rules] * len(items)
    for name, value in (
        ("NAVER_CLIENT_ID", settings.naver_client_id),
        ("NAVER_CLIENT_SECRET", settings.naver_client_secret.get_secret_value()),
    ):
        if not value.strip():
            return plain, f"{name} is not set"
    dsn = settings.database_url.get_secret_value()
    try:  # one line naming DATABASE_URL without its password, before a pool would retry
        await probe_database(dsn)
    except (ConfigError, CommandFailed) as exc:
        return plain, f"the reference cache is in PostgreSQL: {exc}"
    client_settings = dataclasses.replace(
        ClientSettings.from_settings(settings), timeout_s=REFERENCE_TIMEOUT_S
    )
    try:
        async with (
            StateStore(dsn, min_size=1, max_size=1) as store,
            NaverClient.from_settings(settings, client_settings=client_settings) as naver,
        ):
            stored = await read_listing_rules(settings, store, specs)
            gates = ReferenceGates(NaverRules(naver, store, ttl_s=settings.naver_reference_ttl_s))
            return [await gates.rules_for(item, stored) for item in items], None
    except NaverError as exc:
        return plain, f"Naver at {settings.naver_api_url}: {type(exc).__name__}: {_one_line(exc)}"
    except (StoreBridgeError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        return plain, f"the reference cache in PostgreSQL: {type(exc).__name__}: {_one_line(exc)}"


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or "no detail"
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


def _preview(items: list[DomeggookItem], per_item: list[TransformRules]) -> int:
    """Transform every item with its rules; payloads to stdout, everything else to stderr."""
    payloads: list[dict[str, Any]] = []
    status = EXIT_OK
    for item, rules in zip(items, per_item, strict=True):
        sources = image_sources(item).all
        print(
            f"item {item.no}: images not uploaded in a preview; "
            f"the payload uses the {len(sources)} supplier image URL(s) as they are",
            file=sys.stderr,
        )
        result = build_product(item, rules, {url: url for url in sources})
        for adjustment in result.adjustments:
            line = _reason(item.no, adjustment.code, adjustment.field, adjustment.message)
            print(f"adjusted: {line}", file=sys.stderr)
        if isinstance(result, Transformed):
            payloads.append(result.payload.to_wire())
            continue
        status = EXIT_REJECTED
        for rejection in result.rejections:
            print(_reason(item.no, rejection.code, rejection.field, rejection.message), file=sys.stderr)
    if payloads:
        document: object = payloads[0] if len(items) == 1 else payloads
        print(json.dumps(document, ensure_ascii=False, indent=2))
    return status


def _reason(item_no: int, code: str, field: str, message: str) -> str:
    """``item N: CODE field: message`` (the transform's messages already start with ``item N: ``)."""
    prefix = f"item {item_no}: "
    return f"{prefix}{code} {field}: {message.removeprefix(prefix)}"
