"""Embedded stand-ins for Redis, PostgreSQL and S3, and the child processes of the demo and tests."""

from storebridge.devstack.processes import Child, wait_healthy
from storebridge.devstack.services import DevStack, ServiceUnavailable, free_port

__all__ = ["Child", "DevStack", "ServiceUnavailable", "free_port", "wait_healthy"]
