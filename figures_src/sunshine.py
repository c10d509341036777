"""More sunshine, more hot: a linear regression and an "is it too hot?" classifier on the same days."""
from pathlib import Path

import numpy as np

from lecture_tool import figure_style as style

OUTPUTS = ["sunshine-temperature.png", "sunshine-too-hot.png"]
ALT = {
    "sunshine-temperature.png":
        "Scatter plot of 60 summer days: hours of sunshine, from 0 to 12, against the day's highest "
        "temperature, from about 10 to 30 °C. The points rise from left to right, and so does the "
        "least-squares line through them, y = 1.42 x + 11.2.",
    "sunshine-too-hot.png":
        "The same 60 days against hours of sunshine, each at 0 if it was fine or at 1 if it was too "
        "hot (above 24 °C): the 13 too-hot days had 8 to 12 hours of sunshine, and two fine days had "
        "more than 10. An S-shaped curve, the probability that a day is too hot, rises from 0 to 1 "
        "and crosses one half at the decision boundary, 9.3 hours of sunshine.",
}

TOO_HOT = 24.0  # °C: the label of the classification slide

# Drawn for a .width-60 slot, but "Is it too hot?" also shows the same image at .width-50: at
# 50/60 of the drawn size, 15 pt (20.8 px) text is still 17 px, above the 16 px the slides need.
WIDTH, HEIGHT_IN = 0.6, 3.4
SMALLEST_PT = 15


def days(n: int = 60, seed: int = 3):
    """Synthetic summer days: hours of sunshine and the day's highest temperature."""
    rng = np.random.default_rng(seed)
    sunshine = np.sort(rng.uniform(0.5, 12.0, n))
    temperature = 12.0 + 1.3 * sunshine + rng.normal(0.0, 2.2, n)
    return sunshine, temperature


def fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least squares y = W x + b: the W and b that minimise the mean squared error."""
    design = np.column_stack([x, np.ones_like(x)])
    (w, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(w), float(b)


def fit_logistic(x: np.ndarray, label: np.ndarray, steps: int = 5000, rate: float = 0.1):
    """Logistic regression p = sigmoid(W x + b) by gradient descent on the cross-entropy."""
    scale = x.std()
    xs = (x - x.mean()) / scale  # standardised, so one learning rate suits both parameters
    w = b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(w * xs + b)))
        w -= rate * np.mean((p - label) * xs)
        b -= rate * np.mean(p - label)
    # Back to hours of sunshine: W x + b with the standardisation folded in.
    return w / scale, b - w * x.mean() / scale


def make(out: Path) -> None:
    sunshine, temperature = days()

    w, b = fit_line(sunshine, temperature)
    fig, axis = style.figure(WIDTH, HEIGHT_IN)
    axis.tick_params(labelsize=SMALLEST_PT)
    axis.scatter(sunshine, temperature, s=40, color=style.BLUE, alpha=0.8, label="days")
    grid = np.linspace(0, 12.5, 50)
    axis.plot(grid, w * grid + b, color=style.ORANGE, label=f"fit: y = {w:.2f} x + {b:.1f}")
    axis.set_xlabel("hours of sunshine $x$", fontsize=SMALLEST_PT)
    axis.set_ylabel("highest temperature $y$ (°C)", fontsize=SMALLEST_PT)
    axis.set_xlim(0, 12.5)
    axis.legend(loc="upper left", frameon=False, fontsize=SMALLEST_PT)
    fig.tight_layout()
    style.save_png(fig, out / "sunshine-temperature.png")

    too_hot = (temperature > TOO_HOT).astype(float)
    w, b = fit_logistic(sunshine, too_hot)
    boundary = -b / w
    fig, axis = style.figure(WIDTH, HEIGHT_IN)
    axis.tick_params(labelsize=SMALLEST_PT)
    for value, colour, name in ((0, style.BLUE, "fine"), (1, style.RED, f"too hot (> {TOO_HOT:g} °C)")):
        chosen = too_hot == value
        axis.scatter(sunshine[chosen], too_hot[chosen], s=50, color=colour, alpha=0.75, label=name)
    axis.plot(grid, 1 / (1 + np.exp(-(w * grid + b))), color=style.ORANGE,
              label="P(too hot | $x$)")
    axis.axvline(boundary, color=style.GREY, linestyle="--", linewidth=2)
    axis.text(boundary - 0.2, 0.62, f"decision boundary\n$x$ = {boundary:.1f} h", va="center",
              ha="right", color=style.GREY, fontsize=SMALLEST_PT)
    axis.set_xlabel("hours of sunshine $x$", fontsize=SMALLEST_PT)
    axis.set_ylabel("too hot?", fontsize=SMALLEST_PT)
    axis.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
    axis.set_xlim(0, 12.5)
    axis.legend(loc="upper left", frameon=False, fontsize=SMALLEST_PT)
    fig.tight_layout()
    style.save_png(fig, out / "sunshine-too-hot.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
