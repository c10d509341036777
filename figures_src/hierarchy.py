"""A handwritten 4, the hierarchy of features a deep convnet learns (edges, then parts, then
objects), and a trained network's answer for a digit (the "neural networks = magic?" picture)."""
from pathlib import Path

import numpy as np

import digits
from lecture_tool import figure_style as style
from diagrams import arrow, box

OUTPUTS = ["four.png", "lecunconv.png", "nn-magic.png"]
ALT = {
    "four.png": "a handwritten 4, 8 by 8 grey pixels",
    "lecunconv.png":
        "A schematic of what the units of deeper and deeper layers respond to. Input: a photograph "
        "of a Chinese pagoda, as pixels. Layer 1, edges: oriented edges and bars at four angles. "
        "Layer 2, parts: edges put together into corners, a cross, a curve, a circle, a grid. "
        "Layer 3, objects: parts put together into a house, a face, a tree and a boat.",
    "nn-magic.png":
        "The pixels of a handwritten 4 go into a box labelled neural network, which gives the "
        "class probabilities of the digits 0 to 9: the bar of 4 reaches almost 1, the others stay "
        "at almost 0.",
}


def a_four() -> np.ndarray:
    images, labels = digits.data()
    return images[np.flatnonzero(labels == 4)[0], :, :, 0]


def nn_magic(out: Path, network) -> None:
    """Pixels in, class probabilities out: the trained network's real answer for the 4 that
    "Neural networks in one slide" shows too."""
    four = a_four()
    p = network.probabilities(four[None, :, :, None])[0]
    style.record("four_digit", int(p.argmax()))
    style.record("four_p", float(p.max()))
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


def gabor(theta: float, phase: float, size: int = 33) -> np.ndarray:
    """An oriented edge (phase 90°) or bar (phase 0°) detector: what first layers learn."""
    y, x = np.mgrid[-1:1:size * 1j, -1:1:size * 1j]
    along = x * np.cos(theta) + y * np.sin(theta)
    return np.exp(-(x ** 2 + y ** 2) / 0.45) * np.cos(2 * np.pi * 1.1 * along + phase)


def draw_part(axis, kind: int) -> None:
    """Layer 2: a few edges put together."""
    line = {"color": style.INK, "lw": 4, "solid_capstyle": "round"}
    if kind == 0:  # corner
        axis.plot([0.25, 0.25, 0.75], [0.75, 0.25, 0.25], **line)
    elif kind == 1:  # T junction
        axis.plot([0.2, 0.8], [0.7, 0.7], **line)
        axis.plot([0.5, 0.5], [0.7, 0.2], **line)
    elif kind == 2:  # cross
        axis.plot([0.2, 0.8], [0.5, 0.5], **line)
        axis.plot([0.5, 0.5], [0.2, 0.8], **line)
    elif kind == 3:  # circle
        axis.add_patch(style.plt.Circle((0.5, 0.5), 0.28, fill=False, edgecolor=style.INK, lw=4))
    elif kind == 4:  # arc
        t = np.linspace(np.pi * 1.1, np.pi * 1.9, 30)
        axis.plot(0.5 + 0.32 * np.cos(t), 0.7 + 0.32 * np.sin(t), **line)
    elif kind == 5:  # stripes
        for y in (0.3, 0.5, 0.7):
            axis.plot([0.2, 0.8], [y, y], **line)
    elif kind == 6:  # roof
        axis.plot([0.15, 0.5, 0.85], [0.3, 0.75, 0.3], **line)
    else:  # grid
        axis.add_patch(style.plt.Rectangle((0.25, 0.25), 0.5, 0.5, fill=False, edgecolor=style.INK, lw=4))
        axis.plot([0.5, 0.5], [0.25, 0.75], **line)
        axis.plot([0.25, 0.75], [0.5, 0.5], **line)


def draw_object(axis, kind: int) -> None:
    """Layer 3: parts put together into things."""
    edge = {"edgecolor": style.INK, "lw": 2.5}
    if kind == 0:  # house: a roof, a wall, a window grid, a door
        axis.add_patch(style.plt.Rectangle((0.22, 0.12), 0.56, 0.45, facecolor=style.LIGHT_ORANGE, **edge))
        axis.add_patch(style.plt.Polygon([(0.14, 0.57), (0.5, 0.88), (0.86, 0.57)], facecolor=style.RED, **edge))
        axis.add_patch(style.plt.Rectangle((0.3, 0.32), 0.17, 0.17, facecolor=style.LIGHT_BLUE, **edge))
        axis.add_patch(style.plt.Rectangle((0.56, 0.12), 0.14, 0.26, facecolor=style.NAVY, **edge))
    elif kind == 1:  # face: a circle, two dots, an arc
        axis.add_patch(style.plt.Circle((0.5, 0.5), 0.36, facecolor=style.LIGHT_ORANGE, **edge))
        for x in (0.37, 0.63):
            axis.add_patch(style.plt.Circle((x, 0.6), 0.05, facecolor=style.INK))
        t = np.linspace(np.pi * 1.2, np.pi * 1.8, 30)
        axis.plot(0.5 + 0.2 * np.cos(t), 0.48 + 0.2 * np.sin(t), color=style.INK, lw=2.5)
    elif kind == 2:  # tree: triangles on a trunk
        axis.add_patch(style.plt.Rectangle((0.44, 0.1), 0.12, 0.22, facecolor=style.ORANGE, **edge))
        for base, top in ((0.3, 0.65), (0.48, 0.88)):
            axis.add_patch(style.plt.Polygon([(0.2, base), (0.5, top), (0.8, base)],
                                             facecolor=style.GREEN, **edge))
    else:  # boat: a hull, a mast, a sail
        axis.add_patch(style.plt.Polygon([(0.12, 0.3), (0.88, 0.3), (0.74, 0.14), (0.26, 0.14)],
                                         facecolor=style.BLUE, **edge))
        axis.plot([0.5, 0.5], [0.3, 0.88], color=style.INK, lw=2.5)
        axis.add_patch(style.plt.Polygon([(0.53, 0.86), (0.53, 0.36), (0.82, 0.36)],
                                         facecolor="white", **edge))


def hierarchy(out: Path) -> None:
    """Input pixels, then what the units of deeper and deeper layers respond to: edges, parts
    made of edges, objects made of parts. A schematic, drawn after the feature visualisations
    of Zeiler and Fergus (2014)."""
    from matplotlib.patches import FancyArrowPatch
    from sklearn.datasets import load_sample_image

    fig = style.plt.figure(figsize=(style.CONTENT_WIDTH_IN, 4.3), dpi=style.DPI)

    def tiles(left, width, rows, columns, top=0.8, height=0.6, gap=0.012):
        w = (width - gap * (columns - 1)) / columns
        h = (height - gap * 2.6 * (rows - 1)) / rows
        for r in range(rows):
            for c in range(columns):
                axis = fig.add_axes([left + c * (w + gap), top - (r + 1) * h - r * gap * 2.6, w, h])
                axis.set_xticks([])
                axis.set_yticks([])
                axis.set_xlim(0, 1)
                axis.set_ylim(0, 1)
                axis.set_aspect("equal", adjustable="box", anchor="C")
                for spine in axis.spines.values():
                    spine.set_visible(True)
                    spine.set_color(style.GREY)
                yield axis

    def heading(x, text, note):
        fig.text(x, 0.93, text, ha="center", va="center", fontsize=17, color=style.NAVY,
                 fontweight="bold")
        fig.text(x, 0.1, note, ha="center", va="center", fontsize=14, color=style.INK,
                 linespacing=1.15)

    # The input, set apart: a grey panel with its own heading.
    photo = load_sample_image("china.jpg")[40:400, 60:420]
    fig.patches.append(style.plt.Rectangle((0.005, 0.02), 0.2, 0.96, transform=fig.transFigure,
                                           facecolor=style.LIGHT_GREY, edgecolor="none", zorder=-1))
    picture = fig.add_axes([0.02, 0.24, 0.17, 0.17 * 11.6 / 4.3])
    picture.imshow(photo)
    picture.set_xticks([])
    picture.set_yticks([])
    heading(0.105, "input", "pixels")

    columns = [(0.25, 0.2, "layer 1: edges", "oriented edges\nand bars"),
               (0.5, 0.2, "layer 2: parts", "edges put together:\ncorners, curves, grids"),
               (0.75, 0.235, "layer 3: objects", "parts put together:\nwhole things")]
    for i, (left, width, text, note) in enumerate(columns):
        heading(left + width / 2, text, note)
        if i < 2:
            fig.patches.append(FancyArrowPatch((left + width + 0.008, 0.5), (columns[i + 1][0] - 0.008, 0.5),
                                               transform=fig.transFigure, arrowstyle="-|>",
                                               mutation_scale=22, color=style.NAVY, lw=2.5))
    fig.patches.append(FancyArrowPatch((0.21, 0.5), (0.242, 0.5), transform=fig.transFigure,
                                       arrowstyle="-|>", mutation_scale=22, color=style.NAVY, lw=2.5))
    for k, axis in enumerate(tiles(0.25, 0.2, 4, 4)):
        axis.imshow(gabor(np.pi * (k % 4) / 4, np.pi / 2 * (k // 4 % 2) + np.pi * (k // 8)),
                    cmap="gray", vmin=-1, vmax=1, extent=(0, 1, 0, 1))
    for k, axis in enumerate(tiles(0.5, 0.2, 4, 2, gap=0.02)):
        axis.set_facecolor("white")
        draw_part(axis, k)
    for k, axis in enumerate(tiles(0.75, 0.235, 2, 2, gap=0.015)):
        draw_object(axis, k)
    style.save_png(fig, out / "lecunconv.png")


def make(out: Path) -> None:
    four = a_four()
    fig, axis = style.plt.subplots(figsize=(1.2, 1.2), dpi=style.DPI)
    axis.imshow(four, cmap="gray_r", interpolation="nearest")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    style.save_png(fig, out / "four.png")

    network = digits.trained_model()
    hierarchy(out)
    nn_magic(out, network)
    style.record("test_accuracy", digits.accuracy(network))


if __name__ == "__main__":
    style.run(make, OUTPUTS)
