"""Fooling the digits convnet: an adversarial example, a universal perturbation, and images made
from noise that it classifies with high confidence.

After Elsayed et al. (2018), Moosavi-Dezfooli et al. (2017) and Nguyen et al. (2015), on our own
small model and data.
"""
from pathlib import Path

import numpy as np

import digits
from lecture_tool import figure_style as style

OUTPUTS = ["cat-vs-dog.png", "universal-pertubation.png", "imagenet_16_images_horizontal_0.png"]


def gradient(model, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """d(cross-entropy)/d(image): the direction that makes the model more wrong."""
    import tensorflow as tf

    x = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.keras.losses.sparse_categorical_crossentropy(labels, model(x, training=False))
    return tape.gradient(loss, x).numpy()


def fgsm(model, image: np.ndarray, label: int, epsilon: float = 0.05, steps: int = 10) -> np.ndarray:
    """Iterated fast gradient sign method, each pixel moving at most steps × epsilon."""
    x = image[None].copy()
    for _ in range(steps):
        x = np.clip(x + epsilon * np.sign(gradient(model, x, np.array([label]))), 0, 1)
        if np.asarray(model(x, training=False)).argmax() != label:
            break
    return x[0]


def universal(model, images: np.ndarray, labels: np.ndarray, limit: float = 0.35,
              steps: int = 40, rate: float = 0.02) -> np.ndarray:
    """One perturbation for all images: gradient ascent on the mean loss, kept within ±limit."""
    v = np.zeros_like(images[0])
    for _ in range(steps):
        g = gradient(model, np.clip(images + v, 0, 1), labels).mean(axis=0)
        v = np.clip(v + rate * np.sign(g), -limit, limit)
    return v


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


def show(axis, image, title, cmap="gray_r", colour=style.INK):
    axis.imshow(image[:, :, 0] if image.ndim == 3 else image, cmap=cmap, interpolation="nearest",
                vmin=0 if cmap == "gray_r" else None, vmax=1 if cmap == "gray_r" else None)
    axis.set_title(title, fontsize=14, color=colour)
    axis.set_xticks([])
    axis.set_yticks([])
    for spine in axis.spines.values():
        spine.set_visible(True)
        spine.set_color(style.GREY)


def make(out: Path) -> None:
    model = digits.trained_model()
    _, _, x_test, y_test = digits.split()
    predict = lambda x: np.asarray(model(x, training=False))  # noqa: E731

    # An adversarial example: a correctly classified 4, nudged until it is something else.
    index = int(np.flatnonzero((y_test == 4) & (predict(x_test).argmax(axis=1) == 4))[0])
    original = x_test[index]
    adversarial = fgsm(model, original, 4)
    p_before, p_after = predict(original[None])[0], predict(adversarial[None])[0]
    fig, axes = style.figure(0.6, 2.6, ncols=4, gridspec_kw={"width_ratios": [1, 1, 1, 1.5]})
    show(axes[0], original, f"{p_before.argmax()} ({p_before.max():.0%})")
    show(axes[1], adversarial - original, "+ change", cmap="coolwarm")
    show(axes[2], adversarial, f"{p_after.argmax()} ({p_after.max():.0%})", colour=style.RED)
    axes[3].bar(np.arange(10) - 0.2, p_before, width=0.4, color=style.BLUE, label="before")
    axes[3].bar(np.arange(10) + 0.2, p_after, width=0.4, color=style.RED, label="after")
    axes[3].set_xticks(range(10))
    axes[3].set_ylim(0, 1)
    axes[3].set_title("P(digit): before, after", fontsize=13)
    fig.tight_layout()
    style.save_png(fig, out / "cat-vs-dog.png")

    # A universal perturbation: one pattern that changes many predictions at once.
    x_train, y_train, _, _ = digits.split()
    v = universal(model, x_train[:400], y_train[:400])
    clean = predict(x_test).argmax(axis=1)
    fooled = predict(np.clip(x_test + v, 0, 1)).argmax(axis=1)
    rate = float(np.mean(fooled != clean))
    fig, axes = style.figure(0.5, 3.6, nrows=2, ncols=4)
    show(axes[0, 0], v[:, :, 0], "perturbation", cmap="coolwarm")
    show(axes[1, 0], np.zeros((8, 8)), f"fools {rate:.0%}\nof test digits")
    axes[1, 0].axis("off")
    for k, i in enumerate(np.flatnonzero(fooled != clean)[:3]):
        show(axes[0, k + 1], x_test[i], f"{clean[i]}")
        show(axes[1, k + 1], np.clip(x_test[i] + v, 0, 1), f"→ {fooled[i]}", colour=style.RED)
    fig.tight_layout()
    style.save_png(fig, out / "universal-pertubation.png")

    # Images from noise that the model is sure about.
    fig, axes = style.figure(1.0, 1.9, ncols=10)
    dreams = dream(model)
    for image, p, axis in zip(dreams, predict(dreams), axes):
        show(axis, image, f"{p.argmax()}: {p.max():.0%}")
    fig.tight_layout()
    style.save_png(fig, out / "imagenet_16_images_horizontal_0.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
