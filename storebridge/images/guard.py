"""Which image URLs and addresses may be fetched: the SSRF policy, pure (no I/O).

A supplier controls every image URL we download, and the worker runs inside a cluster: without a
policy a URL like ``http://169.254.169.254/latest/meta-data/`` or ``http://10.0.0.5:6379/`` makes
the worker fetch from the node's metadata service or the cluster network, and whatever decodes as
an image would then be uploaded to Naver publicly. ``AddressPolicy`` answers three questions:

* may this URL be requested at all (``url_refusal``: scheme, port, host allow-list, IP literals)?
* may we talk to this address for this host (``address_refusal``)? Only globally routable
  addresses, unless the address is in ``allowed_networks`` *and* the host is allow-listed;
* is this host on the allow-list (``host_allowed``)?

The address classes are the IANA special-purpose registries, written out here instead of relying
on ``ipaddress.is_global``, which (Python 3.11) calls ``224.0.1.1``, ``fec0::1`` and a 6to4 address
embedding ``127.0.0.1`` global. IPv6 addresses that carry an IPv4 address (IPv4-mapped, NAT64,
6to4, Teredo) are judged by the IPv4 address too. Enforcement (resolver, connector, redirects)
lives in ``storebridge.images.connector`` and ``storebridge.images.fetch``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import TYPE_CHECKING

from yarl import URL

from storebridge.images.types import BLOCKED_ADDRESS, HOST_NOT_ALLOWED, INVALID_URL, PORT_NOT_ALLOWED

if TYPE_CHECKING:
    from storebridge.config import Settings

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

#: Domeggook's image CDNs (``cdn1.domeggook.com``, ``img.domeggook.com`` ...): the production default.
DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = ("domeggook.com", "*.domeggook.com")
DEFAULT_ALLOWED_PORTS: frozenset[int] = frozenset({80, 443})
ALLOWED_SCHEMES = frozenset({"http", "https"})

_V4 = IPv4Network
_V6 = IPv6Network
#: IPv4 ranges that are not globally routable, with the word a refusal message uses for them.
_V4_SPECIAL: tuple[tuple[IPv4Network, str], ...] = (
    (_V4("0.0.0.0/8"), "unspecified ('this network')"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "shared (carrier-grade NAT)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local (cloud metadata)"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "reserved (IETF protocol assignments)"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "reserved (6to4 relay anycast)"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("240.0.0.0/4"), "reserved"),  # includes the limited broadcast 255.255.255.255
)
#: IPv6 ranges that are not globally routable, the more specific first. ``::/8`` covers
#: IPv4-compatible addresses; the IPv4-mapped and NAT64 prefixes inside it are judged by their
#: IPv4 address before this table is consulted.
_V6_SPECIAL: tuple[tuple[IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("64:ff9b:1::/48"), "private (local-use NAT64)"),
    (_V6("::/8"), "reserved (IPv4-compatible)"),
    (_V6("100::/64"), "reserved (discard-only)"),
    (_V6("2001::/32"), "reserved (Teredo)"),
    (_V6("2001::/23"), "reserved (IETF protocol assignments)"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("5f00::/16"), "reserved (SRv6 SIDs)"),
    (_V6("fc00::/7"), "private (unique local)"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "reserved (site-local)"),
    (_V6("ff00::/8"), "multicast"),
)
_NAT64 = _V6("64:ff9b::/96")


@dataclass(frozen=True)
class Refusal:
    """Why a URL or an address may not be fetched: a problem code and a detail naming the host.

    The detail never repeats the URL's path, query or user info (they may carry tokens).
    """

    code: str
    detail: str


def embedded_ipv4(address: IPv6Address) -> list[tuple[str, IPv4Address]]:
    """IPv4 addresses an IPv6 address carries (mapped, NAT64, 6to4, Teredo), with their label."""
    found: list[tuple[str, IPv4Address]] = []
    if address.ipv4_mapped is not None:
        found.append(("IPv4-mapped", address.ipv4_mapped))
    if address in _NAT64:
        found.append(("NAT64", IPv4Address(int(address) & 0xFFFFFFFF)))
    if address.sixtofour is not None:
        found.append(("6to4", address.sixtofour))
    if address.teredo is not None:
        server, client = address.teredo
        found += [("Teredo server", server), ("Teredo client", client)]
    return found


def non_global_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not globally routable (``"loopback"``, ``"6to4 private"`` ...), or None."""
    if isinstance(address, IPv6Address):
        address = IPv6Address(int(address))  # drop a zone id ("%eth0"): it does not change the class
        for label, inner in embedded_ipv4(address):
            reason = non_global_reason(inner)
            if reason is not None:
                return f"{label} {reason}"
        if address.ipv4_mapped is not None or address in _NAT64:
            return None  # the IPv4 address decides, and it is global
        table: Iterable[tuple[IPv4Network | IPv6Network, str]] = _V6_SPECIAL
    else:
        table = _V4_SPECIAL
    for network, reason in table:
        if address in network:
            return reason
    if not address.is_global:  # Python's registry as a backstop for ranges added after this table
        return "not globally routable"
    return None


def parse_address(text: str) -> IPAddress | None:
    """An IP address from a host or a resolver answer (brackets and zone ids allowed), else None."""
    try:
        return ip_address(text.strip("[]"))
    except ValueError:
        return None


def normalise_host(host: str) -> str:
    """Lower-case, without brackets or the trailing dot of a fully-qualified name."""
    return host.strip().strip("[]").rstrip(".").lower()


def _check_pattern(pattern: str) -> str:
    cleaned = normalise_host(pattern)
    if cleaned == "*":
        return cleaned
    body = cleaned.removeprefix("*.")
    if not body or "*" in body or "/" in body or any(c.isspace() for c in body) or ".." in body:
        raise ValueError(f"bad host pattern {pattern!r}: use 'example.com' or '*.example.com'")
    return cleaned


@dataclass(frozen=True)
class AddressPolicy:
    """What image fetches may reach; built from ``IMAGE_*`` settings (``from_settings``).

    ``allowed_hosts`` are exact names (``domeggook.com``, ``127.0.0.1``), ``*.example.com`` (any
    subdomain, not the apex) or ``*`` (any host). ``allowed_networks`` exempt addresses from the
    not-globally-routable refusal, but only for allow-listed hosts, so a detail image on some
    public host cannot reach them by resolving to them. ``detail_any_public_host`` lets detail
    images come from any host (they live on supplier hosts by design) as long as the address is
    global; representative and optional images always need an allow-listed host.
    """

    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_ports: frozenset[int] = DEFAULT_ALLOWED_PORTS
    detail_any_public_host: bool = True
    _exact: frozenset[str] = field(init=False, repr=False, compare=False)
    _suffixes: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = tuple(_check_pattern(p) for p in self.allowed_hosts)
        for port in self.allowed_ports:
            if not 1 <= port <= 65535:
                raise ValueError(f"allowed port {port} is not 1..65535")
        object.__setattr__(self, "allowed_hosts", patterns)
        object.__setattr__(self, "allowed_ports", frozenset(self.allowed_ports))
        object.__setattr__(self, "allowed_networks", tuple(ip_network(n) for n in self.allowed_networks))
        exact = {p for p in patterns if not p.startswith("*")}
        # An allow-listed IP literal is stored in its canonical spelling ("::1" for "0:0::1").
        exact |= {str(a) for a in map(parse_address, exact) if a is not None}
        object.__setattr__(self, "_exact", frozenset(exact))
        object.__setattr__(self, "_suffixes", tuple(p[1:] for p in patterns if p.startswith("*.")))

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        """The policy the ``IMAGE_ALLOWED_*`` and ``IMAGE_DETAIL_ANY_PUBLIC_HOST`` settings describe."""
        return cls(
            allowed_hosts=tuple(settings.image_allowed_hosts),
            allowed_networks=tuple(ip_network(n) for n in settings.image_allowed_networks),
            allowed_ports=frozenset(settings.image_allowed_ports),
            detail_any_public_host=settings.image_detail_any_public_host,
        )

    def host_allowed(self, host: str) -> bool:
        """True when ``host`` matches an allowed pattern (case and trailing dot ignored)."""
        name = normalise_host(host)
        if "*" in self.allowed_hosts or name in self._exact:
            return True
        literal = parse_address(name)
        if literal is not None:
            return str(literal) in self._exact  # wildcards never match IP literals
        return any(name.endswith(suffix) and len(name) > len(suffix) for suffix in self._suffixes)

    def address_refusal(self, address: str | IPAddress, host: str) -> Refusal | None:
        """Why ``host`` may not be reached at ``address`` (a resolver answer or a peer), or None."""
        ip = parse_address(address) if isinstance(address, str) else address
        shown = normalise_host(host)
        if ip is None:
            return Refusal(BLOCKED_ADDRESS, f"{shown}: {str(address)[:60]!r} is not an IP address")
        if self._exempt(ip) and self.host_allowed(host):
            return None
        reason = non_global_reason(ip)
        if reason is None:
            return None
        plain = IPv6Address(int(ip)) if isinstance(ip, IPv6Address) else ip
        where = f"{shown} is" if parse_address(shown) is not None else f"{shown} resolves to {plain},"
        article = "an" if reason[0] in "aeiouAEIOU" else "a"
        return Refusal(BLOCKED_ADDRESS, f"{where} {article} {reason} address")

    def url_refusal(self, url: URL, *, any_public_host: bool = False) -> Refusal | None:
        """Why ``url`` may not be requested, checked before any connection, or None.

        Order: scheme, host present, port, an IP-literal host's address (aiohttp connects to
        literals without asking the resolver), then the allow-list unless ``any_public_host``.
        """
        if url.scheme not in ALLOWED_SCHEMES:
            return Refusal(INVALID_URL, f"scheme {url.scheme[:20]!r} is not http or https")
        if not url.raw_host:
            return Refusal(INVALID_URL, "no host")
        host = normalise_host(url.raw_host)
        if url.port not in self.allowed_ports:
            allowed = ",".join(str(p) for p in sorted(self.allowed_ports))
            return Refusal(PORT_NOT_ALLOWED, f"{host}: port {url.port} is not allowed ({allowed})")
        literal = parse_address(host)
        if literal is not None:
            refusal = self.address_refusal(literal, host)
            if refusal is not None:
                return refusal
        if not any_public_host and not self.host_allowed(host):
            return Refusal(HOST_NOT_ALLOWED, f"{host} is not in IMAGE_ALLOWED_HOSTS")
        return None

    def _exempt(self, ip: IPAddress) -> bool:
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, IPv6Address):
            candidates = [IPv6Address(int(ip))]
            if ip.ipv4_mapped is not None:
                candidates.append(ip.ipv4_mapped)
        return any(c in network for c in candidates for network in self.allowed_networks)
