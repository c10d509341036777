"""What a trained convnet sees: a handwritten 4, the filters and feature maps of its layers, and
its answer for a digit (the "neural networks = magic?" picture)."""
from pathlib import Path

import numpy as np

import digits
from lecture_tool import figure_style as style
from diagrams import arrow, box

OUTPUTS = ["four.png", "lecunconv.png", "nn-magic.png"]


def a_four() -> np.ndarray:
    images, labels = digits.data()
    return images[np.flatnonzero(labels == 4)[0], :, :, 0]


def nn_magic(out: Path, model) -> None:
    """Pixels in, class probabilities out: the trained network's real answer for the 4 that
    "Neural networks in one slide" shows too."""
    four = a_four()
    p = model.predict(four[None, :, :, None], verbose=0)[0]
    fig = style.plt.figure(figsize=(0.5 * style.CONTENT_WIDTH_IN, 2.4), dpi=style.DPI)
    image = fig.add_axes([0.02, 0.2, 0.2, 0.6])
    image.imshow(four, cmap="gray_r", interpolation="nearest")
    image.axis("off")  # the style keeps only the left and bottom spines: half a frame
    image.set_title("pixels", fontsize=14)
    middle = fig.add_axes([0.28, 0.1, 0.3, 0.8])
    middle.set_xlim(0, 3)
    middle.set_ylim(0, 3)
    middle.axis("off")
    box(middle, 1.5, 1.5, "neural\nnetwork", width=1.8, height=1.5, colour=style.NAVY, size=15)
    middle.texts[-1].set_color("white")
    arrow(middle, (0.0, 1.5), (0.55, 1.5))
    arrow(middle, (2.45, 1.5), (3.0, 1.5))
    bars = fig.add_axes([0.66, 0.2, 0.32, 0.6])
    bars.bar(range(10), p, color=[style.GREEN if k == p.argmax() else style.LIGHT_GREY for k in range(10)],
             edgecolor=style.INK, lw=0.6)
    bars.set_xticks(range(10))
    bars.set_yticks([0, 1])
    bars.set_ylim(0, 1)
    bars.set_title("class probabilities", fontsize=14)
    style.save_png(fig, out / "nn-magic.png")


def make(out: Path) -> None:
    four = a_four()
    fig, axis = style.plt.subplots(figsize=(1.2, 1.2), dpi=style.DPI)
    axis.imshow(four, cmap="gray_r", interpolation="nearest")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    style.save_png(fig, out / "four.png")

    import keras

    model = digits.trained_model()
    layers = ["conv1", "conv2", "conv3"]
    probe = keras.Model(model.inputs, [model.get_layer(name).output for name in layers])
    maps = [m[0] for m in probe.predict(four[None, :, :, None], verbose=0)]
    filters = model.get_layer("conv1").get_weights()[0][:, :, 0, :]  # (3, 3, 8)
    columns = 8
    fig, axes = style.figure(1.0, 5.0, nrows=4, ncols=columns + 1,
                             gridspec_kw={"width_ratios": [1.6] + [1] * columns})
    rows = [("layer 1 filters", [filters[:, :, k] for k in range(8)], "coolwarm"),
            ("layer 1 maps", [maps[0][:, :, k] for k in range(8)], "viridis"),
            ("layer 2 maps", [maps[1][:, :, k] for k in range(8)], "viridis"),
            ("layer 3 maps", [maps[2][:, :, k] for k in range(8)], "viridis")]
    for row, (label, images, cmap) in enumerate(rows):
        axes[row, 0].imshow(four if row == 0 else np.zeros((8, 8)), cmap="gray_r",
                            interpolation="nearest", alpha=1.0 if row == 0 else 0)
        axes[row, 0].text(-0.15, 0.5, label, transform=axes[row, 0].transAxes, ha="right",
                          va="center", fontsize=14, color=style.NAVY)
        for k, image in enumerate(images):
            axes[row, k + 1].imshow(image, cmap=cmap, interpolation="nearest")
        for axis in axes[row]:
            axis.set_xticks([])
            axis.set_yticks([])
            for spine in axis.spines.values():
                spine.set_visible(row == 0 or axis is not axes[row, 0])
    axes[0, 0].set_title("input", fontsize=14, color=style.NAVY)
    shape = lambda name: "×".join(str(d) for d in model.get_layer(name).output.shape[1:])  # noqa: E731
    for row, name in zip((1, 2, 3), layers):
        axes[row, columns].text(1.1, 0.5, shape(name), transform=axes[row, columns].transAxes,
                                va="center", fontsize=13, color=style.GREY)
    fig.subplots_adjust(left=0.17, right=0.9, top=0.93, bottom=0.02, wspace=0.12, hspace=0.15)
    style.save_png(fig, out / "lecunconv.png")
    nn_magic(out, model)


if __name__ == "__main__":
    style.run(make, OUTPUTS)
