"""The digits convnet written by hand (figures_src/digits.py): its gradients, its sums in a fixed
order, the same bits under other CPUs, and the values the adversarial and hierarchy figures
record, computed again."""
import json
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from conftest import REPO

FIGURES_SRC = REPO / "figures_src"


@pytest.fixture(scope="module")
def figures_src():
    sys.path.insert(0, str(FIGURES_SRC))
    import adversarial
    import digits
    import hierarchy
    yield digits, adversarial, hierarchy
    sys.path.remove(str(FIGURES_SRC))


def test_gradients_by_hand_are_the_finite_differences(figures_src):
    digits, _, _ = figures_src
    rng = np.random.default_rng(1)
    network = digits.Network(digits.initial_weights(3))
    for name, value in network.weights.items():  # non-zero biases, so that every term counts
        if name.endswith("bias"):
            value[...] = rng.normal(0, 0.1, value.shape)
    images = rng.uniform(0, 1, (3, 8, 8, 1))
    dz = rng.normal(size=(3, 10))
    _, tape = network.forward(images)
    grads, dx = network.backward(tape, dz, inputs=True)

    def loss():
        return float(np.sum(network.scores(images) * dz))

    def numerical(array, index, step=1e-6):
        old = array[index]
        array[index] = old + step
        up = loss()
        array[index] = old - step
        down = loss()
        array[index] = old
        return (up - down) / (2 * step)

    for name, value in network.weights.items():
        for _ in range(3):
            index = tuple(int(rng.integers(0, size)) for size in value.shape)
            assert grads[name][index] == pytest.approx(numerical(value, index), abs=1e-8), name
    for index in [(0, 3, 4, 0), (1, 7, 5, 0), (2, 0, 0, 0)]:
        assert dx[index] == pytest.approx(numerical(images, index), abs=1e-8)


def test_fixed_order_sums_exp_and_softmax(figures_src):
    digits, _, _ = figures_src
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(300, 513)), rng.normal(size=(513, 10))
    assert np.allclose(digits.dot(a, b), a @ b, rtol=0, atol=1e-12)
    # A row's result does not depend on the rows computed with it (nor on the blocks of rows).
    assert np.array_equal(digits.dot(a[7:9], b), digits.dot(a, b)[7:9])
    assert digits.total(np.arange(37.0)) == 666.0
    assert np.allclose(digits.norms(a), np.linalg.norm(a, axis=1), rtol=1e-15)
    x = np.linspace(-700, 709, 20001)
    assert np.allclose(digits.exp(x), np.exp(x), rtol=4e-16, atol=0)
    assert digits.exp(np.array([0.0]))[0] == 1.0 and digits.exp(np.array([-1e6]))[0] > 0
    p = digits.softmax(rng.normal(size=(5, 10)) * 30)
    assert np.allclose(p.sum(axis=1), 1) and (p > 0).all()


def test_each_image_is_computed_on_its_own(figures_src):
    digits, adversarial, _ = figures_src
    network = digits.Network(digits.initial_weights(4))
    _, _, images, labels = digits.split()
    images, labels = images[:12], labels[:12]
    assert np.array_equal(network.probabilities(images[3:5]), network.probabilities(images)[3:5])
    changed, target = adversarial.smallest_change(network, images, labels, steps=5)
    alone, alone_target = adversarial.smallest_change(network, images[5:6], labels[5:6], steps=5)
    assert np.array_equal(alone[0], changed[5]) and alone_target[0] == target[5]


# Emulated CPUs: OpenBLAS's kernels (OPENBLAS_CORETYPE) and NumPy's SIMD loops (its dispatch
# targets above the baseline, NumPy >= 2.4: X86_V3 = AVX2 and FMA, X86_V4 = AVX-512, AVX512_ICL).
# The older names (AVX512F, AVX2, FMA3...) are silently ignored by NumPy 2.4.
CPUS = {
    "native": ("", ""),
    "SSE4 (Nehalem)": ("Nehalem", "X86_V3 X86_V4 AVX512_ICL"),
    "AVX2 (Haswell)": ("Haswell", "X86_V4 AVX512_ICL"),
}
PROBE = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import adversarial, digits
x_train, y_train, x_test, y_test = digits.split()
weights = digits.train(x_train[:256], y_train[:256], epochs=2)
network = digits.Network(weights)
changed, target = adversarial.smallest_change(network, x_test[:16], y_test[:16], steps=8)
results = [weights[name] for name in sorted(weights)] + [
    changed, target, adversarial.dream(network, steps=8), network.probabilities(x_test)]
ours = hashlib.sha256(b"".join(np.ascontiguousarray(r).tobytes() for r in results))
a = np.random.default_rng(0).standard_normal((96, 96))
blas = hashlib.sha256((a @ a).tobytes())
simd = hashlib.sha256(np.exp(a).tobytes() + np.log(np.abs(a)).tobytes())
print(ours.hexdigest(), blas.hexdigest(), simd.hexdigest())
"""


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "AMD64"),
                    reason="the emulated CPUs are x86-64 ones")
def test_same_bits_on_emulated_cpus(figures_src):
    """Training (the same code, on fewer digits and epochs), the adversarial search and the
    dreams give the same bits whichever kernels OpenBLAS and NumPy pick; a control (BLAS's
    matrix product, NumPy's exp and log) shows that the settings do change what those pick."""
    from numpy._core._multiarray_umath import __cpu_features__ as features

    cpus = {name: cpu for name, cpu in CPUS.items() if "AVX2" not in name or features["X86_V3"]}

    def run(cpu):
        coretype, disabled = cpu
        env = {k: v for k, v in os.environ.items()
               if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NPY_DISABLE_CPU_FEATURES",
                            "NPY_ENABLE_CPU_FEATURES")}
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        if coretype:
            env.update(OPENBLAS_CORETYPE=coretype, NPY_DISABLE_CPU_FEATURES=disabled)
        done = subprocess.run([sys.executable, "-c", PROBE, str(FIGURES_SRC)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(cpus, pool.map(run, cpus.values())))
    ours = {name: result[0] for name, result in results.items()}
    assert len(set(ours.values())) == 1, ours
    controls = {tuple(result[1:]) for result in results.values()}
    assert len(controls) > 1, "the emulated CPUs changed nothing: the test would prove nothing"


@pytest.fixture(scope="module")
def recorded(built_course, figures_src):
    """The values the course's build recorded, and the network it trained (from its cache)."""
    digits, _, _ = figures_src
    values = built_course.root / "build/.cache/values/figure"
    cache, digits.CACHE = digits.CACHE, built_course.root / "build/.cache"
    try:
        network = digits.trained_model()
    finally:
        digits.CACHE = cache
    return ({name: json.loads((values / f"{name}.json").read_text())
             for name in ("adversarial", "hierarchy")}, network)


def test_recorded_values_are_what_the_figures_show(recorded, figures_src):
    digits, adversarial, hierarchy = figures_src
    (values, network) = recorded
    shown = values["adversarial"]
    _, _, x_test, y_test = digits.split()
    p_test = network.probabilities(x_test)
    sure = (p_test.argmax(axis=1) == y_test) & (p_test.max(axis=1) >= adversarial.SURE)
    assert shown["examined"] == int(sure.sum())
    assert 0 < shown["fooled"] <= shown["examined"]
    assert (shown["margin"], shown["sure_p"]) == (9, 0.95)
    assert adversarial.LOG_MARGIN == math.log(9)

    # The quiz again, from the test digits of its kind alone (each image is changed on its own).
    quiz = shown["quiz_digit"]
    assert quiz == adversarial.QUIZ_DIGIT
    images, labels = x_test[sure & (y_test == quiz)], y_test[sure & (y_test == quiz)]
    changed, _ = adversarial.smallest_change(network, images, labels)
    p_before, p_after = network.probabilities(images), network.probabilities(changed)
    sizes = np.linalg.norm((changed - images).reshape(len(images), -1), axis=1)
    fooled = np.flatnonzero(p_after.argmax(axis=1) != quiz)
    i = fooled[np.argmin(sizes[fooled])]
    assert (shown["left_digit"], shown["left_p"]) == (p_before[i].argmax(), p_before[i].max())
    assert (shown["right_digit"], shown["right_p"]) == (p_after[i].argmax(), p_after[i].max())
    assert shown["left_digit"] == quiz != shown["right_digit"]
    assert shown["right_p"] / p_after[i][quiz] >= 9  # the margin holds
    assert shown["change_norm"] == pytest.approx(sizes[i], rel=1e-12)

    # Medians and the dreams, computed again.
    assert shown["median_digit_norm"] == pytest.approx(
        np.median(np.linalg.norm(x_test[sure].reshape(int(sure.sum()), -1), axis=1)), rel=1e-12)
    assert 0 < shown["median_change_norm"] < shown["median_digit_norm"]
    dreams = network.probabilities(adversarial.dream(network))
    assert shown["dream_p"] == [p.max() for p in dreams]
    assert shown["dream_min_p"] == min(shown["dream_p"])
    assert [p.argmax() for p in dreams] == list(range(10))

    four = values["hierarchy"]
    p = network.probabilities(hierarchy.a_four()[None, :, :, None])[0]
    assert (four["four_digit"], four["four_p"]) == (p.argmax(), p.max())
    assert four["test_accuracy"] == np.mean(p_test.argmax(axis=1) == y_test) >= 0.97


def test_the_quiz_digit_picks_the_story(recorded, figures_src, tmp_path, monkeypatch):
    """Another QUIZ_DIGIT: the quiz shows one of those and the values say so; the values that do
    not depend on it are the build's again, to the bit."""
    from lecture_tool import figure_style as style

    digits, adversarial, _ = figures_src
    values, network = recorded
    monkeypatch.setattr(adversarial, "QUIZ_DIGIT", 7)
    monkeypatch.setattr(digits, "trained_model", lambda: network)
    monkeypatch.setattr(style, "_recorded", {})
    adversarial.make(tmp_path)
    again = style._recorded
    assert again["quiz_digit"] == again["left_digit"] == 7 != again["right_digit"]
    built = values["adversarial"]
    for name in ("examined", "fooled", "median_change_norm", "median_digit_norm", "easiest",
                 "dream_p", "dream_min_p"):
        assert again[name] == built[name], name
