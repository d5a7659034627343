"""Which URLs an endpoint may have: HTTPS to a public address (docs/WEBHOOKS.md, "Registering").

The server makes the request, so an endpoint URL is a way to make the server call anything it
can reach (SSRF): its own loopback services, the metrics port, a cloud metadata address, the
private network behind it. Outside dev we refuse, at registration, any URL naming a loopback,
private, link-local or otherwise non-public address or a local host name, and at each delivery
any host whose DNS answer holds such an address (a public name may point at 10.0.0.1).
In dev, plain HTTP to this machine (127.0.0.1, ::1, localhost) is allowed, so the tests and the
README walk can run a receiver locally.
"""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})
LOCAL_SUFFIXES = (".localhost", ".local", ".internal")
MAX_URL_CHARS = 2000


class UrlRefused(ValueError):
    """Why a URL cannot be an endpoint: `code` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _is_local_name(host: str) -> bool:
    return host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES)


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable and unicast: not loopback, private, link-local, shared, reserved or multicast."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def _is_this_machine(host: str) -> bool:
    address = _literal_address(host)
    return host in LOCAL_NAMES or (address is not None and address.is_loopback)


def check_endpoint_url(url: str, *, dev: bool) -> str:
    """The URL, if it may be an endpoint; else `UrlRefused` with the reason."""
    if len(url) > MAX_URL_CHARS:
        raise UrlRefused("bad_webhook_url", f"the URL is longer than {MAX_URL_CHARS} characters")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise UrlRefused("bad_webhook_url", "the URL must not contain spaces or control characters")
    try:
        parts: SplitResult = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (raises on a port that is not a number or out of range)
    except ValueError:
        raise UrlRefused("bad_webhook_url", "the URL cannot be read") from None
    if parts.scheme not in ("https", "http") or not host:
        raise UrlRefused("bad_webhook_url", "the URL must be https://host/path")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(
            "webhook_url_has_credentials",
            "the URL must not carry a user name or password: the signature authenticates us",
        )
    if parts.fragment:
        raise UrlRefused("bad_webhook_url", "the URL must not have a #fragment")
    if parts.scheme == "http" and not (dev and _is_this_machine(host)):
        raise UrlRefused(
            "webhook_url_not_https", "the URL must use https (http only to this machine, in dev)"
        )
    if dev:
        return url
    address = _literal_address(host)
    if _is_local_name(host) or (address is not None and not is_public(address)):
        raise UrlRefused(
            "webhook_url_not_public", "the URL must name a public address, not a local or private one"
        )
    return url


def host_resolves_publicly(url: str, port_default: int = 443) -> bool:
    """At delivery, outside dev: every address the host's DNS answers is public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        answers = socket.getaddrinfo(host, parts.port or port_default, proto=socket.IPPROTO_TCP)
    except OSError:
        return True  # unresolvable: the request fails by itself and is retried like any outage
    addresses = {ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0]) for answer in answers}
    return all(is_public(address) for address in addresses)
