"""TensorFlow's GradientTape tutorial (shared/seeds/004, "자동 미분과 그래디언트 테이프") run as
one program with its own first line, ``import tensorflow.compat.v1 as tf``, changed only to
``import tape.compat.v1 as tf``. The cells are those of ``examples/tutorial.py``, which keeps
them as the tutorial writes them (with ``import tape as tf``); the tutorial's asserts are the
checks. (tests/test_tutorial.py runs the same cells one per test.)
"""

from pathlib import Path

import tape

TUTORIAL = Path(__file__).resolve().parent.parent / "examples" / "tutorial.py"
IMPORT = "import tape as tf  # instead of: import tensorflow.compat.v1 as tf"


def test_the_tutorial_runs_unchanged_under_compat_v1(capsys):
    source = TUTORIAL.read_text(encoding="utf-8")
    assert source.count(IMPORT) == 1
    source = source.replace(IMPORT, "import tape.compat.v1 as tf")
    namespace: dict = {"__name__": "tutorial_under_compat_v1"}
    exec(compile(source, str(TUTORIAL), "exec"), namespace)
    assert namespace["tf"] is tape.compat.v1
    namespace["main"]([])  # every cell, in order; the tutorial's asserts raise on a wrong value
    printed = capsys.readouterr().out
    assert printed.rstrip().endswith("All tutorial asserts passed.")


def test_compat_v1_is_tapes_namespace_with_the_eager_switch():
    import tape.compat.v1 as tf

    assert tf.enable_eager_execution() is None  # TensorFlow 1's switch: tape is always eager
    assert tf.executing_eagerly() is True
    for name in tape.__all__:
        assert getattr(tf, name) is getattr(tape, name)
    assert tape.compat.v1 is tf
    assert set(tape.__all__) <= set(dir(tf))
