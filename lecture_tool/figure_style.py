"""The look every figure shares, and the little harness that lets a figure script run on its own.

    from lecture_tool import figure_style as style

Importing it sets matplotlib's defaults (fonts, sizes, colours) for slides, and it offers:

- `figure(width, height_in)`: a figure `width` of the slide's content width wide (0.6 is 60%), so
  that 14 pt text is at least 19 px high on a 1280x720 slide;
- `save_png(fig, path)`: a PNG at twice that resolution, without metadata that changes between
  runs (two builds give the same bytes);
- `save_svg(fig, path)`: an SVG whose natural size is the figure's at 100 px per inch;
- `frame(fig)` and `save_gif(frames, path, durations_ms)`: a looping palette GIF;
- the palette (`NAVY`, `INK`, `BLUE`, `ORANGE`, `GREEN`, `RED`, `GREY`, light tints), which is
  the default theme's;
- `run(make, OUTPUTS)`: `python figures_src/x.py --out DIR` runs a script on its own;
- `record(name, value)`: a value the figure shows (a probability, a norm, a digit), recorded
  beside its outputs, for slides to check their words against or to show (README: "Numbers on
  slides"): `style.record("right_p", p.max())`.

Every image saved here that has text records the height of its smallest text in its own pixels
(`fontsize_pt * dpi / 72`), so that a test in a browser can multiply it by the displayed scale
(rendered width / natural width) and check it against the 16 px a slide needs: a PNG has it in a
tEXt chunk `lecture:smallest-text-px`, a GIF in its comment and an SVG in an XML comment after its
first line, both as `lecture:smallest-text-px=38.9`.

It needs the `[figures]` extra (NumPy, matplotlib, Pillow).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import re
import struct
import sys
import zlib
from pathlib import Path

# No matplotlib.use() here: figure scripts run with MPLBACKEND=Agg, notebooks keep their inline backend.
import matplotlib
import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
from PIL import Image

from lecture_tool import values

NAVY = "#123e6b"  # headings
INK = "#1d2433"  # text
BLUE = "#1f6fb2"  # links, first series
ORANGE = "#e07b24"
GREEN = "#2a9d6f"
RED = "#c8453a"
GREY = "#6b7280"
LIGHT_BLUE = "#cfe0f1"
LIGHT_GREEN = "#cdeede"
LIGHT_GREY = "#eef0f3"
LIGHT_ORANGE = "#fde2c8"
LIGHT_RED = "#f6d5d2"

# A 1280x720 slide shows about 1160 px of content width; at 100 dpi that is 11.6 inches.
CONTENT_WIDTH_IN = 11.6
DPI = 100  # 1 figure pixel = 1 slide pixel at 1280x720, so 14 pt text is 19 px there
HIDPI = 2  # PNGs are stored at twice that, for sharp projectors

plt.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 14,
    "axes.titlesize": 15,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=[BLUE, ORANGE, GREEN, RED, GREY]),
    "lines.linewidth": 3,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "lecture",  # stable ids in SVG output
})


def figure(width: float, height_in: float, **subplots):
    """A figure `width` (fraction of the slide's content width) wide and `height_in` inches high."""
    return plt.subplots(figsize=(width * CONTENT_WIDTH_IN, height_in), dpi=DPI, **subplots)


SMALLEST_TEXT_KEY = "lecture:smallest-text-px"
SVG_DPI = 100


@contextlib.contextmanager
def drawn_text_sizes():
    """The font sizes (pt) of the texts actually drawn meanwhile.

    Counting at draw time, rather than walking the figure's artists, leaves out what is not
    on the picture: tick labels of an axis turned off, texts of hidden artists.
    """
    sizes: list[float] = []
    original = matplotlib.text.Text.draw

    def draw(text, renderer):
        if text.get_visible() and text.get_text().strip():
            sizes.append(float(text.get_fontsize()))
        return original(text, renderer)

    matplotlib.text.Text.draw = draw
    try:
        yield sizes
    finally:
        matplotlib.text.Text.draw = original


def smallest_text_px(sizes_pt, dpi: float) -> str | None:
    """The smallest text height in image pixels, as the text the images carry; None without text."""
    return f"{min(sizes_pt) * dpi / 72:.1f}" if sizes_pt else None


def _png_text_chunk(key: str, value: str) -> bytes:
    data = key.encode("latin-1") + b"\0" + value.encode("latin-1")
    return (struct.pack(">I", len(data)) + b"tEXt" + data
            + struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF))


def save_png(fig, path: Path, hidpi: bool = True) -> None:
    """Save without metadata that changes between runs or versions (byte-for-byte reproducible)."""
    dpi = DPI * (HIDPI if hidpi else 1)
    buffer = io.BytesIO()
    with drawn_text_sizes() as sizes:
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    data = buffer.getvalue()
    value = smallest_text_px(sizes, dpi)
    if value is not None:
        # Right after IHDR (8-byte signature, then a 25-byte IHDR chunk): before the image data.
        end_of_header = 8 + 25
        data = data[:end_of_header] + _png_text_chunk(SMALLEST_TEXT_KEY, value) + data[end_of_header:]
    Path(path).write_bytes(data)


def save_svg(fig, path: Path) -> None:
    """An SVG without date or software version, whose natural size is the figure's at 100 px per
    inch (matplotlib writes it in points, which a browser shows at 96 px per inch)."""
    buffer = io.StringIO()
    with drawn_text_sizes() as sizes:
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    width_in, height_in = fig.get_size_inches()
    plt.close(fig)
    text = buffer.getvalue()
    text = re.sub(r'width="[0-9.]+pt" height="[0-9.]+pt"',
                  f'width="{width_in * SVG_DPI:g}px" height="{height_in * SVG_DPI:g}px"', text, count=1)
    value = smallest_text_px(sizes, SVG_DPI)
    if value is not None:
        first, rest = text.split("\n", 1)
        text = f"{first}\n<!-- {SMALLEST_TEXT_KEY}={value} -->\n{rest}"
    Path(path).write_text(text, encoding="utf-8")


class Frame(np.ndarray):
    """An animation frame: RGB pixels, and the smallest text drawn on it (`smallest_text_px`)."""

    smallest_text_px: float | None = None


def frame(fig) -> Frame:
    """The figure as an RGB array, for animations."""
    with drawn_text_sizes() as sizes:
        fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy().view(Frame)
    pixels.smallest_text_px = min(sizes) * fig.dpi / 72 if sizes else None
    return pixels


def save_gif(frames: list[np.ndarray], path: Path, durations_ms: list[int]) -> None:
    """A looping palette GIF: one shared palette, no dithering, so it is small and reproducible."""
    stacked = Image.fromarray(np.concatenate([np.asarray(f) for f in frames], axis=0))
    quantized = stacked.quantize(colors=128, method=Image.Quantize.MEDIANCUT,
                                 dither=Image.Dither.NONE)
    palette = np.array(quantized.getpalette()[:3 * 128], dtype=np.int32).reshape(-1, 3)
    # Median cut averages white with the near-white of anti-aliased edges; the slide is white.
    palette[np.argmax(palette.sum(axis=1))] = 255
    images = []
    for rgb in (np.asarray(f) for f in frames):
        # Nearest palette colour, computed once per distinct colour of the frame.
        packed = rgb.reshape(-1, 3).astype(np.int32) @ np.array([1 << 16, 1 << 8, 1])
        codes, inverse = np.unique(packed, return_inverse=True)
        colours = np.stack([codes >> 16, (codes >> 8) & 255, codes & 255], axis=1)
        distance = ((colours[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2)
        indices = np.argmin(distance, axis=1)[inverse.ravel()].astype(np.uint8)
        image = Image.fromarray(indices.reshape(rgb.shape[:2]), mode="P")
        image.putpalette(palette.astype(np.uint8).ravel().tolist())
        images.append(image)
    smallest = [f.smallest_text_px for f in frames if getattr(f, "smallest_text_px", None)]
    comment = {"comment": f"{SMALLEST_TEXT_KEY}={min(smallest):.1f}"} if smallest else {}
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:],
                   duration=durations_ms, loop=0, disposal=1, optimize=False, **comment)
    Path(path).write_bytes(buffer.getvalue())


_recorded: dict[str, object] = {}


def record(name: str, value) -> None:
    """Record a value that the figure shows, by name: a number, a string, True/False, or a list
    of them (NumPy's too). `lecture build` keeps it with the outputs; a slide claims it as
    `figure("SCRIPT").NAME` (SCRIPT: this script's name, without .py)."""
    if not values.NAME.fullmatch(name):
        raise ValueError(f"cannot record a value named {name!r}: use a Python name, such as right_p")
    _recorded[name] = values.plain(value)


def run(make, outputs: list[str]) -> None:
    """Run a figure script from the command line: `python figures_src/x.py --out DIR`."""
    script = sys.modules["__main__"]
    parser = argparse.ArgumentParser(description=(script.__doc__ or "").strip())
    # figures_src/x.py -> build/images/ of the same course, where `lecture build` puts them.
    default = Path(getattr(script, "__file__", "x")).resolve().parent.parent / "build" / "images"
    parser.add_argument("--out", type=Path, default=default, help=f"output directory ({default})")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    make(out)
    missing = [name for name in outputs if not (out / name).is_file()]
    if missing:
        raise SystemExit(f"declared in OUTPUTS but not written: {', '.join(missing)}")
    if _recorded:
        values.write(out, _recorded)
    for name in outputs:
        print(out / name)
