"""Network diagrams: neurons, layers, computation graphs and the two ways to build a pipeline.

Drawn in the spirit of F. Fleuret's deep-learning course figures (EPFL), with our own drawing.
The boxes and arrows here are shared with `hierarchy.py`'s nn-magic figure.
"""
from pathlib import Path

import numpy as np

from lecture_tool import figure_style as style

OUTPUTS = ["fully-connected-nn.png", "simple-neuron.png", "simple-neuron-2.png",
           "two-layer.png", "nn-as-dag.png", "deep-nns.png", "traditional-pipeline.png",
           "deep-pipeline.png", "residualblock.png"]

ARROW = {"arrowstyle": "-|>", "color": style.INK, "lw": 1.6, "shrinkA": 0, "shrinkB": 0,
         "mutation_scale": 14}


def canvas(width: float, height_in: float, xlim, ylim):
    fig, axis = style.figure(width, height_in)
    axis.set_xlim(*xlim)
    axis.set_ylim(*ylim)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    return fig, axis


def box(axis, x, y, text, width=1.6, height=0.8, colour=style.LIGHT_BLUE, size=14, edge=style.INK):
    """A rounded box centred on (x, y); returns its left and right edge points."""
    from matplotlib.patches import FancyBboxPatch

    axis.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                  boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=colour,
                                  edgecolor=edge, lw=1.4))
    axis.text(x, y, text, ha="center", va="center", fontsize=size, color=style.INK)
    return (x - width / 2, y), (x + width / 2, y)


def node(axis, x, y, text="", radius=0.28, colour="white", size=14):
    axis.add_patch(style.plt.Circle((x, y), radius, facecolor=colour, edgecolor=style.INK, lw=1.4,
                                    zorder=3))
    if text:
        axis.text(x, y, text, ha="center", va="center", fontsize=size, zorder=4)


def arrow(axis, start, end, text="", colour=style.INK, offset=0.18, size=13, **extra):
    axis.annotate("", xy=end, xytext=start, arrowprops={**ARROW, "color": colour, **extra})
    if text:
        axis.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + offset, text, ha="center",
                  va="bottom", fontsize=size, color=style.NAVY)


def layered(axis, sizes, x_gap=1.6, y_gap=0.75, colours=None, radius=0.22):
    """Nodes in columns, every node of a column joined to every node of the next."""
    positions = []
    for column, size in enumerate(sizes):
        ys = (np.arange(size) - (size - 1) / 2) * y_gap
        positions.append([(column * x_gap, y) for y in ys])
    for left, right in zip(positions, positions[1:]):
        for a in left:
            for b in right:
                axis.plot([a[0], b[0]], [a[1], b[1]], color=style.GREY, lw=0.9, zorder=1)
    for column, column_positions in enumerate(positions):
        colour = colours[column] if colours else "white"
        for x, y in column_positions:
            node(axis, x, y, radius=radius, colour=colour)
    return positions


def fully_connected(out: Path) -> None:
    fig, axis = canvas(1.0, 3.6, (-1.2, 7.6), (-2.2, 1.9))
    sizes = [4, 6, 6, 3]
    colours = [style.LIGHT_BLUE, "white", "white", style.LIGHT_GREEN]
    positions = layered(axis, sizes, x_gap=2.1, y_gap=0.62, colours=colours)
    for column, name in enumerate(["input layer", "hidden layer 1", "hidden layer 2", "output layer"]):
        axis.text(positions[column][0][0], -2.1, name, ha="center", fontsize=14, color=style.NAVY)
    style.save_png(fig, out / "fully-connected-nn.png")


def simple_neuron(out: Path) -> None:
    fig, axis = canvas(0.5, 2.6, (-0.8, 6.4), (-1.5, 1.3))
    for i, y in enumerate([0.8, 0, -0.8]):
        node(axis, 0, y, f"$x_{i + 1}$", colour=style.LIGHT_BLUE, size=13)
        arrow(axis, (0.3, y), (2.1, 0.05 * -y), f"$w_{i + 1}$", offset=0.02 if y else 0.05)
    node(axis, 2.5, 0, "Σ", radius=0.4, size=18, colour=style.LIGHT_GREY)
    axis.text(2.5, -0.75, "$+\\,b$", ha="center", fontsize=14)
    arrow(axis, (2.9, 0), (3.7, 0))
    node(axis, 4.1, 0, "σ", radius=0.4, size=18, colour=style.LIGHT_GREEN)
    arrow(axis, (4.5, 0), (5.5, 0))
    axis.text(5.6, 0, "$f(x)$", va="center", fontsize=15)
    style.save_png(fig, out / "simple-neuron.png")


def computation(axis, steps, y=0.0, start=0.0, gap=0.55):
    """Boxes joined by arrows, left to right: a computation graph. Returns the last right edge."""
    x = start
    previous = None
    for text, width, colour in steps:
        left, right = box(axis, x + width / 2, y, text, width=width, height=0.7, colour=colour)
        if previous is not None:
            arrow(axis, previous, left)
        previous = right
        x += width + gap
    return previous


def simple_neuron_2(out: Path) -> None:
    fig, axis = canvas(0.5, 1.7, (-0.1, 8.4), (-0.9, 0.9))
    computation(axis, [("$x$", 0.8, style.LIGHT_BLUE), ("$w \\cdot x$", 1.4, "white"),
                       ("$+\\, b$", 1.1, "white"), ("$\\sigma$", 0.9, style.LIGHT_GREEN),
                       ("$f(x)$", 1.1, style.LIGHT_GREY)])
    style.save_png(fig, out / "simple-neuron-2.png")


def two_layer(out: Path) -> None:
    fig, axis = canvas(1.0, 1.6, (-0.1, 15.2), (-0.8, 0.8))
    computation(axis, [("$x$", 0.8, style.LIGHT_BLUE), ("$\\times W^{(1)}$", 1.5, "white"),
                       ("$+\\, b^{(1)}$", 1.5, "white"), ("$\\sigma$", 0.8, style.LIGHT_GREEN),
                       ("$h$", 0.8, style.LIGHT_GREY), ("$\\times W^{(2)}$", 1.5, "white"),
                       ("$+\\, b^{(2)}$", 1.5, "white"), ("$\\sigma$", 0.8, style.LIGHT_GREEN),
                       ("$f(x)$", 1.1, style.LIGHT_GREY)], gap=0.45)
    style.save_png(fig, out / "two-layer.png")


def nn_as_dag(out: Path) -> None:
    fig, axis = canvas(0.8, 3.0, (-0.2, 10.6), (-1.9, 1.9))
    places = {"x": (0.5, 0), "a": (2.8, 1.1), "b": (2.8, -1.1), "c": (5.3, 1.1), "d": (5.3, -1.1),
              "e": (7.6, 0), "y": (9.8, 0)}
    labels = {"x": ("$x$", style.LIGHT_BLUE), "a": ("$\\phi_1$", "white"), "b": ("$\\phi_2$", "white"),
              "c": ("$\\phi_3$", "white"), "d": ("$\\phi_4$", "white"), "e": ("$\\phi_5$", "white"),
              "y": ("$f(x)$", style.LIGHT_GREY)}
    for key, (x, y) in places.items():
        text, colour = labels[key]
        box(axis, x, y, text, width=1.2, height=0.7, colour=colour)
    for a, b in [("x", "a"), ("x", "b"), ("a", "c"), ("b", "c"), ("b", "d"), ("c", "e"), ("d", "e"),
                 ("a", "e"), ("e", "y")]:
        (x0, y0), (x1, y1) = places[a], places[b]
        arrow(axis, (x0 + 0.6, y0), (x1 - 0.6, y1))
    axis.text(5.3, -1.85, "each $\\phi_k$ has its own parameters $w_k$", ha="center", fontsize=13,
              color=style.NAVY)
    style.save_png(fig, out / "nn-as-dag.png")


def deep_nns(out: Path) -> None:
    fig, axis = canvas(1.0, 3.0, (-0.8, 16.6), (-2.1, 1.7))
    sizes = [3, 5, 5, 5, 5, 5, 5, 5, 2]
    colours = [style.LIGHT_BLUE] + ["white"] * 7 + [style.LIGHT_GREEN]
    positions = layered(axis, sizes, x_gap=1.95, y_gap=0.6, colours=colours, radius=0.18)
    axis.annotate("", xy=(positions[-2][0][0], -1.75), xytext=(positions[1][0][0], -1.75),
                  arrowprops={"arrowstyle": "<->", "color": style.NAVY, "lw": 1.5})
    axis.text((positions[1][0][0] + positions[-2][0][0]) / 2, -2.05, "many hidden layers",
              ha="center", fontsize=14, color=style.NAVY)
    style.save_png(fig, out / "deep-nns.png")


def pipeline(out: Path, name: str, steps) -> None:
    fig, axis = canvas(1.0, 1.9, (-0.1, 17.0), (-1.0, 1.0))
    x = 0.0
    previous = None
    for text, width, colour, note in steps:
        left, right = box(axis, x + width / 2, 0.1, text, width=width, height=1.0, colour=colour, size=14)
        axis.text(x + width / 2, -0.75, note, ha="center", fontsize=13, color=style.GREY)
        if previous is not None:
            arrow(axis, previous, left)
        previous = right
        x += width + 0.7
    style.save_png(fig, out / name)


def residual_block(out: Path) -> None:
    fig, axis = canvas(0.4, 3.4, (-3.2, 3.4), (-0.4, 6.2))
    arrow(axis, (0, -0.3), (0, 0.95))
    axis.text(0.15, -0.25, "$x$", fontsize=15)
    box(axis, 0, 1.3, "weight layer", width=2.6, height=0.7)
    arrow(axis, (0, 1.65), (0, 2.35))
    axis.text(0.15, 1.85, "relu", fontsize=13)
    box(axis, 0, 2.7, "weight layer", width=2.6, height=0.7)
    arrow(axis, (0, 3.05), (0, 3.75))
    axis.text(-1.5, 2.0, "$F(x)$", fontsize=15, color=style.NAVY, ha="right")
    node(axis, 0, 4.05, "+", radius=0.3, size=16, colour=style.LIGHT_GREEN)
    # The shortcut: x goes around the two layers and is added back.
    axis.plot([0, 2.1, 2.1], [0.35, 0.35, 4.05], color=style.NAVY, lw=1.6)
    arrow(axis, (2.1, 4.05), (0.3, 4.05), colour=style.NAVY)
    axis.text(2.25, 2.2, "$x$\nidentity", fontsize=13, color=style.NAVY, va="center")
    arrow(axis, (0, 4.35), (0, 5.2))
    axis.text(0.15, 4.6, "relu", fontsize=13)
    axis.text(0, 5.45, "$F(x) + x$", ha="center", fontsize=15)
    style.save_png(fig, out / "residualblock.png")


def make(out: Path) -> None:
    fully_connected(out)
    simple_neuron(out)
    simple_neuron_2(out)
    two_layer(out)
    nn_as_dag(out)
    deep_nns(out)
    trainable, fixed = style.LIGHT_GREEN, style.LIGHT_GREY
    pipeline(out, "traditional-pipeline.png", [
        ("raw data", 2.2, style.LIGHT_BLUE, "pixels, sound"),
        ("hand-designed\nfeatures", 3.2, fixed, "fixed"),
        ("classifier", 2.6, trainable, "trained"),
        ("output", 2.0, style.LIGHT_BLUE, "class")])
    pipeline(out, "deep-pipeline.png", [
        ("raw data", 2.2, style.LIGHT_BLUE, "pixels, sound"),
        ("layer 1", 1.8, trainable, "trained"),
        ("layer 2", 1.8, trainable, "trained"),
        ("…", 0.9, "white", ""),
        ("layer n", 1.8, trainable, "trained"),
        ("classifier", 2.2, trainable, "trained"),
        ("output", 1.7, style.LIGHT_BLUE, "class")])
    residual_block(out)


if __name__ == "__main__":
    style.run(make, OUTPUTS)
