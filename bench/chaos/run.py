"""``python -m bench.chaos``: run the chosen scenarios (default: all), print the table, exit 0 if all pass.

Exit status: 0 when every scenario row is at 0 lost, 0 duplicates, 0 parked by an outage and
recovered within its bound (and, with ``--soak-s``, the soak stayed flat); 1 otherwise; 2 on bad
arguments; 130 on Ctrl-C. ``--json PATH`` writes every row (and the soak) for a test to assert on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

from bench.chaos.outcomes import ScenarioRow
from bench.chaos.report import details, markdown_table, text_table
from bench.chaos.scenarios import SCENARIOS, run_scenario
from bench.chaos.settings import ChaosConfig
from bench.chaos.soak import SoakResult, run_soak, soak_table
from storebridge.logs import configure_logging


def _parse(argv: list[str] | None) -> tuple[ChaosConfig, list[str], str, bool]:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scenario", action="append", choices=sorted(SCENARIOS), help="run only this one (repeatable)"
    )
    parser.add_argument("--items", type=int, default=ChaosConfig.items, help="items enqueued per scenario")
    parser.add_argument("--seed", type=int, default=ChaosConfig.seed, help="seed of the fault schedule")
    parser.add_argument("--kills", type=int, default=ChaosConfig.kills, help="worker kills in worker-kill")
    parser.add_argument("--outage-s", type=float, default=ChaosConfig.outage_s, help="outage length (s)")
    parser.add_argument(
        "--recovery-s", type=float, default=ChaosConfig.recovery_bound_s, help="recovery bound (s)"
    )
    parser.add_argument("--soak-s", type=float, default=0.0, help="soak duration (0 = no soak)")
    parser.add_argument("--soak-only", action="store_true", help="run no scenario, only the soak")
    parser.add_argument("--keep-logs", metavar="DIR", default="", help="keep every process's logs in DIR")
    parser.add_argument("--json", metavar="PATH", default="", help="write the rows as JSON to PATH")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown too")
    parser.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="extra setting for daemon and workers"
    )
    args = parser.parse_args(argv)
    extra: dict[str, str] = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--env wants KEY=VALUE, got {item!r}")
        extra[key] = value
    if args.items < 1 or args.kills < 0 or args.soak_s < 0 or args.outage_s < 0:
        parser.error("--items must be >= 1; --kills, --soak-s and --outage-s >= 0")
    cfg = replace(
        ChaosConfig(),
        items=args.items,
        seed=args.seed,
        kills=args.kills,
        outage_s=args.outage_s,
        recovery_bound_s=args.recovery_s,
        soak_s=args.soak_s,
        logs_dir=args.keep_logs,
        extra_env=extra,
    )
    names = [] if args.soak_only else args.scenario or list(SCENARIOS)
    return cfg, names, args.json, args.markdown


@contextlib.contextmanager
def _work_root(logs_dir: str) -> Iterator[Path]:
    if logs_dir:
        Path(logs_dir).mkdir(parents=True, exist_ok=True)
        yield Path(logs_dir)
        return
    with tempfile.TemporaryDirectory(prefix="sbchaos-") as tmp:
        yield Path(tmp)


async def _run(cfg: ChaosConfig, names: list[str], root: Path) -> tuple[list[ScenarioRow], SoakResult | None]:
    rows: list[ScenarioRow] = []
    for index, name in enumerate(names, 1):
        print(f"\n[{index}/{len(names)}] {name}: {SCENARIOS[name].fault}", flush=True)
        started = time.monotonic()
        row = await run_scenario(cfg, SCENARIOS[name], root / name)
        verdict = "ok" if row.ok else "FAIL: " + ", ".join(row.why())
        print(f"    {verdict} ({time.monotonic() - started:.0f} s)", flush=True)
        rows.append(row)
    soak = None
    if cfg.soak_s > 0:
        print(f"\n[soak] {cfg.soak_s:.0f} s at the scaled rate limits", flush=True)
        soak = await run_soak(cfg, root / "soak")
    return rows, soak


def main(argv: list[str] | None = None) -> int:
    """Run, print, write ``--json``; the exit status says whether every row passed."""
    cfg, names, json_path, markdown = _parse(argv)
    configure_logging("ERROR", "text")
    started = time.monotonic()
    print(
        f"StoreBridge chaos run: {len(names)} scenario(s), {cfg.items} items each, seed {cfg.seed}, "
        f"Naver {cfg.naver_rate_per_s:g}/s per API (soak {cfg.soak_naver_rate_per_s:g}/s), "
        f"Domeggook {cfg.domeggook_rate_per_s:g}/s",
        flush=True,
    )
    try:
        with _work_root(cfg.logs_dir) as root:
            rows, soak = asyncio.run(_run(cfg, names, root))
    except KeyboardInterrupt:
        print("\nchaos: interrupted", file=sys.stderr)
        return 130
    print(f"\n=== Chaos results ({time.monotonic() - started:.0f} s) ===")
    if rows:
        print(text_table(rows))
        print()
        print(details(rows))
        if markdown:
            print("\n" + markdown_table(rows))
    if soak is not None:
        print("\n" + soak_table(soak))
    if json_path:
        payload: dict[str, object] = {
            "rows": [r.as_json() for r in rows],
            "soak": asdict(soak) if soak else None,
            "soak_ok": soak.ok if soak else None,
        }
        Path(json_path).write_text(json.dumps(payload, indent=2, default=str))
    ok = all(r.ok for r in rows) and (soak is None or soak.ok)
    return 0 if ok else 1
