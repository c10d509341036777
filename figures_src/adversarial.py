"""Fooling the digits convnet: the smallest changes that make it sure of another digit (a quiz, its
answer, and the digits easiest to fool), and images made from noise that it classifies with high
confidence.

After Elsayed et al. (2018), Szegedy et al. (2014), Moosavi-Dezfooli et al. (2016) and Nguyen et
al. (2015), on our own small model and data.
"""
from pathlib import Path

import numpy as np

import digits
from lecture_tool import figure_style as style

OUTPUTS = ["adversarial-quiz.png", "adversarial-answer.png", "adversarial-smallest.png",
           "imagenet_16_images_horizontal_0.png"]

# How sure of the wrong digit the network must become: p(wrong) / p(right) >= 9, i.e. at least
# 90 % when the two share the probability. Just crossing the boundary would leave it at 50/50.
MARGIN = float(np.log(9.0))
SURE = 0.95  # the digits shown are those the network gets right with at least this probability


class Scores:
    """The class scores before the softmax, and their gradients with respect to every pixel.

    The scores, not the probabilities: a saturated softmax (100 %) has no gradient left. The
    graphs are traced once: retracing TensorFlow's Jacobian on every step took most of the time."""

    def __init__(self, model):
        import keras
        import tensorflow as tf

        classes = model.get_layer("classes")
        features = keras.Model(model.inputs, classes.input)
        kernel, bias = (tf.constant(w) for w in classes.get_weights())

        def scores(x):
            return tf.matmul(features(x, training=False), kernel) + bias

        @tf.function(reduce_retracing=True)
        def jacobian(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                z = scores(x)
            return z, tape.batch_jacobian(z, x)

        @tf.function(reduce_retracing=True)
        def gap_gradient(x, rows, target, label):
            # Each image's scores depend on that image alone, so one gradient of the summed gaps
            # is every image's own gradient of z[target] - z[label].
            with tf.GradientTape() as tape:
                tape.watch(x)
                z = scores(x)
                gaps = (tf.gather_nd(z, tf.stack([rows, target], axis=1))
                        - tf.gather_nd(z, tf.stack([rows, label], axis=1)))
                total = tf.reduce_sum(gaps)
            return gaps, tape.gradient(total, x)

        self._jacobian, self._gap_gradient, self._tf = jacobian, gap_gradient, tf

    def jacobian(self, images: np.ndarray):
        """(n, 10) scores and their (n, 10, 8, 8, 1) gradients."""
        z, jacobian = self._jacobian(self._tf.constant(images))
        return z.numpy(), jacobian.numpy()

    def gap_gradient(self, images: np.ndarray, target: np.ndarray, label: np.ndarray):
        """z[target] - z[label] for each image, and its gradient."""
        rows = np.arange(len(images))
        gaps, gradient = self._gap_gradient(self._tf.constant(images), rows, target, label)
        return gaps.numpy(), gradient.numpy()


def smallest_change(model, images: np.ndarray, labels: np.ndarray, margin: float = MARGIN,
                    steps: int = 60):
    """A small change per image that makes the network prefer another digit by `margin`.

    DeepFool's idea: linearise the scores, and take the shortest step to where the nearest other
    class wins; repeat, because the network is not linear. Returns the changed images and, for
    each, the digit it was pushed towards."""
    n = len(images)
    rows = np.arange(n)
    scores = Scores(model)
    z, jacobian = scores.jacobian(images)
    gap = z - z[rows, labels][:, None]
    direction = (jacobian - jacobian[rows, labels][:, None]).reshape(n, 10, -1)
    distance = np.abs(gap) / (np.linalg.norm(direction, axis=2) + 1e-12)
    distance[rows, labels] = np.inf
    target = distance.argmin(axis=1)  # the class whose boundary is nearest
    x = images.copy()
    for _ in range(steps):
        gaps, w = scores.gap_gradient(x, target, labels)
        short = margin - gaps  # how far each is from the goal
        if (short <= 0).all():
            break
        squared = (w.reshape(n, -1) ** 2).sum(axis=1) + 1e-12
        # The shortest step that closes the gap to first order, 2 % longer to get across it.
        scale = np.where(short > 0, 1.02 * short / squared, 0.0)
        x = np.clip(x + scale[:, None, None, None] * w, 0, 1)
    return x, target


def show(axis, image, title, cmap="gray_r", colour=style.INK, limit=1.0):
    signed = cmap != "gray_r"
    axis.imshow(image[:, :, 0] if image.ndim == 3 else image, cmap=cmap, interpolation="nearest",
                vmin=-limit if signed else 0, vmax=limit)
    axis.set_title(title, fontsize=14, color=colour)
    axis.set_xticks([])
    axis.set_yticks([])
    for spine in axis.spines.values():
        spine.set_visible(True)
        spine.set_color(style.GREY)


def norm(change: np.ndarray) -> float:
    return float(np.linalg.norm(change))


def make(out: Path) -> None:
    model = digits.trained_model()
    _, _, x_test, y_test = digits.split()
    predict = lambda x: np.asarray(model(x, training=False))  # noqa: E731

    # Every test digit the network gets right and is sure of (a digit it hesitates about would be
    # an easy catch), changed as little as it takes to fool it.
    p_test = predict(x_test)
    right = np.flatnonzero((p_test.argmax(axis=1) == y_test) & (p_test.max(axis=1) >= SURE))
    images, labels = x_test[right], y_test[right]
    changed, _ = smallest_change(model, images, labels)
    p_before, p_after = predict(images), predict(changed)
    assert (p_after.argmax(axis=1) != labels).all(), "some digit was not fooled"
    norms = np.linalg.norm((changed - images).reshape(len(images), -1), axis=1)

    # The quiz: the 4 that needs the smallest change, beside its changed copy.
    four = int(np.flatnonzero(labels == 4)[np.argmin(norms[labels == 4])])
    fig, axes = style.figure(0.45, 2.9, ncols=2)
    show(axes[0], images[four], "left")
    show(axes[1], changed[four], "right")
    fig.tight_layout()
    style.save_png(fig, out / "adversarial-quiz.png")

    # Its answer: what the network says about each, and the change, magnified to be seen at all.
    before, after = p_before[four], p_after[four]
    change = changed[four] - images[four]
    fig, axes = style.figure(0.85, 2.9, ncols=4, gridspec_kw={"width_ratios": [1, 1, 1, 1.9]})
    show(axes[0], images[four], f"left: {before.argmax()} ({before.max():.0%})")
    show(axes[1], 10 * change, "change × 10", cmap="coolwarm")
    show(axes[2], changed[four], f"right: {after.argmax()} ({after.max():.0%})", colour=style.RED)
    axes[2].set_xlabel(f"$\\|$change$\\|$ = {norm(change):.2f}", fontsize=14)
    axes[3].bar(np.arange(10) - 0.2, before, width=0.4, color=style.BLUE, label="left")
    axes[3].bar(np.arange(10) + 0.2, after, width=0.4, color=style.RED, label="right")
    axes[3].set_xticks(range(10))
    axes[3].set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
    axes[3].set_ylim(0, 1.05)
    axes[3].set_xlabel("digit")
    axes[3].set_title("P(digit)", fontsize=14, pad=12)
    axes[3].legend(loc="upper left", frameon=False, fontsize=13)
    fig.tight_layout()
    style.save_png(fig, out / "adversarial-answer.png")

    # The digit of each class that is easiest to fool, for the six easiest classes.
    easiest = [int(np.flatnonzero(labels == d)[np.argmin(norms[labels == d])]) for d in range(10)]
    easiest = sorted(easiest, key=lambda i: norms[i])[:6]
    fig, axes = style.figure(0.7, 3.4, nrows=2, ncols=len(easiest), gridspec_kw={"hspace": 0.5})
    for column, i in enumerate(easiest):
        show(axes[0, column], images[i], f"{labels[i]} ({p_before[i].max():.0%})")
        show(axes[1, column], changed[i], f"{p_after[i].argmax()} ({p_after[i].max():.0%})",
             colour=style.RED)
        axes[1, column].set_xlabel(f"by {norms[i]:.2f}", fontsize=14)
    axes[0, 0].set_ylabel("test digit", fontsize=14)
    axes[1, 0].set_ylabel("changed", fontsize=14)
    own = np.median(np.linalg.norm(images.reshape(len(images), -1), axis=1))
    fig.text(0.5, 0.01, f"by: the size (norm) of the change; median over all {len(images)} digits:"
             f" {np.median(norms):.2f}, of a digit itself: {own:.1f}",
             ha="center", va="bottom", fontsize=13, color=style.GREY)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.92, bottom=0.17, wspace=0.15)
    style.save_png(fig, out / "adversarial-smallest.png")

    # Images from noise that the model is sure about.
    fig, axes = style.figure(1.0, 1.9, ncols=10)
    dreams = dream(model)
    for image, p, axis in zip(dreams, predict(dreams), axes):
        show(axis, image, f"{p.argmax()}: {p.max():.0%}")
    fig.tight_layout()
    style.save_png(fig, out / "imagenet_16_images_horizontal_0.png")


def dream(model, steps: int = 60, rate: float = 0.05, seed: int = 0) -> np.ndarray:
    """Start from noise and climb the model's confidence: image k towards digit k, all at once."""
    import tensorflow as tf

    targets = np.arange(10)
    x = np.random.default_rng(seed).uniform(0.3, 0.7, (10, 8, 8, 1)).astype("float32")
    for _ in range(steps):
        variable = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(variable)
            p = model(variable, training=False)
            log_p = tf.reduce_sum(tf.math.log(tf.gather(p, targets, axis=1, batch_dims=1) + 1e-9))
        x = np.clip(x + rate * np.sign(tape.gradient(log_p, variable).numpy()), 0, 1)
    return x


if __name__ == "__main__":
    style.run(make, OUTPUTS)
