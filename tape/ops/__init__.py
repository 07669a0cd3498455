"""The op library: declarations only, grouped by kind.

Each group module lists its public ops in ``__all__``; the namespaces ``tape``, ``tape.math``,
``tape.nn`` and ``tape.linalg`` are built from these lists.
"""

from . import (
    _protocols,  # noqa: F401  (installs operators and NumPy protocols)
    creation,
    elementwise,
    linalg,
    methods,  # noqa: F401  (installs ndarray's methods)
    nn,
    reductions,
    shape,
)

GROUPS = {
    "creation": creation,
    "elementwise": elementwise,
    "reductions": reductions,
    "shape": shape,
    "linalg": linalg,
    "nn": nn,
}


def exported(*groups: str) -> dict[str, object]:
    """Public ops of the named groups, by name."""
    return {name: getattr(GROUPS[g], name) for g in groups for name in GROUPS[g].__all__}
