"""TensorFlow's GradientTape tutorial ("자동 미분과 그래디언트 테이프", seed 004), run with tape.

Every cell of the tutorial is here as it is written for TensorFlow, asserts included; the only
change is the import. After each cell the recorded tape is printed as a table, so you can see
the Wengert list that ``gradient()`` walks backwards.

    python examples/tutorial.py            # --fast is accepted (this example is always fast)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import tape as tf  # instead of: import tensorflow.compat.v1 as tf


def gradient_tape() -> None:
    """그래디언트 테이프: d(sum(x)^2)/dx at x = ones((2, 2))."""
    x = tf.ones((2, 2))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x)
        z = tf.multiply(y, y)

    # 입력 텐서 x에 대한 z의 도함수 (the derivative of z with respect to the input x)
    dz_dx = t.gradient(z, x)
    for i in [0, 1]:
        for j in [0, 1]:
            assert dz_dx[i][j].numpy() == 8.0
    print("dz/dx =", dz_dx.numpy().tolist())


def intermediate_values() -> None:
    """The gradient with respect to an intermediate value recorded on the tape."""
    x = tf.ones((2, 2))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x)
        z = tf.multiply(y, y)
    print("the tape:", repr(t), "ops:", [entry.op for entry in t])

    # 테이프 사용하여 중간 값 y에 대한 도함수를 계산합니다.
    dz_dy = t.gradient(z, y)
    assert dz_dy.numpy() == 8.0
    print("dz/dy =", dz_dy.numpy())


def persistent_tape() -> None:
    """A persistent tape allows several gradient() calls."""
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    dz_dx = t.gradient(z, x)  # 108.0 (4*x^3 at x = 3)
    # The Wengert list, with the adjoints of this gradient() call: dz/dy = 2y = 18 and
    # dz/dx = 18 * 2x = 108. y = x * x is multiply(x, x): each argument has the local
    # derivative 3 (the other argument), and the two paths add up to dy/dx = 6.
    print(t.table(names={"x": x, "y": y, "z": z}))
    dy_dx = t.gradient(y, x)  # 6.0
    assert dz_dx.numpy() == 108.0
    assert dy_dx.numpy() == 6.0
    print("dz/dx =", dz_dx.numpy(), " dy/dx =", dy_dx.numpy())
    del t  # 테이프에 대한 참조를 삭제합니다.


def control_flow() -> None:
    """제어 흐름 기록: ops are recorded in the order they run, so Python control flow works."""

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
    print("grad(x, 6) =", grad(x, 6).numpy(), " grad(x, 4) =", grad(x, 4).numpy())

    # The tape holds only the ops that ran: three multiplications for y = 6, two for y = 4.
    for y, ops in ((6, 3), (4, 2)):
        with tf.GradientTape() as t:
            t.watch(x)
            f(x, y)
        assert len(t) == ops, (y, len(t))


def higher_order() -> None:
    """고계도(Higher-order) 그래디언트: gradients computed inside a tape are recorded too."""
    x = tf.Variable(1.0)  # 1.0으로 초기화된 텐서플로 변수를 생성합니다.

    with tf.GradientTape() as t:
        with tf.GradientTape() as t2:
            y = x * x * x
        # t 컨텍스트 매니저 안의 그래디언트를 계산합니다.
        # 이것은 또한 그래디언트 연산 자체도 미분가능하다는것을 의미합니다.
        dy_dx = t2.gradient(y, x)
    d2y_dx2 = t.gradient(dy_dx, x)

    assert dy_dx.numpy() == 3.0
    assert d2y_dx2.numpy() == 6.0
    print("dy/dx =", dy_dx.numpy(), " d2y/dx2 =", d2y_dx2.numpy())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="TensorFlow's GradientTape tutorial, on tape.")
    parser.add_argument("--fast", action="store_true", help="accepted for CI; always fast")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="directory for pictures (accepted; this example draws none)")
    parser.parse_args(argv)
    for cell in (gradient_tape, intermediate_values, persistent_tape, control_flow,
                 higher_order):
        print(f"## {cell.__doc__.splitlines()[0]}")
        cell()
        print()
    print("All tutorial asserts passed.")


if __name__ == "__main__":
    main()
