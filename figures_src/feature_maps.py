"""Convolutions as volumes: an input with its colour channels, kernels, and the feature maps they
make, one more filter per picture. After the figures of the lectures-labs course (m2dsupsdlclass),
drawn by us. The sizes are those of the slides' `Conv2D(4, 5)` on a 28×28×3 image."""
from pathlib import Path

from lecture_tool import figure_style as style

OUTPUTS = ["convmap1_dims.svg", "convmap1.svg", "convmap2.svg", "convmap3.svg", "convmap4.svg",
           "convmap_dims.svg", "kernel.svg"]

IMAGE, CHANNELS, KERNEL, FILTERS = 28, 3, 5, 4
MAP_COLOURS = [style.GREEN, style.ORANGE, style.BLUE, style.RED]
DEPTH = (0.55, 0.35)  # how one unit of depth is drawn: to the right and up
CHANNEL = 0.3  # depth units per channel
STACK = 0.8  # depth units between two feature maps, so that each one shows


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


def scene(maps: int, dims: bool):
    """The input, the first `maps` filters of the layer, each 5×5×3 and in the colour of the
    feature map it makes, and those maps."""
    fig, axis = style.figure(0.5, 3.3)
    side = IMAGE / 10
    depth = CHANNELS * CHANNEL
    cuboid(axis, 0, 0, side, side, depth, style.LIGHT_BLUE, z=1)
    k = KERNEL / 10
    current = MAP_COLOURS[maps - 1]
    # Where the current filter is applied: a window through all the input's channels.
    window = (0.15, side - k - 0.15)
    cuboid(axis, *window, k, k, depth, current, alpha=0.6, z=2)

    # The filters, drawn at the input's scale: each one is as deep as the input has channels.
    fx = side + depth * DEPTH[0] + 0.9
    spacing = 0.95
    tops = [side + 0.1 - m * spacing for m in range(FILTERS)]
    for m in range(maps):
        cuboid(axis, fx, tops[m] - k, k, k, depth, MAP_COLOURS[m], alpha=0.9, z=3)

    out = output_size(IMAGE, KERNEL) / 10
    x0 = fx + k + depth * DEPTH[0] + 1.0
    y0 = (side - out) / 2
    for m in range(maps):
        cuboid(axis, x0 + m * STACK * DEPTH[0], y0 + m * STACK * DEPTH[1], out, out, 0.55,
               MAP_COLOURS[m], alpha=0.9 if m == maps - 1 else 0.45, z=4 + m)
    arrows = {"arrowstyle": "-|>", "lw": 2, "shrinkA": 2, "shrinkB": 2}
    window_corner = (window[0] + k + depth * DEPTH[0], window[1] + k / 2 + depth * DEPTH[1])
    filter_left = (fx, tops[maps - 1] - k / 2)
    axis.annotate("", xy=filter_left, xytext=window_corner,
                  arrowprops={**arrows, "color": style.INK, "lw": 1.4}, zorder=10)
    filter_right = (fx + k + depth * DEPTH[0], tops[maps - 1] - k / 2 + depth * DEPTH[1] / 2)
    offset = (maps - 1) * STACK
    map_point = (x0 + offset * DEPTH[0] + 0.15, y0 + out * 0.75 + offset * DEPTH[1])
    axis.annotate("", xy=map_point, xytext=filter_right,
                  arrowprops={**arrows, "color": current}, zorder=10)
    if dims:
        size = output_size(IMAGE, KERNEL)
        axis.text(side / 2 + 0.2, -0.3, f"input\n{IMAGE}×{IMAGE}×{CHANNELS}", ha="center",
                  va="top", fontsize=14, linespacing=1.1)
        filters = (f"filter\n{KERNEL}×{KERNEL}×{CHANNELS}" if maps == 1 else
                   f"{maps} filters\n{KERNEL}×{KERNEL}×{CHANNELS}×{maps}")
        axis.text(fx + k / 2 + 0.2, tops[maps - 1] - k - 0.3, filters, ha="center", va="top",
                  fontsize=14, color=style.NAVY, linespacing=1.1)
        label = f"{maps} feature map{'s' if maps > 1 else ''}\n{size}×{size}×{maps}"
        axis.text(x0 + out / 2 + 0.3, -0.3, label, ha="center", va="top", fontsize=14,
                  linespacing=1.1)
    axis.set_xlim(-0.2, x0 + out + FILTERS * STACK * DEPTH[0] + 0.2)
    axis.set_ylim(-1.3, y0 + out + ((FILTERS - 1) * STACK + 0.55) * DEPTH[1] + 0.1)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
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


def make(out: Path) -> None:
    style.save_svg(scene(1, dims=True), out / "convmap1_dims.svg")
    for maps in range(1, FILTERS + 1):
        style.save_svg(scene(maps, dims=False), out / f"convmap{maps}.svg")
    style.save_svg(scene(FILTERS, dims=True), out / "convmap_dims.svg")
    style.save_svg(kernel_tensor(), out / "kernel.svg")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
