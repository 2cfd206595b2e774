"""Benign: json round trips with a JSONEncoder subclass, object_hook and dataclasses.asdict."""
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass
class Order:
    id: int
    placed: date
    total: Decimal
    items: list[str] = field(default_factory=list)


class RecordEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, (date, datetime)):
            return {"$date": o.isoformat()}
        if isinstance(o, Decimal):
            return {"$decimal": str(o)}
        return super().default(o)


def _decode_special(obj: dict):
    if set(obj) == {"$date"}:
        return date.fromisoformat(obj["$date"])
    if set(obj) == {"$decimal"}:
        return Decimal(obj["$decimal"])
    return obj


def dump_order(order: Order) -> str:
    """Serialise an order.

    >>> dump_order(Order(1, date(2024, 5, 1), Decimal("9.90"), ["pen"]))
    '{"id": 1, "items": ["pen"], "placed": {"$date": "2024-05-01"}, "total": {"$decimal": "9.90"}}'
    """
    return json.dumps(asdict(order), cls=RecordEncoder, sort_keys=True)


def load_order(text: str) -> Order:
    data = json.loads(text, object_hook=_decode_special)
    return Order(**data)


def round_trip(order: Order) -> bool:
    return load_order(dump_order(order)) == order
