"""``make chaos``: issue 9's fault table run against the real processes, one table row per scenario.

Valkey (with or without AOF), PostgreSQL and S3 run as separate processes that a fault stops and
starts again (``stack``); ``storebridge daemon`` and ``storebridge worker`` are the real commands,
kept running as a pod's restart policy would (``harness``); the faults act on processes and on the
sandbox's control endpoints (``faults``); the outcome is read from PostgreSQL and from the
simulators, never from StoreBridge's own logs (``outcomes``). ``python -m bench.chaos --help``.
"""
