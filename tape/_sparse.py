"""IndexedSlices: the sparse gradient of ``gather``, as in TensorFlow."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._tensor import wrap


class IndexedSlices:
    """Rows ``indices`` of a tensor of shape ``dense_shape`` hold ``values``; every other row
    is zero, and a repeated index adds up. ``gradient()`` returns one for a source reached
    only through ``gather`` (an embedding lookup, say), without building the dense zeros.
    ``tape.convert_to_tensor`` (or ``np.asarray``) gives the dense tensor; adding it to a
    dense gradient gives a dense one.

    >>> import tape
    >>> params = tape.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> with tape.GradientTape() as t:
    ...     t.watch(params)
    ...     y = tape.reduce_sum(tape.gather(params, [2, 0, 2]))
    >>> g = t.gradient(y, params)
    >>> g.indices.numpy(), g.dense_shape.numpy()
    (array([2, 0, 2]), array([3, 2]))
    >>> tape.convert_to_tensor(g).numpy()
    array([[1., 1.],
           [0., 0.],
           [2., 2.]], dtype=float32)
    """

    __slots__ = ("_values", "_indices", "_dense_shape")
    __array_ufunc__ = None  # arithmetic with NumPy arrays comes here (dense), not elementwise

    def __init__(self, values: Any, indices: Any, dense_shape: tuple[int, ...]) -> None:
        self._values = np.asarray(getattr(values, "_value", values))
        self._indices = np.asarray(getattr(indices, "_value", indices))
        self._dense_shape = tuple(int(n) for n in np.asarray(getattr(dense_shape, "_value",
                                                                     dense_shape)).reshape(-1))

    @property
    def values(self) -> Any:
        return wrap(self._values)

    @property
    def indices(self) -> Any:
        return wrap(self._indices)

    @property
    def dense_shape(self) -> Any:
        """The dense tensor's shape, as a 1-D int64 tensor (as TensorFlow's)."""
        return wrap(np.array(self._dense_shape, dtype=np.int64))

    @property
    def shape(self) -> tuple[int, ...]:
        return self._dense_shape

    @property
    def dtype(self) -> np.dtype:
        return self._values.dtype

    @property
    def ndim(self) -> int:
        return len(self._dense_shape)

    def _dense(self) -> np.ndarray:
        out = np.zeros(self._dense_shape, dtype=self.dtype)
        np.add.at(out, self._indices, self._values)
        return out

    def numpy(self) -> np.ndarray:
        """The dense value."""
        return self._dense()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        dense = self._dense()
        return dense if dtype is None else dense.astype(dtype)

    def astype(self, dtype: Any) -> IndexedSlices:
        return IndexedSlices(self._values.astype(dtype), self._indices, self._dense_shape)

    def __add__(self, other: Any) -> Any:
        if isinstance(other, IndexedSlices):  # stays sparse, as TensorFlow aggregates them
            return IndexedSlices(
                np.concatenate([self._values, other._values.astype(self.dtype)]),
                np.concatenate([self._indices, other._indices]),
                self._dense_shape,
            )
        return self._dense() + other

    __radd__ = __add__

    def __repr__(self) -> str:
        return (
            f"IndexedSlices(indices={self._indices!r}, values={self._values!r}, "
            f"dense_shape={self._dense_shape})"
        )


def densify(g: Any) -> Any:
    """``g``, with an IndexedSlices made a dense tensor."""
    if type(g) is IndexedSlices:
        return wrap(g._dense())
    return g
