"""tape.Module: names, name scopes, and the discovery of variables and submodules in
TensorFlow's order (attributes sorted by name, dict values by key, each object once, this
module's contents before its submodules')."""

from __future__ import annotations

import pytest

import tape
from tape.module import camel_to_snake, name_scope


class Leaf(tape.Module):
    def __init__(self, tag: str, name: str | None = None) -> None:
        super().__init__(name=name)
        self.w = tape.Variable(1.0, name=f"{tag}_w")
        self.b = tape.Variable(0.0, name=f"{tag}_b", trainable=False)


class Tree(tape.Module):
    def __init__(self) -> None:
        super().__init__()
        self.z_leaf = Leaf("z")
        self.a_list = [Leaf("l0"), (Leaf("l1"),)]
        self.m_dict = {"b": Leaf("db"), "a": Leaf("da")}
        self.own = tape.Variable(2.0, name="own")


def names(vs) -> list[str]:
    return [v.name.split(":")[0] for v in vs]


def test_default_and_given_names() -> None:
    assert Tree().name == "tree"
    assert Leaf("x", name="custom").name == "custom"
    assert camel_to_snake("BatchNormalization") == "batch_normalization"
    assert camel_to_snake("MyHTTPModule") == "my_http_module"
    assert camel_to_snake("Dense2D") == "dense2_d"
    with pytest.raises(ValueError, match="valid Python identifiers"):
        tape.Module(name="not valid")


def test_variables_in_tensorflows_order() -> None:
    t = Tree()
    # own attributes sorted: a_list, m_dict, own, z_leaf -> only 'own' is a variable here;
    # then the submodules in the order found: l0, l1, da, db (dict by key), z
    assert names(t.variables) == [
        "own", "l0_b", "l0_w", "l1_b", "l1_w", "da_b", "da_w", "db_b", "db_w", "z_b", "z_w"]
    assert names(t.trainable_variables) == ["own", "l0_w", "l1_w", "da_w", "db_w", "z_w"]
    subs = t.submodules
    assert [s.w.name.split(":")[0] for s in subs] == ["l0_w", "l1_w", "da_w", "db_w", "z_w"]
    assert all(isinstance(s, Leaf) for s in subs)


def test_deduplicated_by_identity_and_cycles_end() -> None:
    shared = Leaf("s")
    outer = tape.Module()
    outer.first = shared
    outer.second = [shared, shared.w]
    shared.parent = outer  # a cycle
    assert outer.submodules == (shared,)
    # shared.w is reached first as outer's own attribute (in 'second'), then shared.b
    assert names(outer.variables) == ["s_w", "s_b"]


def test_nested_submodules_breadth_first() -> None:
    root = tape.Module(name="root")
    root.child = tape.Module(name="child")
    root.child.grandchild = Leaf("g")
    root.sibling = Leaf("s")
    assert [m.name for m in root.submodules] == ["child", "leaf", "leaf"]
    assert root.submodules[1] is root.sibling
    assert root.submodules[2] is root.child.grandchild


def test_name_scope_and_with_name_scope() -> None:
    class Scoped(tape.Module):
        @tape.Module.with_name_scope
        def scope(self) -> str:
            return tape.module.current_name_scope()

    with name_scope("outer"):
        m = Scoped()
    assert m.scope() == "outer/scoped/"
    with m.name_scope as s:
        assert s == "outer/scoped/"
    with name_scope("a"), name_scope("b") as s:
        assert s == "a/b/"
    assert tape.module.current_name_scope() == ""


def test_gradients_through_module_variables() -> None:
    class Affine(tape.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = tape.Variable(3.0)
            self.b = tape.Variable(1.0)

        def __call__(self, x):
            return self.w * x + self.b

    m = Affine()
    with tape.GradientTape() as t:
        y = m(2.0) ** 2  # (3*2 + 1)^2 = 49
    gb, gw = t.gradient(y, m.trainable_variables)  # sorted: b, w
    assert float(gb) == 14.0 and float(gw) == 28.0  # 2*7, 2*7*2


def test_missing_super_init_is_named() -> None:
    class Forgot(tape.Module):
        def __init__(self) -> None:
            pass

    with pytest.raises(RuntimeError, match=r"super\(\)\.__init__"):
        _ = Forgot().name
