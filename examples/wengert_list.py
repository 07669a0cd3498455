"""See the tape: the Wengert list of the seed examples as a table and as a graph.

1. Seed 001's f(x) = x^2 + x = add(mul(x, x), x) at x = 2: its computational graph as
   Graphviz DOT text (always) and as SVG and PNG pictures (when the optional ``graphviz``
   Python package and Graphviz's ``dot`` program are installed), and its table with the
   backward pass the blog works through by hand: dE/dE = 1, dE/dC = 1, dC/dx = 2 twice,
   df/dx = 2 + 2 + 1 = 5.
2. Seed 003's forward/backward table for f(x, y) = (x^2 + 2x) ln y at (1, 2), with the slide's
   names: a = x * x, b = 2 * x, c = a + b, d = log(y), f = c * d. Each row is one entry of
   the tape: the value (forward pass), the local derivatives of its op, and its adjoint
   df/d(value) from the backward pass.

    python examples/wengert_list.py [--fast] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tape as tf


def render(t: tf.GradientTape, names: dict, path: Path) -> list[Path]:
    """Write the DOT text, and SVG and PNG pictures when Graphviz is available."""
    dot = path.with_suffix(".dot")
    dot.write_text(t.to_dot(names=names) + "\n")
    written = [dot]
    for suffix in (".svg", ".png"):
        try:
            written.append(Path(t.render(str(path.with_suffix(suffix)), names=names)))
        except ImportError as exc:  # the graphviz package is not installed
            print(f"  (no {suffix}: {exc})")
            break
        except RuntimeError as exc:  # Graphviz's `dot` program is not installed
            print(f"  (no {suffix}: {exc})")
            break
    return written


def blog_example(out: Path) -> None:
    print("## Seed 001: f(x) = x^2 + x = add(mul(x, x), x) at x = 2\n")
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:  # persistent: the table shows the adjoints
        t.watch(x)
        C = x * x  # the blog's C = A x B, with A = B = x
        E = C + x  # E = C + D, with D = x
    df_dx = t.gradient(E, x)
    assert float(df_dx) == 5.0  # f'(x) = 2x + 1
    names = {"x": x, "C": C, "E": E}
    table = t.table(names=names)
    print(table)
    # The blog's backward pass, read off the table: dE/dC = 1 and dE/dx = 1 (add),
    # dC/dx = 2 for each of the two arguments of mul, adjoint of x = 1*2 + 1*2 + 1 = 5.
    assert "dC/dx = 2 (arg 1) + 2 (arg 2) = 4" in table and "dE/dC = 1, dE/dx = 1" in table
    print(f"\n{len(t)} recorded ops: {[entry.op for entry in t]}")
    print("\nThe graph as DOT text (paste it into any Graphviz viewer):\n")
    print(t.to_dot(names=names))
    for p in render(t, names, out / "seed001_graph"):
        print(f"  wrote {p}")


def slide_table(out: Path) -> None:
    print("\n## Seed 003: f(x, y) = (x^2 + 2x) ln y at (1, 2)\n")
    x, y = tf.constant(np.float64(1.0)), tf.constant(np.float64(2.0))
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        a = x * x
        b = 2 * x
        c = a + b
        d = tf.math.log(y)
        f = c * d
    df_dx, df_dy = t.gradient(f, [x, y])
    names = {"x": x, "y": y, "a": a, "b": b, "c": c, "d": d, "f": f}
    table = t.table(names=names)
    print(table)

    # The slide's forward column ...
    for value, want in ((a, 1.0), (b, 2.0), (c, 3.0), (d, 0.6931472), (f, 2.07944164)):
        assert abs(float(value) - want) < 1e-7, (value, want)
    # ... its backward column (local derivatives) ...
    for entry in ("da/dx = 1 (arg 1) + 1 (arg 2) = 2", "db/dx = 2", "dc/da = 1, dc/db = 1",
                  "dd/dy = 0.5", "df/dc = 0.6931472, df/dd = 3"):
        assert entry in table, entry
    # ... and the chain rule it ends with: df/dy = 3 * 1/2, df/dx = 0.6931472 * (1 + 1 + 2).
    assert float(df_dy) == 1.5
    assert abs(float(df_dx) - 4 * np.log(2.0)) < 1e-15
    print(f"\ndf/dx = {float(df_dx):.7f} (the slide: 2.7725888), df/dy = {float(df_dy)}")
    for p in render(t, names, out / "seed003_graph"):
        print(f"  wrote {p}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="accepted for CI; always fast")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="directory for the files (default: ./examples-output)")
    args = parser.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    blog_example(out)
    slide_table(out)


if __name__ == "__main__":
    main()
