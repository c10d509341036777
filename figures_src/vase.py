"""Rubin's vase: two faces in profile, or one white vase. The profile is a curve we define, and
the vase is the space between it and its mirror image."""
from pathlib import Path

import numpy as np

from lecture_tool import figure_style as style

OUTPUTS = ["Two_silhouette_profile_or_a_white_vase.png"]
ALT = {"Two_silhouette_profile_or_a_white_vase.png":
       "Rubin's vase: a light blue vase in the middle of the frame, whose outline is also two dark "
       "blue faces in profile looking at each other; the picture can be seen either way."}

# A face looking right, as (height, how far it reaches towards the middle), from chin to forehead.
PROFILE = [(0.00, 0.30), (0.08, 0.33), (0.16, 0.52), (0.22, 0.56), (0.27, 0.50), (0.31, 0.58),
           (0.36, 0.60), (0.41, 0.52), (0.46, 0.55), (0.55, 0.72), (0.60, 0.60), (0.66, 0.55),
           (0.72, 0.56), (0.80, 0.52), (0.90, 0.45), (1.00, 0.42)]


def profile(heights: np.ndarray) -> np.ndarray:
    """A smooth face profile through the points above."""
    y, x = np.array(PROFILE).T
    rough = np.interp(heights, y, x)
    window = np.exp(-0.5 * (np.arange(-30, 31) / 9.0) ** 2)  # smooth the corners away
    padded = np.pad(rough, 30, mode="edge")
    return np.convolve(padded, window / window.sum(), mode="valid")


def make(out: Path) -> None:
    heights = np.linspace(0, 1, 400)
    reach = profile(heights)
    fig, axis = style.figure(0.4, 3.4)
    # A tinted vase inside a frame: a white vase on a white slide has no outline at the top and
    # the bottom, so only the faces would read.
    axis.fill_betweenx(heights, -1.1, -1.1 + reach, color=style.NAVY)  # the face on the left
    axis.fill_betweenx(heights, 1.1 - reach, 1.1, color=style.NAVY)  # and its mirror on the right
    axis.fill_betweenx(heights, -1.1 + reach, 1.1 - reach, color=style.LIGHT_BLUE)  # the vase
    axis.add_patch(style.plt.Rectangle((-1.1, 0), 2.2, 1, fill=False, edgecolor=style.NAVY,
                                       linewidth=4))
    axis.set_xlim(-1.13, 1.13)
    axis.set_ylim(-0.015, 1.015)
    axis.set_aspect(1.6)
    axis.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    style.save_png(fig, out / "Two_silhouette_profile_or_a_white_vase.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
