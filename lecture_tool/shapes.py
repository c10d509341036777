"""Tensor shapes as slides write them: `(None, 28, 28, 3)`, `(None, 640 x 480 x 3)`, and as
PyTorch prints them, `torch.Size([1, 3, 224, 224])`. Shape
comments are compared in the snippet worker, shape claims in `lecture check`: one reading.

This module imports only the standard library: the snippet worker uses it.
"""
from __future__ import annotations

import re

# PyTorch's own way of writing a shape: `torch.Size([1, 3, 224, 224])`.
TORCH_SIZE = re.compile(r"torch\.Size\(\s*\[(?P<inner>[^\]]*)\]\s*\)")


def stated_shape(text: str) -> tuple:
    """A shape as a slide writes it, `(None, 640 x 480 x 3)`, as a tuple: (None, 921600).
    ValueError says how to write one that cannot be read."""
    inner = text.strip()
    torch_size = TORCH_SIZE.fullmatch(inner)
    if torch_size:
        inner = f"({torch_size.group('inner')})"
    if not (inner.startswith("(") and inner.endswith(")")):
        raise ValueError(f"cannot read the shape {text}: write it as a tuple, (None, 28, 28, 3)")
    parts = [p.strip() for p in inner[1:-1].split(",") if p.strip()]
    shape = []
    for part in parts:
        if part == "None":
            shape.append(None)
            continue
        expression = re.sub(r"(?<=[\d\s])[x×](?=[\s\d])", "*", part)
        if not re.fullmatch(r"[\d\s+\-*/()]+", expression):
            raise ValueError(f"cannot read '{part}' in the shape {text}: use numbers, None, "
                             "+, - and x")
        shape.append(int(eval(expression, {"__builtins__": {}})))  # noqa: S307 - digits only
    return tuple(shape)


def shape_text(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"
