"""Fitting a phase mask through an FFT: beam shaping with complex values and np.fft.

A laser beam with a round aperture passes a phase mask exp(i phi) and is focused by a lens;
the focal plane holds the 2-D Fourier transform of the field (np.fft.fft2). The mask's
phases phi (real, one per pixel) are fitted so that the focal intensity |F|^2 takes a
target shape: four spots. Ordinary NumPy code (np.exp of a complex array, np.fft.fft2,
np.fft.fftshift, np.abs) runs on a tape.Variable; Adam does the rest.

1. The gradient of the loss with respect to the phases is checked against its closed form
   (the adjoint of the DFT: dL/dphi = 2 Re(conj(G) i u) with G = n^2 ifft2(w * fft2(u)) for
   a loss sum(w |F|^2)), and against central differences on a small mask. Real parameters
   with complex values in between: TensorFlow's, PyTorch's and JAX's conventions agree.
2. Adam fits a 64 x 64 mask (32 x 32 with --fast); the focal intensity's overlap with the
   target goes from near 0 to near 1.
3. The mask, the target and the focal intensity as a PNG (with matplotlib, optional).

    python examples/phase_mask.py [--fast] [--out DIR]   # the picture needs matplotlib
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tape
from tape.keras import optimizers


def aperture(n: int) -> np.ndarray:
    """A round aperture of radius n/4, centred: the beam's amplitude."""
    y, x = np.mgrid[:n, :n] - n / 2
    return (x**2 + y**2 <= (n / 4) ** 2).astype(np.float64)


def four_spots(n: int) -> np.ndarray:
    """The target intensity in the (centred) focal plane, normalised to sum 1."""
    y, x = np.mgrid[:n, :n] - n / 2
    target = np.zeros((n, n))
    for cy, cx in [(-n / 8, -n / 8), (-n / 8, n / 8), (n / 8, -n / 8), (n / 8, n / 8)]:
        target += np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 2.0)
    return target / target.sum()


def focal_intensity(phi, amplitude: np.ndarray):
    """|FFT(amplitude * exp(i phi))|^2, centred, normalised to sum 1."""
    field = amplitude * np.exp(1j * phi)  # complex128
    focus = np.fft.fftshift(np.fft.fft2(field))
    intensity = np.abs(focus) ** 2
    return intensity / np.sum(intensity)


def loss_fn(phi, amplitude: np.ndarray, target: np.ndarray):
    """1 - the normalised overlap of the focal intensity with the target."""
    intensity = focal_intensity(phi, amplitude)
    overlap = np.sum(intensity * target) / np.sqrt(np.sum(intensity**2) * np.sum(target**2))
    return 1.0 - overlap


def check_adjoint(n: int, rng: np.random.Generator) -> float:
    """The tape's gradient of sum(w |fft2(u)|^2) with u = a exp(i phi), against the adjoint's
    closed form; returns the largest difference."""
    a, w = rng.uniform(0.5, 1.0, (n, n)), rng.uniform(0.0, 1.0, (n, n))
    phi0 = rng.uniform(-np.pi, np.pi, (n, n))
    phi = tape.Variable(phi0)
    with tape.GradientTape() as t:
        power = np.sum(w * np.abs(np.fft.fft2(a * np.exp(1j * phi))) ** 2)
    got = t.gradient(power, phi).numpy()
    u = a * np.exp(1j * phi0)
    g = n * n * np.fft.ifft2(w * np.fft.fft2(u))  # the DFT's adjoint applied to w F
    expected = 2 * np.real(np.conj(g) * 1j * u)
    return float(np.max(np.abs(got - expected)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="a smaller mask, fewer steps")
    parser.add_argument("--out", type=Path, default=Path("examples-output"),
                        help="where the PNG goes")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)

    err = check_adjoint(8, rng)
    print(f"gradient against the DFT adjoint's closed form: max difference {err:.2e}")
    assert err < 1e-9

    n_small = 6
    amp_small, target_small = aperture(n_small) + 0.5, four_spots(n_small)
    result = tape.check_gradients(lambda p: loss_fn(p, amp_small, target_small),
                                  [rng.uniform(-1, 1, (n_small, n_small))], order=1)
    print(f"gradient against central differences ({n_small}x{n_small} mask): max error "
          f"{result.max_error():.1e}")

    n = 32 if args.fast else 64
    steps = 150 if args.fast else 400
    amplitude, target = aperture(n), four_spots(n)
    phi = tape.Variable(rng.uniform(-0.1, 0.1, (n, n)))
    opt = optimizers.Adam(learning_rate=0.1)
    losses = []
    for _ in range(steps):
        with tape.GradientTape() as t:
            loss = loss_fn(phi, amplitude, target)
        opt.apply_gradients([(t.gradient(loss, phi), phi)])
        losses.append(float(loss))
    print(f"overlap with the target: {1 - losses[0]:.3f} at the start, {1 - losses[-1]:.3f} "
          f"after {steps} Adam steps ({n}x{n} mask)")
    assert losses[-1] < 0.5 * losses[0]
    plot(phi.numpy(), amplitude, target, focal_intensity(phi, amplitude).numpy(), losses,
         args.out)


def plot(phi, amplitude, target, intensity, losses, out: Path) -> None:
    try:
        import matplotlib.pyplot as plt
    except ModuleNotFoundError:
        print('(matplotlib is not installed: no picture; pip install -e ".[examples]")')
        return
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
    axes[0].imshow(np.where(amplitude > 0, np.angle(np.exp(1j * phi)), np.nan), cmap="twilight")
    axes[0].set_title("fitted phase mask")
    axes[1].imshow(target, cmap="magma")
    axes[1].set_title("target focal intensity")
    axes[2].imshow(intensity, cmap="magma")
    axes[2].set_title("focal intensity, fitted")
    for ax in axes[:3]:
        ax.set_axis_off()
    axes[3].plot(losses)
    axes[3].set_xlabel("Adam step")
    axes[3].set_ylabel("1 - overlap")
    axes[3].set_yscale("log")
    fig.tight_layout()
    path = out / "phase_mask.png"
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
