"""Fooling the digits convnet: the smallest changes that make it sure of another digit (a quiz, its
answer, and the digits easiest to fool), and images made from noise that it classifies with high
confidence.

After Elsayed et al. (2018), Szegedy et al. (2014), Moosavi-Dezfooli et al. (2016) and Nguyen et
al. (2015), on our own small model and data: the network of digits.py, whose gradients with
respect to the pixels are written by hand too, so that the changed images, the dreams and the
numbers printed on the figures are the same bits on every machine (digits.py says what that
promise covers). The numbers the figures print are recorded (`style.record`) for the slides.
"""
from pathlib import Path

import numpy as np

import digits
from lecture_tool import figure_style as style

OUTPUTS = ["adversarial-quiz.png", "adversarial-answer.png", "adversarial-smallest.png",
           "imagenet_16_images_horizontal_0.png"]
# The numbers these figures print are the slides' to say (they show the recorded values): the
# descriptions say what is drawn.
ALT = {
    "adversarial-quiz.png":
        "Two blurry handwritten digits of 8 by 8 grey pixels side by side, labelled left and right; "
        "they look almost the same.",
    "adversarial-answer.png":
        "Left, a handwritten 4, which the network reads as 4. Middle, the change added to it, shown "
        "ten times stronger: a faint pattern of red and blue pixels. Right, the left digit plus the "
        "change, still a 4 to the eye, which the network now reads as another digit. A bar chart of "
        "the network's probability for each digit: for the left image nearly all on 4, for the "
        "right one most on the other digit.",
    "adversarial-smallest.png":
        "Top row: six test digits that the network reads correctly and surely, each with its "
        "probability. Bottom row: the same digits, each changed by a little, still the same digit "
        "to the eye, which the network reads as another digit; under each, the size of the change, "
        "small next to the median size of a digit itself.",
    "imagenet_16_images_horizontal_0.png":
        "Ten images of 8 by 8 grey pixels that look like random noise, one for each digit 0 to 9, "
        "each grown from noise until the network takes it for that digit, with a probability near "
        "100%.",
}

QUIZ_DIGIT = 4  # the true digit of the quiz image: the one of its kind easiest to fool
# How sure of the wrong digit the network must become: p(wrong) / p(right) >= 9, i.e. at least
# 90 % when the two share the probability. Just crossing the boundary would leave it at 50/50.
MARGIN = 9
LOG_MARGIN = 2.1972245773362196  # ln 9 written out: a libm's log may differ in the last bit
SURE = 0.95  # the digits shown are those the network gets right with at least this probability


def smallest_change(network: digits.Network, images: np.ndarray, labels: np.ndarray,
                    margin: float = LOG_MARGIN, steps: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """A small change per image that makes the network prefer another digit by `margin` (in
    scores, the logarithm of the ratio of the two probabilities).

    DeepFool's idea: linearise the scores, and take the shortest step to where the nearest other
    class wins; repeat, because the network is not linear. The scores, not the probabilities: a
    saturated softmax (100 %) has no gradient left. Returns the changed images and, for each, the
    digit it was pushed towards. Each image's result depends on that image alone."""
    n = len(images)
    rows = np.arange(n)
    z, tape = network.forward(images)
    # The gradient of each score: one backward pass per class, sharing the forward pass.
    jacobian = np.stack([network.backward(tape, np.broadcast_to(np.eye(10)[k], (n, 10)),
                                          weights=False, inputs=True)[1] for k in range(10)], axis=1)
    gap = z - z[rows, labels][:, None]
    direction = (jacobian - jacobian[rows, labels][:, None]).reshape(n * 10, -1)
    distance = np.abs(gap) / (digits.norms(direction).reshape(n, 10) + 1e-12)
    distance[rows, labels] = np.inf
    target = distance.argmin(axis=1)  # the class whose boundary is nearest
    x = images.copy()
    going = np.ones(n, dtype=bool)  # not yet `margin` surer of the target
    for _ in range(steps):
        moving = np.flatnonzero(going)
        z, tape = network.forward(x[moving])
        rows = np.arange(len(moving))
        short = margin - (z[rows, target[moving]] - z[rows, labels[moving]])
        going[moving[short <= 0]] = False
        if not going.any():
            break
        keep = short > 0
        moving, rows, short = moving[keep], rows[keep], short[keep]
        # The gradient of z[target] - z[label] for each image still short of the margin.
        dz = np.zeros((len(keep), 10))
        dz[rows, target[moving]] = 1.0
        dz[rows, labels[moving]] = -1.0
        w = network.backward(tape, dz, weights=False, inputs=True)[1][keep]
        flat = w.reshape(len(w), -1)
        squared = digits.total(flat * flat) + 1e-12
        # The shortest step that closes the gap to first order, 2 % longer to get across it.
        scale = 1.02 * short / squared
        x[moving] = np.clip(x[moving] + scale[:, None, None, None] * w, 0, 1)
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


def dream(network: digits.Network, steps: int = 60, rate: float = 0.05, seed: int = 0
          ) -> np.ndarray:
    """Start from noise and climb the model's confidence: image k towards digit k, all at once.

    Each step moves every pixel by `rate` along the sign of the gradient of log p(k); that
    gradient, with respect to the scores, is one-hot(k) - p."""
    x = np.random.default_rng(seed).uniform(0.3, 0.7, (10, 8, 8, 1))
    for _ in range(steps):
        z, tape = network.forward(x)
        dz = np.eye(10) - digits.softmax(z)
        gradient = network.backward(tape, dz, weights=False, inputs=True)[1]
        x = np.clip(x + rate * np.sign(gradient), 0, 1)
    return x


def study(network: digits.Network) -> dict:
    """Everything the figures show, computed: the fooled test digits, the quiz, the dreams."""
    _, _, x_test, y_test = digits.split()
    # Every test digit the network gets right and is sure of (a digit it hesitates about would be
    # an easy catch), changed as little as it takes to fool it.
    p_test = network.probabilities(x_test)
    right = np.flatnonzero((p_test.argmax(axis=1) == y_test) & (p_test.max(axis=1) >= SURE))
    images, labels = x_test[right], y_test[right]
    changed, _ = smallest_change(network, images, labels)
    p_before, p_after = network.probabilities(images), network.probabilities(changed)
    fooled = p_after.argmax(axis=1) != labels
    sizes = digits.norms(changed - images)
    # The quiz: the QUIZ_DIGIT that needs the smallest change, beside its changed copy.
    candidates = np.flatnonzero(fooled & (labels == QUIZ_DIGIT))
    if not len(candidates):
        raise SystemExit(f"no test digit {QUIZ_DIGIT} was fooled: choose another QUIZ_DIGIT")
    quiz = int(candidates[np.argmin(sizes[candidates])])
    # The digit of each class that is easiest to fool, for the six easiest classes.
    easiest = []
    for digit in range(10):
        mine = np.flatnonzero(fooled & (labels == digit))
        if len(mine):
            easiest.append(int(mine[np.argmin(sizes[mine])]))
    easiest = sorted(easiest, key=lambda i: sizes[i])[:6]
    dreams = dream(network)
    return dict(images=images, labels=labels, changed=changed, p_before=p_before,
                p_after=p_after, fooled=fooled, sizes=sizes, quiz=quiz, easiest=easiest,
                median_change=float(np.median(sizes)),
                median_digit=float(np.median(digits.norms(images))),
                dreams=dreams, p_dreams=network.probabilities(dreams))


def make(out: Path) -> None:
    s = study(digits.trained_model())
    images, labels, changed, sizes = s["images"], s["labels"], s["changed"], s["sizes"]
    quiz = s["quiz"]

    fig, axes = style.figure(0.45, 2.9, ncols=2)
    show(axes[0], images[quiz], "left")
    show(axes[1], changed[quiz], "right")
    fig.tight_layout()
    style.save_png(fig, out / "adversarial-quiz.png")

    # Its answer: what the network says about each, and the change, magnified to be seen at all.
    before, after = s["p_before"][quiz], s["p_after"][quiz]
    change = changed[quiz] - images[quiz]
    change_norm = float(sizes[quiz])
    fig, axes = style.figure(0.85, 2.9, ncols=4, gridspec_kw={"width_ratios": [1, 1, 1, 1.9]})
    show(axes[0], images[quiz], f"left: {before.argmax()} ({before.max():.0%})")
    show(axes[1], 10 * change, "change × 10", cmap="coolwarm")
    show(axes[2], changed[quiz], f"right: {after.argmax()} ({after.max():.0%})", colour=style.RED)
    axes[2].set_xlabel(f"$\\|$change$\\|$ = {change_norm:.2f}", fontsize=14)
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
    style.record("quiz_digit", QUIZ_DIGIT)
    style.record("left_digit", int(before.argmax()))
    style.record("left_p", float(before.max()))
    style.record("right_digit", int(after.argmax()))
    style.record("right_p", float(after.max()))
    style.record("change_norm", change_norm)
    style.record("margin", MARGIN)
    style.record("sure_p", SURE)

    easiest = s["easiest"]
    p_before, p_after = s["p_before"], s["p_after"]
    fig, axes = style.figure(0.7, 3.4, nrows=2, ncols=len(easiest), gridspec_kw={"hspace": 0.5})
    for column, i in enumerate(easiest):
        show(axes[0, column], images[i], f"{labels[i]} ({p_before[i].max():.0%})")
        show(axes[1, column], changed[i], f"{p_after[i].argmax()} ({p_after[i].max():.0%})",
             colour=style.RED)
        axes[1, column].set_xlabel(f"by {sizes[i]:.2f}", fontsize=14)
    axes[0, 0].set_ylabel("test digit", fontsize=14)
    axes[1, 0].set_ylabel("changed", fontsize=14)
    fig.text(0.5, 0.01, f"by: the size (norm) of the change; median over all {len(images)} digits:"
             f" {s['median_change']:.2f}, of a digit itself: {s['median_digit']:.1f}",
             ha="center", va="bottom", fontsize=13, color=style.GREY)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.92, bottom=0.17, wspace=0.15)
    style.save_png(fig, out / "adversarial-smallest.png")
    style.record("examined", len(images))
    style.record("fooled", int(s["fooled"].sum()))
    style.record("median_change_norm", s["median_change"])
    style.record("median_digit_norm", s["median_digit"])
    style.record("easiest", [int(labels[i]) for i in easiest])

    # Images from noise that the model is sure about.
    # Two rows of five: each image large enough to see that it is no digit.
    fig, axes = style.figure(0.8, 4.2, nrows=2, ncols=5)
    for image, p, axis in zip(s["dreams"], s["p_dreams"], axes.flat):
        show(axis, image, f"{p.argmax()}: {p.max():.0%}")
    fig.tight_layout()
    style.save_png(fig, out / "imagenet_16_images_horizontal_0.png")
    dream_p = [float(p.max()) for p in s["p_dreams"]]
    style.record("dream_p", dream_p)
    style.record("dream_min_p", min(dream_p))


if __name__ == "__main__":
    style.run(make, OUTPUTS)
