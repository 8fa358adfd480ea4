"""Download one image with a byte cap and timeouts, and tell what it is from its bytes.

Every failure becomes an ``ImageProblem`` value (never an exception), so one bad detail image can
never take the item, or the worker, down with it. The body is streamed and reading stops one
chunk past ``max_bytes``; the declared ``Content-Length`` is checked first. The Content-Type header
is ignored: suppliers serve WebP as ``.jpg`` and error pages as ``image/jpeg``.

A supplier controls the URL, so every request goes through the ``AddressPolicy`` (SSRF guard,
``storebridge.images.guard``): the URL and every redirect target are checked before they are
requested (redirects are followed here, one hop at a time, never by aiohttp), the session's
``GuardedConnector`` refuses forbidden resolved and connected addresses, and the connected peer is
checked once more before the body is read. A refusal is a permanent ``ImageProblem``
(``BLOCKED_ADDRESS``, ``HOST_NOT_ALLOWED``, ``PORT_NOT_ALLOWED``) whose detail names the host only.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from yarl import URL

from storebridge.images.connector import refused_by_policy
from storebridge.images.guard import AddressPolicy, Refusal
from storebridge.images.types import (
    CONNECTION,
    INVALID_URL,
    NOT_AN_IMAGE,
    TIMEOUT,
    TOO_LARGE_BYTES,
    TOO_MANY_REDIRECTS,
    ImageProblem,
    http_problem_code,
    http_status_is_transient,
)

#: Supplier hosts of detail images are hotlink-protected and need this Referer (Domeggook §5.12).
DOMEGGOOK_REFERER = "https://domeggook.com/"
#: Bytes read per step while streaming a body.
READ_CHUNK_BYTES = 64 * 1024
#: A longer ``Retry-After`` is ignored (the caller's retry schedule takes over).
MAX_RETRY_AFTER_S = 3600.0
#: Redirects followed per image (each target re-checked); aiohttp's own default is 10.
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

#: Formats recognised from magic bytes. Naver accepts the first four; WebP is converted.
JPEG, PNG, GIF, BMP, WEBP = "JPEG", "PNG", "GIF", "BMP", "WEBP"


@dataclass(frozen=True)
class Downloaded:
    """The complete body of an image URL and the format its magic bytes name."""

    url: str
    data: bytes
    format: str
    #: Every host on the way (the URL's and each redirect's) is in ``IMAGE_ALLOWED_HOSTS``; a
    #: detail image fetched from another public host is usable in the HTML but never as an
    #: optional (gallery) image.
    allow_listed: bool = True


def sniff_format(data: bytes) -> str | None:
    """``JPEG``/``PNG``/``GIF``/``BMP``/``WEBP`` from the file's magic bytes, or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data.startswith(b"BM") and len(data) >= 26:
        return BMP
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def _retry_after_s(response: aiohttp.ClientResponse) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value.isdigit():
        return None  # HTTP-dates are rare for image hosts; the caller's backoff applies instead.
    return min(float(value), MAX_RETRY_AFTER_S)


async def _read_capped(response: aiohttp.ClientResponse, url: str, max_bytes: int) -> bytes | ImageProblem:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        return ImageProblem(url, TOO_LARGE_BYTES, f"declares {declared} bytes, limit {max_bytes}")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(READ_CHUNK_BYTES):
        total += len(chunk)
        if total > max_bytes:
            # Leaving the ``async with`` releases (closes) the connection without reading the rest.
            return ImageProblem(url, TOO_LARGE_BYTES, f"more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _peer_refusal(response: aiohttp.ClientResponse, policy: AddressPolicy, host: str) -> Refusal | None:
    """The policy's verdict on the address this response came from (last line of defence).

    ``GuardedConnector`` already refused forbidden peers before sending; this catches a session
    built without it. A small body may have been read whole and its connection released before
    we look; then there is no peer left to check and the connector's check is what held.
    """
    connection = response.connection
    transport = connection.transport if connection is not None else None
    peer = transport.get_extra_info("peername") if transport is not None else None
    if not peer:
        return None
    return policy.address_refusal(str(peer[0]), host)


async def download_image(
    session: aiohttp.ClientSession,
    url: str,
    *,
    max_bytes: int,
    policy: AddressPolicy,
    any_public_host: bool = False,
    max_redirects: int = MAX_REDIRECTS,
) -> Downloaded | ImageProblem:
    """GET ``url`` (with the session's Referer and timeouts) and return its bytes, or the problem.

    ``policy`` decides which URLs and addresses may be reached; ``any_public_host`` waives its
    host allow-list (detail images), never its address checks. Problems: ``INVALID_URL``,
    ``BLOCKED_ADDRESS``, ``HOST_NOT_ALLOWED``, ``PORT_NOT_ALLOWED``, ``TOO_MANY_REDIRECTS``,
    ``HTTP_<status>`` (transient for 408/425/429/5xx), ``TIMEOUT`` and ``CONNECTION`` (transient),
    ``TOO_LARGE_BYTES``, ``NOT_AN_IMAGE``.
    """
    try:
        target = URL(url)
    except (ValueError, TypeError):
        target = None
    if target is None or target.scheme not in ("http", "https") or not target.host:
        return ImageProblem(url, INVALID_URL, "not an absolute http(s) URL")
    allow_listed = True
    try:
        for _ in range(max_redirects + 1):
            refusal = policy.url_refusal(target, any_public_host=any_public_host)
            if refusal is not None:
                return ImageProblem(url, refusal.code, refusal.detail)
            host = target.raw_host or ""
            allow_listed = allow_listed and policy.host_allowed(host)
            async with session.get(target, allow_redirects=False) as response:
                refusal = _peer_refusal(response, policy, host)
                if refusal is not None:
                    return ImageProblem(url, refusal.code, refusal.detail)
                if response.status in REDIRECT_STATUSES:
                    target_or_problem = _redirect_target(response, target, url)
                    if isinstance(target_or_problem, ImageProblem):
                        return target_or_problem
                    target = target_or_problem
                    continue
                if response.status != 200:
                    return ImageProblem(
                        url,
                        http_problem_code(response.status),
                        f"host answered HTTP {response.status}",
                        transient=http_status_is_transient(response.status),
                        retry_after_s=_retry_after_s(response),
                    )
                body = await _read_capped(response, url, max_bytes)
                break
        else:
            return ImageProblem(url, TOO_MANY_REDIRECTS, f"more than {max_redirects} redirects")
    except TimeoutError:
        return ImageProblem(url, TIMEOUT, "no complete answer within the timeout", transient=True)
    except aiohttp.InvalidURL:
        return ImageProblem(url, INVALID_URL, "the URL (or a redirect target) is not valid")
    except aiohttp.ClientError as exc:
        refused = refused_by_policy(exc)
        if refused is not None:
            return ImageProblem(url, refused.code, refused.detail)
        # The class name says what happened; aiohttp's text may repeat the URL, already in the message.
        return ImageProblem(url, CONNECTION, type(exc).__name__, transient=True)
    if isinstance(body, ImageProblem):
        return body
    image_format = sniff_format(body)
    if image_format is None:
        head = body[:16].hex(" ") if body else "empty body"
        return ImageProblem(url, NOT_AN_IMAGE, f"{len(body)} bytes, not JPEG/PNG/GIF/BMP/WebP ({head})")
    return Downloaded(url, body, image_format, allow_listed)


def _redirect_target(response: aiohttp.ClientResponse, current: URL, url: str) -> URL | ImageProblem:
    """The absolute URL a redirect points to (relative ``Location`` resolved, fragment dropped)."""
    location = response.headers.get("Location", "").strip()
    if not location:
        return ImageProblem(url, http_problem_code(response.status), "redirect without a Location header")
    try:
        joined = current.join(URL(location, encoded=False)).with_fragment(None)
    except (ValueError, TypeError):
        return ImageProblem(url, INVALID_URL, "redirect to an invalid URL")
    if joined.scheme not in ("http", "https") or not joined.raw_host:
        return ImageProblem(url, INVALID_URL, f"redirect to a non-http(s) URL ({joined.scheme[:20]!r})")
    return joined
