"""``storebridge categories``: how a real seller gets a real Domeggook → Naver category map.

1. ``fetch``: Naver's tree (``GET /v1/categories``) and Domeggook's (``getCategoryList``) into
   PostgreSQL, through the shared rate limiter (two API calls in all).
2. ``propose [-o FILE]``: for every Domeggook leaf the best-matching Naver leaf by Korean category
   path, with a confidence and the runner-up, as CSV for a person to review
   (``storebridge.reference.matching``). Nothing is written to the map.
3. ``import FILE [--replace]``: the rows marked confirmed into ``category_map`` as manual mappings
   (never overwritten by a file load); ``--replace`` deactivates every mapping not in the file.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from storebridge.commands.common import EXIT_OK, BadInput, CommandFailed, failing_on_service_errors
from storebridge.config import Settings, load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``categories`` subcommand and its ``fetch`` / ``propose`` / ``import`` actions."""
    parser = subparsers.add_parser(
        "categories",
        help="fetch both category trees, propose a Domeggook → Naver map, import a confirmed one",
        description="Build the category map from the APIs' own trees: fetch, propose (CSV to review), "
        "import (the confirmed rows into the database's category_map).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("fetch", help="store Naver's and Domeggook's category trees in PostgreSQL")
    propose = actions.add_parser("propose", help="write a proposed map as CSV for a person to confirm")
    propose.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    imported = actions.add_parser("import", help="load the confirmed rows of a reviewed CSV")
    imported.add_argument("file", metavar="FILE")
    imported.add_argument(
        "--replace", action="store_true", help="deactivate every mapping that is not in the file"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the chosen action; one summary line on stderr (the proposal itself goes to stdout)."""
    settings = load_settings()
    action = {"fetch": _fetch, "propose": _propose, "import": _import}[args.action]
    with failing_on_service_errors():
        message = asyncio.run(action(settings, args))
    print(message, file=sys.stderr)
    return EXIT_OK


async def _fetch(settings: Settings, args: argparse.Namespace) -> str:
    from storebridge.commands.enqueue import PatientHook
    from storebridge.domeggook import DomeggookClient
    from storebridge.limiter import RateLimiter
    from storebridge.naver import NaverClient
    from storebridge.reference.trees import fetch_domeggook_tree, fetch_naver_tree
    from storebridge.store import StateStore

    settings.require_credentials()
    async with (
        StateStore.from_settings(settings) as store,
        RateLimiter.from_settings(settings) as limiter,
        NaverClient.from_settings(settings, limiter=PatientHook(limiter)) as naver,
        DomeggookClient.from_settings(settings, limiter=PatientHook(limiter)) as domeggook,
    ):
        naver_count, naver_leaves = await fetch_naver_tree(naver, store)
        dg_count, dg_leaves, skipped = await fetch_domeggook_tree(domeggook, store)
    note = f" ({skipped} Domeggook codes in an unknown form skipped)" if skipped else ""
    return (
        f"stored {naver_count} Naver categories ({naver_leaves} leaves) and {dg_count} Domeggook "
        f"categories ({dg_leaves} leaves){note}"
    )


async def _propose(settings: Settings, args: argparse.Namespace) -> str:
    from storebridge.reference.mapfile import proposals_csv
    from storebridge.reference.matching import Category, propose
    from storebridge.store import StateStore

    async with StateStore.from_settings(settings) as store:
        leaves = [Category(c.id, c.whole_name) for c in await store.naver_categories(leaves_only=True)]
        sources = [Category(c.code, c.whole_name) for c in await store.domeggook_categories(leaves_only=True)]
    if not leaves or not sources:
        raise CommandFailed("no category trees stored: run storebridge categories fetch first")
    proposals = propose(sources, leaves)
    text = proposals_csv(proposals)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")  # noqa: ASYNC240 - one small file
        except OSError as exc:
            raise BadInput(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    sure = sum(1 for p in proposals if p.confidence >= 0.8 and not p.ambiguous)
    return (
        f"proposed {len(proposals)} mappings ({sure} with confidence >= 0.8 and no close runner-up); "
        "review them, mark rows confirmed=yes, then: storebridge categories import FILE"
    )


async def _import(settings: Settings, args: argparse.Namespace) -> str:
    from storebridge.reference.mapfile import MapFileError, read_confirmed
    from storebridge.store import CategoryMappingSpec, StateStore

    async with StateStore.from_settings(settings) as store:
        leaves = {c.id for c in await store.naver_categories(leaves_only=True)}
        try:
            confirmed = read_confirmed(args.file, leaves=leaves)
        except MapFileError as exc:
            raise BadInput(str(exc)) from None
        if not confirmed.specs:
            raise BadInput(f"{args.file}: no confirmed rows (write yes in the confirmed column)")
        changed = await store.load_category_map(confirmed.specs, source="manual")
        dropped = 0
        if args.replace:
            kept = {s.domeggook_code for s in confirmed.specs}
            stale = [m for code, m in (await store.category_map()).items() if code not in kept]
            dropped = await store.load_category_map(
                [
                    CategoryMappingSpec(
                        domeggook_code=m.domeggook_code,
                        naver_leaf_category_id=m.naver_leaf_category_id,
                        confidence=m.confidence,
                        is_active=False,
                    )
                    for m in stale
                ],
                source="manual",
            )
    unchecked = "" if leaves else " (no Naver tree stored: leaf ids not checked)"
    return (
        f"imported {len(confirmed.specs)} confirmed mappings ({changed} new or changed, "
        f"{confirmed.unconfirmed} unconfirmed rows skipped, {dropped} deactivated){unchecked}"
    )
