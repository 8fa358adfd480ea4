"""The process's "stop now" signal, which every long sleep races against.

A worker told to stop (SIGTERM from a rolling pod, Ctrl-C in ``make run``) must not sit out a
30-second limiter wait or a retry backoff before it can hand its messages back. So the sleeps
that can last (``RateLimiter.acquire``, ``LimiterHook``'s in-process waits, the API clients'
retry backoff in ``storebridge.http``) call ``sleep_or_stop`` instead of ``asyncio.sleep``: it
returns False the moment ``request_shutdown`` is called, and the caller raises a ``TransientError``
(a ``RateLimitWait`` in the limiter, the failure being retried in a backoff), so the sync hands
the item back (DEFERRED: re-sent as a delayed message) with nothing half-written: every such
sleep happens *before* a request, never between a write and the recording of its outcome.

Set once and never cleared (a stopping process does not resume), for the whole process or for
one event loop (a Dramatiq worker's loop thread, so an in-process worker stopped by a test does not
stop the rest), and thread-safe: Dramatiq's ``before_worker_shutdown`` runs on the main thread while
the coroutines sleep on the event-loop thread. Each loop that sleeps gets an ``asyncio.Event``
woken through ``call_soon_threadsafe``. ``reset_for_tests`` exists for
the test-suite only, which runs many "processes" in one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import weakref
from collections.abc import Awaitable
from typing import TypeVar

from storebridge.errors import TransientError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ShuttingDown(TransientError):
    """The process is stopping and cut a wait short; nothing was sent: try again in another process."""

    def __init__(self, what: str = "a wait") -> None:
        super().__init__(f"the process is stopping: {what} was cut short", retry_after_s=None)


#: Set by a process-wide request: every loop, present and future, is stopping.
_requested = threading.Event()
_lock = threading.Lock()
#: The ``asyncio.Event`` of each loop that has slept or was told to stop, set by ``request_shutdown``.
_loop_events: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event]
_loop_events = weakref.WeakKeyDictionary()
#: Loops told to stop one by one (a Dramatiq worker's loop thread); other loops are unaffected.
_stopping_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def request_shutdown(reason: str = "signal", *, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Wake every ``sleep_or_stop`` on ``loop`` (default: on every loop of the process), now and later.

    Idempotent and callable from any thread. A Dramatiq worker passes its event-loop thread's loop,
    so that stopping one in-process worker (as the tests do) leaves other loops running.
    """
    with _lock:
        if loop is None:
            if _requested.is_set():
                return
            _requested.set()
            targets = list(_loop_events.items())
        else:
            if loop in _stopping_loops:
                return
            _stopping_loops.add(loop)
            event = _loop_events.get(loop)
            if event is None:
                event = _loop_events[loop] = asyncio.Event()
            targets = [(loop, event)]
    logger.info("shutdown.requested", extra={"reason": reason, "loops": len(targets)})
    for target, event in targets:
        with contextlib.suppress(RuntimeError):  # that loop is already closed
            target.call_soon_threadsafe(event.set)


def shutdown_requested() -> bool:
    """True once shutdown was requested for the running loop (or the whole process)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _requested.is_set()
    return _stopped(loop)


def _stopped(loop: asyncio.AbstractEventLoop) -> bool:
    return _requested.is_set() or loop in _stopping_loops


def _event() -> asyncio.Event:
    loop = asyncio.get_running_loop()
    with _lock:
        event = _loop_events.get(loop)
        if event is None:
            event = _loop_events[loop] = asyncio.Event()
        if _stopped(loop):
            event.set()
    return event


async def sleep_or_stop(seconds: float) -> bool:
    """Sleep ``seconds``; True if it slept all of it, False as soon as shutdown is requested.

    Returns False at once (without sleeping) when shutdown was requested before the call.
    """
    if shutdown_requested():
        return False
    if seconds <= 0:
        await asyncio.sleep(0)
        return not shutdown_requested()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_event().wait(), seconds)
    return not shutdown_requested()


async def unless_stopped(awaitable: Awaitable[T], what: str = "a wait") -> T:
    """Await ``awaitable`` unless shutdown is requested first: then cancel it and raise ``ShuttingDown``.

    For waits that are not plain sleeps (an ``aiolimiter`` queue); the awaitable must be safe to
    cancel, which a wait before a request is.
    """
    task = asyncio.ensure_future(awaitable)
    if shutdown_requested():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise ShuttingDown(what)
    stopper = asyncio.ensure_future(_event().wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        raise ShuttingDown(what)
    return task.result()


def reset_for_tests() -> None:
    """Forget a requested shutdown (tests run many "processes" in one interpreter)."""
    with _lock:
        _requested.clear()
        _stopping_loops.clear()
        for event in _loop_events.values():
            event.clear()
