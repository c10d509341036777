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
ALT = {
    "numerical_no_padding_no_strides.gif":
        "Animation, one step a frame: a 3×3 window with the weights 1, 0, -1 in each row slides over "
        "a 5×5 image of small numbers, left to right and top to bottom; at each position its "
        "weighted sum (with bias 0) fills the next cell of a 3×3 grid, and the relu of it the next "
        "cell of the 3×3 output. The sums are 4, 1, -3, -1, 0, 2, 1, 5, 0; the outputs 4, 1, 0, 0, "
        "0, 2, 1, 5, 0.",
    "numerical_no_padding_no_strides_00.png":
        "A 3×3 window with the weights 1, 0, -1 in each row lies over the top left corner of a 5×5 "
        "image of small numbers; its weighted sum, 4 (with bias 0), is the first cell of a 3×3 "
        "grid, and the relu of it, 4, the first cell of the 3×3 output.",
    "no_padding_strides.gif":
        "Animation: a 3×3 window moves over a 5×5 input two cells at a time (stride 2), to four "
        "positions, and fills a 2×2 output one cell per position.",
    "same_padding_no_strides.gif":
        "Animation: the 5×5 input with a border of padding one cell wide, drawn dashed; a 3×3 window "
        "slides over it one cell at a time, to 25 positions, and fills a 5×5 output as big as the "
        "input.",
}

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
    Animation("numerical_no_padding_no_strides", padding=0, stride=1, numbers=True, width=0.85,
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


def relu(values: np.ndarray) -> np.ndarray:
    """The activation the slide applies to each weighted sum: max(0, value)."""
    return np.maximum(values, 0)


def minus(value) -> str:
    """A number with a real minus sign, which reads better than a hyphen at a distance."""
    return str(value).replace("-", "\N{MINUS SIGN}")


def grid(axis, x0, y_top, values, shown: int, step: int, colour, light, size):
    """A square of output cells: those before `step` filled in, `step` itself highlighted,
    the first `shown` of them with their number."""
    n = values.shape[0]
    for r in range(n):
        for c in range(n):
            index = r * n + c
            done, current = index < step, index == step
            axis.add_patch(style.plt.Rectangle((x0 + c, y_top - r - 1), 1, 1,
                                               facecolor=colour if current else light if done else "white",
                                               edgecolor=colour, linewidth=1.2))
            if index < shown:
                axis.text(x0 + c + 0.5, y_top - r - 0.5, minus(values[r, c]), ha="center",
                          va="center", fontsize=size, color="white" if current else style.INK,
                          fontweight="bold" if current else "normal")


def draw_input(axis, animation: Animation, step: int, n_out: int, x0: float, top: float,
               pixel_size: float, weight_size: float):
    """The (padded) input with the kernel's window over it; with numbers, each pixel's value and,
    under the window, the weight it is multiplied by."""
    padded = np.pad(INPUT, animation.padding)
    n_in, f = padded.shape[0], KERNEL.shape[0]
    row, col = divmod(step, n_out)
    r0, c0 = row * animation.stride, col * animation.stride
    inside = range(animation.padding, n_in - animation.padding)
    for r in range(n_in):
        for c in range(n_in):
            is_padding = r not in inside or c not in inside
            axis.add_patch(style.plt.Rectangle(
                (x0 + c, top - r - 1), 1, 1, facecolor="white" if is_padding else style.LIGHT_BLUE,
                edgecolor=style.GREY if is_padding else style.BLUE, linewidth=1.2,
                linestyle="--" if is_padding else "-"))
            if not animation.numbers or is_padding:
                continue  # padding shows no number
            if 0 <= r - r0 < f and 0 <= c - c0 < f:
                # Under the window the weight takes the top right of the cell: the pixel moves
                # to the bottom left, so that both stay readable.
                axis.text(x0 + c + 0.07, top - r - 0.95, str(padded[r, c]), ha="left",
                          va="bottom", fontsize=pixel_size)
            else:
                axis.text(x0 + c + 0.5, top - r - 0.5, str(padded[r, c]), ha="center",
                          va="center", fontsize=pixel_size)
    axis.add_patch(style.plt.Rectangle((x0 + c0, top - r0 - f), f, f, facecolor=style.NAVY,
                                       alpha=0.22, edgecolor=style.NAVY, linewidth=3))
    if animation.numbers:
        for r in range(f):
            for c in range(f):
                axis.text(x0 + c0 + c + 0.96, top - r0 - r - 0.04, f"×{minus(KERNEL[r, c])}",
                          ha="right", va="top", fontsize=weight_size, color=style.NAVY,
                          fontweight="bold")


def finish(fig, axis, width_cells: float, height_cells: float):
    axis.set_xlim(-0.05, width_cells + 0.05)
    axis.set_ylim(-0.05, height_cells + 0.05)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(left=0, right=1, top=1, bottom=0)
    return fig


# The numbered animation, laid out in cells: the input's label at its left, the input, then the
# weighted sums and, after the relu, the activations, each grid with its label above it and its
# size below, in the rows the 5×5 input leaves free beside a 3×3 grid.
LABEL_CELLS, GAP_CELLS, RELU_GAP_CELLS = 1.7, 1.5, 2.0


def draw_numbers(animation: Animation, step: int, result: np.ndarray):
    """Frame `step` of the numbered animation: the window over the input, the weighted sum
    w·x + b it gives (b = 0 here) and its activation relu(w·x + b), with those of the earlier
    steps."""
    n_in, n_out = INPUT.shape[0], result.shape[0]
    width_cells = LABEL_CELLS + n_in + GAP_CELLS + n_out + RELU_GAP_CELLS + n_out
    height_cells = n_in
    fig, axis = style.figure(animation.width, animation.width * style.CONTENT_WIDTH_IN
                             * (height_cells + 0.1) / (width_cells + 0.1))
    top = n_in
    axis.text(LABEL_CELLS - 0.25, top / 2, f"image\n{n_in}×{n_in}", ha="right", va="center",
              fontsize=16, color=style.NAVY, linespacing=1.3)
    draw_input(axis, animation, step, n_out, LABEL_CELLS, top, pixel_size=17, weight_size=14)

    x_sum = LABEL_CELLS + n_in + GAP_CELLS
    x_relu = x_sum + n_out + RELU_GAP_CELLS
    y_top = top - (n_in - n_out) / 2
    grid(axis, x_sum, y_top, result, step + 1, step, style.GREEN, style.LIGHT_GREEN, 17)
    grid(axis, x_relu, y_top, relu(result), step + 1, step, style.ORANGE, style.LIGHT_ORANGE, 17)
    above, below = y_top + 0.2, y_top - n_out - 0.2
    axis.text(x_sum + n_out / 2, above, "$\\mathbf{w}^T x + b$", ha="center", va="bottom",
              fontsize=17, color=style.NAVY)
    axis.text(x_sum + n_out / 2, below, "with $b = 0$", ha="center", va="top", fontsize=15,
              color=style.NAVY)
    axis.text(x_relu + n_out / 2, above, "activation $z$", ha="center", va="bottom", fontsize=17,
              color=style.NAVY)
    axis.text(x_relu + n_out / 2, below, f"output {n_out}×{n_out}", ha="center", va="top",
              fontsize=15, color=style.NAVY)
    # relu: the weighted sums go through max(0, ·); the arrow says so.
    middle = y_top - n_out / 2
    axis.annotate("", xy=(x_relu - 0.15, middle), xytext=(x_sum + n_out + 0.15, middle),
                  arrowprops={"arrowstyle": "-|>", "color": style.INK, "lw": 2,
                              "mutation_scale": 18})
    axis.text(x_sum + n_out + RELU_GAP_CELLS / 2, middle + 0.15, "relu", ha="center",
              va="bottom", fontsize=16, color=style.INK)
    return finish(fig, axis, width_cells, height_cells)


def draw(animation: Animation, step: int, result: np.ndarray):
    """Frame `step`: the window over the input, and the outputs computed so far."""
    if animation.numbers:
        return draw_numbers(animation, step, result)
    padded = np.pad(INPUT, animation.padding)
    n_in, n_out = padded.shape[0], result.shape[0]
    gap = 1.6
    width_cells, height_cells = n_in + gap + n_out, n_in + 1.3
    fig, axis = style.figure(animation.width, animation.width * style.CONTENT_WIDTH_IN
                             * height_cells / width_cells)
    top = n_in  # rows are drawn from the top down
    draw_input(axis, animation, step, n_out, 0, top, pixel_size=15, weight_size=12)
    x0, y_top = n_in + gap, top - (n_in - n_out) / 2
    grid(axis, x0, y_top, result, 0, step, style.GREEN, style.LIGHT_GREEN, 15)
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
