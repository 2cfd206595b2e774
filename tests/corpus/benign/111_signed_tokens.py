"""Benign: hashlib, hmac.compare_digest, base64 url-safe encoding, secrets, json payloads."""
import base64
import hashlib
import hmac
import json
import secrets
import time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(payload: dict, key: bytes, now: float | None = None) -> str:
    """A compact signed token: base64(json).base64(hmac-sha256).

    >>> token = sign({"user": 7}, b"k", now=0)
    >>> verify(token, b"k", now=10)
    {'user': 7, 'iat': 0}
    """
    body = dict(payload, iat=int(time.time() if now is None else now))
    data = _b64(json.dumps(body, separators=(",", ":")).encode())
    mac = hmac.new(key, data.encode(), hashlib.sha256).digest()
    return f"{data}.{_b64(mac)}"


def verify(token: str, key: bytes, max_age: int = 3600, now: float | None = None) -> dict:
    try:
        data, mac = token.split(".")
    except ValueError:
        raise ValueError("malformed token") from None
    expected = hmac.new(key, data.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _unb64(mac)):
        raise ValueError("bad signature")
    body = json.loads(_unb64(data))
    age = (time.time() if now is None else now) - body["iat"]
    if age > max_age:
        raise ValueError("token expired")
    return body


def new_key(length: int = 32) -> bytes:
    return secrets.token_bytes(length)


def fingerprint(text: str) -> str:
    """Short, stable content hash.

    >>> fingerprint("hello")
    '2cf24dba5fb0'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
