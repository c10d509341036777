"""How long an animated GIF runs in a browser, read from the file's own blocks (no Pillow: the base
install reads it too, and no frame is decoded).

A GIF is a header, an optional colour table, then blocks: each image (a frame) may be preceded by a
Graphic Control Extension that holds its delay in hundredths of a second, and the NETSCAPE2.0
application extension holds how many times the animation repeats (0: for ever). Browsers play a
delay of 0 or 1 hundredth as 10 hundredths (Chromium and Firefox alike), and play an animation
that repeats n times n + 1 times; a GIF without the extension plays once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

_SHORTEST_DELAY = 10  # hundredths of a second: what browsers play a delay of 0 or 1 as


@dataclass(frozen=True)
class Animation:
    frames: int
    once: float  # seconds, one pass through the frames
    plays: float  # how many times it runs: math.inf for a GIF that loops for ever

    @property
    def seconds(self) -> float:
        return self.once * self.plays


def animation(data: bytes) -> Animation | None:
    """The animation of a GIF file's bytes; None when it is not a GIF or has one frame. A file cut
    short counts the frames that are whole."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        return None
    at = 13 + _colour_table_size(data[10])
    frames, hundredths, delay, repeats = 0, 0, 0, None
    try:
        while at < len(data):
            kind = data[at]
            if kind == 0x3B:  # trailer
                break
            if kind == 0x21:
                label, at = data[at + 1], at + 2
                first = data[at + 1:at + 1 + data[at]]
                if label == 0xF9 and len(first) >= 3:
                    delay = first[1] | first[2] << 8
                elif label == 0xFF and first[:11] in (b"NETSCAPE2.0", b"ANIMEXTS1.0"):
                    repeats = _loop_count(data, at + 1 + data[at])
                at = _after_sub_blocks(data, at)
            elif kind == 0x2C:
                at += 10 + _colour_table_size(data[at + 9])
                at = _after_sub_blocks(data, at + 1)  # after the LZW code size byte
                frames += 1
                hundredths += delay if delay > 1 else _SHORTEST_DELAY
                delay = 0  # a control extension applies to the one image after it
            else:
                break  # not a block a GIF has: the rest cannot be read
    except IndexError:
        pass  # cut short: what was read stands
    if frames < 2:
        return None
    plays = 1.0 if repeats is None else (math.inf if repeats == 0 else repeats + 1.0)
    return Animation(frames, hundredths / 100, plays)


def _colour_table_size(packed: int) -> int:
    return 3 * (2 << (packed & 7)) if packed & 0x80 else 0


def _loop_count(data: bytes, at: int) -> int | None:
    """The repeat count of the NETSCAPE2.0 sub-block at `at` (`1, low, high`), if it is one."""
    if data[at] >= 3 and data[at + 1] == 1:
        return data[at + 2] | data[at + 3] << 8
    return None


def _after_sub_blocks(data: bytes, at: int) -> int:
    """Where the data sub-blocks starting at `at` end: each is a size byte and that many bytes,
    and a size of 0 ends them."""
    while data[at]:  # past the end: IndexError, a file cut short
        at += data[at] + 1
    return at + 1
