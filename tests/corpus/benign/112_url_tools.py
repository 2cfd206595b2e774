"""Benign: urllib.parse split/join/query handling, ipaddress validation."""
import ipaddress
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports and fragments, sort the query.

    >>> normalize_url("HTTPS://Example.COM:443/a b/?z=1&a=2#top")
    'https://example.com/a%20b/?a=2&z=1'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = quote(parts.path or "/", safe="/%")
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((scheme, host, path, query, ""))


def add_params(url: str, **params: str) -> str:
    """Add query parameters.

    >>> add_params("https://x.org/s?q=1", page="2")
    'https://x.org/s?q=1&page=2'
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def resolve(base: str, link: str) -> str:
    return urljoin(base, link)


def is_private_host(host: str) -> bool:
    """True for loopback/private IP literals.

    >>> is_private_host("10.1.2.3"), is_private_host("8.8.8.8"), is_private_host("example.com")
    (True, False, False)
    """
    try:
        return ipaddress.ip_address(host).is_private
    except ValueError:
        return False
