"""Softmax: class scores in, probabilities that sum to 1 out."""
from pathlib import Path

import numpy as np

from lecture_tool import figure_style as style

OUTPUTS = ["softmax.png"]
# What each figure shows, for readers who cannot see it: the pages use it where a slide shows the
# figure without alternative text of its own.
ALT = {"softmax.png": "Two bar charts joined by an arrow. Left, the class scores x: cat +2.0, "
                      "dog +1.0, horse +0.1, bird -1.2. Right, softmax(x): cat 0.64, dog 0.24, "
                      "horse 0.10, bird 0.03, which sum to 1.00."}

CLASSES = ["cat", "dog", "horse", "bird"]
SCORES = np.array([2.0, 1.0, 0.1, -1.2])


def softmax(scores: np.ndarray) -> np.ndarray:
    # Subtracting the maximum changes nothing mathematically and keeps exp() from overflowing.
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def make(out: Path) -> None:
    probabilities = softmax(SCORES)
    # Short, so that the slide has room for the formula above it and the classifier below.
    fig, (left, right) = style.figure(0.6, 2.1, ncols=2, gridspec_kw={"wspace": 0.6})
    positions = np.arange(len(CLASSES))
    for axis, values, colour, title, fmt in (
            (left, SCORES, style.BLUE, "scores $\\mathbf{x}$", "{:+.1f}"),
            (right, probabilities, style.GREEN, "softmax$(\\mathbf{x})$", "{:.2f}")):
        bars = axis.barh(positions, values, color=colour, height=0.65)
        axis.set_yticks(positions, CLASSES)
        axis.invert_yaxis()
        axis.axvline(0, color=style.INK, linewidth=1)
        axis.set_title(title, color=style.NAVY)
        # Each bar is labelled with its value: an x axis would only repeat them, smaller.
        axis.spines[["left", "bottom"]].set_visible(False)
        axis.set_xticks([])
        axis.tick_params(axis="y", length=0)
        span = values.max() - min(values.min(), 0)
        axis.set_xlim(min(values.min(), 0) - 0.05 * span, values.max() + 0.45 * span)
        for bar, value in zip(bars, values):
            x = max(value, 0) + 0.04 * span
            axis.text(x, bar.get_y() + bar.get_height() / 2, fmt.format(value), va="center")
    right.set_xlabel(f"sum = {probabilities.sum():.2f}")
    fig.text(0.495, 0.5, "→", fontsize=30, ha="center", va="center", color=style.NAVY)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.86, bottom=0.16)
    style.save_png(fig, out / "softmax.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
