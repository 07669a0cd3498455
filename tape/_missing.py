"""Plain errors for TensorFlow names tape does not have (instead of a misleading suggestion),
and for the PyTorch autograd names users try first, naming tape's equivalent."""

from __future__ import annotations

DOCS = "see the 'For TensorFlow users' page of the docs (docs/tensorflow.md) for what is covered"

# TensorFlow modules outside tape's scope, with what they are for.
MISSING = {
    "data": "input pipelines (tf.data.Dataset); iterate over NumPy arrays instead",
    "image": "image ops",
    "io": "file and serialization ops",
    "saved_model": "SavedModel export; save variables' values with NumPy (np.save) instead",
    "distribute": "distribution strategies; tape runs on one CPU with NumPy",
    "train": "checkpoints and TensorFlow 1 optimizers; use tape.optimizers",
    "summary": "TensorBoard summaries",
    "strings": "string ops",
    "sparse": "sparse tensors (tape has only IndexedSlices, the gradient of gather)",
    "ragged": "ragged tensors",
    "lookup": "lookup tables",
    "estimator": "Estimators",
    "tpu": "TPUs; tape runs on one CPU with NumPy",
    "config": "device and threading configuration; tape runs on one CPU with NumPy",
    "feature_column": "feature columns",
    "queue": "queues",
    "lite": "TensorFlow Lite",
    "experimental": "TensorFlow's experimental APIs",
    "autograph": "AutoGraph (tape.function runs Python as it is)",
    "xla": "XLA compilation",
    "Session": "graph-mode sessions; tape is always eager",
    "placeholder": "graph-mode placeholders; tape is always eager",
}


PYTORCH_DOCS = "see the 'For PyTorch users' page of the docs (docs/pytorch.md)"

# PyTorch's autograd names that users try first on the module, with tape's equivalent.
PYTORCH = {
    "no_grad": (
        "to compute without recording, do it outside the `with tape.GradientTape() as t:` "
        "block, or inside `with t.stop_recording():`; for one value, `tape.stop_gradient(x)`"
    ),
    "enable_grad": (
        "recording is on inside `with tape.GradientTape() as t:` (and off inside "
        "`t.stop_recording()`): there is no global switch to turn back on"
    ),
    "set_grad_enabled": (
        "recording is on inside `with tape.GradientTape() as t:` and off inside "
        "`with t.stop_recording():`; there is no global switch"
    ),
    "autograd": (
        "torch.autograd.grad(f, (x, y)) is `t.gradient(f, [x, y])` of a "
        "`tape.GradientTape` that recorded f (persistent=True to ask more than once, as "
        "retain_graph=True); for torch.autograd.backward(f), too, ask the tape: gradients "
        "are returned, not stored on tensors"
    ),
}


class _NoSuggestions:
    """The ``obj`` of the error: Python suggests names from ``dir(obj)``, and there are none
    here (a close-looking tape name would mislead: tape.keras is not tape.zeros)."""

    def __dir__(self) -> list[str]:
        return []


def missing(module: str, tf_module: str, name: str) -> AttributeError:
    """The AttributeError for ``module.name``, ``tf_module.name`` in TensorFlow."""
    if name.startswith("__") and name.endswith("__"):
        return AttributeError(f"module {module!r} has no attribute {name!r}")
    if tf_module == "tf" and name in PYTORCH:
        msg = f"tape has no {name} (PyTorch's torch.{name}): {PYTORCH[name]}; {PYTORCH_DOCS}."
    elif tf_module == "tf" and name in MISSING:
        msg = (
            f"tape has no tf.{name} ({MISSING[name]}): tape covers GradientTape and the ops it "
            f"records; {DOCS}."
        )
    else:
        msg = (
            f"{module} has no {name!r}: if it is TensorFlow's {tf_module}.{name}, tape does not "
            f"cover it; {DOCS}."
        )
    return AttributeError(msg, name=name, obj=_NoSuggestions())
