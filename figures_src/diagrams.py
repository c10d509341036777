"""Network diagrams: neurons, layers, computation graphs, what deep networks are trained to do,
and the two ways to build a pipeline.

The graphs are drawn in the spirit of F. Fleuret's deep-learning course figures (EPFL), with our
own drawing; the photograph is scikit-learn's bundled sample image.
The boxes and arrows here are shared with `hierarchy.py`'s nn-magic figure.
"""
from pathlib import Path

import numpy as np

from lecture_tool import figure_style as style

OUTPUTS = ["fully-connected-nn.png", "simple-neuron.png", "simple-neuron-2.png",
           "two-layer.png", "nn-as-dag.png", "deep-nns.png", "traditional-pipeline.png",
           "deep-pipeline.png", "residualblock.png"]
ALT = {
    "fully-connected-nn.png":
        "A fully connected network drawn as circles in four columns: an input layer of 4, two hidden "
        "layers of 6 and an output layer of 3; every circle of a column is joined to every circle of "
        "the next.",
    "simple-neuron.png":
        "A neuron as a graph: each input x1, x2, x3 is multiplied by its own weight w1, w2, w3, the "
        "three products are summed, the bias b is added, and σ of the result is f(x). Values are "
        "drawn as circles, learnt parameters (the weights and the bias) as orange squares, "
        "operations as dark boxes.",
    "simple-neuron-2.png":
        "The same neuron with vectors: the input x and the weights w meet in one dot product, the "
        "bias b is added, and σ of the result is f(x).",
    "two-layer.png":
        "Two layers in a row. Layer 1 multiplies x by W(1), adds b(1) and applies σ: h = σ(W(1) x "
        "+ b(1)). Layer 2 does the same to h with W(2) and b(2): f(x) = σ(W(2) h + b(2)).",
    "nn-as-dag.png":
        "A network as a directed acyclic graph of operations: x feeds φ1 and φ2; φ1 and φ2 feed φ3, "
        "φ2 feeds φ4, and φ3 and φ4 feed φ5, which gives f(x). The parameter w1 feeds both φ1 and "
        "φ3 (weight sharing, as in convolutions); w2 feeds φ2 and w3 feeds φ4.",
    "deep-nns.png":
        "One photograph of an orange dahlia, three times. Classification, what is in the picture: "
        "one label, flower. Detection, what and where: a box and a label around each of the two "
        "flowers. Segmentation, which pixels: the flowers' pixels painted green and outlined, the "
        "background dimmed.",
    "traditional-pipeline.png":
        "A pipeline of four boxes, left to right: raw data (pixels, sound), hand-designed features "
        "(fixed), a classifier (trained), the output (a class).",
    "deep-pipeline.png":
        "A pipeline of boxes, left to right: raw data (pixels, sound), layer 1, layer 2 and so on to "
        "layer n, a classifier, the output (a class); every layer and the classifier are trained.",
    "residualblock.png":
        "A residual block: x goes through a weight layer, a relu and a second weight layer, which "
        "together compute F(x); a skip connection carries x around both layers to an addition, and "
        "the relu of F(x) + x is the block's output.",
}

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


# Values, parameters and operations are three kinds of node, each with its own shape and colour on
# every graph of the lecture, so that what is learnt (the parameters) stands out from what flows.
PARAMETER_EDGE = style.ORANGE


def value(axis, x, y, text, radius=0.42, size=16, colour=style.LIGHT_BLUE):
    """A value (input, intermediate result or output): a circle, wider for a long name."""
    from matplotlib.patches import Ellipse

    width = max(2 * radius, 0.22 * len(text.strip("$")) + 0.2)
    patch = Ellipse((x, y), width, 2 * radius, facecolor=colour, edgecolor=style.INK, lw=1.5,
                    zorder=3)
    axis.add_patch(patch)
    axis.text(x, y, text, ha="center", va="center", fontsize=size, zorder=4)
    return patch


def parameter(axis, x, y, text, side=0.78, size=16):
    """A parameter, learnt by training: a rounded orange square."""
    from matplotlib.patches import FancyBboxPatch

    patch = FancyBboxPatch((x - side / 2, y - side / 2), side, side,
                           boxstyle=f"round,pad=0,rounding_size={side * 0.28}",
                           facecolor=style.LIGHT_ORANGE, edgecolor=PARAMETER_EDGE, lw=2.0, zorder=3)
    axis.add_patch(patch)
    axis.text(x, y, text, ha="center", va="center", fontsize=size, color=style.INK, zorder=4)
    return patch


def operation(axis, x, y, text, width=0.85, height=0.75, size=18):
    """An operation: a square navy box with its symbol in white."""
    patch = style.plt.Rectangle((x - width / 2, y - height / 2), width, height, facecolor=style.NAVY,
                                edgecolor=style.NAVY, lw=1.5, zorder=3)
    axis.add_patch(patch)
    axis.text(x, y, text, ha="center", va="center", fontsize=size, color="white", zorder=4)
    return patch


def centre(patch):
    if hasattr(patch, "center"):  # an ellipse
        return patch.center
    return patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2


def link(axis, source, target, colour=style.INK, lw=1.6, rad=0.0):
    """An arrow from one node's border to another's, clipped to both shapes: arrows that come
    from different places end at different points of a node's border."""
    from matplotlib.patches import FancyArrowPatch

    axis.add_patch(FancyArrowPatch(centre(source), centre(target), patchA=source, patchB=target,
                                   arrowstyle="-|>", mutation_scale=16, color=colour, lw=lw,
                                   shrinkA=1, shrinkB=2, connectionstyle=f"arc3,rad={rad}",
                                   zorder=2))


def legend(axis, x, y, size=14, gap=0.9, column=False):
    """The three kinds of node, in a row starting at (x, y), `gap` apart; or in a column going
    down from there, `gap` apart."""
    kinds = [("value", lambda u, v: value(axis, u, v, "", radius=0.22)),
             ("parameter (learnt)", lambda u, v: parameter(axis, u, v, "", side=0.42)),
             ("operation", lambda u, v: operation(axis, u, v, "", 0.44, 0.4))]
    renderer = axis.figure.canvas.get_renderer()
    for kind, draw in kinds:
        draw(x, y)
        label = axis.text(x + 0.36, y, kind, va="center", fontsize=size, color=style.INK)
        if column:
            y -= gap
            continue
        right = label.get_window_extent(renderer).transformed(axis.transData.inverted()).x1
        x = right + gap + 0.22


def graph_canvas(width: float, xlim, ylim):
    """A canvas whose height follows from the spans, so that a unit is as long both ways."""
    height_in = width * style.CONTENT_WIDTH_IN * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
    return canvas(width, height_in, xlim, ylim)


def simple_neuron(out: Path) -> None:
    """The neuron unit by unit: each input times its own weight, summed, plus a bias, squashed."""
    fig, axis = graph_canvas(0.5, (-0.2, 9.4), (-3.45, 2.9))
    total = operation(axis, 3.6, 0.15, "Σ")
    for i, y in enumerate([2.0, 0.15, -1.7]):
        times = operation(axis, 2.1, y, "×")
        link(axis, value(axis, 0.45, y + 0.45, f"$x_{i + 1}$", radius=0.34, size=15), times)
        link(axis, parameter(axis, 0.45, y - 0.45, f"$w_{i + 1}$", side=0.62, size=15), times,
             colour=PARAMETER_EDGE)
        link(axis, times, total)
    plus = operation(axis, 5.1, 0.15, "+")
    link(axis, total, plus)
    link(axis, parameter(axis, 5.1, 1.6, "$b$"), plus, colour=PARAMETER_EDGE)
    squash = operation(axis, 6.6, 0.15, "σ")
    link(axis, plus, squash)
    link(axis, squash, value(axis, 8.45, 0.15, "$f(x)$", colour=style.LIGHT_GREEN))
    legend(axis, 0.3, -3.05)
    style.save_png(fig, out / "simple-neuron.png")


def simple_neuron_2(out: Path) -> None:
    """The same neuron with vectors: one dot product between the input and the weights."""
    fig, axis = graph_canvas(0.5, (-0.2, 9.4), (-2.1, 2.3))
    x = value(axis, 0.5, 0, "$x$")
    dot = operation(axis, 2.2, 0, "·", size=24)
    link(axis, x, dot)
    link(axis, parameter(axis, 2.2, 1.5, "$w$"), dot, colour=PARAMETER_EDGE)
    plus = operation(axis, 4.0, 0, "+")
    link(axis, dot, plus)
    link(axis, parameter(axis, 4.0, 1.5, "$b$"), plus, colour=PARAMETER_EDGE)
    squash = operation(axis, 5.8, 0, "σ")
    link(axis, plus, squash)
    link(axis, squash, value(axis, 7.9, 0, "$f(x)$", colour=style.LIGHT_GREEN))
    legend(axis, 0.3, -1.5)
    style.save_png(fig, out / "simple-neuron-2.png")


def two_layer(out: Path) -> None:
    """Two layers in a row: the output of the first is the input of the second."""
    fig, axis = graph_canvas(1.0, (-0.3, 17.0), (-3.3, 2.6))
    step = 1.95
    previous = value(axis, 0.4, 0, "$x$", radius=0.5, size=19)
    for layer in (1, 2):
        start = 0.4 + step + (layer - 1) * 4 * step
        for k, (symbol, name) in enumerate([("×", f"$W^{{({layer})}}$"), ("+", f"$b^{{({layer})}}$")]):
            op = operation(axis, start + k * step, 0, symbol, width=1.0, height=0.9, size=22)
            link(axis, previous, op)
            link(axis, parameter(axis, start + k * step, 1.75, name, side=1.0, size=19), op,
                 colour=PARAMETER_EDGE)
            previous = op
        squash = operation(axis, start + 2 * step, 0, "σ", width=1.0, height=0.9, size=22)
        link(axis, previous, squash)
        result = value(axis, start + 3 * step, 0, "$h$" if layer == 1 else "$f(x)$", radius=0.5,
                       size=19, colour=style.LIGHT_BLUE if layer == 1 else style.LIGHT_GREEN)
        link(axis, squash, result)
        previous = result
        left, right = start - 0.5, start + 2 * step + 0.5
        axis.plot([left, left, right, right], [-0.75, -0.95, -0.95, -0.75], color=style.NAVY, lw=1.8)
        formula = ("$h = \\sigma(W^{(1)} x + b^{(1)})$" if layer == 1
                   else "$f(x) = \\sigma(W^{(2)} h + b^{(2)})$")
        axis.text((left + right) / 2, -1.15, f"layer {layer}:  {formula}", ha="center", va="top",
                  fontsize=18, color=style.NAVY)
    legend(axis, 3.6, -2.75, size=16, gap=1.5)
    style.save_png(fig, out / "two-layer.png")


def nn_as_dag(out: Path) -> None:
    """Any directed acyclic graph of operations is a network; one parameter may feed several."""
    fig, axis = graph_canvas(0.8, (-0.3, 12.3), (-3.75, 3.3))
    x = value(axis, 0.5, 0, "$x$")
    phi = {k: operation(axis, cx, cy, f"$\\phi_{k}$", width=1.0, size=17)
           for k, (cx, cy) in {1: (3.0, 1.2), 2: (3.0, -1.2), 3: (6.2, 1.2), 4: (6.2, -1.2),
                               5: (8.8, 0)}.items()}
    link(axis, x, phi[1])
    link(axis, x, phi[2])
    for a, b in [(1, 3), (2, 3), (2, 4), (3, 5), (4, 5)]:
        link(axis, phi[a], phi[b])
    link(axis, phi[5], value(axis, 11.0, 0, "$f(x)$", colour=style.LIGHT_GREEN))
    # The same numbers used in two places and learnt once, as a convolution's kernel is.
    shared = parameter(axis, 4.6, 2.75, "$w_1$")
    link(axis, shared, phi[1], colour=PARAMETER_EDGE, lw=2.4)
    link(axis, shared, phi[3], colour=PARAMETER_EDGE, lw=2.4)
    axis.text(5.15, 2.75, "shared", va="center", fontsize=14, color=style.NAVY)
    link(axis, parameter(axis, 3.0, -2.7, "$w_2$"), phi[2], colour=PARAMETER_EDGE)
    link(axis, parameter(axis, 6.2, -2.7, "$w_3$"), phi[4], colour=PARAMETER_EDGE)
    axis.text(6.0, -3.45, "$w_1$ feeds both $\\phi_1$ and $\\phi_3$: weight sharing, as in convolutions",
              ha="center", va="center", fontsize=14, color=style.NAVY)
    legend(axis, 9.1, 2.95, gap=0.6, column=True)
    style.save_png(fig, out / "nn-as-dag.png")


def flower_and_its_masks():
    """scikit-learn's sample photograph of dahlias, and one mask per flower.

    The masks are found by colour (orange petals on a blue-green background), so that the
    segmentation panel shows real outlines rather than hand-drawn ones.
    """
    from scipy import ndimage
    from sklearn.datasets import load_sample_image

    image = load_sample_image("flower.jpg")
    red, blue = image[..., 0].astype(int), image[..., 2].astype(int)
    petals = ndimage.binary_opening((red - blue > 60) & (red > 120), iterations=2)
    petals = ndimage.binary_fill_holes(ndimage.binary_closing(petals, iterations=3))
    labels, count = ndimage.label(petals)
    masks = [labels == k for k in range(1, count + 1) if (labels == k).sum() > 2000]
    masks.sort(key=lambda m: -m.sum())  # the big flower first
    return image, masks


def deep_nns(out: Path) -> None:
    """What deep networks are trained to answer about an image: what, what and where, which pixels."""
    from matplotlib.patches import Rectangle

    image, masks = flower_and_its_masks()
    fig, axes = style.figure(1.0, 3.75, ncols=3)
    fig.subplots_adjust(left=0.005, right=0.995, top=0.8, bottom=0.13, wspace=0.04)
    titles = [("classification", "what is in the picture?"),
              ("detection", "what, and where?"),
              ("segmentation", "which pixels?")]
    answers = ["one label for the picture: “flower”", "a box and a label per object",
               "a label for every pixel"]
    for axis, (title, question), answer in zip(axes, titles, answers):
        axis.set_xticks([])
        axis.set_yticks([])
        axis.set_title(f"{title}\n", fontsize=18, color=style.NAVY, fontweight="bold")
        axis.text(0.5, 1.03, question, transform=axis.transAxes, ha="center", va="bottom",
                  fontsize=15, color=style.INK)
        axis.text(0.5, -0.04, answer, transform=axis.transAxes, ha="center", va="top",
                  fontsize=15, color=style.INK)
    classify, detect, segment = axes
    classify.imshow(image)
    classify.text(0.04, 0.94, "flower", transform=classify.transAxes, va="top", fontsize=17,
                  color="white", bbox={"boxstyle": "round,pad=0.3", "facecolor": style.GREEN,
                                       "edgecolor": "none"})
    detect.imshow(image)
    for index, mask in enumerate(masks):
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        top, left, right = rows[0], cols[0], cols[-1]
        detect.add_patch(Rectangle((left, top), right - left, rows[-1] - top, fill=False,
                                   edgecolor=style.BLUE, lw=3))
        # The big flower's label above its box; the small one's, which is at the picture's
        # bottom edge, beside it, where it covers neither box.
        place = {"x": left, "y": top - 4, "va": "bottom"} if index == 0 else {
            "x": right + 8, "y": top, "va": "top"}
        detect.text(s="flower", fontsize=14, color="white", **place,
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": style.BLUE, "edgecolor": "none"})
    # Background dimmed, the pixels of the class "flower" painted over.
    from matplotlib.colors import to_rgb

    painted = image.astype(float) * 0.35 + 255 * 0.65 * 0.15
    flower = np.any(masks, axis=0)
    painted[flower] = image[flower] * 0.35 + np.array(to_rgb(style.GREEN)) * 255 * 0.65
    segment.imshow(painted.astype(np.uint8))
    for mask in masks:
        segment.contour(mask, levels=[0.5], colors="white", linewidths=1.5)
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


# The residual block is drawn at the width the slide shows it (.width-100 of the 32 % left column):
# one unit is an inch, a figure pixel about a pixel of the slide, so 13 pt text is 18 px there.
RESIDUAL_WIDTH = 0.32
SKIP = style.ORANGE  # the skip connection, in the colour of resnet.png's (architectures.py)


def residual_block(out: Path) -> None:
    """Two weight layers compute F(x); the skip connection carries x around them and adds it."""
    width_in, height_in = RESIDUAL_WIDTH * style.CONTENT_WIDTH_IN, 2.9
    fig, axis = canvas(RESIDUAL_WIDTH, height_in, (0, width_in), (0, height_in))
    x, layer_width, layer_height = 1.45, 1.5, 0.36
    first, second, plus = 0.8, 1.53, 2.18
    arrow(axis, (x, 0.12), (x, first - layer_height / 2))
    axis.text(x + 0.1, 0.1, "$x$", fontsize=15, va="bottom")
    box(axis, x, first, "weight layer", width=layer_width, height=layer_height, size=13)
    arrow(axis, (x, first + layer_height / 2), (x, second - layer_height / 2))
    axis.text(x + 0.1, (first + second) / 2, "relu", fontsize=13, va="center")
    box(axis, x, second, "weight layer", width=layer_width, height=layer_height, size=13)
    arrow(axis, (x, second + layer_height / 2), (x, plus - 0.16))
    axis.text(x - layer_width / 2 - 0.1, (first + second) / 2, "$F(x)$", fontsize=15,
              color=style.NAVY, ha="right", va="center")
    node(axis, x, plus, "+", radius=0.16, size=15, colour=style.LIGHT_GREEN)
    # The skip connection: x goes around the two layers and is added back.
    right = x + layer_width / 2 + 0.35
    skip = {"color": SKIP, "lw": 3.2, "solid_capstyle": "butt", "solid_joinstyle": "miter"}
    axis.plot([x, right, right], [0.4, 0.4, plus], **skip)
    arrow(axis, (right, plus), (x + 0.17, plus), colour=SKIP, lw=3.2, mutation_scale=16)
    axis.text(right + 0.1, (0.4 + plus) / 2, "$x$\nidentity", fontsize=13, color=SKIP,
              va="center", fontweight="bold", linespacing=1.2)
    arrow(axis, (x, plus + 0.16), (x, 2.6))
    axis.text(x + 0.1, plus + 0.26, "relu", fontsize=13, va="center")
    axis.text(x, 2.63, "$F(x) + x$", ha="center", va="bottom", fontsize=15)
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
