"""``storebridge preview``: show the Naver payload one Domeggook item would become, writing nothing.

The item comes from the API (``preview ITEM_NO``) or from a saved raw getItemView answer
(``--from-file``, single or ``multiple=true``). The transform runs with the listing rules from the
environment, a category map given with ``--category-map`` (else ``CATEGORY_MAP_FILE``, else the
shipped map) and, with ``--as-phone``, another A/S telephone. Images are not uploaded: each supplier
URL stands for itself, so the payload is exactly what would be sent apart from the image hosts.

stdout: the payload JSON (an array when several items were previewed); stderr: adjustments, or one
``item N: CODE field: message`` line per rejection. Exit 0 when every item produced a payload, 1 when
one was rejected or unusable (gone, malformed JSON, failed validation), 2 on usage or config errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.domeggook import DomeggookItem, find_api_error, parse_item_view
from storebridge.commands.common import EXIT_FAILED, EXIT_OK, BadInput, CommandFailed, parse_item_number
from storebridge.config import ConfigError, Settings, load_settings
from storebridge.listing_rules import load_listing_rules_from_file
from storebridge.transform import Transformed, TransformRules, build_product, image_sources

#: Exit status when an item was rejected or could not be previewed.
EXIT_REJECTED = EXIT_FAILED


class PreviewFailed(CommandFailed):
    """The item cannot be previewed (gone, unusable data): one line, exit 1."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``preview`` subcommand."""
    parser = subparsers.add_parser(
        "preview",
        help="show the Naver payload an item would become (writes nothing)",
        description="Transform one Domeggook item (fetched, or read from a saved getItemView answer) "
        "and print the Naver product payload, or the reasons it would be rejected. Nothing is "
        "uploaded or stored; images keep their supplier URLs.",
    )
    parser.add_argument(
        "item_no", nargs="?", metavar="ITEM_NO", help="item to fetch (with --from-file: the item to pick)"
    )
    parser.add_argument(
        "--from-file", metavar="RESPONSE.json", help="saved raw getItemView answer (single or multiple=true)"
    )
    parser.add_argument(
        "--category-map", metavar="FILE", help="category-map CSV (default: CATEGORY_MAP_FILE, else shipped)"
    )
    parser.add_argument("--as-phone", metavar="PHONE", help="A/S telephone for this preview only")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the item(s), transform each and print the outcome; return the exit status."""
    if args.item_no is None and args.from_file is None:
        raise BadInput("give an ITEM_NO or --from-file RESPONSE.json")
    item_no = parse_item_number(args.item_no) if args.item_no is not None else None
    settings = load_settings()
    if args.as_phone is not None:
        settings = settings.model_copy(update={"store_as_phone": args.as_phone})
    rules = load_listing_rules_from_file(settings, args.category_map)  # ConfigError -> exit 2 in cli.main
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
    return _preview(items, rules)


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


def _preview(items: list[DomeggookItem], rules: TransformRules) -> int:
    """Transform every item; payloads to stdout, everything else to stderr."""
    payloads: list[dict[str, Any]] = []
    status = EXIT_OK
    for item in items:
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
