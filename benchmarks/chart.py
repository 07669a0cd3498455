"""The chart of docs/performance.md: each implementation's time per call divided by the
hand-written NumPy baseline's, per workload, as a static SVG (written by hand: no plotting
library needed).

    python -m benchmarks.chart results.json [more.json ...] --out docs/images/performance.svg

The ratios of implementations in the JSON files (``python -m benchmarks.run --json``) are the
``x numpy`` column (``ratio_numpy``), the median over the files when there are several.
Implementations that are in none of the files take their ratio from :data:`REFERENCE`: the
peers' numbers of the run shown on the performance page.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

WORKLOADS = {
    "W1": "W1  gradient of a chain of 1,000 scalar ops",
    "W2": "W2  the same chain on arrays of 100 values",
    "W3": "W3  one training step of a 784-256-256-10 MLP, batch 128",
    "W4": "W4  20 ops on 10⁶ values, gradient",
    "W5": "W5  full Hessian in ℝ¹⁰⁰",
    "W6": "W6  forward only, no gradient (arrays of 100)",
}

#: Implementations in the order of the bars, with their labels and colours (Okabe-Ito).
IMPLS = {
    "tape": ("tape", "#0072B2"),
    "tape-function": ("tape.function", "#56B4E9"),
    "torch": ("PyTorch eager", "#D55E00"),
    "autograd": ("HIPS autograd", "#009E73"),
    "jax": ("JAX op by op", "#E69F00"),
    "jax-jit": ("jax.jit", "#CC79A7"),
    "tf-function": ("tf.function ≈", "#7F7F7F"),
}

#: Ratios to the NumPy baseline for implementations not in the JSON files: the medians of one
#: run of ``python -m benchmarks.run`` with every peer installed (PyTorch 2.13.0 CPU, autograd
#: 1.9.1, JAX 0.10.2; one thread each), divided by that run's NumPy median (numpy: W1 0.18 ms,
#: W2 1.21 ms, W3 1.89 ms, W4 81.7 ms, W5 0.05 ms, W6 0.55 ms). tf.function: its steady state
#: timed by hand on the same machine, about 1.0 and 1.75 us per op in W1 and W2 (it is not in
#: the harness), over the same NumPy medians.
REFERENCE: dict[str, dict[str, float]] = {
    "torch": {"W1": 9.45 / 0.18, "W2": 6.57 / 1.21, "W3": 2.46 / 1.89, "W4": 61.0 / 81.7,
              "W5": 1.88 / 0.05, "W6": 1.74 / 0.55},
    "autograd": {"W1": 22.7 / 0.18, "W2": 15.3 / 1.21, "W3": 3.17 / 1.89, "W4": 95.7 / 81.7,
                 "W5": 8.63 / 0.05, "W6": 0.71 / 0.55},
    "jax": {"W1": 277 / 0.18, "W2": 228 / 1.21, "W3": 12.9 / 1.89, "W4": 128 / 81.7,
            "W5": 12.7 / 0.05, "W6": 8.34 / 0.55},
    "jax-jit": {"W1": 0.03 / 0.18, "W2": 0.29 / 1.21, "W3": 1.84 / 1.89, "W4": 24.9 / 81.7,
                "W5": 0.24 / 0.05, "W6": 0.23 / 0.55},
    "tf-function": {"W1": 1.0 / 0.18, "W2": 1.75 / 1.21},
}

# geometry, in pixels
WIDTH, LEFT, RIGHT, TOP = 760, 150, 700, 58
ROW, BAR, GAP = 15, 10, 24
LO, HI = 0.1, 2000.0  # the ratio axis, log scale


def ratios(paths: list[Path]) -> dict[str, dict[str, float]]:
    """``{implementation: {workload: ratio}}``: the JSON files' medians, then REFERENCE."""
    found: dict[str, dict[str, list[float]]] = {}
    for path in paths:
        data = json.loads(path.read_text())
        for key, workload in data["workloads"].items():
            for impl, row in workload["rows"].items():
                if row.get("status") == "ok" and row.get("ratio_numpy") is not None:
                    found.setdefault(impl, {}).setdefault(key, []).append(row["ratio_numpy"])
    out = {impl: {w: statistics.median(v) for w, v in ws.items()} for impl, ws in found.items()}
    for impl, ws in REFERENCE.items():
        out.setdefault(impl, dict(ws))
    return out


def _x(ratio: float) -> float:
    span = math.log10(HI) - math.log10(LO)
    return LEFT + (math.log10(ratio) - math.log10(LO)) / span * (RIGHT - LEFT)


def _label(ratio: float) -> str:
    if ratio >= 100:
        return f"{ratio:,.0f}×"
    if ratio >= 10:
        return f"{ratio:.0f}×"
    return f"{ratio:.2f}×" if ratio < 1 else f"{ratio:.1f}×"


def svg(table: dict[str, dict[str, float]], sources: str) -> str:
    """The chart as SVG text."""
    body: list[str] = []
    y = TOP
    for key, title in WORKLOADS.items():
        body.append(f'<text x="8" y="{y + 11}" class="w">{_esc(title)}</text>')
        y += ROW + 2
        for impl, (name, colour) in IMPLS.items():
            ratio = table.get(impl, {}).get(key)
            if ratio is None:
                continue
            x1, xr = _x(1.0), _x(min(max(ratio, LO), HI))
            left, width = min(x1, xr), max(abs(xr - x1), 1.0)
            body.append(f'<text x="{LEFT - 8}" y="{y + BAR - 1}" class="i">{_esc(name)}</text>')
            body.append(f'<rect x="{left:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
                        f'fill="{colour}"><title>{_esc(name)}, {key}: {_label(ratio)} the '
                        f'NumPy time</title></rect>')
            body.append(f'<text x="{max(x1, xr) + 4:.1f}" y="{y + BAR - 1}" class="v">'
                        f'{_label(ratio)}</text>')
            y += ROW
        y += GAP - ROW + 6
    bottom = y
    grid = []
    for tick in (0.1, 1, 10, 100, 1000):
        x = _x(tick)
        cls = "one" if tick == 1 else "g"
        grid.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{bottom}" '
                    f'class="{cls}"/>')
        text = f"{tick:g}×" + (" NumPy" if tick == 1 else "")
        grid.append(f'<text x="{x:.1f}" y="{TOP - 10}" class="t">{text}</text>')
    height = bottom + 44
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="Helvetica, Arial, '
        f'sans-serif" font-size="12">\n'
        "<title>Time of one call divided by hand-written NumPy's, per workload</title>\n"
        "<style>.w{font-weight:bold}.i{text-anchor:end;fill:#333}.v{fill:#333}"
        ".t{text-anchor:middle;fill:#555;font-size:11px}.g{stroke:#ddd}"
        ".one{stroke:#333;stroke-width:1.5}.n{fill:#555;font-size:11px}</style>\n"
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>\n'
        '<text x="8" y="18" class="w" font-size="14">Time of one call ÷ hand-written NumPy '
        "(log scale; left of the NumPy line is faster)</text>\n"
    )
    foot = (
        f'<text x="8" y="{bottom + 18}" class="n">{_esc(sources)}</text>\n'
        f'<text x="8" y="{bottom + 34}" class="n">One thread per library, 2-core x86-64 VM; '
        "bars start at NumPy's time.</text>\n"
    )
    return head + "\n".join(grid + body) + "\n" + foot + "</svg>\n"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", nargs="*", type=Path,
                        help="output of python -m benchmarks.run --json (several: medians)")
    parser.add_argument("--out", type=Path, default=Path("docs/images/performance.svg"))
    parser.add_argument("--sources", default=(
        "tape, tape.function: medians of this page's runs. PyTorch, autograd, JAX: an "
        "earlier run. tf.function: timed by hand."))
    args = parser.parse_args(argv)
    table: dict[str, Any] = ratios(args.json)
    args.out.write_text(svg(table, args.sources), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
