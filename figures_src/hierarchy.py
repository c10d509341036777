"""What a trained convnet sees: a handwritten 4, and the filters and feature maps of its layers."""
from pathlib import Path

import numpy as np

import digits
import lecture_style as style

OUTPUTS = ["four.png", "lecunconv.png"]


def a_four() -> np.ndarray:
    images, labels = digits.data()
    return images[np.flatnonzero(labels == 4)[0], :, :, 0]


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


if __name__ == "__main__":
    style.run(make, OUTPUTS)
