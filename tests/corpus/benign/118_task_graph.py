"""Benign: graphlib.TopologicalSorter, heapq scheduling, dataclass(order=True)."""
import heapq
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter


@dataclass(order=True)
class Job:
    priority: int
    name: str = field(compare=False)


def build_order(deps: dict[str, set[str]]) -> list[str]:
    """A dependency-respecting order, alphabetical among ready tasks.

    >>> build_order({"app": {"lib", "cfg"}, "lib": {"cfg"}, "cfg": set()})
    ['cfg', 'lib', 'app']
    """
    sorter = TopologicalSorter(deps)
    try:
        sorter.prepare()
    except CycleError as error:
        raise ValueError(f"dependency cycle: {error.args[1]}") from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


def schedule(jobs: list[Job], slots: int) -> list[list[str]]:
    """Run the most urgent (lowest priority number) jobs first, ``slots`` at a time.

    >>> schedule([Job(3, "c"), Job(1, "a"), Job(2, "b")], 2)
    [['a', 'b'], ['c']]
    """
    heap = list(jobs)
    heapq.heapify(heap)
    rounds = []
    while heap:
        rounds.append([heapq.heappop(heap).name for _ in range(min(slots, len(heap)))])
    return rounds
