"""``storebridge sandbox``: serve both API simulators in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from storebridge.commands.dataclass_flags import add_dataclass_flags, dataclass_from_flags


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sandbox`` subcommand and its flags (one per simulator knob)."""
    from storebridge.sandbox.domeggook.app import DomeggookSimConfig
    from storebridge.sandbox.faults import Faults
    from storebridge.sandbox.naver.app import NaverSimConfig

    parser = subparsers.add_parser(
        "sandbox",
        help="serve the Domeggook and Naver simulators on loopback",
        description="Serve faithful local simulators of the Domeggook and Naver Commerce APIs, "
        "from a deterministic generated catalog, and print the URLs and credentials to use.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--domeggook-port", type=int, default=8101, help="Domeggook port (default: 8101)")
    parser.add_argument("--naver-port", type=int, default=8102, help="Naver port (default: 8102)")
    parser.add_argument("--items", type=int, default=200, help="catalog size (default: 200)")
    parser.add_argument("--seed", type=int, default=1, help="catalog seed (default: 1)")
    add_dataclass_flags(parser, DomeggookSimConfig, "domeggook", "Domeggook simulator")
    add_dataclass_flags(parser, NaverSimConfig, "naver", "Naver simulator")
    add_dataclass_flags(parser, Faults, "domeggook-fault", "Domeggook faults (adjustable at run time)")
    add_dataclass_flags(parser, Faults, "naver-fault", "Naver faults (adjustable at run time)")
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Validate the options (exit 2 with one clear line on a bad one), then serve until a signal."""
    from storebridge.sandbox.domeggook.app import DomeggookSimConfig
    from storebridge.sandbox.faults import Faults
    from storebridge.sandbox.naver.app import NaverSimConfig
    from storebridge.sandbox.runner import SandboxOptions

    try:
        options = SandboxOptions(
            items=args.items,
            seed=args.seed,
            host=args.host,
            domeggook_port=args.domeggook_port,
            naver_port=args.naver_port,
            domeggook=dataclass_from_flags(DomeggookSimConfig, args, "domeggook"),
            naver=dataclass_from_flags(NaverSimConfig, args, "naver"),
            domeggook_faults=dataclass_from_flags(Faults, args, "domeggook_fault"),
            naver_faults=dataclass_from_flags(Faults, args, "naver_fault"),
        )
    except ValueError as exc:
        args.parser.error(str(exc))
    try:
        asyncio.run(_serve(options))
    except OSError as exc:
        print(f"storebridge sandbox: cannot serve: {exc}", file=sys.stderr)
        return 1
    return 0


async def _serve(options: object) -> None:
    from storebridge.sandbox.runner import Sandbox, SandboxOptions

    assert isinstance(options, SandboxOptions)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with Sandbox(options) as sandbox:
        print(f"Domeggook simulator: {sandbox.domeggook_api_url}", flush=True)
        print(f"Naver simulator:     {sandbox.naver_api_url}", flush=True)
        print(f"Catalog: {options.items} items, seed {options.seed}", flush=True)
        print("Use these settings (e.g. export them before `storebridge sync`):", flush=True)
        for name, value in sandbox.environment().items():
            print(f"  export {name}='{value}'", flush=True)
        print(
            f"Inspect: {sandbox.domeggook_origin}/_sandbox/stats  {sandbox.naver_origin}/_sandbox/stats"
            "  (faults: POST /_sandbox/faults). Ctrl-C stops.",
            flush=True,
        )
        await stop.wait()
