"""2x2 pooling of a small feature map: maximum and average, computed by Keras' own layers."""
from pathlib import Path

import numpy as np

from lecture_tool import figure_style as style

OUTPUTS = ["pooling.png"]
ALT = {"pooling.png": "A 4×4 feature map in four coloured 2×2 blocks, row by row 1 3 2 0, 5 6 1 2, "
                      "7 2 9 4, 0 1 3 8. Arrows lead to two 2×2 results: the maximum of each block, "
                      "6 2 and 7 9, and the average of each block, 3.75 1.25 and 2.50 6.00."}

FEATURE_MAP = np.array([[1, 3, 2, 0],
                        [5, 6, 1, 2],
                        [7, 2, 9, 4],
                        [0, 1, 3, 8]], dtype="float32")
BLOCK_COLOURS = [style.LIGHT_BLUE, "#fde2c8", style.LIGHT_GREEN, "#f6d5d2"]


def pool(feature_map: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(max, average) of each 2x2 block with stride 2, by MaxPool2D and AveragePooling2D."""
    import keras

    batch = feature_map[None, :, :, None]  # (batch, height, width, channels)
    maximum = keras.layers.MaxPool2D(pool_size=2, strides=2)(batch)
    average = keras.layers.AveragePooling2D(pool_size=2, strides=2)(batch)
    return (keras.ops.convert_to_numpy(maximum)[0, :, :, 0],
            keras.ops.convert_to_numpy(average)[0, :, :, 0])


def draw_grid(axis, values: np.ndarray, x0: float, y0: float, cell: float, colour_of, fmt: str):
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            x, y = x0 + c * cell, y0 + (rows - 1 - r) * cell
            axis.add_patch(style.plt.Rectangle((x, y), cell, cell, facecolor=colour_of(r, c),
                                               edgecolor=style.INK, linewidth=1.5))
            axis.text(x + cell / 2, y + cell / 2, fmt.format(values[r, c]), ha="center",
                      va="center", fontsize=17)


def make(out: Path) -> None:
    maximum, average = pool(FEATURE_MAP)
    block = lambda r, c: BLOCK_COLOURS[(r // 2) * 2 + c // 2]  # noqa: E731
    pooled = lambda r, c: BLOCK_COLOURS[r * 2 + c]  # noqa: E731
    fig, axis = style.figure(0.8, 3.3)
    cell = 1.0
    draw_grid(axis, FEATURE_MAP, 0, 0, cell, block, "{:.0f}")
    draw_grid(axis, maximum, 6.5, 2.35, cell, pooled, "{:.0f}")
    draw_grid(axis, average, 6.5, -0.35, cell, pooled, "{:.2f}")
    axis.text(2, 4.3, "feature map (4×4)", ha="center", fontsize=15, color=style.NAVY)
    axis.text(8.75, 3.35, "max of each\n2×2 block", va="center", fontsize=15, color=style.NAVY)
    axis.text(8.75, 0.65, "average of each\n2×2 block", va="center", fontsize=15, color=style.NAVY)
    for y_from, y_to in ((2.9, 3.35), (1.1, 0.65)):
        axis.annotate("", xy=(6.35, y_to), xytext=(4.25, y_from),
                      arrowprops={"arrowstyle": "-|>", "color": style.NAVY, "linewidth": 2})
    axis.set_xlim(-0.1, 11.6)
    axis.set_ylim(-0.45, 4.75)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    style.save_png(fig, out / "pooling.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
