"""``storebridge smoke``: the post-deploy check, one item through the real pipeline and back from Naver.

Picks the item (``ITEM_NO``, or with ``--from-list KEYWORD`` the first on-sale Domeggook hit for the
keyword), migrates, opens the same resources the workers use and syncs the item in this process,
then asks Naver by seller management code (``DG-{market}-{no}``) whether exactly one product carries
it. Naver's search may lag behind a create, so an empty answer is asked again for up to
``--search-wait-s``. Prints one ``smoke PASS: …`` or ``smoke FAIL: …`` line on stdout.

Exit 0 on PASS; 1 on FAIL (the item did not settle, zero or several products, a service is down);
2 on usage or configuration errors. Safe to repeat: a second run finds the item unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storebridge.commands.common import EXIT_FAILED, EXIT_OK, BadInput, parse_item_number
from storebridge.config import Settings, load_settings
from storebridge.logs import configure_logging
from storebridge.sync.result import SUCCESS_OUTCOMES
from storebridge.transform import seller_management_code

if TYPE_CHECKING:
    from storebridge.domeggook import DomeggookClient

logger = logging.getLogger(__name__)

#: Default time to keep asking Naver's search when it does not show the product yet (seconds).
SEARCH_WAIT_S = 30.0
#: Pause between two searches (seconds).
SEARCH_INTERVAL_S = 3.0


@dataclass(frozen=True)
class Verdict:
    """Whether the check passed, and the one line that says why."""

    passed: bool
    line: str


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``smoke`` subcommand."""
    parser = subparsers.add_parser(
        "smoke",
        help="post-deploy check: sync one item and verify it exists exactly once on Naver",
        description="Sync one Domeggook item in this process (migrating first) and check that exactly "
        "one Naver product carries its seller management code. Prints PASS or FAIL; exit 0 or 1.",
    )
    parser.add_argument("item_no", nargs="?", metavar="ITEM_NO", help="Domeggook item number")
    parser.add_argument(
        "--from-list", metavar="KEYWORD", help="use the first Domeggook search hit for KEYWORD"
    )
    parser.add_argument(
        "--search-wait-s",
        type=float,
        default=SEARCH_WAIT_S,
        help=f"keep asking Naver's search this long while it finds nothing (default: {SEARCH_WAIT_S:.0f})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the check and print its verdict; return the exit status."""
    if (args.item_no is None) == (args.from_list is None):
        raise BadInput("give either ITEM_NO or --from-list KEYWORD")
    item_no = parse_item_number(args.item_no) if args.item_no is not None else None
    from storebridge.commands.preflight import check_services

    settings = load_settings()
    settings.require_credentials()
    check_services(settings, redis=True, database=True, s3=True)
    configure_logging(settings.log_level, settings.log_format, secrets=settings.secret_values())
    try:
        verdict = asyncio.run(check(settings, item_no, args.from_list, search_wait_s=args.search_wait_s))
    except Exception as exc:  # a smoke check reports every failure as FAIL, with the cause
        logger.exception("smoke.failed")
        verdict = Verdict(False, f"smoke FAIL: {type(exc).__name__}: {exc}")
    print(verdict.line, flush=True)
    return EXIT_OK if verdict.passed else EXIT_FAILED


async def check(
    settings: Settings, item_no: int | None, keyword: str | None, *, search_wait_s: float = SEARCH_WAIT_S
) -> Verdict:
    """Migrate, sync the item, search Naver by its seller code; the verdict."""
    from storebridge.resources import Resources
    from storebridge.store import migrate

    await migrate(settings.database_url.get_secret_value())
    async with Resources(settings) as resources:
        syncer = resources.syncer
        if item_no is None:
            item_no = await _first_hit(syncer.domeggook, keyword or "")
            if item_no is None:
                return Verdict(False, f"smoke FAIL: no on-sale Domeggook item matches {keyword!r}")
        result = await syncer.sync_item(item_no)
        if result.outcome not in SUCCESS_OUTCOMES:
            return Verdict(False, f"smoke FAIL: item {result.line()}")
        code = seller_management_code(settings.domeggook_market, item_no)
        found = await syncer.naver.search_by_seller_code(code)
        waited_s = 0.0
        while not found and waited_s < search_wait_s:
            await asyncio.sleep(SEARCH_INTERVAL_S)
            waited_s += SEARCH_INTERVAL_S
            found = await syncer.naver.search_by_seller_code(code)
    if len(found) != 1:
        numbers = ", ".join(str(p.origin_product_no) for p in found) or "none"
        return Verdict(False, f"smoke FAIL: {len(found)} Naver products carry {code} ({numbers})")
    product = found[0]
    if result.origin_product_no is not None and product.origin_product_no != result.origin_product_no:
        return Verdict(
            False,
            f"smoke FAIL: {code} is on Naver #{product.origin_product_no}, "
            f"but the store recorded #{result.origin_product_no}",
        )
    return Verdict(
        True,
        f"smoke PASS: item {item_no} {result.outcome.value}, exactly one Naver product "
        f"#{product.origin_product_no} carries {code}",
    )


async def _first_hit(domeggook: DomeggookClient, keyword: str) -> int | None:
    async for hit in domeggook.list_items(keyword=keyword, page_size=20, max_pages=1):
        return hit.no
    return None
