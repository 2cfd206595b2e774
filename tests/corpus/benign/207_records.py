"""Benign: csv over StringIO, json round trips, hashing, base64, getattr with a literal."""
import base64
import csv
import hashlib
import io
import json


def parse(text: str) -> list[dict[str, str]]:
    """Rows of a CSV document with a header line."""
    return list(csv.DictReader(io.StringIO(text)))


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def fingerprint(data: object) -> str:
    raw = json.dumps(data, sort_keys=True).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def display_name(obj: object) -> str:
    return getattr(obj, "name", None) or type(obj).__name__
