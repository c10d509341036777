"""Convolutions as volumes: an input with its colour channels, kernels, and the feature maps they
make, one more filter per picture. After the figures of the lectures-labs course (m2dsupsdlclass),
drawn by us. The sizes are those of the slides' `Conv2D(4, 5)` on a 28×28×3 image."""
from pathlib import Path

from lecture_tool import figure_style as style

OUTPUTS = ["convmap1_dims.svg", "convmap1.svg", "convmap2.svg", "convmap3.svg", "convmap4.svg",
           "convmap_dims.svg", "kernel.svg"]
# Read from the source, never run: literal text only.
ALT = {
    "convmap1_dims.svg":
        "An input image of 28×28×3, drawn as three stacked colour channels with a 5×5 window marked "
        "on it; an arrow leads to one filter of 5×5×3, a 5×5 per channel, and another to one pixel, "
        "in black, of one feature map of 24×24×1: the sum over the channels, plus a bias.",
    "convmap1.svg":
        "An input image of 28×28×3, drawn as three stacked colour channels with a 5×5 window marked "
        "on it; arrows lead through one filter of 5×5×3 to one pixel, in black, of one feature map "
        "of 24×24×1.",
    "convmap2.svg":
        "The input image of 28×28×3 with a 5×5 window marked on it, two filters of 5×5×3 in two "
        "colours, and the two feature maps they make, stacked into 24×24×2; the window of the second "
        "filter gives one black pixel of the second map.",
    "convmap3.svg":
        "The input image of 28×28×3 with a 5×5 window marked on it, three filters of 5×5×3, and the "
        "three feature maps they make, stacked into 24×24×3; the window of the third filter gives "
        "one black pixel of the third map.",
    "convmap4.svg":
        "The input image of 28×28×3 with a 5×5 window marked on it, four filters of 5×5×3, and the "
        "four feature maps they make, stacked into an output of 24×24×4.",
    "convmap_dims.svg":
        "The input image of 28×28×3 with a 5×5 window marked on it, four filters of 5×5×3 (5×5×3×4 "
        "in all), and the four feature maps they make, stacked into an output of 24×24×4.",
    "kernel.svg":
        "Four coloured boxes, one behind another: a layer's kernels, one per output channel (C^o of "
        "them), each of size F × F × C^i.",
}

IMAGE, CHANNELS, KERNEL, FILTERS = 28, 3, 5, 4
MAP_COLOURS = [style.GREEN, style.ORANGE, style.BLUE, style.RED]
DEPTH = (0.55, 0.35)  # how one unit of depth is drawn: to the right and up
CHANNEL = 0.3  # depth units per channel, in kernel_tensor

# The scenes' geometry, in inches of a figure 10.2 inches wide (scaled to the width drawn); the
# text keeps its size in points whatever the width, so its offsets are in real inches.
DESIGN_WIDTH = 10.2
PIXEL = 0.1  # one pixel of the image or of a feature map
SLICE = 0.28  # depth of one channel
MAP_GAP = 0.55  # depth between two feature maps, so that each one shows
WINDOW = (3, 4)  # row and column of the window's top-left pixel: the map pixel it makes


def output_size(size: int, kernel: int, padding: int = 0, stride: int = 1) -> int:
    return (size - kernel + 2 * padding) // stride + 1


def cuboid(axis, x, y, width, height, depth, colour, alpha=0.9, lw=1.2, z=1):
    """A box whose front face has its lower-left corner at (x, y)."""
    dx, dy = depth * DEPTH[0], depth * DEPTH[1]
    faces = [
        [(x, y), (x + width, y), (x + width, y + height), (x, y + height)],
        [(x, y + height), (x + dx, y + height + dy), (x + width + dx, y + height + dy), (x + width, y + height)],
        [(x + width, y), (x + width + dx, y + dy), (x + width + dx, y + height + dy), (x + width, y + height)],
    ]
    for shade, face in zip((1.0, 0.8, 0.65), faces):
        axis.add_patch(style.plt.Polygon(face, closed=True, facecolor=colour, edgecolor=style.INK,
                                         lw=lw, alpha=alpha * shade if shade < 1 else alpha, zorder=z))


def scene(maps: int, width: float, size: float = 15, per_channel: bool = False):
    """The input (its three colour channels as slices), the first `maps` filters of the layer,
    each 5×5×3 and in the colour of the feature map it makes, and those maps stacked into the
    layer's output, the newest in front. The window of the newest filter and the one number of
    its map that this window gives are marked, and every part is labelled with its shape.

    `width`: the fraction of the slide's content width drawn (and shown) at; `size`: the labels' pt;
    `per_channel`: a third line under each part says how the channels are combined.
    All four scenes of a width have the same frame, so that stepping through them nothing moves."""
    width_in = width * style.CONTENT_WIDTH_IN
    k = width_in / DESIGN_WIDTH  # design inches -> inches
    line = size * 1.25 / 72  # one line of label text, in inches
    labels_y = -0.12  # the labels hang below the drawing's baseline, in real inches

    fig, axis = style.figure(width, 1.0)
    px, channel_depth = PIXEL * k, SLICE * k
    side, depth = IMAGE * px, CHANNELS * channel_depth
    dx, dy = depth * DEPTH[0], depth * DEPTH[1]
    x_in = 0.2 * k
    # The input, one slice per channel, the back one first.
    for c in reversed(range(CHANNELS)):
        cuboid(axis, x_in + c * channel_depth * DEPTH[0], c * channel_depth * DEPTH[1], side, side,
               channel_depth, style.LIGHT_BLUE, alpha=1.0, z=1)
    current = MAP_COLOURS[maps - 1]
    f = KERNEL * px
    row, col = WINDOW
    window = (x_in + col * px, side - (row + KERNEL) * px)
    cuboid(axis, *window, f, f, depth, current, alpha=0.75, lw=1.6, z=2)

    # The filters, at the input's scale: each one as deep as the input has channels.
    x_f = x_in + side + dx + 1.0 * k
    spacing = 0.75 * k
    tops = [side - m * spacing for m in range(FILTERS)]
    for m in range(maps):
        cuboid(axis, x_f, tops[m] - f, f, f, depth, MAP_COLOURS[m], alpha=0.95, z=3)

    # The feature maps: one per filter, each 24×24, the newest in front.
    out = output_size(IMAGE, KERNEL)
    map_side, gap = out * px, MAP_GAP * k
    x_m = x_f + f + dx + 1.1 * k
    y_m = (side - map_side) / 2
    for j in range(maps):
        behind = (maps - 1 - j) * gap
        cuboid(axis, x_m + behind * DEPTH[0], y_m + behind * DEPTH[1], map_side, map_side,
               channel_depth, MAP_COLOURS[j], alpha=1.0, z=4 + j)
    # The number this window gives, in the newest map.
    pixel = (x_m + col * px, y_m + map_side - (row + 1) * px)
    axis.add_patch(style.plt.Rectangle(pixel, px, px, facecolor=style.INK, edgecolor=style.INK,
                                       lw=1, zorder=10))

    arrows = {"arrowstyle": "-|>", "lw": 2.2, "shrinkA": 3, "shrinkB": 3, "mutation_scale": 18}
    window_right = (window[0] + f + dx / 2, window[1] + f / 2 + dy / 2)
    filter_top = tops[maps - 1]
    axis.annotate("", xy=(x_f - 0.04, filter_top - f / 2), xytext=window_right,
                  arrowprops={**arrows, "color": style.INK}, zorder=11)
    axis.annotate("", xy=(pixel[0], pixel[1] + px / 2),
                  xytext=(x_f + f + dx / 2, filter_top - f / 2 + dy / 2),
                  arrowprops={**arrows, "color": style.INK}, zorder=11)

    def label(x, text, colour=style.INK):
        axis.text(x, labels_y, text, ha="center", va="top", fontsize=size, color=colour,
                  linespacing=1.1)

    notes = (["(3 colour channels)", "(a 5×5 per channel)", "(their sum + bias)"] if per_channel
             else ["", "", ""])
    label(x_in + (side + dx) / 2, f"input\n{IMAGE}×{IMAGE}×{CHANNELS}\n{notes[0]}".rstrip())
    filters = (f"filter\n{KERNEL}×{KERNEL}×{CHANNELS}" if maps == 1 else
               f"{maps} filters\n{KERNEL}×{KERNEL}×{CHANNELS}×{maps}")
    label(x_f + (f + dx) / 2, f"{filters}\n{notes[1]}".rstrip(), style.NAVY)
    label(x_m + (map_side + channel_depth * DEPTH[0]) / 2,
          f"{maps} feature map{'s' if maps > 1 else ''}\n{out}×{out}×{maps}\n{notes[2]}".rstrip())

    # The frame of the four-filter scene, whatever `maps` is.
    right = x_m + map_side + ((FILTERS - 1) * gap + channel_depth) * DEPTH[0] + 0.1 * k
    top = max(y_m + map_side + ((FILTERS - 1) * gap + channel_depth) * DEPTH[1], side + dy) + 0.1
    bottom = labels_y - (3 if per_channel else 2) * line - 0.08
    axis.set_xlim(0, width_in)
    axis.set_ylim(bottom, top)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    fig.set_size_inches(width_in, top - bottom)
    assert right <= width_in, "the drawing is wider than the figure"
    return fig


def kernel_tensor():
    """The weights of one layer: C^o kernels, each F × F × C^i."""
    fig, axis = style.figure(0.25, 2.4)
    f = KERNEL / 10 * 1.6
    depth = CHANNELS * CHANNEL * 1.6
    for o in range(FILTERS):
        cuboid(axis, o * 0.7, -o * 0.55, f, f, depth, MAP_COLOURS[o], alpha=0.85, z=10 - o)
    axis.text(f / 2 + 0.3, f + depth * DEPTH[1] + 0.15, "$F \\times F \\times C^i$", ha="center",
              va="bottom", fontsize=14)
    axis.text(FILTERS * 0.7 / 2 + f / 2, -FILTERS * 0.55 - 0.15, "$C^o$ kernels", ha="center",
              va="top", fontsize=14)
    axis.set_xlim(-0.2, FILTERS * 0.7 + f + depth * DEPTH[0] + 0.2)
    axis.set_ylim(-FILTERS * 0.55 - 0.75, f + depth * DEPTH[1] + 0.75)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    return fig


# The width each slide shows its scene at (its .width-N class): "Multiple convolutions" steps
# through convmap1-4 across the slide; "Colour channels" has two lines of text above its scene,
# the last "Multiple convolutions" the code and its parameter count below it.
STEPS_WIDTH, CHANNELS_WIDTH, CODE_WIDTH = 0.9, 0.75, 0.6


def make(out: Path) -> None:
    style.save_svg(scene(1, CHANNELS_WIDTH, per_channel=True), out / "convmap1_dims.svg")
    for maps in range(1, FILTERS + 1):
        style.save_svg(scene(maps, STEPS_WIDTH), out / f"convmap{maps}.svg")
    style.save_svg(scene(FILTERS, CODE_WIDTH, size=14), out / "convmap_dims.svg")
    style.save_svg(kernel_tensor(), out / "kernel.svg")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
