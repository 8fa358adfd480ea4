"""Serve an aiohttp application on loopback as an async context manager.

Used by ``storebridge sandbox`` and by the test fixtures, so that tests and the demo run the very
same apps the same way (port 0 picks a free port; the bound URL is read back from the socket).
"""

from __future__ import annotations

import socket
from types import TracebackType

from aiohttp import web


class ServedApp:
    """An aiohttp app listening on ``host:port`` until ``close()``; ``base_url`` has no trailing slash.

    ``close()`` is idempotent. The app's own cleanup contexts run on close.
    """

    def __init__(self, app: web.Application, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._closed = False

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the bound socket (valid after ``start()``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran."""
        return self._closed

    async def start(self) -> ServedApp:
        """Bind and start serving; with ``port=0`` the OS picks the port, read back here."""
        # handler_cancellation: a client that drops the connection (the "answer lost" fault,
        # a client timeout) must cancel the handler like a real gateway would, not linger.
        runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        self._runner = runner
        server = site._server  # aiohttp keeps the asyncio server private; the port is only there.
        if self.port == 0 and server is not None:
            sockets: list[socket.socket] = list(getattr(server, "sockets", []))
            self.port = int(sockets[0].getsockname()[1])
        return self

    async def close(self) -> None:
        """Stop serving and run the app's cleanup; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ServedApp:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
