"""Run both simulators together: the catalog, the Domeggook app and the Naver app, each on its port.

``Sandbox`` is what ``storebridge sandbox``, ``make run``, the benchmarks and the test fixtures
start, so every consumer sees the same simulators configured the same way.
"""

from __future__ import annotations

import contextlib
import ipaddress
from dataclasses import dataclass, field
from types import TracebackType

from yarl import URL

from storebridge.sandbox.catalog.generator import Catalog, generate_catalog
from storebridge.sandbox.domeggook.app import DomeggookSimConfig, create_domeggook_app
from storebridge.sandbox.faults import Faults
from storebridge.sandbox.naver.app import NaverSimConfig, create_naver_app
from storebridge.sandbox.naver.reference import CATEGORY_MAP_PATH
from storebridge.serve import ServedApp

#: Path under the Domeggook origin where the API lives (as on domeggook.com).
DOMEGGOOK_API_PATH = "/ssl/api/"
#: Path under the Naver origin where the Commerce API lives (as on api.commerce.naver.com).
NAVER_API_PATH = "/external"
#: A/S telephone the demo and tests list products with (not a placeholder, so Naver accepts it).
SANDBOX_AS_PHONE = "02-1234-5678"


@dataclass
class SandboxOptions:
    """Everything that shapes one sandbox run; defaults give a small, fault-free sandbox."""

    items: int = 200
    seed: int = 1
    host: str = "127.0.0.1"
    domeggook_port: int = 0
    naver_port: int = 0
    domeggook: DomeggookSimConfig = field(default_factory=DomeggookSimConfig)
    naver: NaverSimConfig = field(default_factory=NaverSimConfig)
    domeggook_faults: Faults = field(default_factory=Faults)
    naver_faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        if self.items < 1:
            raise ValueError(f"items must be at least 1, got {self.items}")
        for name in ("domeggook_port", "naver_port"):
            port = getattr(self, name)
            if not 0 <= port <= 65535:
                raise ValueError(f"{name} must be between 0 and 65535, got {port}")


class Sandbox:
    """Both simulators serving on loopback until ``close()`` (idempotent)."""

    def __init__(self, options: SandboxOptions | None = None) -> None:
        self.options = options or SandboxOptions()
        self.catalog: Catalog = generate_catalog(self.options.items, self.options.seed)
        self._domeggook = ServedApp(
            create_domeggook_app(self.catalog, self.options.domeggook, faults=self.options.domeggook_faults),
            host=self.options.host,
            port=self.options.domeggook_port,
        )
        self._naver = ServedApp(
            create_naver_app(self.options.naver, faults=self.options.naver_faults),
            host=self.options.host,
            port=self.options.naver_port,
        )
        self._closed = False

    @property
    def domeggook_origin(self) -> str:
        """``http://host:port`` of the Domeggook simulator (its sandbox endpoints live here)."""
        return self._domeggook.base_url

    @property
    def naver_origin(self) -> str:
        """``http://host:port`` of the Naver simulator (its sandbox endpoints live here)."""
        return self._naver.base_url

    @property
    def domeggook_api_url(self) -> str:
        """Value for ``DOMEGGOOK_API_URL``."""
        return self.domeggook_origin + DOMEGGOOK_API_PATH

    @property
    def naver_api_url(self) -> str:
        """Value for ``NAVER_API_URL``."""
        return self.naver_origin + NAVER_API_PATH

    def image_environment(self) -> dict[str, str]:
        """The SSRF-guard settings that let StoreBridge fetch this sandbox's images, and only them.

        The simulated image host is the Domeggook app on loopback, which the guard refuses by
        default; this opens exactly that host, its port and its address, never loopback at large.
        """
        origin = URL(self.domeggook_origin)
        host = origin.raw_host or self.options.host
        try:
            networks = str(ipaddress.ip_network(host.strip("[]")))
        except ValueError:  # a name such as "localhost": its loopback addresses
            networks = "127.0.0.1/32,::1/128"
        return {
            "IMAGE_ALLOWED_HOSTS": host,
            "IMAGE_ALLOWED_NETWORKS": networks,
            "IMAGE_ALLOWED_PORTS": f"80,443,{origin.port}",
        }

    def environment(self) -> dict[str, str]:
        """The environment variables that point StoreBridge at this sandbox (APIs and image host).

        The one source of sandbox settings: ``storebridge sandbox`` prints it, and the demo, the
        benchmarks and the tests build their ``Settings`` or child environments from it.
        """
        return {
            **self.image_environment(),
            "DOMEGGOOK_API_URL": self.domeggook_api_url,
            "DOMEGGOOK_API_KEY": self.options.domeggook.api_key,
            "NAVER_API_URL": self.naver_api_url,
            "NAVER_CLIENT_ID": self.options.naver.client_id,
            "NAVER_CLIENT_SECRET": self.options.naver.client_secret,
            # The simulator refuses placeholder phones as Naver does; this one passes its check.
            "STORE_AS_PHONE": SANDBOX_AS_PHONE,
            # The sandbox catalog's map against the sandbox's own category tree (issue 8 §1).
            "CATEGORY_MAP_FILE": str(CATEGORY_MAP_PATH),
        }

    async def start(self) -> Sandbox:
        """Start both servers; if the second fails to bind, the first is stopped again."""
        await self._domeggook.start()
        try:
            await self._naver.start()
        except BaseException:
            await self._domeggook.close()
            raise
        return self

    async def close(self) -> None:
        """Stop both servers (idempotent)."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            await self._naver.close()
        await self._domeggook.close()

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran."""
        return self._closed

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
