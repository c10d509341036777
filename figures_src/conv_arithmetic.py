"""Convolution arithmetic: a 3x3 kernel sliding over a 5x5 input, one frame per output value.

Drawn in the spirit of Dumoulin and Visin's conv_arithmetic animations ("A guide to convolution
arithmetic for deep learning", 2016), with our own drawing and numbers.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lecture_tool import figure_style as style

OUTPUTS = ["numerical_no_padding_no_strides.gif", "numerical_no_padding_no_strides_00.png",
           "no_padding_strides.gif", "same_padding_no_strides.gif"]

INPUT = np.array([[3, 1, 0, 2, 4],
                  [0, 2, 1, 3, 1],
                  [4, 3, 2, 0, 1],
                  [1, 0, 3, 2, 2],
                  [2, 4, 1, 0, 3]])
KERNEL = np.array([[1, 0, -1],
                   [1, 0, -1],
                   [1, 0, -1]])  # responds to a change from left to right: a vertical edge


@dataclass(frozen=True)
class Animation:
    name: str
    padding: int
    stride: int
    numbers: bool
    width: float  # fraction of the slide's content width the deck shows it at
    frame_ms: int


ANIMATIONS = [
    Animation("numerical_no_padding_no_strides", padding=0, stride=1, numbers=True, width=0.42,
              frame_ms=900),
    Animation("no_padding_strides", padding=0, stride=2, numbers=False, width=0.42, frame_ms=900),
    Animation("same_padding_no_strides", padding=1, stride=1, numbers=False, width=0.4,
              frame_ms=500),
]


def output_size(size: int, kernel: int, padding: int, stride: int) -> int:
    """W_o = (W_i - F + 2P) / S + 1, which must come out whole."""
    span = size - kernel + 2 * padding
    assert span % stride == 0, f"a {kernel}-kernel with stride {stride} does not tile {size}+2·{padding}"
    return span // stride + 1


def cross_correlate(image: np.ndarray, kernel: np.ndarray, padding: int = 0,
                    stride: int = 1) -> np.ndarray:
    """What Conv2D computes (no kernel flip, no bias): one weighted sum per window position."""
    padded = np.pad(image, padding)
    size = output_size(image.shape[0], kernel.shape[0], padding, stride)
    result = np.zeros((size, size), dtype=np.result_type(image, kernel))
    f = kernel.shape[0]
    for row in range(size):
        for col in range(size):
            window = padded[row * stride:row * stride + f, col * stride:col * stride + f]
            result[row, col] = np.sum(window * kernel)
    return result


def draw(animation: Animation, step: int, result: np.ndarray):
    """Frame `step`: the window over the input, and the outputs computed so far."""
    padded = np.pad(INPUT, animation.padding)
    n_in, n_out, f = padded.shape[0], result.shape[0], KERNEL.shape[0]
    gap = 1.6
    width_cells, height_cells = n_in + gap + n_out, n_in + 1.3
    fig, axis = style.figure(animation.width, animation.width * style.CONTENT_WIDTH_IN
                             * height_cells / width_cells)
    row, col = divmod(step, n_out)
    top = n_in  # rows are drawn from the top down

    for r in range(n_in):
        for c in range(n_in):
            is_padding = not (animation.padding <= r < n_in - animation.padding
                              and animation.padding <= c < n_in - animation.padding)
            axis.add_patch(style.plt.Rectangle(
                (c, top - r - 1), 1, 1, facecolor="white" if is_padding else style.LIGHT_BLUE,
                edgecolor=style.GREY if is_padding else style.BLUE, linewidth=1.2,
                linestyle="--" if is_padding else "-"))
    r0, c0 = row * animation.stride, col * animation.stride
    for r in range(n_in if animation.numbers else 0):
        for c in range(n_in):
            if not (animation.padding <= r < n_in - animation.padding
                    and animation.padding <= c < n_in - animation.padding):
                continue  # padding shows no number
            if 0 <= r - r0 < f and 0 <= c - c0 < f:
                # Under the window the weight takes the top right of the cell: the pixel moves
                # to the bottom left, so that both stay readable.
                axis.text(c + 0.06, top - r - 0.94, str(padded[r, c]), ha="left", va="bottom",
                          fontsize=15)
            else:
                axis.text(c + 0.5, top - r - 0.5, str(padded[r, c]), ha="center", va="center",
                          fontsize=15)
    axis.add_patch(style.plt.Rectangle((c0, top - r0 - f), f, f, facecolor=style.NAVY, alpha=0.22,
                                       edgecolor=style.NAVY, linewidth=3))
    if animation.numbers:
        for r in range(f):
            for c in range(f):
                weight = str(KERNEL[r, c]).replace("-", "\N{MINUS SIGN}")
                axis.text(c0 + c + 0.97, top - r0 - r - 0.04, f"×{weight}", ha="right",
                          va="top", fontsize=12, color=style.NAVY, fontweight="bold")

    x0, y_top = n_in + gap, top - (n_in - n_out) / 2
    for r in range(n_out):
        for c in range(n_out):
            index = r * n_out + c
            done, current = index < step, index == step
            colour = style.GREEN if current else style.LIGHT_GREEN if done else "white"
            axis.add_patch(style.plt.Rectangle((x0 + c, y_top - r - 1), 1, 1, facecolor=colour,
                                               edgecolor=style.GREEN, linewidth=1.2))
            if animation.numbers and (done or current):
                axis.text(x0 + c + 0.5, y_top - r - 0.5, str(result[r, c]), ha="center",
                          va="center", fontsize=15, color="white" if current else style.INK,
                          fontweight="bold" if current else "normal")
    size_text = f"{INPUT.shape[0]}×{INPUT.shape[0]}"
    label = f"input {size_text}" + (f", padding {animation.padding}" if animation.padding else "")
    axis.text(n_in / 2, top + 0.35, label, ha="center", va="bottom", fontsize=13, color=style.NAVY)
    stride = f"\nstride {animation.stride}" if animation.stride > 1 else ""
    axis.text(x0 + n_out / 2, y_top + 0.35, f"output {n_out}×{n_out}{stride}", ha="center",
              va="bottom", fontsize=13, color=style.NAVY, linespacing=1.1)
    axis.set_xlim(-0.05, width_cells + 0.05)
    axis.set_ylim(-0.05, height_cells - 0.05)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(left=0, right=1, top=1, bottom=0)
    return fig


def make(out: Path) -> None:
    for animation in ANIMATIONS:
        result = cross_correlate(INPUT, KERNEL, animation.padding, animation.stride)
        steps = result.size  # one frame per output position
        frames = []
        for step in range(steps):
            fig = draw(animation, step, result)
            if animation.numbers and step == 0:
                style.save_png(fig, out / f"{animation.name}_00.png", hidpi=False)
                fig = draw(animation, step, result)
            frames.append(style.frame(fig))
            style.plt.close(fig)
        durations = [animation.frame_ms] * (steps - 1) + [2500]  # rest on the finished output
        style.save_gif(frames, out / f"{animation.name}.gif", durations)


if __name__ == "__main__":
    style.run(make, OUTPUTS)
