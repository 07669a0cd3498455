"""Samples for the shape ops.

Shape ops are linear, so their second derivatives vanish; the sweep's second-order check still
runs every transpose rule on tensors (recorded), and the random cotangents exercise each
transpose numerically. Index arrays are integer NumPy arrays, passed through unchanged.

``concat`` and ``stack`` take a list of tensors: the list samples below are only differentiated
once the sweep differentiates floats inside list arguments; ``stack`` also has samples with a
single array (stacked along its first axis, as TensorFlow iterates a tensor), which the sweep
differentiates now.
"""

from __future__ import annotations

import numpy as np

from . import Sample, Special, noncontiguous, rng

_r = rng(7)


def _x(*shape: int) -> np.ndarray:
    return _r.standard_normal(shape)


A = _x(3, 4)
C = _x(2, 3, 4)
S = np.array(0.7)  # 0-d
Z = np.zeros((0, 3))  # zero-size
NC = noncontiguous(_x(3, 4))
NC3 = noncontiguous(_x(2, 3, 4))
I = np.array  # index arrays (integer, not differentiated)

SAMPLES: dict[str, list[Sample]] = {
    "reshape": [
        Sample((A, [4, 3])),
        Sample((A, [-1])),
        Sample((C, [4, -1, 2])),
        Sample((S, [1, 1])),
        Sample((_x(1, 1), [])),
        Sample((Z, [3, 0])),
        Sample((NC, [2, 6])),
    ],
    "broadcast_to": [
        Sample((_x(3, 1), [2, 3, 4])),
        Sample((_x(4), [3, 4])),
        Sample((S, [2, 2])),
        Sample((_x(1, 3), [0, 3])),
        Sample((NC, [2, 3, 4])),
    ],
    "transpose": [
        Sample((A,)),
        Sample((C,), {"perm": [2, 0, 1]}),
        Sample((C,), {"perm": [-1, 0, -2]}),
        Sample((S,)),
        Sample((Z,)),
        Sample((NC3,), {"perm": [1, 2, 0]}),
    ],
    "expand_dims": [
        Sample((A, 0)),
        Sample((A, -1)),
        Sample((A, 1)),
        Sample((S, 0)),
        Sample((Z, -3)),
        Sample((NC, 2)),
    ],
    "squeeze": [
        Sample((_x(1, 3, 1),)),
        Sample((_x(1, 3, 1),), {"axis": [0]}),
        Sample((_x(1, 3, 1),), {"axis": -1}),
        Sample((S,)),
        Sample((np.zeros((0, 1, 3)),), {"axis": 1}),
        Sample((noncontiguous(_x(3, 1)),)),
    ],
    "concat": [
        Sample(([A, _x(2, 4)], 0)),
        Sample(([A, _x(3, 1), _x(3, 2)],), {"axis": -1}),
        Sample(([Z, _x(2, 3)], 0)),
        Sample(([NC, A], 1)),
    ],
    "stack": [
        Sample(([A, _x(3, 4)],), {"axis": 1}),
        Sample(([S, np.array(-0.2), np.array(1.1)],)),
        Sample(([Z, Z],), {"axis": -1}),
        Sample((A,), {"axis": 1}, note="a single tensor is stacked along its first axis"),
        Sample((C,), {"axis": -1}),
        Sample((np.zeros((2, 0)),), {"axis": 1}),
        Sample((NC3,), {"axis": 2}),
    ],
    "unstack": [
        Sample((A,)),
        Sample((C,), {"axis": -1}),
        Sample((C,), {"axis": 1, "num": 3}),
        Sample((_x(4),)),
        Sample((Z,), {"axis": 1}),
        Sample((NC,), {"axis": 1}),
    ],
    "split": [
        Sample((A, 2), {"axis": 1}),
        Sample((A, [1, -1])),
        Sample((C, [1, 0, 3]), {"axis": -1}),
        Sample((_x(6), 3)),
        Sample((Z, [2, 1]), {"axis": 1}),
        Sample((NC, 3)),
    ],
    "tile": [
        Sample((A, [2, 3])),
        Sample((C, [1, 2, 1])),
        Sample((A, [0, 2])),
        Sample((S, [])),
        Sample((Z, [2, 2])),
        Sample((NC, [2, 1])),
    ],
    "pad": [
        Sample((A, [[1, 2], [0, 3]])),
        Sample((A, [[1, 0], [2, 1]]), {"constant_values": 2.5}),
        Sample((A, [[2, 2], [3, 1]]), {"mode": "REFLECT"}),
        Sample((A, [[3, 1], [4, 2]]), {"mode": "SYMMETRIC"}),
        Sample((C, [[0, 0], [1, 1], [2, 0]]), {"mode": "reflect"}),
        Sample((S, np.zeros((0, 2), dtype=int))),
        Sample((Z, [[1, 1], [0, 2]])),
        Sample((NC, [[1, 1], [1, 1]]), {"mode": "SYMMETRIC"}),
    ],
    "reverse": [
        Sample((A, [0])),
        Sample((C, [0, 2])),
        Sample((C, [-1])),
        Sample((A, [])),
        Sample((S, [])),
        Sample((Z, [1])),
        Sample((NC, [1, 0])),
    ],
    "gather": [
        Sample((A, I([2, 0, 2, 2]))),
        Sample((A, I([[3, 0], [1, 3]])), {"axis": 1}),
        Sample((C, I(1)), {"axis": -1}),
        Sample((C, I([[0, 0, 3], [1, 2, 2]])), {"axis": 2, "batch_dims": 1}),
        Sample((C, I([[2, 0], [1, 1]])), {"batch_dims": 1}),
        Sample((A, I([], dtype=int))),
        Sample((Z, I([1, 1, 0])), {"axis": 1}),
        Sample((NC, I([1, 1]))),
    ],
    "gather_nd": [
        Sample((A, I([[0, 1], [0, 1], [2, 3]]))),
        Sample((C, I([[1], [0], [1]]))),
        Sample((C, I([[[1, 2]], [[0, 0]]]))),
        Sample((C, I([[[2], [2]], [[0], [1]]])), {"batch_dims": 1}),
        Sample((A, np.zeros((2, 0), dtype=int))),
        Sample((NC, I([[2, 2], [2, 2]]))),
    ],
    "boolean_mask": [
        Sample((A, A > 0)),
        Sample((A, I([True, False, True]))),
        Sample((C, I([True, False, True, True])), {"axis": 2}),
        Sample((C, C[0] > 0), {"axis": 1}),
        Sample((Z, np.zeros((0, 3), dtype=bool))),
        Sample((NC, I([False, False, False]))),
    ],
    "getitem": [
        Sample((A, (1, slice(None, None, -2)))),
        Sample((A, (I([0, 0, 2]), slice(1, 3)))),
        Sample((C, (Ellipsis, None, slice(None, None, -1)))),
        Sample((C, (I([1, 1]), slice(None), I([3, 3])))),
        Sample((A, A > 0.3)),
        Sample((A, (slice(None), I([True, False, True, True])))),
        Sample((C, (I([[0], [1]]), I([[2, 2, 0]])))),
        Sample((A, (-1, -1))),
        Sample((S, ())),
        Sample((S, None)),
        Sample((Z, (slice(None), 1))),
        Sample((NC, (I([2, 0, 2]),))),
    ],
    "identity": [Sample((A,)), Sample((S,)), Sample((Z,)), Sample((NC,))],
    # float-to-float casts are checked in tests (the sweep's float32 run expects float32 out);
    # here: casts to integers carry no gradient.
    "cast": [Sample((A, "int32")), Sample((S, np.int64)), Sample((NC, "bool"))],
    "stop_gradient": [
        Sample((A,), static=(0,), note="no gradient flows: checked to be None by the sweep"),
        Sample((S,), static=(0,)),
    ],
    "one_hot": [
        Sample((I([0, 2, -1, 1]), 3)),
        Sample((I([[0, 2], [1, 5]]), 3), {"axis": 1, "on_value": 2.0, "off_value": -1.0}),
        Sample((I(1), 4)),
    ],
    "shape": [Sample((A,)), Sample((S,)), Sample((Z,))],
    "size": [Sample((A,)), Sample((Z,))],
    "rank": [Sample((A,)), Sample((S,))],
    "argsort": [Sample((A,)), Sample((C,), {"axis": 0, "direction": "DESCENDING"}),
                Sample((Z,), {"axis": 0})],
    "newaxis": [],  # a constant (None), not an op
}

# NumPy's functions, called on tensors. Sorting samples hold distinct values (ties are a
# convention, checked in tests/test_numpy_shape.py).
P = _x(3, 5)
SAMPLES.update({
    "np.tril": [
        Sample((A,)),
        Sample((A, 1)),
        Sample((C,), {"k": -1}),
        Sample((_x(4),), note="a 1-d input is broadcast to a square"),
        Sample((_x(3, 5),), {"k": -3}),
        Sample((Z,)),
        Sample((NC,), {"k": 2}),
    ],
    "np.triu": [
        Sample((A,)),
        Sample((A, -1)),
        Sample((C,), {"k": 2}),
        Sample((_x(4),), {"k": 1}),
        Sample((Z,), {"k": 1}),
        Sample((NC3,), {"k": -2}),
    ],
    "np.repeat": [
        Sample((A, 2)),
        Sample((A, I([1, 0, 2])), {"axis": 0}),
        Sample((A, 3), {"axis": -1}),
        Sample((C, I([2, 1, 0, 3])), {"axis": 2}),
        Sample((A, I([2])), {"axis": 1}, note="one count in a list applies to all"),
        Sample((A, I([1, 2] * 6)), note="per-element counts on the flattened array"),
        Sample((A, 0), {"axis": 1}),
        Sample((S, 3)),
        Sample((Z, 2), {"axis": 1}),
        Sample((NC, I([1, 3, 1])), {"axis": 0}),
    ],
    "np.roll": [
        Sample((A, 1)),
        Sample((A, -2), {"axis": 1}),
        Sample((C, (1, 2)), {"axis": (0, 2)}),
        Sample((C, 2), {"axis": (1, 1)}, note="shifts of one axis add up"),
        Sample((C, (1, -1, 2)), {"axis": -1}),
        Sample((A, 12), note="a whole turn"),
        Sample((S, 1)),
        Sample((Z, 1), {"axis": 1}),
        Sample((NC, 5), {"axis": 0}),
    ],
    "np.rollaxis": [
        Sample((C, 2)),
        Sample((C, 0, 3)),
        Sample((C, -1, 1)),
        Sample((A, 1, 1)),
        Sample((Z, 1)),
        Sample((NC3, 1, 3)),
    ],
    "np.moveaxis": [
        Sample((C, 0, -1)),
        Sample((C, [0, 1], [-1, -2])),
        Sample((A, 0, 1)),
        Sample((S, [], [])),
        Sample((Z, 0, 1)),
        Sample((NC3, -1, 0)),
    ],
    "np.flip": [
        Sample((A,)),
        Sample((C,), {"axis": 1}),
        Sample((C,), {"axis": (0, 2)}),
        Sample((S,)),
        Sample((Z,), {"axis": 0}),
        Sample((NC,), {"axis": -1}),
    ],
    "np.fliplr": [Sample((A,)), Sample((C,)), Sample((Z,)), Sample((NC,))],
    "np.flipud": [Sample((A,)), Sample((_x(4),)), Sample((C,)), Sample((Z,)), Sample((NC,))],
    "np.rot90": [
        Sample((A,)),
        Sample((A, 2)),
        Sample((A, 3)),
        Sample((A, -1)),
        Sample((A, 4)),
        Sample((C,), {"k": 1, "axes": (1, 2)}),
        Sample((C, 3, (2, 0))),
        Sample((C, 2, (-1, 0))),
        Sample((Z,)),
        Sample((NC, 1, (1, 0))),
    ],
    "sort": [
        Sample((_x(5),)),
        Sample((A,)),
        Sample((A,), {"axis": 0}),
        Sample((A,), {"direction": "DESCENDING"}),
        Sample((C,), {"axis": 1, "direction": "DESCENDING"}),
        Sample((Z,), {"axis": 0}),
        Sample((NC,), {"axis": -1, "direction": "DESCENDING"}),
    ],
    "np.sort": [
        Sample((_x(5),)),
        Sample((A,)),
        Sample((A,), {"axis": 0}),
        Sample((C,), {"axis": None}),
        Sample((C,), {"axis": 1, "kind": "stable"}),
        Sample((P,), {"kind": "heapsort"}),
        Sample((A,), {"axis": -2, "stable": True}),
        Sample((S,), {"axis": None}),
        Sample((Z,), {"axis": 0}),
        Sample((NC,), {"axis": -1}),
    ],
    "np.partition": [
        Sample((_x(7), 3)),
        Sample((A, 1)),
        Sample((A, [0, 2]), {"axis": 0}),
        Sample((C, -1), {"axis": 1}),
        Sample((C, 5), {"axis": None}),
        Sample((_x(2, 40), [10, 30]), note="longer rows: for much longer ones NumPy "
               "arranges float32 and float64 differently outside kth (see the tests)"),
        Sample((Z, 1)),
        Sample((NC, (1, 2))),
    ],
    "np.append": [
        Sample((A, _x(2, 4)), {"axis": 0}),
        Sample((A, _x(5))),
        Sample((S, S)),
        Sample((A, _x(3, 2)), {"axis": 1}),
        Sample((Z, _x(1, 3)), {"axis": 0}),
        Sample((NC, A), {"axis": -1}),
    ],
    "np.column_stack": [
        Sample(([_x(3), _x(3)],)),
        Sample(([_x(3), A],)),
        Sample(([A, _x(3, 2)],)),
        Sample(([S, np.array(-0.4)],)),
        Sample(([np.zeros(0), np.zeros((0, 2))],)),
        Sample(([NC, _x(3)],)),
    ],
    "np.vstack": [
        Sample(([A, _x(2, 4)],)),
        Sample(([_x(4), _x(4)],)),
        Sample(([S, np.array(0.3)],)),
        Sample(([C, C],)),
        Sample(([Z, _x(1, 3)],)),
        Sample(([NC, A],)),
    ],
    "np.hstack": [
        Sample(([_x(3), _x(2)],)),
        Sample(([A, _x(3, 2)],)),
        Sample(([S, np.array(0.3)],)),
        Sample(([C, _x(2, 1, 4)],)),
        Sample(([Z, np.zeros((0, 2))],)),
        Sample(([NC, A],)),
    ],
    "np.dstack": [
        Sample(([A, A],)),
        Sample(([_x(3), _x(3)],)),
        Sample(([S, np.array(0.3)],)),
        Sample(([C, _x(2, 3, 1)],)),
        Sample(([Z, Z],)),
        Sample(([NC, A],)),
    ],
    "np.hsplit": [
        Sample((A, 2)),
        Sample((A, [1, 3])),
        Sample((_x(6), 3)),
        Sample((C, [1])),
        Sample((Z, 3)),
        Sample((NC, [1, 1, 3])),
    ],
    "np.vsplit": [
        Sample((A, 3)),
        Sample((A, [1])),
        Sample((C, [1, 5])),
        Sample((Z, 1)),
        Sample((NC, [2])),
    ],
    "np.dsplit": [
        Sample((C, 2)),
        Sample((C, [1, 3])),
        Sample((np.zeros((1, 0, 2)), 2)),
        Sample((NC3, [3])),
    ],
    "np.split": [
        Sample((A, 3)),
        Sample((A, [1, 3]), {"axis": 1}),
        Sample((_x(6), [2, 2, 4])),
        Sample((Z, 3), {"axis": 1}),
        Sample((NC, [5])),
    ],
    "np.array_split": [
        Sample((A, 2)),
        Sample((A, 3, 1)),
        Sample((_x(7), [2, 5])),
        Sample((C, [3, 1], 2), note="decreasing split points overlap, as in NumPy"),
        Sample((Z, 2)),
        Sample((NC, 4, 0)),
    ],
    "np.atleast_1d": [
        Sample((S,)), Sample((_x(3),)), Sample((A,)), Sample((S, _x(2))), Sample((Z,)),
    ],
    "np.atleast_2d": [
        Sample((S,)), Sample((_x(3),)), Sample((A,)), Sample((C,)), Sample((S, _x(3), A)),
        Sample((np.zeros(0),)),
    ],
    "np.atleast_3d": [
        Sample((S,)), Sample((_x(3),)), Sample((A,)), Sample((C,)), Sample((A, _x(2))),
        Sample((NC,)),
    ],
    "np.take_along_axis": [
        Sample((A, I([[0, 2], [1, 1], [3, 0]]), 1), note="a repeated index accumulates"),
        Sample((A, I([[2, 0, 1, 1]]), 0), note="indices broadcast along the other axes"),
        Sample((C, np.argsort(C, axis=-1)), {"axis": -1}),
        Sample((C, I([0, 23, 5, 5]), None)),
        Sample((A, I([[-1], [0], [-4]])), {"axis": 1}),
        Sample((Z, np.zeros((0, 2), dtype=int)), {"axis": 1}),
        Sample((NC, I([[1], [0], [2]])), {"axis": 1}),
    ],
    "np.take": [
        Sample((A, I([0, 2, 2]))),
        Sample((A, I([[1], [3]]), 1)),
        Sample((A, I([11, 0, 5, 5]))),
        Sample((A, I([5, -7])), {"axis": 0, "mode": "wrap"}),
        Sample((A, I([-1, 9])), {"axis": 1, "mode": "clip"}),
        Sample((S, I(0))),
        Sample((Z, I([1, 2])), {"axis": 1}),
        Sample((NC, I([1, 1])), {"axis": 0}),
    ],
})
if hasattr(np, "row_stack"):  # a deprecated alias of vstack, removed in later NumPy
    SAMPLES["np.row_stack"] = [Sample(([A, _x(2, 4)],)), Sample(([_x(4), _x(4)],))]

_G = np.arange(12.0).reshape(3, 4)

SPECIAL: dict[str, list[Special]] = {
    "gather": [
        Special((_G, I([2, 0, 2, 2])), np.array([[1.0] * 4, [0.0] * 4, [3.0] * 4]),
                note="an index picked several times accumulates its gradients"),
    ],
    "getitem": [
        Special((_G, (I([0, 0]), I([1, 1]))), np.eye(3, 4, 1) * [[2], [0], [0]],
                note="repeated advanced indices accumulate"),
        Special((_G, _G > 5), (_G > 5).astype(float), note="a boolean mask passes 1 or 0"),
    ],
    "gather_nd": [
        Special((_G, I([[1, 1], [1, 1], [0, 3]])),
                np.array([[0, 0, 0, 1.0], [0, 2.0, 0, 0], [0, 0, 0, 0]]),
                note="repeated multi-indices accumulate"),
    ],
    "pad": [
        # [0, 1, 2] -> [1, 0, 1, 2, 1, 0] and [0, 0, 1, 2, 2, 1, 0]: count the copies
        Special((np.arange(3.0), [[1, 2]]), np.array([2.0, 3.0, 1.0]), {"mode": "REFLECT"},
                note="mirrored copies send their gradients to the elements they copy"),
        Special((np.arange(3.0), [[1, 3]]), np.array([3.0, 2.0, 2.0]), {"mode": "SYMMETRIC"}),
        Special((np.arange(3.0), [[2, 2]]), np.ones(3), {"constant_values": 5.0},
                note="the padding value is a constant"),
    ],
    "tile": [Special((_G, [2, 3]), np.full((3, 4), 6.0), note="copies sum their gradients")],
    "broadcast_to": [Special((np.ones((3, 1)), [2, 3, 4]), np.full((3, 1), 8.0))],
    "boolean_mask": [
        Special((_G, _G > 5), (_G > 5).astype(float), note="unselected entries get zero"),
    ],
}
