"""Where a URL really goes: its host parsed the way the HTTP client parses it, and the addresses it resolves to.

The data-use guard decides on addresses, never on spellings: ``http://134744072/v1``, ``http://0x08080808/v1``,
``http://01002004010/v1`` and ``http://8.8.2056/v1`` all reach 8.8.8.8 (the C library's ``inet_aton`` reads
integer, hex, octal and shortened IPv4), ``[::ffff:8.8.8.8]`` is 8.8.8.8 again, and ``api。openai。com`` (Unicode
dots) is ``api.openai.com`` after IDNA. ``endpoint_host`` returns the host exactly as the client will connect to
it; ``host_addresses`` the IP addresses behind it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Address", "Endpoint", "UnclearURLError", "host_addresses", "parse_endpoint", "parse_ipv4_loose"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_UNICODE_DOTS = re.compile("[\u3002\uff0e\uff61]")
_LOOSE_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class UnclearURLError(ValueError):
    """The URL's host cannot be determined unambiguously (so nothing may be sent to it)."""


@dataclass(frozen=True)
class Endpoint:
    """A URL reduced to what decides where it goes."""

    scheme: str
    host: str
    """ASCII host: IDNA-encoded, lower case, without brackets or a trailing dot."""
    port: int | None
    path: str
    address: Address | None
    """The host as an IP address, when it is one in any spelling (IPv4-mapped IPv6 as IPv4)."""


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address ``inet_aton`` (and so the HTTP client's resolver) reads in ``host``, if any."""
    if not _LOOSE_IPV4.match(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        raise UnclearURLError(f"{host!r} looks like an IPv4 address but is not a valid one") from None


def _as_address(host: str) -> Address | None:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return parse_ipv4_loose(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _normal_host(raw: str) -> str:
    host = _UNICODE_DOTS.sub(".", raw).strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:  # an IPv6 literal: no IDNA
        return host
    host = host.rstrip(".")
    if not host:
        return ""
    if host.isascii():
        return host
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii").lower().rstrip(".")
    except (ImportError, UnicodeError, ValueError):
        raise UnclearURLError(f"the host {raw!r} is not a valid internationalized domain name") from None


def _client_host(url: str) -> str | None:
    """The host the HTTP client (httpx, which LiteLLM and OpenAI use) will connect to, or None without httpx."""
    try:
        import httpx
    except ImportError:
        return None
    try:
        return httpx.URL(url).raw_host.decode("ascii")
    except Exception as exc:  # httpx raises its own InvalidURL; any failure means the client could not send either
        raise UnclearURLError(f"the HTTP client cannot parse it ({type(exc).__name__})") from None


def parse_endpoint(url: str) -> Endpoint:
    """Parse ``url`` into scheme, ASCII host, port, path and (if the host is an IP in any spelling) its address.

    Raises:
        UnclearURLError: no host, an invalid IDNA name or IPv4 spelling, or the standard library and the HTTP
            client read different hosts in it.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnclearURLError(f"it is not a valid URL ({exc})") from None
    host = _normal_host(parts.hostname or "")
    if not host:
        raise UnclearURLError("it has no host")
    client = _client_host(url)
    if client is not None and _normal_host(client) != host:
        raise UnclearURLError("the HTTP client would read another host in it than the standard library does")
    scheme = parts.scheme.lower()
    return Endpoint(
        scheme=scheme,
        host=host,
        port=port if port is not None else _DEFAULT_PORTS.get(scheme),
        path=parts.path.rstrip("/"),
        address=_as_address(host),
    )


def _resolve(host: str, port: int | None) -> list[str]:
    """The resolver's answers for ``host`` (a seam for tests, which must never query real DNS)."""
    infos = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def host_addresses(endpoint: Endpoint) -> list[Address]:
    """Every address ``endpoint`` can connect to: its IP literal, or what its name resolves to now.

    Raises:
        UnclearURLError: the name does not resolve.
    """
    if endpoint.address is not None:
        return [endpoint.address]
    try:
        answers = _resolve(endpoint.host, endpoint.port)
    except (OSError, UnicodeError) as exc:
        raise UnclearURLError(f"the host name does not resolve ({getattr(exc, 'strerror', None) or exc})") from None
    addresses = [_as_address(answer) for answer in answers]
    if not addresses or any(a is None for a in addresses):
        raise UnclearURLError("the host name resolves to no usable address")
    return [a for a in addresses if a is not None]
