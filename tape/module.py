"""``tape.Module``: a named container of variables and other modules, as ``tf.Module``.

A module finds its variables and submodules by walking its attributes (and the lists, tuples
and dicts in them), in TensorFlow's order: attributes sorted by name, dict values by key, each
object once; first everything this module holds, then each submodule's contents in the order
the submodules were found.

>>> import tape
>>> class Linear(tape.Module):
...     def __init__(self, n_in, n_out, name=None):
...         super().__init__(name=name)
...         self.w = tape.Variable(tape.ones([n_in, n_out]), name="w")
...         self.b = tape.Variable(tape.zeros([n_out]), name="b")
...     def __call__(self, x):
...         return tape.matmul(x, self.w) + self.b
>>> class TwoLayers(tape.Module):
...     def __init__(self):
...         super().__init__()
...         self.layers = [Linear(3, 2), Linear(2, 1)]
>>> model = TwoLayers()
>>> model.name, len(model.submodules), [v.name for v in model.variables]
('two_layers', 2, ['b:0', 'w:0', 'b:0', 'w:0'])

Name scopes only name things (there is no graph): ``with module.name_scope:`` makes the
module's name the prefix of the names of variables that Keras layers create inside it.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from ._tensor import Variable

__all__ = ["Module", "camel_to_snake", "current_name_scope", "name_scope"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Scopes(threading.local):
    def __init__(self) -> None:
        self.stack: list[str] = [""]


_SCOPES = _Scopes()


def current_name_scope() -> str:
    """The name scope in effect, ``""`` or a prefix ending in ``/`` (e.g. ``"model/dense/"``)."""
    return _SCOPES.stack[-1]


class name_scope:  # noqa: N801 - TensorFlow's name
    """A context manager that makes ``name`` part of the names of variables created inside.

    A name ending in ``/`` is absolute (it replaces the current scope); any other is nested
    inside the current scope. Entering returns the full scope, ending in ``/``.

    >>> from tape.module import name_scope
    >>> with name_scope("outer"):
    ...     with name_scope("inner") as scope:
    ...         print(scope)
    outer/inner/
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"name_scope takes a string, got {type(name).__name__}.")
        self._name = name

    def __enter__(self) -> str:
        name = self._name
        if name.endswith("/"):
            scope = name
        else:
            scope = f"{current_name_scope()}{name}/" if name else current_name_scope()
        _SCOPES.stack.append(scope)
        return scope

    def __exit__(self, *exc: Any) -> None:
        _SCOPES.stack.pop()


def camel_to_snake(name: str) -> str:
    """``"MyDenseLayer"`` -> ``"my_dense_layer"``: TensorFlow's default names of modules and
    Keras layers (``"BatchNormalization"`` -> ``"batch_normalization"``)."""
    # an underscore before a capital that follows a lower-case letter or digit, and before
    # a capital that starts a capitalised word after another capital ("HTTPServer")
    out = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    out = re.sub(r"(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1", out)
    return out.lower()


def _flatten(value: Any) -> list[Any]:
    """The leaves of nested lists, tuples and dicts (dict values in the order of their sorted
    keys, as ``tf.nest``); anything else is a leaf."""
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flatten(item)]
    if isinstance(value, dict):
        try:
            keys = sorted(value)
        except TypeError:
            keys = list(value)
        return [leaf for k in keys for leaf in _flatten(value[k])]
    return [value]


def _walk(
    module: Module, predicate: Callable[[Any], bool], seen: set[int], stack: list[int]
) -> Iterator[Any]:
    """The objects reachable from ``module`` that satisfy ``predicate``, each once: this
    module's attributes first (sorted by name), then each submodule found, recursively."""
    recursive = id(module) not in stack
    found: list[Module] = []
    attributes = vars(module)
    for key in sorted(attributes):
        for leaf in _flatten(attributes[key]):
            if id(leaf) in seen:
                continue
            seen.add(id(leaf))
            if predicate(leaf):
                yield leaf
            if recursive and isinstance(leaf, Module):
                found.append(leaf)
    stack.append(id(module))
    for sub in found:
        yield from _walk(sub, predicate, seen, stack)
    stack.pop()


class Module:
    """A named container of :class:`tape.Variable` objects and other modules (``tf.Module``).

    ``name`` defaults to the class name in snake_case (``MyModel`` -> ``my_model``) and must be
    a Python identifier. ``variables``, ``trainable_variables`` and ``submodules`` are found
    by walking the attributes: see the module's documentation for the order.

    >>> import tape
    >>> class Scale(tape.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.k = tape.Variable(2.0, name="k")
    ...     @tape.Module.with_name_scope
    ...     def __call__(self, x):
    ...         return self.k * x
    >>> m = Scale()
    >>> float(m(3.0)), m.name, m.trainable_variables[0].name
    (6.0, 'scale', 'k:0')
    """

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise ValueError(
                f"{name!r} is not a valid module name. Module names must be valid Python "
                "identifiers (e.g. a valid class name)."
            )
        self._init_name(name)

    def _init_name(self, name: str) -> None:
        self._name = name
        self._scope_name = f"{current_name_scope()}{name}/"

    @property
    def name(self) -> str:
        """The module's name, given or made from the class name."""
        try:
            return self._name
        except AttributeError:
            raise RuntimeError(
                f"{type(self).__name__} has no name: its __init__ must call "
                "super().__init__() before the module is used."
            ) from None

    @property
    def name_scope(self) -> name_scope:
        """A context manager for the module's name scope (taken when it was created)."""
        self.name  # noqa: B018 - the clear error when __init__ was skipped
        return name_scope(self._scope_name)

    @property
    def variables(self) -> tuple[Variable, ...]:
        """The variables of this module and its submodules, each once, in TensorFlow's order."""
        return tuple(_walk(self, _is_variable, {id(self)}, []))

    @property
    def trainable_variables(self) -> tuple[Variable, ...]:
        """The trainable variables of this module and its submodules (``variables``, filtered)."""
        return tuple(_walk(self, _is_trainable, {id(self)}, []))

    @property
    def non_trainable_variables(self) -> tuple[Variable, ...]:
        """The variables created with ``trainable=False``."""
        return tuple(v for v in self.variables if not v.trainable)

    @property
    def submodules(self) -> tuple[Module, ...]:
        """Every module reachable from this one (not itself), each once, breadth first."""
        return tuple(_walk(self, _is_module, {id(self)}, []))

    @classmethod
    def with_name_scope(cls, method: Callable[..., Any]) -> Callable[..., Any]:
        """A decorator for methods: run ``method`` inside ``self.name_scope``."""

        @functools.wraps(method)
        def wrapped(self: Module, *args: Any, **kwargs: Any) -> Any:
            with self.name_scope:
                return method(self, *args, **kwargs)

        return wrapped

    def __repr__(self) -> str:
        name = getattr(self, "_name", None)
        return f"<{type(self).__module__}.{type(self).__qualname__} name={name!r}>"


def _is_variable(obj: Any) -> bool:
    return isinstance(obj, Variable)


def _is_trainable(obj: Any) -> bool:
    return isinstance(obj, Variable) and obj.trainable


def _is_module(obj: Any) -> bool:
    return isinstance(obj, Module)
