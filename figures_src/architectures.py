"""LeNet-5, VGG-16 and ResNet-34 drawn from the Keras models themselves: every shape on the
pictures is the output shape Keras computes (the models are built with deferred weights, so
nothing is allocated)."""
from pathlib import Path

from lecture_tool import figure_style as style

OUTPUTS = ["lenet.png", "vgg.png", "vgg-transfer.png", "resnet.png"]
ALT = {
    "lenet.png":
        "LeNet-5 as a row of boxes sized by the tensors they make: input 32×32×1; convolution 5×5, "
        "28×28×6; average pooling 2×2, 14×14×6; convolution 5×5, 10×10×16; average pooling 2×2, "
        "5×5×16; dense, 120; dense, 84; dense with softmax, 10.",
    "vgg.png":
        "VGG-16 as a row of boxes sized by the tensors they make: input 224×224×3; 2 convolutions "
        "3×3, 224×224×64; pooling and 2 convolutions, 112×112×128; pooling and 3 convolutions, "
        "56×56×256; pooling and 3 convolutions, 28×28×512; pooling and 3 convolutions, 14×14×512; "
        "pooling, 7×7×512; dense, 4096; dense, 4096; dense with softmax, 1000.",
    "vgg-transfer.png":
        "The same VGG-16 made for transfer learning: every convolution and both dense layers of "
        "4096 are hatched grey, frozen with their pretrained weights, and a new softmax layer of 2 "
        "at the end is the only part trained on our data.",
    "resnet.png":
        "Two 34-layer networks side by side, plain and residual, each a column of the same layers: "
        "a 7×7 convolution with 64 filters and max pooling, to 56×56×64; 6 3×3 convolutions with 64 "
        "filters, 56×56×64; 8 with 128, 28×28×128; 12 with 256, 14×14×256; 6 with 512, 7×7×512; "
        "average pooling and a dense layer of 1000. The residual column has a skip connection around "
        "every pair of convolutions, through a 1×1 convolution where the shape changes.",
}


def lenet():
    """LeNet-5 (LeCun et al., 1998), with today's layers."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(32, 32, 1)),
        layers.Conv2D(6, 5, activation="tanh", name="C1"),
        layers.AveragePooling2D(2, name="S2"),
        layers.Conv2D(16, 5, activation="tanh", name="C3"),
        layers.AveragePooling2D(2, name="S4"),
        layers.Flatten(name="flatten"),
        layers.Dense(120, activation="tanh", name="C5"),
        layers.Dense(84, activation="tanh", name="F6"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="lenet5")


def vgg16():
    """VGG-16 (Simonyan and Zisserman, 2015): the model of the "VGG in Keras" slide."""
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(224, 224, 3))], name="vgg16")
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        for i in range(convs):
            model.add(layers.Conv2D(filters, 3, activation="relu", padding="same",
                                    name=f"block{block}_conv{i + 1}"))
        model.add(layers.MaxPool2D(2, strides=2, name=f"block{block}_pool"))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dense(4096, activation="relu", name="fc1"))
    model.add(layers.Dense(4096, activation="relu", name="fc2"))
    model.add(layers.Dense(1000, activation="softmax", name="predictions"))
    return model


RESNET34_STAGES = [(64, 3), (128, 4), (256, 6), (512, 3)]


def resnet34(residual: bool = True):
    """ResNet-34 (He et al., 2016), or its plain twin without the shortcuts."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(224, 224, 3))
    x = layers.Conv2D(64, 7, strides=2, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPool2D(3, strides=2, padding="same", name="pool1")(x)
    for stage, (filters, blocks) in enumerate(RESNET34_STAGES, 2):
        for block in range(blocks):
            stride = 2 if block == 0 and stage > 2 else 1
            name = f"stage{stage}_block{block + 1}"
            y = layers.Conv2D(filters, 3, strides=stride, padding="same", activation="relu",
                              name=f"{name}_conv1")(x)
            y = layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv2")(y)
            if residual:
                shortcut = x if stride == 1 and x.shape[-1] == filters else layers.Conv2D(
                    filters, 1, strides=stride, name=f"{name}_projection")(x)
                y = layers.Add(name=f"{name}_add")([y, shortcut])
            x = layers.Activation("relu", name=f"{name}_out")(y)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(1000, activation="softmax", name="fc1000")(x)
    return keras.Model(inputs, outputs, name="resnet34" if residual else "plain34")


def shape_text(shape) -> str:
    return "×".join(str(d) for d in shape[1:])


def lenet_labels(model) -> list[tuple[str, str]]:
    """(what the layer does, its output shape) for each box of the LeNet picture."""
    descriptions = {"C1": "conv 5×5", "S2": "avg pool 2×2", "C3": "conv 5×5", "S4": "avg pool 2×2",
                    "C5": "dense", "F6": "dense", "output": "dense, softmax"}
    labels = [("input", shape_text(model.inputs[0].shape))]
    for layer in model.layers:
        if layer.name in descriptions:
            labels.append((descriptions[layer.name], shape_text(layer.output.shape)))
    return labels


def vgg_labels(model) -> list[tuple[str, str]]:
    """One box per block of convolutions (after the pooling before it), then the dense layers."""
    labels = [("input", shape_text(model.inputs[0].shape))]
    for block in range(1, 6):
        convs = [l for l in model.layers if l.name.startswith(f"block{block}_conv")]
        text = f"{len(convs)} conv\n3×3" if block == 1 else f"pool +\n{len(convs)} conv"
        labels.append((text, shape_text(convs[-1].output.shape)))
    labels.append(("pool", shape_text(model.get_layer("block5_pool").output.shape)))
    for layer in model.layers:
        if layer.name.startswith(("fc", "predictions")):
            labels.append(("softmax" if layer.name == "predictions" else "dense",
                           shape_text(layer.output.shape)))
    return labels


def resnet_labels(model) -> list[tuple[str, str]]:
    """One label per stage: its convolutions and the shape it outputs."""
    labels = [("7×7 conv, 64, /2", shape_text(model.get_layer("conv1").output.shape)),
              ("max pool, /2", shape_text(model.get_layer("pool1").output.shape))]  # one label
    for stage, (filters, blocks) in enumerate(RESNET34_STAGES, 2):
        last = model.get_layer(f"stage{stage}_block{blocks}_out")
        labels.append((f"{2 * blocks}× 3×3 conv, {filters}", shape_text(last.output.shape)))
    labels.append(("avg pool, fc 1000", shape_text(model.outputs[0].shape)))
    return labels


def built(factory, *args):
    import keras

    with keras.StatelessScope(initialize_variables=False):
        return factory(*args)


KINDS = {"input": ("input", style.LIGHT_GREY), "conv": ("convolution", style.LIGHT_BLUE),
         "pool": ("pooling", style.LIGHT_GREEN), "dense": ("dense", style.LIGHT_ORANGE),
         "softmax": ("dense + softmax", style.LIGHT_RED)}


def tint(colour: str, amount: float) -> tuple:
    """`colour` mixed with white: `amount` of it."""
    from matplotlib.colors import to_rgb

    return tuple(amount * c + (1 - amount) for c in to_rgb(colour))


FROZEN = tint(style.GREY, 0.35)  # what transfer learning keeps as it is


def compact(shape_label: str) -> str:
    """"224×224×64" -> "224²×64", so that a shape fits on one line under ten boxes."""
    parts = shape_label.split("×")
    if len(parts) == 3 and parts[0] == parts[1]:
        return f"{parts[0]}²×{parts[2]}"
    return shape_label


def volume(axis, x, y, width, height, depth, colour, hatch=None):
    """A 3-D box: front face width × height, receding `depth` to the upper right."""
    dx, dy = depth * 0.5, depth * 0.35
    faces = [[(x, y), (x + width, y), (x + width, y + height), (x, y + height)],
             [(x, y + height), (x + dx, y + height + dy), (x + width + dx, y + height + dy),
              (x + width, y + height)],
             [(x + width, y), (x + width + dx, y + dy), (x + width + dx, y + height + dy),
              (x + width, y + height)]]
    for face, alpha in zip(faces, (1.0, 0.7, 0.85)):
        axis.add_patch(style.plt.Polygon(face, facecolor=colour, edgecolor=style.INK, lw=1,
                                         alpha=alpha, hatch=hatch))
    return dx, dy


def network(axis, items, spatial, channels, units, gap=0.6, min_step=1.35, shape_size=14,
            name_size=14, depth_ratio=1.0):
    """Draw tensors left to right, each one as big as it is: the height and depth of a box grow
    with the image side (log scale), its width with the channels; a dense layer's output is a
    flat bar as tall as its number of units. `items` are (name, shape label, kind, frozen);
    `depth_ratio`: how deep a box is drawn for its height (below 1, a taller drawing for the
    same width). Returns the right end and the vertical extent."""
    x = 0.0
    top = bottom = 0.0
    for name, shape_label, kind, frozen in items:
        dims = [int(d) for d in shape_label.split("×")]
        colour = FROZEN if frozen else KINDS[kind][1]
        hatch = "//" if frozen else None
        if len(dims) == 3:
            side, width = spatial(dims[0]), channels(dims[2])
            dx, dy = volume(axis, x, -side / 2, width, side, side * depth_ratio, colour, hatch)
        else:
            side, width = max(units(dims[0]), 0.8), 0.22
            dx, dy = volume(axis, x, -side / 2, width, side, 0.25, colour, hatch)
        extent = width + dx
        centre = x + extent / 2
        high = side / 2 + dy
        axis.text(centre, high + 0.15, compact(shape_label), ha="center", va="bottom",
                  fontsize=shape_size, color=style.INK)
        axis.text(centre, -side / 2 - 0.15, name, ha="center", va="top", fontsize=name_size,
                  color=style.NAVY, linespacing=1.1)
        top, bottom = max(top, high), min(bottom, -side / 2)
        x += max(extent + gap, min_step)
    return x, bottom, top


def kinds_legend(axis, x, y, kinds, size=14, extra=()):
    """A row of swatches: the kinds of layer drawn, then any `extra` (label, colour, hatch)."""
    renderer = axis.figure.canvas.get_renderer()
    entries = [(KINDS[k][0], KINDS[k][1], None) for k in kinds] + list(extra)
    for label, colour, hatch in entries:
        axis.add_patch(style.plt.Rectangle((x, y - 0.18), 0.36, 0.36, facecolor=colour,
                                           edgecolor=style.INK, lw=1, hatch=hatch))
        text = axis.text(x + 0.5, y, label, va="center", fontsize=size, color=style.INK)
        x = text.get_window_extent(renderer).transformed(axis.transData.inverted()).x1 + 0.6


def architecture_figure(width: float, height_in: float, xlim, ylim):
    fig, axis = style.figure(width, height_in)
    axis.set_xlim(*xlim)
    axis.set_ylim(*ylim)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    return fig, axis


# The ResNet figure is drawn for the slide's right column (64 % of the content width), shown at
# .width-95 of it: one figure pixel is about one pixel of the slide, so 13 pt text is 18 px there.
RESNET_WIDTH = 0.64 * 0.95
SKIP = style.ORANGE  # the skip connections: the one thing the residual column adds


def skip_connection(axis, x, y_from, y_to, projection: bool, bulge=0.3, lw=3.2):
    """A skip connection on the right of a column, from above a block to below it, where it is
    added to the block's output: a curve that bulges `bulge` to the right. Dashed where a 1×1
    convolution changes the shape of x to match."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as Curve

    reach = bulge * 4 / 3  # a cubic Bézier reaches 3/4 of the way to its control points
    curve = Curve([(x, y_from), (x + reach, y_from), (x + reach, y_to), (x, y_to)],
                  [Curve.MOVETO, Curve.CURVE4, Curve.CURVE4, Curve.CURVE4])
    axis.add_patch(FancyArrowPatch(path=curve, arrowstyle="-|>", mutation_scale=9, lw=lw,
                                   color=SKIP, linestyle=(0, (2.6, 1.3)) if projection else "-",
                                   capstyle="butt", joinstyle="miter", zorder=4))


def draw_resnet(out: Path, model) -> None:
    """ResNet-34 and its plain twin side by side, one box per weight layer, what each stage does
    and outputs between them; the residual column differs only by its skip connections."""
    labels = resnet_labels(model)
    width_in, height_in = RESNET_WIDTH * style.CONTENT_WIDTH_IN, 6.1
    fig, axis = style.figure(RESNET_WIDTH, height_in)
    axis.set_xlim(0, width_in)
    axis.set_ylim(0, height_in)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)

    column_width = 1.4
    plain_x, residual_x = 0.05, width_in - 0.45 - column_width
    middle = (plain_x + column_width + residual_x) / 2
    # Groups of layers, top to bottom: the stem (a 7×7 convolution, then max pooling), the four
    # stages of pairs of 3×3 convolutions, then average pooling and the classifier.
    groups = [("stem", 1)] + [(f"stage{stage}", 2 * blocks)
                              for stage, (_, blocks) in enumerate(RESNET34_STAGES, 2)] + [("fc", 1)]
    pitch, box, block_gap, stage_gap = 0.1, 0.075, 0.03, 0.12
    top = height_in - 0.6
    for x, title in ((plain_x, "34-layer\nplain"), (residual_x, "34-layer\nresidual")):
        axis.text(x + column_width / 2, height_in - 0.05, title, ha="center", va="top", fontsize=14,
                  color=style.NAVY, fontweight="bold", linespacing=1.1)

    y = top
    spans = []  # (top, bottom) of each group, for its label
    for group, count in groups:
        group_top = y
        colour = (style.LIGHT_BLUE if group != "fc" else style.LIGHT_RED)
        for layer in range(count):
            for x in (plain_x, residual_x):
                axis.add_patch(style.plt.Rectangle((x, y - box), column_width, box, facecolor=colour,
                                                   edgecolor=style.INK, lw=0.8, zorder=2))
            group_bottom = y - box
            if group.startswith("stage") and layer % 2 == 1:
                # A block of two convolutions, and the skip connection around it. The first block
                # of each stage after the first halves the size and doubles the channels, so there
                # x goes through a 1×1 convolution (dashed) before it is added.
                block_top = y + pitch + block_gap / 2
                block_bottom = y - box - block_gap / 2
                skip_connection(axis, residual_x + column_width + 0.02, block_top, block_bottom,
                                projection=layer == 1 and group != "stage2")
                y -= block_gap
            y -= pitch
        if group == "stem":
            # max pooling: no weights, a thin bar in the colour of pooling
            for x in (plain_x, residual_x):
                axis.add_patch(style.plt.Rectangle((x, y - 0.05), column_width, 0.05,
                                                   facecolor=KINDS["pool"][1], edgecolor=style.INK,
                                                   lw=0.8, zorder=2))
            group_bottom = y - 0.05
            y -= 0.05 + 0.06
        spans.append((group_top, group_bottom))
        y -= stage_gap

    (conv, conv_shape), (pool, pool_shape), *rest = labels
    texts = [f"{conv} → {compact(conv_shape)}\n{pool} → {compact(pool_shape)}"]
    texts += [f"{text}\n→ {shape_label}" for text, shape_label in rest]
    for (group_top, group_bottom), text in zip(spans, texts):
        centre = (group_top + group_bottom) / 2
        axis.text(middle, centre, text, ha="center", va="center", fontsize=13, color=style.INK,
                  linespacing=1.15)
    # The legend: what the orange arcs are.
    for row, (text, projection) in enumerate([("skip connection: $x$ added to the block's output", False),
                                              ("through a 1×1 conv where the shape changes", True)]):
        y = 0.6 - row * 0.34
        skip_connection(axis, 0.12, y + 0.13, y - 0.13, projection=projection, bulge=0.2)
        axis.text(0.5, y, text, va="center", fontsize=13, color=style.INK)
    style.save_png(fig, out / "resnet.png")


def draw_network(items, width: float, scales, kinds, extra_legend=(), name_size=14, min_step=1.35,
                 depth_ratio=1.0, shape_size=14):
    """A figure `width` of the slide wide, as high as the drawing needs (one unit is as long
    both ways)."""
    fig, axis = style.figure(width, 4.0)
    right, bottom, top = network(axis, items, *scales, name_size=name_size, min_step=min_step,
                                 depth_ratio=depth_ratio, shape_size=shape_size)
    left, right = -0.25, right - 0.1
    # Below the lowest box: its name (up to two lines), then the legend.
    unit_px = width * style.CONTENT_WIDTH_IN * style.DPI / (right - left)
    line = name_size * 1.15 * style.DPI / 72 / unit_px
    lines = max(name.count("\n") + 1 for name, *_ in items)
    legend_y = bottom - 0.15 - lines * line - 0.55
    low, high = legend_y - 0.4, top + 0.4 + line
    axis.set_xlim(left, right)
    axis.set_ylim(low, high)
    axis.set_aspect("equal")
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    fig.set_size_inches(width * style.CONTENT_WIDTH_IN,
                        width * style.CONTENT_WIDTH_IN * (high - low) / (right - left))
    kinds_legend(axis, 0.0, legend_y, kinds, extra=extra_legend)
    return fig


def make(out: Path) -> None:
    import math

    kinds = {"input": "input", "conv 5×5": "conv", "avg pool 2×2": "pool", "dense": "dense",
             "dense, softmax": "softmax"}
    items = [(name if name != "dense, softmax" else "softmax", shape, kinds[name], False)
             for name, shape in lenet_labels(built(lenet))]
    # LeNet and VGG fill the width of their slides, and boxes drawn less deep than tall let
    # them fill its height too, with 15 pt labels (21 px).
    lenet_scales = (lambda s: 0.8 + 0.6 * math.log2(s), lambda c: 0.15 + 0.15 * math.log2(c),
                    lambda u: 0.55 * math.log2(u))
    fig = draw_network(items, 1.0, lenet_scales, ["input", "conv", "pool", "dense", "softmax"],
                       min_step=1.9, depth_ratio=0.45, name_size=15, shape_size=15)
    style.save_png(fig, out / "lenet.png")

    labels = vgg_labels(built(vgg16))
    vgg_kinds = ["input"] + ["conv"] * 5 + ["pool", "dense", "dense", "softmax"]
    vgg_scales = (lambda s: 0.5 + 0.42 * math.log2(s), lambda c: 0.1 + 0.15 * math.log2(c),
                  lambda u: 0.3 * math.log2(u))
    items = [(name, shape, kind, False) for (name, shape), kind in zip(labels, vgg_kinds)]
    tall_vgg_scales = (lambda s: 0.8 + 0.62 * math.log2(s), vgg_scales[1],
                       lambda u: 0.45 * math.log2(u))
    fig = draw_network(items, 1.0, tall_vgg_scales, ["input", "conv", "pool", "dense", "softmax"],
                       min_step=1.75, depth_ratio=0.38, name_size=15, shape_size=15)
    style.save_png(fig, out / "vgg.png")

    # Transfer learning: everything up to the second-to-last layer keeps its ImageNet weights;
    # only a new, small classifier on top is trained on our few images.
    items = [(name, shape, kind, kind != "input") for (name, shape), kind
             in zip(labels[:-1], vgg_kinds[:-1])]
    items.append(("new\nsoftmax", "2", "softmax", False))
    fig = draw_network(items, 0.8, vgg_scales, ["input"], min_step=2.3, extra_legend=[
        ("frozen: pretrained weights kept", FROZEN, "//"),
        ("trained on our data", KINDS["softmax"][1], None)])
    style.save_png(fig, out / "vgg-transfer.png")

    draw_resnet(out, built(resnet34))


if __name__ == "__main__":
    style.run(make, OUTPUTS)
