"""The numbers the figures draw: checked by hand and against Keras' own layers."""
import importlib
import sys

import numpy as np
import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def figures_src():
    sys.path.insert(0, str(REPO / "figures_src"))
    yield lambda name: importlib.import_module(name)
    sys.path.remove(str(REPO / "figures_src"))


def test_cross_correlation_by_hand(figures_src):
    conv = figures_src("conv_arithmetic")
    image = np.arange(25).reshape(5, 5)
    # A 3x3 box of ones sums each window: 9 times its centre value, 5 (r + 1) + (c + 1).
    assert conv.cross_correlate(image, np.ones((3, 3), int)).tolist() == [
        [54, 63, 72], [99, 108, 117], [144, 153, 162]]
    # The deck's kernel: left column minus right column, 3 rows of (x - (x + 2)) = -6 everywhere.
    assert conv.cross_correlate(image, conv.KERNEL).tolist() == [[-6] * 3] * 3
    assert conv.cross_correlate(image, conv.KERNEL, stride=2).tolist() == [[-6] * 2] * 2
    # With zero padding, the top-left window has zeros where the left column of the kernel is:
    padded = conv.cross_correlate(image, conv.KERNEL, padding=1)
    assert padded.shape == (5, 5)
    assert padded[0, 0] == -(1 + 6)  # only the right-hand column of the kernel sees the image
    assert padded[2, 2] == -6


def test_output_size_formula(figures_src):
    conv = figures_src("conv_arithmetic")
    assert [conv.output_size(5, 3, 0, 1), conv.output_size(5, 3, 0, 2),
            conv.output_size(5, 3, 1, 1)] == [3, 2, 5]
    with pytest.raises(AssertionError):
        conv.output_size(6, 3, 0, 2)


def test_conv_figures_agree_with_keras_conv2d(figures_src):
    import keras

    conv = figures_src("conv_arithmetic")
    for animation in conv.ANIMATIONS:
        layer = keras.layers.Conv2D(1, 3, strides=animation.stride, use_bias=False,
                                    padding="same" if animation.padding else "valid")
        batch = conv.INPUT[None, :, :, None].astype("float32")
        layer.build(batch.shape)
        layer.set_weights([conv.KERNEL[:, :, None, None].astype("float32")])
        keras_result = keras.ops.convert_to_numpy(layer(batch))[0, :, :, 0]
        ours = conv.cross_correlate(conv.INPUT, conv.KERNEL, animation.padding, animation.stride)
        assert keras_result.tolist() == ours.astype("float32").tolist(), animation.name


def test_pooling_values_by_hand(figures_src):
    maximum, average = figures_src("pooling").pool(figures_src("pooling").FEATURE_MAP)
    assert maximum.tolist() == [[6, 2], [7, 9]]
    assert average.tolist() == [[3.75, 1.25], [2.5, 6.0]]


def test_softmax_is_keras_softmax(figures_src):
    import keras

    softmax = figures_src("softmax")
    ours = softmax.softmax(softmax.SCORES)
    assert ours.sum() == pytest.approx(1.0)
    assert ours == pytest.approx(keras.ops.convert_to_numpy(
        keras.ops.softmax(softmax.SCORES.astype("float32"))), rel=1e-6)
    assert list(np.argsort(-ours)) == [0, 1, 2, 3]


def test_sunshine_fits(figures_src):
    sunshine = figures_src("sunshine")
    x, y = sunshine.days()
    w, b = sunshine.fit_line(x, y)
    assert (w, b) == pytest.approx(tuple(np.polyfit(x, y, 1)))
    assert 1.0 < w < 1.6  # the data were made with 1.3 °C more per hour of sunshine
    label = (y > sunshine.TOO_HOT).astype(float)
    w, b = sunshine.fit_logistic(x, label)
    predicted = (w * x + b > 0).astype(float)
    assert (predicted == label).mean() > 0.85
    assert w > 0  # more sunshine, more likely too hot


def test_architecture_labels_are_the_shapes_keras_computes(figures_src):
    import keras
    from keras import layers

    arch = figures_src("architectures")
    # LeNet-5 written out again here, independently of the figure script.
    reference = keras.Sequential([keras.Input((32, 32, 1)), layers.Conv2D(6, 5), layers.AveragePooling2D(2),
                                  layers.Conv2D(16, 5), layers.AveragePooling2D(2), layers.Flatten(),
                                  layers.Dense(120), layers.Dense(84), layers.Dense(10)])
    expected = ["32×32×1"] + ["×".join(map(str, l.output.shape[1:])) for l in reference.layers
                               if not isinstance(l, layers.Flatten)]
    assert [shape for _, shape in arch.lenet_labels(arch.built(arch.lenet))] == expected

    # VGG-16 as keras.applications builds it (no weights are fetched with weights=None).
    with keras.StatelessScope(initialize_variables=False):
        applications = keras.applications.VGG16(weights=None)
    ours = arch.built(arch.vgg16)
    assert ours.count_params() == applications.count_params() == 138_357_544
    block_shapes = ["×".join(map(str, applications.get_layer(f"block{b}_conv{n}").output.shape[1:]))
                    for b, n in [(1, 2), (2, 2), (3, 3), (4, 3), (5, 3)]]
    labels = arch.vgg_labels(ours)
    assert [shape for _, shape in labels[1:6]] == block_shapes
    assert labels[6][1] == "×".join(map(str, applications.get_layer("block5_pool").output.shape[1:]))

    # ResNet-34: with padding="same" a stride-2 layer gives ceil(size / 2): 224 is halved by the
    # stem convolution and by the pooling, then by the first block of each later stage.
    import math

    sizes = [math.ceil(224 / 2)]
    for _ in range(4):
        sizes.append(math.ceil(sizes[-1] / 2))
    channels = [64, 64, 64, 128, 256, 512]
    expected = [f"{s}×{s}×{c}" for s, c in zip(sizes[:2] + sizes[1:], channels)]
    assert [shape for _, shape in arch.resnet_labels(arch.built(arch.resnet34))][:6] == expected
    plain, residual = arch.built(arch.resnet34, False), arch.built(arch.resnet34, True)
    weight_layers = lambda m: sum(isinstance(l, (layers.Conv2D, layers.Dense)) and "projection" not in l.name
                                  for l in m.layers)  # noqa: E731
    assert weight_layers(plain) == weight_layers(residual) == 34


def test_feature_map_figures_use_the_slides_conv2d(figures_src):
    import keras

    maps = figures_src("feature_maps")
    layer = keras.layers.Conv2D(maps.FILTERS, maps.KERNEL)
    shape = layer.compute_output_shape((None, maps.IMAGE, maps.IMAGE, maps.CHANNELS))
    assert shape[1:] == (maps.output_size(maps.IMAGE, maps.KERNEL),) * 2 + (maps.FILTERS,)
