"""Where outgoing webhooks may go: resolve the host once, refuse inside addresses, connect to what was checked."""

import http.client
import ipaddress
import logging
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _g

log = logging.getLogger(__name__)

# Prefixes whose addresses carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and RFC 8215).
_NAT64 = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48")]
# IPv6 site-local (deprecated, yet still routed inside some networks).
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


class Refused(Exception):
    """The URL may not be reached from here; `message` is translated and safe to show to the subscriber."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address: the only one ever connected to
    internal: bool  # reached through WEBHOOK_ALLOWED_NETWORKS


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (the system resolver; tests put their own in its place)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo, NAT64), or None."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip) -> bool:
    """Globally reachable unicast: not loopback, private, link-local, multicast, reserved or unspecified."""
    inner = _embedded_ipv4(ip)
    if inner is not None and not is_public(inner):
        return False
    if (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global):
        return False
    return not (ip.version == 6 and ip in _SITE_LOCAL)


def allowed_networks():
    networks = []
    for value in getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", None) or []:
        networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
    return networks


def _internal(ip, networks) -> bool:
    candidates = [ip] + ([inner] if (inner := _embedded_ipv4(ip)) is not None else [])
    return any(c.version == net.version and c in net for c in candidates for net in networks)


def check(url: str) -> Target:
    """The target of `url` once every address it names is allowed; raises Refused otherwise."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise Refused(_g("Enter a valid http or https URL."), "malformed") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(_g("Enter a valid http or https URL."), "scheme")
    if "@" in parts.netloc:
        raise Refused(_g("A webhook URL may not contain a user name or password."), "credentials")
    host = (parts.hostname or "").rstrip(".")
    if not host or "%" in host:
        raise Refused(_g("Enter a valid http or https URL."), "host")
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError, ValueError):
            addresses = []
        if not addresses:
            raise Refused(_g("The host name of this URL cannot be resolved."), "unresolvable") from None
    networks = allowed_networks()
    internal = False
    for value in addresses:
        try:
            ip = ipaddress.ip_address(value.split("%")[0])
        except ValueError:
            raise Refused(_g("The host name of this URL cannot be resolved."), "unresolvable") from None
        if _internal(ip, networks):
            internal = True
        elif not is_public(ip):
            raise Refused(_g("Webhooks cannot be sent to private, loopback, link-local or reserved addresses."),
                          "address")
    # An operator who lists an internal network vouches for its receivers; everything else needs TLS.
    if scheme != "https" and getattr(settings, "WEBHOOK_REQUIRE_HTTPS", True) and not internal:
        raise Refused(_g("Webhook URLs must use https."), "https")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0], internal=internal)


def _proxies():
    return getattr(settings, "WEBHOOK_PROXIES", None) or {}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is a failure: following it would post the signed body somewhere the subscriber never named.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _via_proxy(url, body, headers, timeout) -> int:
    """Through the deployment's egress proxy, which resolves and connects itself (and should filter too)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(_proxies()), _NoRedirect)
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def post(url: str, target: Target, body: bytes, headers: dict, timeout: float) -> int:
    """POST to the checked address and return the status; network errors propagate (the caller hides them)."""
    if target.scheme in _proxies():
        return _via_proxy(url, body, headers, timeout)
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(target.host, target.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    address = (target.address, target.port)

    # The Host header and the TLS name stay the host's; the socket goes to the address checked above, so
    # a second DNS answer (rebinding) cannot move the connection inside.
    def connect_checked(_address, timeout=timeout, source_address=None):
        return socket.create_connection(address, timeout, source_address)

    conn._create_connection = connect_checked
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(65536)
        return response.status
    finally:
        conn.close()
