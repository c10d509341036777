"""LeNet-5, VGG-16 and ResNet-34 drawn from the Keras models themselves: every shape on the
pictures is the output shape Keras computes (the models are built with deferred weights, so
nothing is allocated)."""
from pathlib import Path

from lecture_tool import figure_style as style

OUTPUTS = ["lenet.png", "vgg.png", "resnet.png"]


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
        text = f"{len(convs)}× conv 3×3" if block == 1 else f"pool +\n{len(convs)}× conv"
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


def volume(axis, x, y, width, height, depth, colour):
    """A 3-D box: front face width×height, seen from the upper right with `depth`."""
    dx, dy = depth * 0.6, depth * 0.45
    front = style.plt.Rectangle((x, y), width, height, facecolor=colour, edgecolor=style.INK, lw=1)
    top = style.plt.Polygon([(x, y + height), (x + dx, y + height + dy),
                             (x + width + dx, y + height + dy), (x + width, y + height)],
                            facecolor=colour, edgecolor=style.INK, lw=1, alpha=0.7)
    side = style.plt.Polygon([(x + width, y), (x + width + dx, y + dy),
                              (x + width + dx, y + height + dy), (x + width, y + height)],
                             facecolor=colour, edgecolor=style.INK, lw=1, alpha=0.85)
    for patch in (side, top, front):
        axis.add_patch(patch)


def row_of_volumes(labels, shapes, width: float, height_in: float, size_scale, depth_scale,
                   colours, name_size=13, shape_size=13, label_width=1.45):
    fig, axis = style.figure(width, height_in)
    x = 0.0
    for (text, shape_label), shape, colour in zip(labels, shapes, colours):
        spatial, channels = (shape[0], shape[-1]) if len(shape) == 3 else (1, shape[0])
        h = size_scale(spatial if len(shape) == 3 else channels)
        d = depth_scale(channels if len(shape) == 3 else 1)
        w = 0.25 if len(shape) == 1 else 0.6
        volume(axis, x, -h / 2, w, h, d, colour)
        center = x + (w + d * 0.6) / 2
        axis.text(center, -3.1, text, ha="center", va="top", fontsize=name_size, color=style.NAVY)
        axis.text(center, 3.0, shape_label, ha="center", va="bottom", fontsize=shape_size,
                  color=style.INK)
        x += max(w + d * 0.6 + 0.55, label_width)
    axis.set_xlim(-0.4, x)
    axis.set_ylim(-4.3, 4.5)
    axis.axis("off")
    fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    return fig


def shortcut(axis, x, y_from, y_to, dashed):
    from matplotlib.patches import FancyArrowPatch

    axis.add_patch(FancyArrowPatch((x, y_from), (x, y_to), connectionstyle="arc3,rad=-0.9",
                                   arrowstyle="-|>", mutation_scale=7, lw=1.1, color=style.NAVY,
                                   linestyle="--" if dashed else "-"))


def draw_resnet(out: Path, model) -> None:
    import math

    labels = resnet_labels(model)
    fig, axis = style.figure(0.5, 5.4)
    colours = [style.GREY, style.LIGHT_GREY, style.LIGHT_BLUE, style.LIGHT_GREEN, "#fde2c8",
               "#f6d5d2", style.GREY]
    layers_per_group = [1, 0] + [2 * b for _, b in RESNET34_STAGES] + [1]
    total = sum(layers_per_group)
    step = 4.6 / total
    for column, (x0, title) in enumerate([(0.35, "34-layer plain"), (2.0, "34-layer residual")]):
        axis.text(x0 + 0.35, 5.15, title, ha="center", fontsize=13, color=style.NAVY)
        y = 4.85
        index = 0
        for group, count in enumerate(layers_per_group):
            for _ in range(count):
                axis.add_patch(style.plt.Rectangle((x0, y - step * 0.8), 0.7, step * 0.7,
                                                   facecolor=colours[group], edgecolor=style.INK, lw=0.6))
                if column == 1 and 2 <= group <= 5 and index % 2 == 1:
                    # a shortcut around each pair of convolutions: dashed where the shape changes
                    first_of_stage = (index - sum(layers_per_group[:group])) == 1
                    shortcut(axis, x0 + 0.7, y + step * 1.1, y - step * 0.5,
                             dashed=first_of_stage and group > 2)
                index += 1
                y -= step
            if group == 1:
                y -= step * 0.2
    (conv, conv_shape), (pool, pool_shape), *rest = labels
    axis.text(3.05, 4.85 - step / 2, f"{conv} → {conv_shape}\n{pool} → {pool_shape}", va="center",
              fontsize=11, color=style.INK, linespacing=1.15)
    y = 4.85 - step * 1.2
    for (text, shape_label), count in zip(rest, layers_per_group[2:]):
        axis.text(3.05, y - count * step / 2, f"{text}\n→ {shape_label}", va="center", fontsize=12,
                  color=style.INK, linespacing=1.15)
        y -= count * step
    axis.set_xlim(-0.05, 5.75)
    axis.set_ylim(math.floor(y) - 0.05, 5.45)
    axis.axis("off")
    fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    style.save_png(fig, out / "resnet.png")


def make(out: Path) -> None:
    import math

    model = built(lenet)
    labels = lenet_labels(model)
    shapes = [model.inputs[0].shape[1:]] + [l.output.shape[1:] for l in model.layers
                                           if l.name in ("C1", "S2", "C3", "S4", "C5", "F6", "output")]
    colours = [style.LIGHT_GREY, style.LIGHT_BLUE, style.LIGHT_GREEN, style.LIGHT_BLUE,
               style.LIGHT_GREEN, "#fde2c8", "#fde2c8", "#f6d5d2"]
    fig = row_of_volumes(labels, shapes, 1.0, 2.9, lambda s: 0.9 + 1.6 * math.log2(s) / 5,
                         lambda c: 0.15 + 0.12 * math.log2(c), colours)
    style.save_png(fig, out / "lenet.png")

    model = built(vgg16)
    labels = vgg_labels(model)
    shapes = [tuple(int(v) for v in shape.split("×")) for _, shape in labels]
    colours = [style.LIGHT_GREY] + [style.LIGHT_BLUE] * 5 + [style.LIGHT_GREEN] + ["#fde2c8"] * 3
    # Two lines per shape, so that ten of them fit side by side.
    wrapped = [(t, s.replace("×", "×\n", 2).replace("×\n", "×", 1)) for t, s in labels]
    fig = row_of_volumes(wrapped, shapes, 1.0, 3.2,
                         lambda s: 0.8 + 1.8 * math.log2(s) / math.log2(224),
                         lambda c: 0.1 + 0.09 * math.log2(c), colours, name_size=12, shape_size=12,
                         label_width=1.5)
    style.save_png(fig, out / "vgg.png")

    draw_resnet(out, built(resnet34))


if __name__ == "__main__":
    style.run(make, OUTPUTS)
