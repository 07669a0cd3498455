"""The smaller TensorFlow names TensorFlow's guides use: tf.function and TensorSpec, cond and
while_loop, print, sort and argsort, device, linspace, size and rank, IndexedSlices.dense_shape,
batch_jacobian of an unconnected target, TensorFlow's error texts, and plain errors for
TensorFlow names tape does not have. Values are checked against NumPy, closed forms, finite
differences, and TensorFlow's documented behaviour."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tape as tf

# --------------------------------------------------------------------------- tf.function


def test_function_decorator_forms_give_the_eager_result():
    def f(x):
        return tf.reduce_sum(x * x + 1.0)

    x = tf.constant([1.0, 2.0, 3.0])
    expected = 1 + 4 + 9 + 3
    for g in (tf.function(f), tf.function()(f), tf.function(input_signature=None)(f)):
        assert float(g(x)) == expected
        assert g.python_function is f
    decorated = tf.function(f)
    assert decorated.__name__ == "f" and decorated.__wrapped__ is f


def test_function_gradients_flow_through_as_when_eager():
    @tf.function
    def loss(w, x):
        return tf.reduce_sum(tf.tanh(w * x))

    w = tf.Variable(np.array([0.3, -0.4]))
    x = tf.constant(np.array([1.5, 2.0]))
    with tf.GradientTape() as t:
        y = loss(w, x)
    g = t.gradient(y, w)
    # d/dw sum(tanh(w x)) = x (1 - tanh(w x)^2)
    np.testing.assert_allclose(g.numpy(), x.numpy() * (1 - np.tanh(w.numpy() * x.numpy()) ** 2))


def test_function_runs_python_side_effects_only_while_tracing():
    """As in TensorFlow: Python side effects happen while tracing (once per input signature),
    tape.print on every call."""
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x + 1

    assert f(tf.constant(1.0)).numpy() == 2.0
    assert f(tf.constant(2.0)).numpy() == 3.0
    assert len(calls) == 1
    f(tf.constant([1.0, 2.0]))  # a new shape: traced again
    assert len(calls) == 2


def test_input_signature_accepts_matching_calls_and_rejects_others_with_tfs_error():
    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.int32)])
    def next_collatz(x):
        return tf.where(x % 2 == 0, x // 2, 3 * x + 1)

    np.testing.assert_array_equal(next_collatz(tf.constant([1, 2])).numpy(), [4, 1])
    np.testing.assert_array_equal(next_collatz(tf.constant([3, 4, 5])).numpy(), [10, 2, 16])
    with pytest.raises(TypeError) as info:
        next_collatz(tf.constant([[1, 2], [3, 4]]))
    msg = str(info.value)
    assert msg.startswith(
        "Binding inputs to tf.function failed due to `Can not cast TensorSpec(shape=(2, 2), "
        "dtype=tape.int32, name=None) to TensorSpec(shape=(None,), dtype=tape.int32, "
        "name=None)`. Received args: "
    )
    with pytest.raises(TypeError, match="Can not cast TensorSpec\\(shape=\\(2,\\), "
                                        "dtype=tape.float32"):
        next_collatz(tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="too many positional arguments"):
        next_collatz(tf.constant([1]), tf.constant([2]))
    with pytest.raises(TypeError, match="input_signature must be either a tuple or a list"):
        tf.function(lambda x: x, input_signature=tf.TensorSpec([None]))


def test_get_concrete_function_returns_a_callable_for_that_signature():
    @tf.function
    def double(a):
        return a + a

    concrete = double.get_concrete_function(tf.TensorSpec(shape=[None], dtype=tf.float32))
    np.testing.assert_array_equal(concrete(tf.constant([1.0, 2.5])).numpy(), [2.0, 5.0])
    with pytest.raises(TypeError, match="Can not cast"):
        concrete(tf.constant([1, 2]))
    from_tensor = double.get_concrete_function(tf.constant(1))
    assert int(from_tensor(tf.constant(4))) == 8

    @tf.function
    def power(x, n):
        return x**n

    cube = power.get_concrete_function(tf.TensorSpec([], tf.float32), 3)
    assert float(cube(tf.constant(2.0))) == 8.0  # the Python value is part of the function


def test_function_on_a_method_binds_self():
    class Scale:
        def __init__(self, k):
            self.k = tf.Variable(k)

        @tf.function
        def __call__(self, x):
            return self.k * x

    s = Scale(3.0)
    assert float(s(tf.constant(2.0))) == 6.0
    with tf.GradientTape() as t:
        y = s(tf.constant(2.0))
    assert float(t.gradient(y, s.k)) == 2.0
    assert isinstance(Scale.__call__, type(tf.function(lambda: 0)))


def test_function_options_are_accepted_and_unknown_ones_rejected():
    f = tf.function(lambda x: x * 2, jit_compile=True, reduce_retracing=True, autograph=False)
    assert float(f(tf.constant(2.0))) == 4.0
    with pytest.raises(TypeError, match="unexpected keyword argument 'compile_me'"):
        tf.function(lambda x: x, compile_me=True)


def test_tensor_spec():
    spec = tf.TensorSpec(shape=[None, 2], dtype=tf.float64, name="x")
    assert spec.shape == (None, 2) and spec.dtype == np.float64 and spec.name == "x"
    assert repr(spec) == "TensorSpec(shape=(None, 2), dtype=tape.float64, name='x')"
    assert repr(tf.TensorSpec([])) == "TensorSpec(shape=(), dtype=tape.float32, name=None)"
    assert repr(tf.TensorSpec([3])) == "TensorSpec(shape=(3,), dtype=tape.float32, name=None)"
    assert spec.is_compatible_with(tf.zeros((7, 2), dtype=tf.float64))
    assert not spec.is_compatible_with(tf.zeros((7, 2)))  # dtype
    assert not spec.is_compatible_with(tf.zeros((7, 3), dtype=tf.float64))
    assert not spec.is_compatible_with(tf.zeros((7,), dtype=tf.float64))  # rank
    assert spec.is_compatible_with(tf.TensorSpec([4, None], tf.float64))
    assert tf.TensorSpec(None).is_compatible_with(tf.zeros((1, 2, 3)))  # unknown rank
    assert spec == tf.TensorSpec((None, 2), tf.float64, "x")
    assert spec != tf.TensorSpec((None, 2), tf.float64)
    assert len({spec, tf.TensorSpec((None, 2), tf.float64, "x")}) == 1
    assert tf.TensorSpec.from_tensor(tf.constant([1, 2])) == tf.TensorSpec([2], tf.int32)
    with pytest.raises(ValueError, match="non-negative"):
        tf.TensorSpec([-1])


# --------------------------------------------------------------------------- cond, while_loop


def test_cond_runs_the_branch_taken_and_differentiates_it():
    x = tf.constant(np.array(3.0))
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        pos = tf.cond(x > 0, lambda: x * x, lambda: -x)
        neg = tf.cond(x < 0, lambda: x * x, lambda: -x)
    assert float(pos) == 9.0 and float(neg) == -3.0
    assert float(t.gradient(pos, x)) == 6.0 and float(t.gradient(neg, x)) == -1.0
    assert float(tf.cond(True, lambda: [x], lambda: [x])) == 3.0  # a singleton is unpacked
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(True, 1.0, lambda: 0.0)
    with pytest.raises(ValueError, match="scalar"):
        tf.cond(tf.constant([True, False]), lambda: 1, lambda: 0)


def test_while_loop_as_tfs_eager_loop():
    i0, x0 = tf.constant(0), tf.constant(np.array(1.5))
    with tf.GradientTape() as t:
        t.watch(x0)
        i, x = tf.while_loop(lambda i, x: i < 5, lambda i, x: (i + 1, x * x), [i0, x0])
    assert int(i) == 5
    # x -> x^(2^5): d/dx x^32 = 32 x^31
    np.testing.assert_allclose(float(x), 1.5**32)
    np.testing.assert_allclose(float(t.gradient(x, x0)), 32 * 1.5**31)
    # TensorFlow's guide form: a one-element list, body returning a one-element tuple
    (r,) = tf.while_loop(lambda i: tf.less(i, 10), lambda i: (tf.add(i, 1),), [tf.constant(0)])
    assert int(r) == 10
    (capped,) = tf.while_loop(lambda i: True, lambda i: [i + 1], [0], maximum_iterations=4)
    assert capped == 4
    assert tf.while_loop(lambda i: i < 0, lambda i: (i,), [7]) == [7]  # never runs


def test_while_loop_structure_rules():
    with pytest.raises(TypeError, match="loop_vars must be a list or tuple"):
        tf.while_loop(lambda i: i < 3, lambda i: i + 1, tf.constant(0))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.while_loop(lambda a, b: a < 3, lambda a, b: (a + 1,), [0, 1])
    with pytest.raises(TypeError, match="'body' must be callable"):
        tf.while_loop(lambda i: i < 3, None, [0])


# --------------------------------------------------------------------------- print, device


def test_print_writes_values_like_tf_print(capsys):
    tf.print("x:", tf.constant([1.0, 2.5]), tf.constant(2.0), 7, output_stream=sys.stdout)
    tf.print(tf.constant([[1, 2], [3, 4]]), output_stream=sys.stdout)
    tf.print(tf.range(10), output_stream=sys.stdout)
    tf.print(tf.range(10), summarize=-1, output_stream=sys.stdout)
    tf.print("a", "b", sep=",", end="!\n", output_stream=sys.stdout)
    tf.print(tf.constant(True), tf.Variable(0.5), output_stream=sys.stdout)
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "x: [1 2.5] 2 7",
        "[[1 2]",
        " [3 4]]",
        "[0 1 2 ... 7 8 9]",
        "[0 1 2 3 4 5 6 7 8 9]",
        "a,b!",
        "1 0.5",
    ]
    tf.print("to stderr")  # TensorFlow's default stream
    assert capsys.readouterr().err == "to stderr\n"


def test_print_to_a_file(tmp_path):
    path = tmp_path / "log.txt"
    tf.print("loss", tf.constant(0.25), output_stream=f"file://{path}")
    tf.print("again", output_stream=f"file://{path}")
    assert path.read_text() == "loss 0.25\nagain\n"
    with pytest.raises(ValueError, match="output_stream"):
        tf.print("x", output_stream="nowhere")


def test_device_is_a_no_op_context():
    with tf.device("/GPU:0"):
        y = tf.constant(2.0) * 3.0
    assert float(y) == 6.0
    with tf.device(None):
        pass


# --------------------------------------------------------------------------- sort, argsort


def test_sort_matches_numpy_in_both_directions():
    rng = np.random.default_rng(3)
    v = rng.standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_array_equal(tf.sort(tf.constant(v)).numpy(), np.sort(v, axis=-1))
    np.testing.assert_array_equal(tf.sort(tf.constant(v), axis=0).numpy(), np.sort(v, axis=0))
    np.testing.assert_array_equal(
        tf.sort(tf.constant(v), direction="DESCENDING").numpy(), -np.sort(-v, axis=-1)
    )
    assert tf.sort(tf.constant(v)).dtype == np.float32
    ints = tf.constant([3, 1, 2])
    np.testing.assert_array_equal(tf.sort(ints, direction="DESCENDING").numpy(), [3, 2, 1])
    with pytest.raises(ValueError, match="not a valid direction"):
        tf.sort(ints, direction="UP")


def test_argsort_gives_int32_indices_with_ties_in_order():
    v = tf.constant([1.0, 3.0, 1.0, 2.0, 3.0])
    asc = tf.argsort(v)
    assert asc.dtype == np.int32
    np.testing.assert_array_equal(asc.numpy(), [0, 2, 3, 1, 4])
    np.testing.assert_array_equal(tf.argsort(v, direction="DESCENDING").numpy(), [1, 4, 3, 0, 2])
    np.testing.assert_array_equal(
        tf.argsort(v, direction="DESCENDING", stable=True).numpy(), [1, 4, 3, 0, 2]
    )
    m = tf.constant([[3, 1], [0, 5]])
    np.testing.assert_array_equal(tf.argsort(m, axis=0).numpy(), np.argsort(m.numpy(), axis=0))


def test_sort_gradient_goes_to_the_sorted_positions():
    xv = np.array([0.3, -1.2, 2.0, 0.7])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    x = tf.constant(xv)
    for direction, order in (("ASCENDING", np.argsort(xv)), ("DESCENDING", np.argsort(-xv))):
        with tf.GradientTape() as t:
            t.watch(x)
            y = tf.reduce_sum(tf.sort(x, direction=direction) * w)
        expected = np.zeros(4)
        expected[order] = w  # output k is x[order[k]], so x[order[k]] gets w[k]
        np.testing.assert_array_equal(t.gradient(y, x).numpy(), expected)
    tf.check_gradients(lambda a: tf.sort(a, axis=0, direction="DESCENDING"),
                       [tf.constant(np.array([[0.1, 0.5], [0.9, -0.3], [0.4, 0.2]]))])


# --------------------------------------------------------------------------- small ones


def test_linspace_with_whole_number_endpoints_is_float64_as_tensorflow():
    """TensorFlow documents tf.linspace(0, 100, 5) as float64 ([0, 25, 50, 75, 100])."""
    x = tf.linspace(-2, 2, 201)
    assert x.dtype == np.float64 and x.shape == (201,)
    np.testing.assert_allclose(x.numpy(), np.linspace(-2, 2, 201), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(tf.linspace(0, 100, 5).numpy(), [0, 25, 50, 75, 100])
    f = tf.linspace(-10.0, 10.0, 201)  # the gradients guide's form
    assert f.dtype == np.float32 and float(f[100]) == 0.0
    assert tf.linspace(-2.0, 2, 3).dtype == np.float32  # stop takes start's dtype
    # the guide's plot: the gradient of sigmoid over the range, against its closed form
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.nn.sigmoid(x)
    s = 1 / (1 + np.exp(-x.numpy()))
    np.testing.assert_allclose(t.gradient(y, x).numpy(), s * (1 - s), rtol=1e-12)


def test_size_and_rank_are_int32_scalars_as_tensorflow():
    x = tf.zeros((2, 3, 4))
    assert int(tf.size(x)) == 24 and tf.size(x).dtype == np.int32 and tf.size(x).shape == ()
    assert int(tf.rank(x)) == 3 and tf.rank(x).dtype == np.int32
    assert int(tf.rank(tf.constant(1.0))) == 0
    assert tf.size(x, out_type=tf.int64).dtype == np.int64


def test_indexed_slices_dense_shape_is_a_tensor():
    p = tf.constant(np.arange(6.0).reshape(3, 2))
    with tf.GradientTape() as t:
        t.watch(p)
        y = tf.reduce_sum(tf.gather(p, [2, 0]))
    g = t.gradient(y, p)
    assert isinstance(g, tf.IndexedSlices)
    assert isinstance(g.dense_shape, tf.Tensor) and g.dense_shape.dtype == np.int64
    np.testing.assert_array_equal(g.dense_shape.numpy(), [3, 2])
    assert g.shape == (3, 2)
    np.testing.assert_array_equal(tf.convert_to_tensor(g).numpy(), [[1, 1], [0, 0], [1, 1]])


def test_batch_jacobian_of_an_unconnected_target_is_zeros_jacobian_none():
    x = tf.constant(np.ones((3, 2)))
    other = tf.constant(np.ones((3, 4)))
    with tf.GradientTape(persistent=True) as g:
        g.watch([x, other])
        y = x * 2.0
    for setting in ("none", "zero"):
        jb = g.batch_jacobian(y, other, unconnected_gradients=setting)
        assert jb.shape == (3, 2, 4) and jb.dtype == np.float64 and not jb.numpy().any()
    assert g.jacobian(y, other) is None  # TensorFlow's jacobian keeps None
    assert g.jacobian(y, other, unconnected_gradients="zero").shape == (3, 2, 3, 4)


# --------------------------------------------------------------------------- TensorFlow's texts


def test_variable_assign_shape_mismatch_has_tfs_text():
    v = tf.Variable([1.0, 2.0], name="w")
    with pytest.raises(ValueError) as info:
        v.assign([1.0, 2.0, 3.0])
    assert str(info.value).startswith(
        "Cannot assign value to variable ' w:0': Shape mismatch.The variable shape "
        "(2,), and the assigned value shape (3,) are incompatible."
    )


def test_custom_gradient_count_mismatch_has_tfs_text():
    @tf.custom_gradient
    def f(a, b):
        return a * b, lambda u: u * b  # one gradient for two inputs

    a, b = tf.constant(2.0), tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch([a, b])
        y = f(a, b)
    with pytest.raises(ValueError) as info:
        t.gradient(y, [a, b])
    assert str(info.value).startswith(
        "custom_gradient function expected to return 2 gradients, but returned 1 instead."
    )


def test_forward_accumulator_misuse_has_tfs_text():
    x = tf.constant(1.0)
    acc = tf.autodiff.ForwardAccumulator(x, tf.constant(1.0))
    with acc:
        with pytest.raises(ValueError, match=r"^Accumulator is already recording\."):
            acc.__enter__()
    with pytest.raises(ValueError, match="was specified as a primal multiple times. This may "
                                         "indicate an error. If it was intended, please sum "
                                         "the corresponding tangents."):
        tf.autodiff.ForwardAccumulator([x, x], [tf.constant(1.0), tf.constant(1.0)])


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_no_pfor_on_a_non_persistent_tape_has_tfs_text(method):
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    with pytest.raises(RuntimeError) as info:
        getattr(g, method)(y, x, experimental_use_pfor=False)
    text = {
        "jacobian": "jacobian with eager execution enabled and with  experimental_use_pfor set "
        "to False.",
        "batch_jacobian": "batch_jacobian with eager execution enabled and  with "
        "experimental_use_pfor set to False.",
    }[method]
    assert str(info.value).startswith(
        "GradientTape must be created with persistent=True to compute the " + text
    )


# --------------------------------------------------------------------------- missing names


@pytest.mark.parametrize("name", ["data", "image", "saved_model", "distribute", "strings"])
def test_a_tensorflow_module_tape_lacks_says_so(name):
    with pytest.raises(AttributeError) as info:
        getattr(tf, name)
    msg = str(info.value)
    assert msg.startswith(f"tape has no tf.{name} (")
    assert "tape covers GradientTape and the ops it records" in msg
    assert "'For TensorFlow users' page" in msg
    assert info.value.name == name


def test_other_names_get_the_generic_message_and_hasattr_still_works():
    with pytest.raises(AttributeError, match="tape has no 'sortt': if it is TensorFlow's "
                                             "tf.sortt, tape does not cover it"):
        tf.sortt  # noqa: B018
    with pytest.raises(AttributeError, match="tape.math has no 'foo'.*tf.math.foo"):
        tf.math.foo  # noqa: B018
    with pytest.raises(AttributeError, match="tape.nn has no 'bar'"):
        tf.nn.bar  # noqa: B018
    with pytest.raises(AttributeError, match="tape.linalg has no 'baz'"):
        tf.linalg.baz  # noqa: B018
    assert not hasattr(tf, "data") and hasattr(tf, "sort")
    assert getattr(tf, "image", None) is None


def test_python_adds_no_misleading_suggestion():
    """Python 3.10+ appends "Did you mean: 'zeros'?" to an uncaught AttributeError from a
    module; tape's error names no other tape name."""
    for expr in ("tape.data", "tape.zeroz", "tape.math.sqrtt"):
        run = subprocess.run([sys.executable, "-c", f"import tape; {expr}"],
                             capture_output=True, text=True, check=False)
        last = run.stderr.strip().splitlines()[-1]
        assert last.startswith("AttributeError: tape") and "Did you mean" not in run.stderr
