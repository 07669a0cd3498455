"""PyTorch's autograd names, tried on tape, raise errors that name tape's equivalent; the
names tape has are unaffected (hasattr, pickling, copying)."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import tape


@pytest.mark.parametrize("kind", ["tensor", "variable"])
@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("backward", "t.gradient(y, x)"),
        ("grad", "t.gradient(y, x)"),
        ("requires_grad", "t.watch(x)"),
        ("requires_grad_", "t.watch(x)"),
        ("detach", "tape.stop_gradient(x)"),
        ("retain_grad", "t.gradient(y, h)"),
        ("grad_fn", "print(t)"),
        ("zero_", "nothing to zero"),
    ],
)
def test_pytorch_attributes_name_the_tape_equivalent(kind: str, name: str, hint: str) -> None:
    x = tape.constant([1.0]) if kind == "tensor" else tape.Variable([1.0])
    with pytest.raises(AttributeError, match="PyTorch") as info:
        getattr(x, name)
    assert hint in str(info.value) and "docs/pytorch.md" in str(info.value)
    assert not hasattr(x, name)


def test_other_missing_attributes_are_plain() -> None:
    x = tape.constant(1.0)
    with pytest.raises(AttributeError) as info:
        x.no_such_name  # noqa: B018
    assert str(info.value) == "'Tensor' object has no attribute 'no_such_name'"
    assert info.value.name == "no_such_name"
    with pytest.raises(AttributeError):
        tape.Variable(1.0).__no_such_protocol__  # noqa: B018
    assert not hasattr(x, "_repr_unknown_") and hasattr(x, "numpy") and hasattr(x, "shape")


def test_unset_slot_does_not_recurse() -> None:
    with pytest.raises(AttributeError):
        tape.Tensor()._value  # noqa: B018


def test_pickle_and_copy_still_work() -> None:
    x = tape.constant([1.0, 2.0])
    v = tape.Variable([3.0], name="w")
    assert np.array_equal(pickle.loads(pickle.dumps(x)).numpy(), x.numpy())
    v2 = pickle.loads(pickle.dumps(v))
    assert v2.name == "w:0" and np.array_equal(v2.numpy(), v.numpy())
    assert copy.copy(x) is x and copy.copy(v) is v
    assert np.array_equal(copy.deepcopy(v).numpy(), v.numpy())
    assert np.array_equal(np.asarray(x), [1.0, 2.0])


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("no_grad", "stop_recording"),
        ("enable_grad", "GradientTape"),
        ("set_grad_enabled", "stop_recording"),
        ("autograd", "t.gradient(f, [x, y])"),
    ],
)
def test_pytorch_module_names(name: str, hint: str) -> None:
    with pytest.raises(AttributeError, match=f"torch.{name}") as info:
        getattr(tape, name)
    assert hint in str(info.value) and "docs/pytorch.md" in str(info.value)


@pytest.mark.parametrize("make", [tape.constant, tape.convert_to_tensor])
def test_requires_grad_says_what_to_write(make) -> None:
    with pytest.raises(TypeError, match="requires_grad") as info:
        make([1.0], requires_grad=True)
    assert "GradientTape" in str(info.value) and "tape.Variable" in str(info.value)
    with pytest.raises(TypeError, match="drop it"):
        make([1.0], requires_grad=False)


def test_the_suggested_code_gives_the_gradient() -> None:
    # (x^2 + 2x) ln x at 1: the derivative (2x + 2) ln x + x + 2 is 3
    x = tape.constant([1.0])
    with tape.GradientTape(persistent=True) as t:
        t.watch(x)
        f = (x**2 + 2 * x) * tape.math.log(x)
    assert [float(g[0]) for g in t.gradient(f, [x, x])] == [3.0, 3.0]
