"""The logistic function, computed by PyTorch and drawn in the course's figure style."""
from pathlib import Path

import torch

from lecture_tool import figure_style as style

OUTPUTS = ["logistic.png"]  # the files this script writes; slides show them as images/<name>
# What each file shows, for readers who cannot see it: a slide that shows the figure without
# alternative text of its own gets this (read from this file, never run: write it out as text).
ALT = {"logistic.png": "The logistic function σ(z) for z from -6 to 6: an S-shaped curve that rises "
                       "from 0 to 1 and crosses one half, marked by a dashed line, at z = 0."}


def make(out: Path) -> None:
    z = torch.linspace(-6, 6, 241, dtype=torch.float64)
    fig, axis = style.figure(0.6, 3.0)
    axis.plot(z.tolist(), torch.sigmoid(z).tolist(), color=style.BLUE)
    axis.axhline(0.5, color=style.GREY, linewidth=1, linestyle="--")
    axis.set_xlabel("score z")
    axis.set_ylabel("σ(z)")
    fig.tight_layout()
    style.save_png(fig, out / "logistic.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
