"""The data-use guard: credentialed cases only go to LM endpoints under the user's control.

Cases that do not come from the synthetic generator are credentialed data (MIMIC-IV under PhysioNet's data
use agreement); so is a compiled-program bundle whose train or dev data was. They may be sent only to:

- an endpoint whose addresses are all loopback (``127.0.0.0/8``, ``::1``), private (``10/8``, ``172.16/12``,
  ``192.168/16``, ``fc00::/7``) or link-local (``169.254/16``, ``fe80::/10``). The guard decides on addresses,
  not spellings: the host is parsed the way the HTTP client parses it (integer, hex, octal and shortened IPv4,
  IPv4-mapped IPv6, trailing dots, IDNA with Unicode dots; see ``cdmbench.lm.addresses``) and a host name is
  resolved, so ``gpu042`` is allowed when it resolves to a private address and refused when it resolves to a
  public one (or not at all);
- unix sockets (``unix:`` / ``http+unix:`` URLs);
- anything listed in ``allowed_endpoints``: a host name, ``.suffix`` for a domain and its subdomains, an IP or
  CIDR (every address of the host must be inside), or a URL prefix; an entry may be ``{endpoint: ...,
  via_proxy: true}``.

No proxy carries credentialed traffic: while ``HTTP_PROXY``, ``HTTPS_PROXY`` or ``ALL_PROXY`` (either case)
is set and ``NO_PROXY`` does not name the host exactly (or ``*``), the guard refuses, unless the endpoint is
allow-listed with ``via_proxy: true``. (The HTTP client would send the request, patient text included, to the
proxy; refusing is the one behaviour every client library agrees on.)

Everything else is refused unless the user sets ``allow_external_lm=true``. Synthetic data may go anywhere. The
check runs before any connection is made; a name is resolved again by the client when it connects, so an
endpoint whose DNS you do not control belongs in the allow-list by name, not behind a resolution.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from typing import Any

from loguru import logger

from cdmbench.lm._errors import DataUseError
from cdmbench.lm.addresses import Address, Endpoint, UnclearURLError, host_addresses, parse_endpoint

__all__ = ["LOCAL_NETWORKS", "PROXY_VARIABLES", "check_data_use", "is_local_endpoint", "proxy_in_use"]

LOCAL_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "::1/128",
        "0.0.0.0/32",  # connecting to the unspecified address reaches this host
        "::/128",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
    )
)
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
_FIXES = (
    "Serve the model yourself (`cdmbench serve`, lm=vllm), add the host to lm.allowed_endpoints if your "
    "institution controls it, or set lm.allow_external_lm=true if your agreement permits this service."
)


def _is_local(address: Address) -> bool:
    return any(address in network for network in LOCAL_NETWORKS if network.version == address.version)


def is_local_endpoint(api_base: str) -> bool:
    """True if every address ``api_base`` reaches is loopback, private or link-local (or it is a unix socket)."""
    if api_base.split(":", 1)[0].lower() in ("unix", "http+unix", "https+unix"):
        return True
    try:
        return all(_is_local(a) for a in host_addresses(parse_endpoint(api_base)))
    except UnclearURLError:
        return False


def _entry(item: Any) -> tuple[str, bool]:
    if isinstance(item, Mapping):
        return str(item.get("endpoint") or "").strip(), bool(item.get("via_proxy", False))
    endpoint = getattr(item, "endpoint", None)
    if endpoint is not None:
        return str(endpoint).strip(), bool(getattr(item, "via_proxy", False))
    return str(item).strip(), False


def _matches(endpoint: Endpoint, entry: str) -> bool:
    if "://" in entry:
        try:
            prefix = parse_endpoint(entry)
        except UnclearURLError:
            return False
        same_place = (endpoint.scheme, endpoint.host, endpoint.port) == (prefix.scheme, prefix.host, prefix.port)
        return same_place and (endpoint.path == prefix.path or endpoint.path.startswith(prefix.path + "/"))
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        network = None
    if network is not None:
        try:
            addresses = host_addresses(endpoint)
        except UnclearURLError:
            return False
        return all(a.version == network.version and a in network for a in addresses)
    try:
        name = parse_endpoint(f"http://{entry.lstrip('.')}").host
    except UnclearURLError:
        return False
    if entry.startswith("."):
        return endpoint.host == name or endpoint.host.endswith("." + name)
    return endpoint.host == name


def _allow_listed(endpoint: Endpoint, allowed_endpoints: Iterable[Any]) -> tuple[bool, bool]:
    """(allow-listed, allow-listed with via_proxy)."""
    listed = via_proxy = False
    for item in allowed_endpoints:
        entry, proxy_ok = _entry(item)
        if entry and _matches(endpoint, entry):
            listed = True
            via_proxy = via_proxy or proxy_ok
    return listed, via_proxy


def proxy_in_use(host: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The proxy variable that would carry a request to ``host``, or None (unset, or NO_PROXY names the host)."""
    environ = os.environ if environ is None else environ
    set_vars = [v for name in PROXY_VARIABLES for v in (name, name.lower()) if environ.get(v, "").strip()]
    if not set_vars:
        return None
    no_proxy = ",".join(environ.get(v, "") for v in ("NO_PROXY", "no_proxy"))
    bypass = {item.strip().lower().rstrip(".") for item in no_proxy.split(",") if item.strip()}
    if "*" in bypass or host.lower() in bypass or f"[{host.lower()}]" in bypass:
        return None
    return set_vars[0]


def _refuse(label: str, why: str) -> DataUseError:
    return DataUseError(
        f"refusing to send credentialed (non-synthetic) cases to the LM endpoint {label!r}: {why}, and the "
        f"MIMIC-IV data use agreement forbids sharing the data with third parties. {_FIXES}"
    )


def check_data_use(
    api_base: str,
    data_is_synthetic: bool,
    allow_external: bool = False,
    allowed_endpoints: Iterable[Any] = (),
) -> None:
    """Refuse to send credentialed cases to an endpoint outside the user's control (before any connection).

    Args:
        api_base: the LM endpoint URL.
        data_is_synthetic: the cases (and any bundle's train/dev data) come from the synthetic generator.
        allow_external: the user's explicit ``allow_external_lm=true``.
        allowed_endpoints: host names, ``.suffix`` domains, IPs, CIDRs or URL prefixes the user allows, each a
            string or ``{endpoint: ..., via_proxy: bool}``.

    Raises:
        DataUseError: credentialed data and a non-local endpoint that is not allow-listed or overridden, an
            unclear URL, or a proxy set for the endpoint.

    Example:
        >>> check_data_use("http://10.1.2.3:8000/v1", data_is_synthetic=False)  # allowed: private network
    """
    if data_is_synthetic:
        return
    if api_base.split(":", 1)[0].lower() in ("unix", "http+unix", "https+unix"):
        return
    try:
        endpoint = parse_endpoint(api_base)
    except UnclearURLError as exc:
        raise _refuse("(unclear URL)", f"its host is unclear: {exc}") from None
    label = endpoint.host
    listed, via_proxy = _allow_listed(endpoint, allowed_endpoints)
    proxy = proxy_in_use(endpoint.host)
    if proxy and not via_proxy:
        raise DataUseError(
            f"refusing to send credentialed (non-synthetic) cases to the LM endpoint {label!r} while {proxy} is "
            "set: the HTTP client would route them through that proxy. Unset the proxy variables (or add the "
            f"host to NO_PROXY) for this run, or allow-list the endpoint with via_proxy: true "
            f"(lm.allowed_endpoints=[{{endpoint: {label}, via_proxy: true}}]) if the proxy is under your control."
        )
    if listed:
        return
    try:
        addresses = host_addresses(endpoint)
    except UnclearURLError as exc:
        if not allow_external:
            raise _refuse(label, str(exc)) from None
        addresses = []
    if addresses and all(_is_local(a) for a in addresses):
        return
    if allow_external:
        logger.warning("sending credentialed cases to the external LM endpoint {} (allow_external_lm=true)", label)
        return
    public = next(str(a) for a in addresses if not _is_local(a))
    raise _refuse(label, f"it reaches {public}, which is not loopback, a private network or allow-listed")
