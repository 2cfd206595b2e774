"""Benign: struct packing, binascii/zlib checksums, bytes handling."""
import binascii
import struct
import zlib
from typing import NamedTuple

HEADER = struct.Struct("<4sHI")
MAGIC = b"WSH1"


class Record(NamedTuple):
    kind: int
    payload: bytes


def pack(records: list[Record]) -> bytes:
    """Frame records with a header and a CRC.

    >>> unpack(pack([Record(1, b"hi"), Record(2, b"")]))
    [Record(kind=1, payload=b'hi'), Record(kind=2, payload=b'')]
    """
    body = b"".join(struct.pack("<HI", r.kind, len(r.payload)) + r.payload for r in records)
    compressed = zlib.compress(body)
    return HEADER.pack(MAGIC, len(records), zlib.crc32(compressed)) + compressed


def unpack(blob: bytes) -> list[Record]:
    magic, count, crc = HEADER.unpack_from(blob)
    if magic != MAGIC:
        raise ValueError("not a record file")
    compressed = blob[HEADER.size:]
    if zlib.crc32(compressed) != crc:
        raise ValueError("checksum mismatch")
    body = zlib.decompress(compressed)
    records, offset = [], 0
    for _ in range(count):
        kind, size = struct.unpack_from("<HI", body, offset)
        offset += 6
        records.append(Record(kind, body[offset:offset + size]))
        offset += size
    return records


def hexdump(data: bytes, width: int = 8) -> str:
    """>>> hexdump(b"abc")
    '00000000  616263'
    """
    lines = []
    for start in range(0, len(data), width):
        chunk = data[start:start + width]
        lines.append(f"{start:08x}  {binascii.hexlify(chunk).decode()}")
    return "\n".join(lines)
