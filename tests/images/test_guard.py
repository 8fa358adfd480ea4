"""The SSRF policy on its own: every address class, IPv4 and IPv6, allowed networks, ports, hosts.

``AddressPolicy`` is pure, so these are plain value tests; what enforces it on real connections
(resolver, connector, redirects, the sync) is tested in ``test_fetch_guard.py`` and
``test_ssrf_sync.py``.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest
from yarl import URL

from storebridge.config import ConfigError, load_settings
from storebridge.images.guard import AddressPolicy, non_global_reason
from storebridge.images.types import BLOCKED_ADDRESS, HOST_NOT_ALLOWED, INVALID_URL, PORT_NOT_ALLOWED

DEFAULT = AddressPolicy()

#: (address, a word the refusal must contain): one or more per class the policy refuses.
REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("169.254.0.1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("224.0.1.1", "multicast"),  # Python 3.11 calls this one global
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.0.9", "reserved"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("192.88.99.1", "6to4 relay"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fc00::1", "unique local"),
    ("fd12:3456:789a::1", "unique local"),
    ("fec0::1", "site-local"),  # Python 3.11 calls this one global
    ("ff02::1", "multicast"),
    ("ff0e::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("100::1", "discard"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
    ("::ffff:10.0.0.1", "IPv4-mapped private"),
    ("::127.0.0.1", "IPv4-compatible"),
    ("64:ff9b::169.254.169.254", "NAT64 link-local"),
    ("64:ff9b::7f00:1", "NAT64 loopback"),
    ("2002:7f00:1::1", "6to4 loopback"),  # Python 3.11 calls this one global
    ("2002:a9fe:a9fe::1", "6to4 link-local"),
    ("2002:c0a8:101::1", "6to4 private"),
    # Teredo: server 65.54.227.120, client 192.168.1.1 obfuscated (~c0a8:0101 = 3f57:fefe).
    ("2001:0:4136:e378:8000:63bf:3f57:fefe", "Teredo client private"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),  # public client: Teredo itself is refused
]

#: Globally routable addresses the policy lets through (for any host in detail mode).
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "211.233.50.10",
    "100.63.255.255",  # just below the CGNAT block
    "100.128.0.0",  # just above it
    "172.32.0.1",  # just above 172.16/12
    "2404:6800:4004:80c::200e",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",  # IPv4-mapped public: the IPv4 address decides
    "64:ff9b::808:808",  # NAT64 of a public address (DNS64 on an IPv6-only cluster)
    "2002:808:808::1",  # 6to4 of a public address
]


@pytest.mark.parametrize(("address", "word"), REFUSED)
def test_every_non_global_class_is_refused_with_its_reason(address: str, word: str) -> None:
    reason = non_global_reason(ip_address(address))
    assert reason is not None
    assert word in reason
    refusal = DEFAULT.address_refusal(address, "cdn1.domeggook.com")
    assert refusal is not None
    assert refusal.code == BLOCKED_ADDRESS
    assert "cdn1.domeggook.com" in refusal.detail
    assert word in refusal.detail


@pytest.mark.parametrize("address", PUBLIC)
def test_global_addresses_are_allowed(address: str) -> None:
    assert non_global_reason(ip_address(address)) is None
    assert DEFAULT.address_refusal(address, "anything.example") is None


@pytest.mark.parametrize(
    "literal", ["127.0.0.1", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]", "[fe80::1]", "10.0.0.7"]
)
def test_ip_literal_hosts_are_refused_before_any_connection_even_for_detail_images(literal: str) -> None:
    url = URL(f"http://{literal}/latest/meta-data/")
    for any_public_host in (False, True):
        refusal = DEFAULT.url_refusal(url, any_public_host=any_public_host)
        assert refusal is not None
        assert refusal.code == BLOCKED_ADDRESS
        assert literal.strip("[]") in refusal.detail or "::ffff" in refusal.detail
        assert "meta-data" not in refusal.detail  # the host is named, never the path


def test_a_public_ip_literal_needs_the_allow_list_except_for_detail_images() -> None:
    url = URL("http://8.8.8.8/a.jpg")
    refusal = DEFAULT.url_refusal(url)
    assert refusal is not None
    assert refusal.code == HOST_NOT_ALLOWED
    assert DEFAULT.url_refusal(url, any_public_host=True) is None


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("domeggook.com", True),
        ("DomeGGook.COM", True),
        ("domeggook.com.", True),
        ("cdn1.domeggook.com", True),
        ("a.b.domeggook.com", True),
        ("xdomeggook.com", False),
        ("domeggook.com.evil.example", False),
        ("domeggook.co", False),
        ("evil.example", False),
        ("127.0.0.1", False),
    ],
)
def test_host_patterns(host: str, allowed: bool) -> None:
    assert DEFAULT.host_allowed(host) is allowed
    refusal = DEFAULT.url_refusal(URL(f"https://{host}/a.jpg"))
    assert (refusal is None) is allowed
    if not allowed and refusal is not None and refusal.code == HOST_NOT_ALLOWED:
        assert host.lower().rstrip(".") in refusal.detail


def test_wildcard_does_not_match_the_apex_and_star_matches_any_name_but_not_private_addresses() -> None:
    sub_only = AddressPolicy(allowed_hosts=("*.cdn.example",))
    assert sub_only.host_allowed("img.cdn.example")
    assert not sub_only.host_allowed("cdn.example")
    anything = AddressPolicy(allowed_hosts=("*",))
    assert anything.url_refusal(URL("http://whatever.example/x.jpg")) is None
    refusal = anything.url_refusal(URL("http://127.0.0.1/x.jpg"))
    assert refusal is not None
    assert refusal.code == BLOCKED_ADDRESS
    assert not AddressPolicy(allowed_hosts=("*.example",)).host_allowed("127.0.0.1")


@pytest.mark.parametrize("pattern", ["", "a b", "*.*.example", "ex*ample.com", "http://x/y"])
def test_bad_host_patterns_are_refused_at_construction(pattern: str) -> None:
    with pytest.raises(ValueError, match="bad host pattern"):
        AddressPolicy(allowed_hosts=(pattern,))


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://cdn1.domeggook.com:8080/a.jpg", PORT_NOT_ALLOWED),
        ("https://cdn1.domeggook.com:6379/a.jpg", PORT_NOT_ALLOWED),
        ("http://127.0.0.1:6379/", PORT_NOT_ALLOWED),  # the port check comes first
        ("ftp://cdn1.domeggook.com/a.jpg", INVALID_URL),
        ("file:///etc/passwd", INVALID_URL),
        ("gopher://cdn1.domeggook.com:70/_INFO", INVALID_URL),
    ],
)
def test_only_http_and_https_on_allowed_ports(url: str, code: str) -> None:
    refusal = DEFAULT.url_refusal(URL(url), any_public_host=True)
    assert refusal is not None
    assert refusal.code == code


def test_default_ports_are_80_and_443_explicit_or_implied() -> None:
    for url in ("http://cdn1.domeggook.com/a.jpg", "https://cdn1.domeggook.com/a.jpg"):
        assert DEFAULT.url_refusal(URL(url)) is None
    assert DEFAULT.url_refusal(URL("https://cdn1.domeggook.com:443/a.jpg")) is None
    other = AddressPolicy(allowed_ports=frozenset({8443}))
    assert other.url_refusal(URL("https://cdn1.domeggook.com:8443/a.jpg")) is None
    refusal = other.url_refusal(URL("https://cdn1.domeggook.com/a.jpg"))
    assert refusal is not None
    assert refusal.code == PORT_NOT_ALLOWED
    with pytest.raises(ValueError, match=r"not 1\.\.65535"):
        AddressPolicy(allowed_ports=frozenset({0}))


def test_allowed_networks_exempt_only_their_addresses_and_only_for_allow_listed_hosts() -> None:
    sandbox = AddressPolicy(
        allowed_hosts=("127.0.0.1", "images.internal"),
        allowed_networks=(ip_network("127.0.0.1/32"), ip_network("10.20.0.0/16"), ip_network("fd00::/8")),
    )
    assert sandbox.url_refusal(URL("http://127.0.0.1/a.jpg")) is None
    assert sandbox.address_refusal("10.20.3.4", "images.internal") is None
    assert sandbox.address_refusal("fd00::5", "images.internal") is None
    assert sandbox.address_refusal("::ffff:10.20.3.4", "images.internal") is None  # mapped form too
    # Outside the exempt networks: still refused, even for an allow-listed host.
    for address in ("127.0.0.2", "10.21.0.1", "169.254.169.254", "::1", "fc00::1"):
        assert sandbox.address_refusal(address, "images.internal") is not None, address
    refusal = sandbox.url_refusal(URL("http://127.0.0.2/a.jpg"))
    assert refusal is not None
    assert refusal.code == BLOCKED_ADDRESS
    # A host that is not allow-listed cannot use the exemption by resolving into it (detail mode).
    refusal = sandbox.address_refusal("127.0.0.1", "supplier.example")
    assert refusal is not None
    assert refusal.code == BLOCKED_ADDRESS
    assert refusal.detail == "supplier.example resolves to 127.0.0.1, a loopback address"


def test_unparseable_resolver_answers_are_refused() -> None:
    refusal = DEFAULT.address_refusal("not-an-address", "cdn1.domeggook.com")
    assert refusal is not None
    assert refusal.code == BLOCKED_ADDRESS


def test_policy_from_settings_defaults_to_domeggook_cdns_on_80_and_443() -> None:
    policy = AddressPolicy.from_settings(load_settings())
    assert policy == AddressPolicy()
    assert policy.allowed_hosts == ("domeggook.com", "*.domeggook.com")
    assert policy.allowed_networks == ()
    assert policy.allowed_ports == frozenset({80, 443})
    assert policy.detail_any_public_host is True


def test_policy_from_settings_reads_every_image_variable() -> None:
    settings = load_settings(
        IMAGE_ALLOWED_HOSTS="img.example, *.cdn.example",
        IMAGE_ALLOWED_NETWORKS="10.0.0.0/8,fd00::/8",
        IMAGE_ALLOWED_PORTS="443,8443",
        IMAGE_DETAIL_ANY_PUBLIC_HOST="false",
    )
    policy = AddressPolicy.from_settings(settings)
    assert policy.allowed_hosts == ("img.example", "*.cdn.example")
    assert policy.allowed_networks == (ip_network("10.0.0.0/8"), ip_network("fd00::/8"))
    assert policy.allowed_ports == frozenset({443, 8443})
    assert policy.detail_any_public_host is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("IMAGE_ALLOWED_HOSTS", ""),
        ("IMAGE_ALLOWED_HOSTS", "bad host"),
        ("IMAGE_ALLOWED_NETWORKS", "10.0.0.1/8"),
        ("IMAGE_ALLOWED_NETWORKS", "not-a-cidr"),
        ("IMAGE_ALLOWED_PORTS", "80,http"),
        ("IMAGE_ALLOWED_PORTS", "70000"),
        ("IMAGE_ALLOWED_PORTS", ""),
    ],
)
def test_bad_image_settings_fail_with_one_line_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**{name: value})
    assert str(caught.value).startswith(f"{name}:")
    assert "\n" not in str(caught.value)
