"""Benign: csv over io.StringIO, module-level format strings and literal .format calls."""
import csv
import io
from statistics import mean

ROW = "{:<12}{:>10}{:>10}"
MONEY = "{:,.2f}"
HEADER = ROW.format("name", "count", "average")


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def report(text: str) -> str:
    """A fixed-width report of amounts per name.

    >>> print(report("name,amount\\nann,10\\nbob,5\\nann,20\\n"))
    name             count   average
    ann                  2     15.00
    bob                  1      5.00
    """
    groups: dict[str, list[float]] = {}
    for row in parse(text):
        groups.setdefault(row["name"], []).append(float(row["amount"]))
    lines = [HEADER]
    for name in sorted(groups):
        values = groups[name]
        lines.append(ROW.format(name, len(values), MONEY.format(mean(values))))
    return "\n".join(lines)


def to_csv(rows: list[dict[str, object]]) -> str:
    """Write dictionaries as CSV text.

    >>> to_csv([{"a": 1, "b": "x,y"}])
    'a,b\\r\\n1,"x,y"\\r\\n'
    """
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def summary(count: int, total: float) -> str:
    return "{} rows, total {}".format(count, MONEY.format(total))
