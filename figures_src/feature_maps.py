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
    fig, axis = style.figure(0.55, 3.0)
    side = IMAGE / 10
    depth = CHANNELS * CHANNEL
    cuboid(axis, 0, 0, side, side, depth, style.LIGHT_BLUE, z=1)
    k = KERNEL / 10
    # The kernel window at the top left of the input, through all its channels.
    cuboid(axis, 0.15, side - k - 0.15, k, k, depth, style.NAVY, alpha=0.55, z=2)
    out = output_size(IMAGE, KERNEL) / 10
    x0 = side + depth * DEPTH[0] + 1.6
    y0 = (side - out) / 2
    for m in range(maps):
        cuboid(axis, x0 + m * 0.55 * DEPTH[0], y0 + m * 0.55 * DEPTH[1], out, out, 0.55,
               MAP_COLOURS[m], alpha=0.9 if m == maps - 1 else 0.45, z=3 + m)
    tip = (x0 + 0.15, y0 + out - 0.2 + (maps - 1) * 0.55 * DEPTH[1])
    axis.annotate("", xy=tip, xytext=(0.15 + k + depth * DEPTH[0], side - 0.15),
                  arrowprops={"arrowstyle": "-|>", "color": MAP_COLOURS[maps - 1], "lw": 2,
                              "connectionstyle": "arc3,rad=-0.25"}, zorder=10)
    if dims:
        size = output_size(IMAGE, KERNEL)
        axis.text(side / 2, -0.45, f"input {IMAGE}×{IMAGE}×{CHANNELS}", ha="center", va="top",
                  fontsize=13)
        axis.text(0.15 + k / 2, side + depth * DEPTH[1] + 0.3, f"kernel {KERNEL}×{KERNEL}×{CHANNELS}",
                  ha="center", va="bottom", fontsize=13, color=style.NAVY)
        label = f"{maps} feature map{'s' if maps > 1 else ''}\n{size}×{size}×{maps}"
        axis.text(x0 + out / 2, -0.45, label, ha="center", va="top", fontsize=13)
    axis.set_xlim(-0.3, x0 + out + FILTERS * 0.55 * DEPTH[0] + 0.4)
    axis.set_ylim(-1.6, side + depth * DEPTH[1] + 1.0)
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
