"""Valkey, PostgreSQL and S3 for ``make run``, the tests and ``make chaos``; the demo's child processes."""

from storebridge.devstack.processes import Child, wait_healthy
from storebridge.devstack.restartable import (
    RestartablePostgres,
    RestartableRedis,
    RestartableS3,
    ServiceUnavailable,
    free_port,
)
from storebridge.devstack.services import DevStack

__all__ = [
    "Child",
    "DevStack",
    "RestartablePostgres",
    "RestartableRedis",
    "RestartableS3",
    "ServiceUnavailable",
    "free_port",
    "wait_healthy",
]
