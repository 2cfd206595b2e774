"""Benign: urllib.parse, html escaping, string.Template, literal format strings."""
import html
import string
import urllib.parse

PAGE = string.Template("<h1>$title</h1>")


def query(url: str) -> dict[str, list[str]]:
    """The query parameters of ``url``."""
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)


def with_param(url: str, key: str, value: str) -> str:
    parts = urllib.parse.urlsplit(url)
    params = urllib.parse.parse_qsl(parts.query) + [(key, value)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(params)))


def row(name: str, count: int) -> str:
    return "{:<10}|{:>6}".format(name, count)


def page(title: str) -> str:
    return PAGE.substitute(title=html.escape(title))
