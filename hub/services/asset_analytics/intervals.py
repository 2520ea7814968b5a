"""Time intervals [start, end) as plain tuples: the union of overlapping ones, their overlap with
another set, and their total length. Downtime and service time are both built from these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

Interval = tuple[datetime, datetime]


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same time; empty ones dropped, so overlapping
    repairs count once."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(left: Sequence[Interval], right: Sequence[Interval]) -> list[Interval]:
    """The time in both, from two unions."""
    found: list[Interval] = []
    for a_start, a_end in left:
        for b_start, b_end in right:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                found.append((start, end))
    return union(found)


def total(intervals: Iterable[Interval]) -> timedelta:
    """The length of disjoint intervals."""
    return sum((end - start for start, end in intervals), timedelta())
