"""The chaos run's knobs in one place: catalog, scaled rates, fault timings and every bound.

Rates are the benchmark's scaled ones (Naver 10 requests/s per API, Domeggook 20 calls/s), so a
pass of a few dozen items takes seconds and a fault lands while work is in flight. Every wait has a
bound: a scenario that has not recovered by then is reported as such and the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.settings import (
    DOMEGGOOK_RATE_PER_S,
    DOMEGGOOK_SANDBOX_PER_DAY,
    DOMEGGOOK_SANDBOX_PER_MINUTE,
    NAVER_BURST_MULTIPLIER,
    NAVER_RATE_PER_S,
)

__all__ = [
    "DOMEGGOOK_SANDBOX_PER_DAY",
    "DOMEGGOOK_SANDBOX_PER_MINUTE",
    "NAVER_BURST_MULTIPLIER",
    "ChaosConfig",
]

#: Sandbox catalog size and seed; only the healthy items (no hostile scenario, on sale) are enqueued,
#: so any MANUAL_REVIEW or FAILED among them has a cause worth reporting.
CATALOG_ITEMS = 200
CATALOG_SEED = 11
#: Items enqueued per scenario (the issue's probe used 80).
SCENARIO_ITEMS = 100
#: Naver requests/s per API during the scenarios: lower than the benchmark's scaled 10/s so that a
#: pass lasts long enough (tens of seconds) for every fault to land on work in flight. The soak
#: runs at the benchmark's scaled rates.
SCENARIO_NAVER_RATE_PER_S = 4.0
#: Seed of the fault schedule (when, how long, which mix): the same seed gives the same run.
FAULT_SEED = 9

#: Items per Dramatiq message: small, so that a killed process holds several messages.
INTAKE_BATCH_SIZE = 10
#: Item retry backoff (s), scaled down like the rates (production: 300 s).
RETRY_BACKOFF_BASE_S = 2.0
#: After a lost create answer, wait this long before trusting a search (production: 60 s).
NAVER_SEARCH_GRACE_S = 5.0
#: Seconds the sandbox holds a "timeout" request: just past the clients' 30 s HTTP timeout.
NAVER_TIMEOUT_HOLD_S = 31.0
#: ``SHUTDOWN_TIMEOUT_S`` of the children: the harness stops them between scenarios.
SHUTDOWN_TIMEOUT_S = 10.0

#: How long an infrastructure service stays down (the issue's probe: 10 s).
OUTAGE_S = 10.0
#: A fault is injected at a random moment this many seconds after the hand-off (work in flight).
FAULT_WINDOW_S = (1.0, 5.0)
#: Dramatiq worker kills per ``worker-kill`` run, and the spacing window between two (s).
WORKER_KILLS = 3
KILL_SPACING_S = (3.0, 8.0)
#: Naver storm: bursts, each lasting a random time in the window; token expiries at random moments.
STORM_BURSTS = 4
STORM_BURST_S = (2.0, 5.0)
STORM_GAP_S = (1.0, 4.0)
STORM_TOKEN_EXPIRIES = 3
#: How long Domeggook's daily quota stays used up before "midnight" gives it back (s).
QUOTA_OUT_S = 15.0

#: Everything must be terminal within this long after the last fault ended (s). Lost Dramatiq
#: messages must come back "within about a minute" (issue 9), plus the time to finish the work.
RECOVERY_BOUND_S = 150.0
#: A Domeggook 429 blocks the key for at least 180 s (reference §4), so that scenario gets longer.
QUOTA_RECOVERY_BOUND_S = 330.0
#: Bound on the hand-off of the enqueued entries to Dramatiq before a fault is injected (s).
HANDOFF_TIMEOUT_S = 30.0
#: Bound on the worker processes' boot (s), and on a restarted service answering (s).
WORKERS_READY_TIMEOUT_S = 60.0
SERVICE_START_TIMEOUT_S = 30.0
#: A child that exits is started again after this pause (what a pod's restart policy does), at
#: most ``MAX_RESTARTS`` times per scenario (a crash loop must not spin forever).
RESTART_PAUSE_S = 1.0
MAX_RESTARTS = 40
#: How often the harness polls the database and the children (s).
POLL_S = 0.5

#: Soak: one round every ``SOAK_ROUND_S`` changes ``SOAK_CHANGES`` prices and re-enqueues everything;
#: processes are sampled every ``SOAK_SAMPLE_S``.
SOAK_ITEMS = 300
SOAK_ROUND_S = 15.0
SOAK_CHANGES = 60
SOAK_SAMPLE_S = 5.0
#: Growth from the first third to the last third that still counts as flat.
SOAK_RSS_GROWTH_FRACTION = 0.15
SOAK_RSS_GROWTH_MIB = 20.0
SOAK_FD_GROWTH = 8
SOAK_CONN_GROWTH = 8


@dataclass(frozen=True)
class ChaosConfig:
    """One run's choices; ``python -m bench.chaos --help`` shows the ones a caller may change."""

    items: int = SCENARIO_ITEMS
    catalog_items: int = CATALOG_ITEMS
    seed: int = FAULT_SEED
    kills: int = WORKER_KILLS
    recovery_bound_s: float = RECOVERY_BOUND_S
    quota_recovery_bound_s: float = QUOTA_RECOVERY_BOUND_S
    outage_s: float = OUTAGE_S
    naver_rate_per_s: float = SCENARIO_NAVER_RATE_PER_S
    soak_naver_rate_per_s: float = NAVER_RATE_PER_S
    domeggook_rate_per_s: float = DOMEGGOOK_RATE_PER_S
    soak_s: float = 0.0
    soak_items: int = SOAK_ITEMS
    #: Keep each scenario's child-process and service logs under this directory ("" = temporary).
    logs_dir: str = ""
    #: Extra settings for the children (``--env KEY=VALUE``), e.g. a new sweeper interval.
    extra_env: dict[str, str] = field(default_factory=dict)

    def service_env(self) -> dict[str, str]:
        """StoreBridge settings of every scenario's daemon and workers.

        The recovery mechanisms run on production's defaults (the sweeper, Dramatiq's heartbeat and
        maintenance, the in-flight markers): what recovers here recovers as fast in production.
        """
        return {
            "NAVER_MAX_TPS": str(self.naver_rate_per_s),
            "DOMEGGOOK_MAX_TPS": str(self.domeggook_rate_per_s),
            "DOMEGGOOK_DAILY_LIMIT": str(DOMEGGOOK_SANDBOX_PER_DAY),
            "WORKER_PROCESSES": "1",
            "WORKER_BATCH_THREADS": "2",
            "WORKER_NORMAL_THREADS": "2",
            "INTAKE_BATCH_SIZE": str(INTAKE_BATCH_SIZE),
            "RETRY_BACKOFF_BASE": str(RETRY_BACKOFF_BASE_S),
            "NAVER_SEARCH_GRACE_S": str(NAVER_SEARCH_GRACE_S),
            "SHUTDOWN_TIMEOUT_S": str(SHUTDOWN_TIMEOUT_S),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            **self.extra_env,
        }
