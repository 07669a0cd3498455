"""Nested structures of targets, sources and results: their leaves as a flat list, and back.

Lists, tuples (named tuples too) and dicts nest; a dict's leaves come in sorted key order, as
TensorFlow's ``nest`` takes them. Everything else is a leaf.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def flatten(structure: Any) -> list[Any]:
    """Leaves of nested lists, tuples and dicts (dicts in sorted key order)."""
    if isinstance(structure, dict):
        return [leaf for k in sorted(structure) for leaf in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        leaves = []
        for item in structure:  # leaves directly: most structures are flat lists
            if isinstance(item, (list, tuple, dict)):
                leaves.extend(flatten(item))
            else:
                leaves.append(item)
        return leaves
    return [structure]


def pack_as(structure: Any, flat: list[Any]) -> Any:
    """Rebuild ``structure`` with the leaves taken in order from ``flat``."""
    return _build(structure, iter(flat))


def _build(s: Any, leaves: Iterator[Any]) -> Any:
    # A plain recursive function, not a closure: a closure over the iterator would form a
    # reference cycle that keeps the packed values alive until the cyclic collector runs.
    if isinstance(s, dict):
        built = {k: _build(s[k], leaves) for k in sorted(s)}
        return type(s)((k, built[k]) for k in s)
    if isinstance(s, (list, tuple)):
        items = [
            _build(item, leaves) if isinstance(item, (list, tuple, dict)) else next(leaves)
            for item in s
        ]
        if hasattr(s, "_fields"):  # namedtuple
            return type(s)(*items)
        return type(s)(items)
    return next(leaves)
