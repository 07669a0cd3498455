"""TensorFlow's GradientTape tutorial (shared/seeds/004, "자동 미분과 그래디언트 테이프",
tensorflow/docs-l10n site/ko/r1/tutorials/eager/automatic_differentiation.ipynb) run as one
program with its own first line, ``import tensorflow.compat.v1 as tf``, changed only to
``import tape.compat.v1 as tf``. The cells are the tutorial's, in order, in one namespace, as
a reader pastes them; comments are translated. The tutorial's asserts are the checks.
(tests/test_tutorial.py runs the same cells one per test, with ``import tape as tf``.)
"""

import textwrap

import numpy as np

import tape

TUTORIAL = '''
import tape.compat.v1 as tf

# Gradient tape
x = tf.ones((2, 2))

with tf.GradientTape() as t:
  t.watch(x)
  y = tf.reduce_sum(x)
  z = tf.multiply(y, y)

# Derivative of z with respect to the original input tensor x
dz_dx = t.gradient(z, x)
for i in [0, 1]:
  for j in [0, 1]:
    assert dz_dx[i][j].numpy() == 8.0

x = tf.ones((2, 2))

with tf.GradientTape() as t:
  t.watch(x)
  y = tf.reduce_sum(x)
  z = tf.multiply(y, y)

# Use the tape to compute the derivative of z with respect to the
# intermediate value y.
dz_dy = t.gradient(z, y)
assert dz_dy.numpy() == 8.0

x = tf.constant(3.0)
with tf.GradientTape(persistent=True) as t:
  t.watch(x)
  y = x * x
  z = y * y
dz_dx = t.gradient(z, x)  # 108.0 (4*x^3 at x = 3)
dy_dx = t.gradient(y, x)  # 6.0
del t  # Drop the reference to the tape

# Recording control flow
def f(x, y):
  output = 1.0
  for i in range(y):
    if i > 1 and i < 5:
      output = tf.multiply(output, x)
  return output

def grad(x, y):
  with tf.GradientTape() as t:
    t.watch(x)
    out = f(x, y)
  return t.gradient(out, x)

x = tf.convert_to_tensor(2.0)

assert grad(x, 6).numpy() == 12.0
assert grad(x, 5).numpy() == 12.0
assert grad(x, 4).numpy() == 4.0

# Higher-order gradients
x = tf.Variable(1.0)  # Create a Tensorflow variable initialized to 1.0

with tf.GradientTape() as t:
  with tf.GradientTape() as t2:
    y = x * x * x
  # Compute the gradient inside the 't' context manager
  # which means the gradient computation is differentiable as well.
  dy_dx = t2.gradient(y, x)
d2y_dx2 = t.gradient(dy_dx, x)

assert dy_dx.numpy() == 3.0
assert d2y_dx2.numpy() == 6.0
'''


def test_the_tutorial_runs_unchanged_under_compat_v1():
    namespace: dict = {}
    exec(compile(textwrap.dedent(TUTORIAL), "automatic_differentiation", "exec"), namespace)
    assert namespace["tf"].GradientTape is tape.GradientTape
    # the values the tutorial states in comments: d(x^4)/dx = 4 x^3 = 108 and 2 x = 6 at x = 3
    np.testing.assert_array_equal(namespace["dz_dx"].numpy(), 108.0)
    np.testing.assert_array_equal(namespace["dy_dx"].numpy(), 3.0)  # the last cell's, at x = 1


def test_compat_v1_is_tapes_namespace_with_the_eager_switch():
    import tape.compat.v1 as tf

    assert tf.enable_eager_execution() is None  # TensorFlow 1's switch: tape is always eager
    assert tf.executing_eagerly() is True
    for name in tape.__all__:
        assert getattr(tf, name) is getattr(tape, name)
    assert tape.compat.v1 is tf
    assert set(tape.__all__) <= set(dir(tf))
