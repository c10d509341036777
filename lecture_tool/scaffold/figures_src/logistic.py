"""The logistic function, drawn in the course's figure style."""
from pathlib import Path

import numpy as np

from lecture_tool import figure_style as style

OUTPUTS = ["logistic.png"]  # the files this script writes; slides show them as images/<name>


def make(out: Path) -> None:
    z = np.linspace(-6, 6, 241)
    fig, axis = style.figure(0.6, 3.0)
    axis.plot(z, 1 / (1 + np.exp(-z)), color=style.BLUE)
    axis.axhline(0.5, color=style.GREY, linewidth=1, linestyle="--")
    axis.set_xlabel("score z")
    axis.set_ylabel("σ(z)")
    fig.tight_layout()
    style.save_png(fig, out / "logistic.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
