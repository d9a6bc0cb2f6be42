"""The data-use guard: credentialed cases only go to LM endpoints under the user's control.

Cases that do not come from the synthetic generator are credentialed data (MIMIC-IV under
PhysioNet's data use agreement). They may be sent only to:

- loopback (``127.0.0.0/8``, ``::1``), private networks (``10/8``, ``172.16/12``, ``192.168/16``,
  ``fc00::/7``) and link-local addresses (``169.254/16``, ``fe80::/10``), written as IP literals;
- host names that cannot be public DNS names: ``localhost``, single-label names (``gpu042``, the usual
  cluster node name), and names ending in ``.localhost``, ``.local``, ``.internal``, ``.lan`` or
  ``.home.arpa``;
- unix sockets (``unix:`` / ``http+unix:`` URLs);
- anything listed in ``allowed_endpoints`` (a host name, ``.suffix`` for a domain and its subdomains,
  an IP, a CIDR, or a URL prefix).

Host names are never resolved: DNS answers change and can be spoofed, so a public-looking name is
refused even if it resolves to a private address today (allow-list it instead). Everything else is
refused unless the user sets ``allow_external_lm=true``. Synthetic data may go anywhere.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from loguru import logger

from cdmbench.lm._errors import DataUseError

__all__ = ["LOCAL_NETWORKS", "LOCAL_SUFFIXES", "check_data_use", "is_local_endpoint"]

LOCAL_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "::1/128",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
    )
)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def is_local_endpoint(api_base: str) -> bool:
    """True if ``api_base`` is loopback, a private/link-local IP, a local host name or a unix socket."""
    parts = urlsplit(api_base)
    if parts.scheme in ("unix", "http+unix", "https+unix"):
        return True
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return False
    address = _ip(host)
    if address is not None:
        return any(address in network for network in LOCAL_NETWORKS if network.version == address.version)
    return host == "localhost" or "." not in host or host.endswith(LOCAL_SUFFIXES)


def _allow_listed(api_base: str, allowed_endpoints: list[str] | tuple[str, ...]) -> bool:
    host = (urlsplit(api_base).hostname or "").lower().rstrip(".")
    address = _ip(host)
    for entry in allowed_endpoints:
        entry = entry.strip()
        if not entry:
            continue
        if "://" in entry:
            prefix = entry.rstrip("/")
            if api_base == prefix or api_base.startswith(prefix + "/"):
                return True
            continue
        entry = entry.lower().rstrip(".")
        if address is not None:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


def check_data_use(
    api_base: str,
    data_is_synthetic: bool,
    allow_external: bool = False,
    allowed_endpoints: list[str] | tuple[str, ...] = (),
) -> None:
    """Refuse to send credentialed cases to an endpoint outside the user's control.

    Args:
        api_base: the LM endpoint URL.
        data_is_synthetic: the cases come from the synthetic generator (``source: synthetic``).
        allow_external: the user's explicit ``allow_external_lm=true``.
        allowed_endpoints: host names, ``.suffix`` domains, IPs, CIDRs or URL prefixes the user allows.

    Raises:
        DataUseError: credentialed data, a non-local endpoint, not allow-listed, not overridden.

    Example:
        >>> check_data_use("http://10.1.2.3:8000/v1", data_is_synthetic=False)  # allowed: private network
    """
    if data_is_synthetic or is_local_endpoint(api_base) or _allow_listed(api_base, allowed_endpoints):
        return
    host = urlsplit(api_base).hostname or api_base
    if allow_external:
        logger.warning("sending credentialed cases to the external LM endpoint {} (allow_external_lm=true)", host)
        return
    raise DataUseError(
        f"refusing to send credentialed (non-synthetic) cases to the LM endpoint {host!r}: it is not loopback, "
        "a private network or allow-listed, and the MIMIC-IV data use agreement forbids sharing the data with "
        "third parties. Serve the model yourself (`cdmbench serve`, lm=vllm), add the host to "
        "lm.allowed_endpoints if your institution controls it, or set lm.allow_external_lm=true if your "
        "agreement permits this service."
    )
