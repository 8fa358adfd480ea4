"""The product scenario in detail: the ceiling bucket by bucket, steady state, calls per product kind."""

from __future__ import annotations

from bench.report import (
    CREATE_API,
    UPLOAD_API,
    Ceiling,
    bucket_rate,
    div,
    rejected_calls,
)
from bench.results import PassResult, ScenarioResult
from bench.settings import PACING_SAFETY_FACTOR, BenchConfig


def _ceiling_lines(cfg: BenchConfig, g: ScenarioResult, cap: Ceiling) -> None:
    calls = g.first.api.by_bucket()
    print("  ceiling = min over buckets of rate ÷ calls per registered product:")
    for bucket, bound in sorted(cap.per_bucket.items(), key=lambda kv: kv[1]):
        rate, per_product = bucket_rate(cfg, bucket), calls[bucket] / g.registered
        print(f"    {bucket:<16} {rate:5.1f}/s ÷ {per_product:6.3f} = {bound:7.2f} products/s")
    elapsed = g.first.elapsed_s
    print(
        f"  throughput {g.products_per_s:.2f} products/s ÷ ceiling {cap.products_per_s:.2f} = "
        f"{div(g.products_per_s, cap.products_per_s):.3f} (achievable {PACING_SAFETY_FACTOR:.2f}: "
        "the limiter paces at 95 % of the rate)"
    )
    utilisation = div(cap.bucket_calls, cap.bucket_rate_per_s * elapsed)
    print(
        f"  busiest bucket {cap.bucket}: {cap.bucket_calls} calls in {elapsed:.1f} s = "
        f"{utilisation:.3f} of its rate"
    )
    if g.mid_create_rate_per_s is not None:
        rate = cfg.naver_rate_per_s
        print(
            f"  steady state, middle 80 % of the create calls: {g.mid_create_rate_per_s:.2f} creates/s = "
            f"{g.mid_create_rate_per_s / rate:.3f} of the products bucket's rate"
        )


def _new_product_line(cfg: BenchConfig, g: ScenarioResult) -> None:
    api, reg = g.first.api, g.registered
    rejected, spent = rejected_calls(api, reg)
    uploads, creates = api.naver(UPLOAD_API), api.naver(CREATE_API)
    other = api.naver_calls - uploads - creates
    print(
        f"  Naver calls per new product: {div(api.naver_calls - spent, reg):.2f} per registered product "
        f"(uploads {div(uploads - spent + rejected, reg):.2f}, creates {div(creates - rejected, reg):.2f}, "
        f"token and reference data {div(other, reg):.2f})"
    )
    print(
        f"    incl. the {rejected} items Naver rejected at create (their uploads and creates): "
        f"{div(api.naver_calls, reg):.2f}"
    )
    print(
        f"  Domeggook calls per item, first pass: {div(api.domeggook_calls, g.first.items):.3f} "
        f"({api.domeggook_calls} getItemView calls, {cfg.batch_size} items per message)"
    )


def _drained(p: PassResult) -> str:
    return "" if p.reached else f" [did not drain {p.note}]"


def _resync_lines(g: ScenarioResult) -> None:
    if g.unchanged is not None:
        u = g.unchanged
        print(
            f"  unchanged: all {u.items} items again ({g.unchanged_events} UNCHANGED events): "
            f"{u.api.naver_calls} Naver calls = {div(u.api.naver_calls, g.registered):.2f} per product; "
            f"Domeggook {div(u.api.domeggook_calls, u.items):.3f} per item{_drained(u)}"
        )
    if g.changed is not None:
        c = g.changed
        calls = ", ".join(f"{k} {v}" for k, v in c.api.naver_by_api.items() if v) or "none"
        print(
            f"  changed: price of {c.items} items changed ({g.changed_settled} settled as PRICE_STOCK): "
            f"{div(c.api.naver_calls, g.changed_settled or c.items):.2f} Naver calls per product ({calls}); "
            f"Domeggook {div(c.api.domeggook_calls, c.items):.3f} per item{_drained(c)}"
        )


def _process_lines(g: ScenarioResult) -> None:
    p = g.procs
    if p is None:
        return
    print(
        f"  worker CPU over all passes: {p.cpu_s:.1f} s for {p.items_synced} item syncs = "
        f"{div(p.cpu_s, p.items_synced) * 1000:.1f} ms each (start-up excluded); supervisor and "
        f"dramatiq group leaders {p.overhead_cpu_s:.1f} s incl. start-up"
    )
    if p.daemon_cpu_s is not None and p.daemon_peak_rss_mib is not None:
        print(
            f"  daemon: {p.daemon_cpu_s:.1f} s CPU incl. start-up, peak RSS {p.daemon_peak_rss_mib:.0f} MiB"
        )
    if g.first_log is not None:
        log = g.first_log
        print(
            f"  first pass, from the worker log: {log.deferred} items deferred by a limiter wait, "
            f"{log.requeued_messages} messages re-queued with a delay"
        )


def global_details(cfg: BenchConfig, g: ScenarioResult, cap: Ceiling | None) -> None:
    """Print the product scenario's details."""
    print("\nGlobal limiter (the product), in detail:")
    if cap is not None:
        _ceiling_lines(cfg, g, cap)
    if g.registered:
        _new_product_line(cfg, g)
    _resync_lines(g)
    _process_lines(g)
    print(f"  final states: {', '.join(f'{k} {v}' for k, v in sorted(g.states.items()))}")
