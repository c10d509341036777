"""A small convnet trained on scikit-learn's handwritten digits (8×8 pixels), for the figures
that show what a trained network sees and how it can be fooled.

It is written out by hand in float64 NumPy, forward and backward: two 3×3 convolutions (8 and 16
channels, ReLU, zero padding), a 2×2 max-pool, a third 3×3 convolution (32 channels, ReLU) and a
dense softmax layer over the 10 digits, as the Keras model it replaces. Its weights start from a
seeded Glorot initialisation and are trained by Adam (rate 0.005, batches of 32) for 12 epochs,
the batches shuffled by `np.random.default_rng`. It is trained once and kept in the build cache
(`LECTURE_CACHE`), keyed by this file's content: the figures that import this module share one
training run per build (a file lock makes parallel scripts wait for it).

What is promised: with the same versions of Python, NumPy and scikit-learn (the pinned ones),
the weights are bit-identical on any x86-64 or ARM (aarch64) machine, and so are the
probabilities, the changed images and the dreams of figures_src/adversarial.py, and every number
the figures print. Every number is made of IEEE operations whose result is exactly rounded
whatever instructions compute it: + - × ÷ and square root, max and comparisons, rounding to an
integer and scaling by a power of two (`np.ldexp`), one ufunc call each (so no fused
multiply-add). Never used, because their results depend on the CPU:
- BLAS (`@`, `np.dot`, `np.linalg.norm`): OpenBLAS picks its kernels by CPU (SSE, AVX2, AVX-512,
  with or without FMA; each blocks its sums its own way), and `np.einsum`'s loops are vectorised
  (on ARM with fused multiply-adds);
- NumPy's `exp`, `log`, `power`, `tanh`: NumPy dispatches them per CPU (AVX-512 has its own
  float64 exp and log) or calls glibc's, which has FMA variants. `exp` below is ours, Adam's
  beta^t is a running product, and ln 9 (adversarial.py) is a written constant;
- NumPy's `sum` and `mean` for what is trained: every sum here is ours (`total`, `contract`,
  and a convolution adds its terms one after the other), in an order fixed by the shapes alone.
Each image's numbers depend on that image alone, never on the batch it is computed in.

Measured (tests/test_digits.py does it again, in small): under OpenBLAS kernels Prescott,
Nehalem, Sandybridge, Haswell, Zen and SkylakeX (OPENBLAS_CORETYPE) and NumPy's SIMD loops
limited to SSE4, AVX2 or AVX-512 (NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL" or "X86_V4
AVX512_ICL"; NumPy 2.4 ignores the older names such as AVX512F), the cached weights and all
seven PNGs of hierarchy.py and adversarial.py are byte-identical, while a matrix product and
NumPy's exp are not. The same network with `@` and NumPy's exp ends 12 epochs with weights
that differ by up to 2e-14 between those settings.

What still depends on the machine, and so is not promised:
- other versions of Python, NumPy, scikit-learn, matplotlib, Pillow or FreeType;
- a process that flushes subnormal numbers to zero (a library built with -ffast-math can switch
  that on when it is loaded): `check_arithmetic` stops with a message rather than differ;
- the PNG files' compressed bytes, not their pixels: Pillow's zlib (zlib-ng in its wheels)
  chooses SIMD code by CPU, which the settings above do not emulate; the pixels come from
  matplotlib's Agg renderer and FreeType, which have no CPU dispatch. Only x86-64 was run here:
  ARM is promised by the argument above, not by a test.
"""
from __future__ import annotations

import fcntl
import hashlib
import math
import os
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("LECTURE_CACHE",
                            Path(__file__).resolve().parent.parent / "build" / ".cache"))

EPOCHS = 12
BATCH = 32
RATE = 0.005  # Adam's learning rate
SEED = 0
LAYERS = (("conv1", 1, 8), ("conv2", 8, 16), ("conv3", 16, 32))  # name, channels in, out
FEATURES = 4 * 4 * 32  # what conv3 gives the dense layer, flattened


def check_arithmetic() -> None:
    """Stop if this process flushes subnormal numbers to zero: the promise above needs IEEE."""
    smallest_normal = np.array([2.0 ** -1022])
    if not ((smallest_normal / 4)[0] > 0 and (smallest_normal / 4 * 4)[0] == 2.0 ** -1022):
        raise RuntimeError("this process flushes subnormal numbers to zero (a library built with "
                           "-ffast-math?): the digits network would not be the same as elsewhere")


def data() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as (n, 8, 8, 1) float64 in [0, 1], and their labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype("float64")[..., None], digits.target


def split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    images, labels = data()
    order = np.random.default_rng(0).permutation(len(images))
    train, test = order[:1400], order[1400:]
    return images[train], labels[train], images[test], labels[test]


# Sums in a fixed order ---------------------------------------------------------------------------

def total(terms: np.ndarray) -> np.ndarray:
    """The sum over the last axis, pairwise: term i is added to term i + half, and so on down, an
    odd last term carried to the next round. The order depends on the length alone."""
    while terms.shape[-1] > 1:
        length, half = terms.shape[-1], terms.shape[-1] // 2
        paired = terms[..., :half] + terms[..., half:2 * half]
        terms = np.concatenate([paired, terms[..., 2 * half:]], axis=-1) if length % 2 else paired
    return terms[..., 0]


def contract(a: np.ndarray, b: np.ndarray, block: int) -> np.ndarray:
    """sum(a[i, :] * b[j, :]) for every i and j, without BLAS: the terms are taken in blocks of
    `block`, one block after the other (the last one padded with zeros), each block's products
    added to the running sums, which are then added by `total`."""
    length = a.shape[1]
    block = min(block, length)
    if length % block:
        padding = ((0, 0), (0, block - length % block))
        a, b = np.pad(a, padding), np.pad(b, padding)
    a, b = a[:, None, :], b[None, :, :]
    running = a[:, :, :block] * b[:, :, :block]
    product = np.empty_like(running)
    for start in range(block, a.shape[2], block):
        np.multiply(a[:, :, start:start + block], b[:, :, start:start + block], out=product)
        running += product
    return total(running)


def dot(a: np.ndarray, b: np.ndarray, rows: int = 256) -> np.ndarray:
    """a @ b for 2-D arrays, without BLAS: `contract` in blocks of 128 terms. The rows of `a` are
    taken a few hundred at a time, to bound memory; a row's result does not depend on the rows
    that come with it."""
    b = np.ascontiguousarray(b.T)
    return np.concatenate([np.zeros((0, len(b)))] + [contract(a[i:i + rows], b, 128)
                                                     for i in range(0, len(a), rows)])


def norms(x: np.ndarray) -> np.ndarray:
    """The Euclidean norm of each x[i], without BLAS."""
    flat = x.reshape(len(x), -1)
    return np.sqrt(total(flat * flat))


# exp(x) = 2^k e^r with k = round(x / ln 2), |r| <= ln 2 / 2, e^r by its Taylor series to r^13
# (what it leaves out is < 1e-17 of it), ln 2 in two parts (fdlibm's) so that k ln 2 is
# subtracted exactly; within 2 units in the last place of the true value.
_LN2_HIGH = 6.93147180369123816490e-01
_LN2_LOW = 1.90821492927058770002e-10
_TAYLOR = [1.0 / math.factorial(i) for i in range(14)]


def exp(x: np.ndarray) -> np.ndarray:
    """e^x for x <= 709, from IEEE-exact operations only (NumPy's exp differs between CPUs).
    Below -700 it gives e^-700 (1e-304): small enough, and never a subnormal."""
    x = np.maximum(np.asarray(x, dtype="float64"), -700.0)
    k = np.rint(x / _LN2_HIGH)
    r = (x - k * _LN2_HIGH) - k * _LN2_LOW
    series = np.full_like(r, _TAYLOR[-1])
    for coefficient in reversed(_TAYLOR[:-1]):
        series = series * r + coefficient
    return np.ldexp(series, k.astype(np.int64))


def softmax(z: np.ndarray) -> np.ndarray:
    """Probabilities from scores, row by row."""
    e = exp(z - z.max(axis=1, keepdims=True))
    return e / total(e)[:, None]


# The layers, on activations laid out (channels, images, height, width) ---------------------------

def windows(x: np.ndarray) -> np.ndarray:
    """The 3×3 neighbourhood of every position, zero padded: (9, channels, images × h × w)."""
    channels, n, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    return np.stack([padded[:, :, dy:dy + h, dx:dx + w].reshape(channels, -1)
                     for dy in range(3) for dx in range(3)])


def conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """A 3×3 convolution with zero padding ("same"): (c, n, h, w) by a (3, 3, c, o) kernel.

    Each output is its bias plus the products of its 3×3×c window, added one after the other."""
    channels, n, h, w = x.shape
    terms = windows(x)
    kernel = kernel.reshape(9, channels, -1)
    out = np.zeros((kernel.shape[2], n * h * w))
    if bias is not None:
        out += bias[:, None]
    product = np.empty_like(out)
    for offset in range(9):
        for c in range(channels):
            np.multiply(kernel[offset, c, :, None], terms[offset, c], out=product)
            out += product
    return out.reshape(-1, n, h, w)


def conv_input_gradient(gradient: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The gradient with respect to a convolution's input, from that of its output: the same
    padded convolution with the kernel turned by 180° and its channels swapped."""
    return conv(gradient, kernel[::-1, ::-1].transpose(0, 1, 3, 2))


def conv_kernel_gradient(x: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """The gradient with respect to a convolution's kernel: every window times the output
    gradient at its centre, summed (`contract`) over the positions of all the images."""
    channels = len(x)
    block = 128  # shorter when there are many pairs of channels: faster
    while block > 8 and 9 * channels * len(gradient) * block > 1 << 17:
        block //= 2
    terms = windows(x).reshape(9 * channels, -1)
    return contract(terms, gradient.reshape(len(gradient), -1), block).reshape(3, 3, channels, -1)


def bias_gradient(gradient: np.ndarray) -> np.ndarray:
    return total(gradient.reshape(len(gradient), -1))


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0), always +0.0 for x <= 0 (np.maximum may keep a -0.0, depending on its loop)."""
    return np.where(x > 0, x, 0.0)


def pool(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2×2 max-pooling, and which of the four (the first in reading order) gave each maximum."""
    c, n, h, w = x.shape
    quads = x.reshape(c, n, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(
        c, n, h // 2, w // 2, 4)
    return quads.max(axis=4), quads.argmax(axis=4)


def pool_gradient(gradient: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    c, n, h, w = gradient.shape
    quads = (np.arange(4) == chosen[..., None]) * gradient[..., None]
    return quads.reshape(c, n, h, w, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(c, n, 2 * h, 2 * w)


# The network -------------------------------------------------------------------------------------

def initial_weights(seed: int = SEED) -> dict[str, np.ndarray]:
    """Glorot-uniform kernels (as Keras starts them) from a seeded generator, zero biases."""
    rng = np.random.default_rng(seed)
    weights = {}
    for name, channels, out in LAYERS:
        limit = math.sqrt(6.0 / (9 * channels + 9 * out))
        weights[f"{name}.kernel"] = rng.uniform(-limit, limit, (3, 3, channels, out))
        weights[f"{name}.bias"] = np.zeros(out)
    limit = math.sqrt(6.0 / (FEATURES + 10))
    weights["classes.kernel"] = rng.uniform(-limit, limit, (FEATURES, 10))
    weights["classes.bias"] = np.zeros(10)
    return weights


class Network:
    """The digits convnet with given weights: scores, probabilities, and gradients by hand.
    Images come in and gradients go out as (n, 8, 8, 1), as `data()` gives them."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.weights = {name: np.asarray(value, dtype="float64") for name, value in weights.items()}

    def forward(self, images: np.ndarray) -> tuple[np.ndarray, dict]:
        """The class scores before the softmax, (n, 10), and what the backward pass needs."""
        w = self.weights
        x = np.ascontiguousarray(images.transpose(3, 0, 1, 2), dtype="float64")
        a1 = relu(conv(x, w["conv1.kernel"], w["conv1.bias"]))
        a2 = relu(conv(a1, w["conv2.kernel"], w["conv2.bias"]))
        pooled, chosen = pool(a2)
        a3 = relu(conv(pooled, w["conv3.kernel"], w["conv3.bias"]))
        features = a3.transpose(1, 0, 2, 3).reshape(len(images), -1)
        z = dot(features, w["classes.kernel"]) + w["classes.bias"]
        return z, dict(x=x, a1=a1, a2=a2, pooled=pooled, chosen=chosen, a3=a3, features=features)

    def backward(self, tape: dict, dz: np.ndarray, weights: bool = True, inputs: bool = False
                 ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """Gradients of sum(dz * scores): with respect to the weights (summed over the images)
        and, if asked, to each image, (n, 8, 8, 1)."""
        w, grads = self.weights, {}
        if weights:
            grads["classes.kernel"] = dot(tape["features"].T, dz)
            grads["classes.bias"] = total(dz.T)
        a3 = tape["a3"]
        d3 = dot(dz, w["classes.kernel"].T).reshape(a3.shape[1], a3.shape[0], *a3.shape[2:])
        d3 = d3.transpose(1, 0, 2, 3) * (a3 > 0)
        if weights:
            grads["conv3.kernel"] = conv_kernel_gradient(tape["pooled"], d3)
            grads["conv3.bias"] = bias_gradient(d3)
        d2 = pool_gradient(conv_input_gradient(d3, w["conv3.kernel"]), tape["chosen"])
        d2 = d2 * (tape["a2"] > 0)
        if weights:
            grads["conv2.kernel"] = conv_kernel_gradient(tape["a1"], d2)
            grads["conv2.bias"] = bias_gradient(d2)
        d1 = conv_input_gradient(d2, w["conv2.kernel"]) * (tape["a1"] > 0)
        if weights:
            grads["conv1.kernel"] = conv_kernel_gradient(tape["x"], d1)
            grads["conv1.bias"] = bias_gradient(d1)
        dx = conv_input_gradient(d1, w["conv1.kernel"]).transpose(1, 2, 3, 0) if inputs else None
        return grads, dx

    def scores(self, images: np.ndarray) -> np.ndarray:
        return self.forward(images)[0]

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        return softmax(self.scores(images))


def train(images: np.ndarray, labels: np.ndarray, epochs: int = EPOCHS, seed: int = SEED,
          batch: int = BATCH, rate: float = RATE) -> dict[str, np.ndarray]:
    """Adam on the cross-entropy, `epochs` passes over the images in seeded shuffled batches."""
    check_arithmetic()
    network = Network(initial_weights(seed))
    weights = network.weights
    moment = {name: np.zeros_like(value) for name, value in weights.items()}
    square = {name: np.zeros_like(value) for name, value in weights.items()}
    beta1, beta2, epsilon = 0.9, 0.999, 1e-7  # Keras' defaults
    power1 = power2 = 1.0  # beta^t by multiplication: Python's ** calls libm's pow
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(images))
        for start in range(0, len(images), batch):
            chosen = order[start:start + batch]
            z, tape = network.forward(images[chosen])
            dz = softmax(z)
            dz[np.arange(len(chosen)), labels[chosen]] -= 1.0
            grads, _ = network.backward(tape, dz / len(chosen))
            power1, power2 = power1 * beta1, power2 * beta2
            step = rate * math.sqrt(1.0 - power2) / (1.0 - power1)
            for name, g in grads.items():
                moment[name] += (g - moment[name]) * (1.0 - beta1)
                square[name] += (g * g - square[name]) * (1.0 - beta2)
                weights[name] -= moment[name] * step / (np.sqrt(square[name]) + epsilon)
    return weights


def trained_model() -> Network:
    """The trained network: from the cache, or trained now (and cached for the other figures)."""
    check_arithmetic()
    CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    path = CACHE / f"digits-{key}.npz"
    with open(CACHE / "digits.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # figures run in parallel: one of them trains
        if not path.exists():
            x_train, y_train, _, _ = split()
            partial = CACHE / f"digits-{key}.partial.npz"
            with open(partial, "wb") as file:
                np.savez(file, **train(x_train, y_train))
            os.replace(partial, path)
        with np.load(path) as saved:
            return Network({name: saved[name] for name in saved.files})


def accuracy(network: Network) -> float:
    """The share of the 397 held-out digits the network gets right."""
    _, _, x_test, y_test = split()
    return float(np.mean(network.probabilities(x_test).argmax(axis=1) == y_test))
