"""The op library: declarations only, grouped by kind.

Each group module lists its public ops in ``__all__``; the namespaces ``tape``, ``tape.math``,
``tape.nn`` and ``tape.linalg`` are built from these lists.
"""

from . import (
    _protocols,
    creation,
    elementwise,
    fft,
    linalg,
    nn,
    reductions,
    shape,
)

_protocols.install_operators()

GROUPS = {
    "creation": creation,
    "elementwise": elementwise,
    "reductions": reductions,
    "shape": shape,
    "linalg": linalg,
    "nn": nn,
    "fft": fft,
}


# ``norm`` is declared with the linear algebra (the matrix 2-norm is the largest singular
# value) and belongs to the reductions too: tf.norm, tf.math's reductions.
_ALSO = {"reductions": {"norm": linalg.norm}}


def exported(*groups: str) -> dict[str, object]:
    """Public ops of the named groups, by name."""
    ops: dict[str, object] = {}
    for g in groups:
        ops.update({name: getattr(GROUPS[g], name) for name in GROUPS[g].__all__})
        ops.update(_ALSO.get(g, {}))
    return ops
