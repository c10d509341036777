"""PyTorch in the snippet worker: parameter counts of an `nn.Module`, the `meta` device that
deferred blocks run on, and what to do when a block needs real tensors after all.

A deck uses PyTorch once a block, a claim or the prelude imports `torch` (the prelude binds
`torch`, `nn` and `F` lazily). From then on its deferred blocks run with `meta` as the default
device: modules know their parameters' shapes and a forward pass its output's, but nothing is
allocated, so `nn.Linear(1_000_000, 1_000)` costs no 4 GB. A block that reads values (`.item()`,
`.tolist()`, `.backward()`, an optimizer's `step`, `state_dict`, a tensor made from data) runs on
real tensors; so does a deferred block that trips over the meta device, run again from its start.
Before such a block runs, the modules it names are made real (`to_empty` and each submodule's
`reset_parameters`): fresh weights, as the constructor would have drawn them.

This module imports only the standard library; torch is found in `sys.modules` once the deck
imported it, so a deck without PyTorch never imports it.
"""
from __future__ import annotations

import ast
import math
import re
import sys
from contextlib import nullcontext

# Methods that read a tensor's values or change them, and functions that make a tensor from
# data: a block that calls one runs on real tensors.
NEEDS_VALUES = {"item", "tolist", "numpy", "backward", "step", "zero_grad", "state_dict",
                "load_state_dict", "cpu"}
FROM_DATA = {"tensor", "as_tensor", "from_numpy", "load", "save"}
# What PyTorch says when values are asked of a meta tensor ("Tensor.item() cannot be called on
# meta tensors", "Cannot copy out of meta tensor", "found at least two devices, meta and cpu").
_META_ERROR = re.compile(r"\bmeta\b")
# What printing a meta tensor shows instead of its values.
META_REPR = "device='meta'"
# What makes a submodule's own parameters and buffers again, as its constructor did.
_RESETS = ("reset_parameters", "_reset_parameters", "reset_running_stats")


def torch_module():
    """torch, if the deck imported it; None otherwise (never imported here)."""
    return sys.modules.get("torch")


def import_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        pass  # the block's own import, or the prelude's, says what is missing


def prepare_meta() -> None:
    """Import what the meta device's first Python kernel imports: PyTorch wraps its reference
    kernels (relu, batch norm, fills) in `torch._disable_dynamo`, which imports torch._dynamo on
    first use, as long again as `import torch`. Done as an import, it is not a block's time."""
    try:
        import torch._dynamo  # noqa: F401
    except ImportError:
        pass  # a PyTorch without it: the kernels do not ask for it either


def deferred():
    """The scope a deferred block runs in: PyTorch's `meta` device as the default."""
    torch = torch_module()
    return torch.device("meta") if torch is not None else nullcontext()


def needs_values(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in NEEDS_VALUES:
                return True
            owner = node.func.value
            if node.func.attr in FROM_DATA and isinstance(owner, ast.Name) and owner.id == "torch":
                return True
    return False


def trips_on_meta(exc: BaseException) -> bool:
    """Whether `exc` is PyTorch refusing to give values on the meta device."""
    return (torch_module() is not None and isinstance(exc, (RuntimeError, NotImplementedError,
                                                            TypeError, ValueError))
            and bool(_META_ERROR.search(str(exc))))


def _on_meta(value) -> bool:
    torch = torch_module()
    if isinstance(value, torch.Tensor):
        return value.is_meta
    if isinstance(value, torch.nn.Module):
        return any(t.is_meta for t in (*value.parameters(), *value.buffers()))
    return False


class DeferredLog:
    """Which names a deferred block left on the meta device, and at which line that block
    starts: the advice when a later block needs their values."""

    def __init__(self) -> None:
        self.made_at: dict[str, int] = {}

    def note(self, namespace: dict, tree: ast.AST, line: int) -> None:
        if torch_module() is None:
            return
        for name in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                     and isinstance(n.ctx, ast.Store)}:
            if _on_meta(namespace.get(name)):
                self.made_at[name] = line
            else:
                self.made_at.pop(name, None)

    def advice(self, namespace: dict, names: set[str], claim: bool = False) -> str:
        """What to add, for a block (or claim) naming `names` that met the meta device."""
        made = sorted((line, name) for name, line in self.made_at.items()
                      if name in names and _on_meta(namespace.get(name)))
        if not made:
            return (" (it needs real tensors: put <!-- check: values --> above the block that "
                    "made them)" if claim else
                    " (this block needs real tensors: put <!-- check: values --> above it)")
        line, name = made[0]
        return (f" ({name} was made on the meta device by the deferred block at line {line}: "
                f"put <!-- check: values --> above that block)")


def materialise(namespace: dict, names: set[str]) -> None:
    """Give the modules named in `names` real parameters and buffers, drawn afresh, where they
    are on the meta device and every one of them is made by a reset method; the others stay
    meta (the block then trips over them, and DeferredLog says where they were made)."""
    torch = torch_module()
    for name in names:
        module = namespace.get(name)
        if not isinstance(module, torch.nn.Module) or not _on_meta(module) \
                or not _all_reset(module):
            continue
        before = dict(module.named_parameters())
        module.to_empty(device="cpu")
        # New parameter objects (a tensor cannot change device in place while a graph made on
        # the meta device holds it): an optimizer made in a deferred block is given them.
        moved = {id(before[name]): parameter for name, parameter in module.named_parameters()}
        for value in list(namespace.values()):
            if isinstance(value, torch.optim.Optimizer):
                for group in value.param_groups:
                    group["params"] = [moved.get(id(p), p) for p in group["params"]]
        with torch.no_grad():
            for submodule in module.modules():
                for reset in _RESETS:
                    if hasattr(submodule, reset):
                        getattr(submodule, reset)()


def _all_reset(module) -> bool:
    # A parameter a constructor filled by hand (a positional encoding) has no reset to redo it.
    for submodule in module.modules():
        own = [*submodule.parameters(recurse=False), *submodule.buffers(recurse=False)]
        if own and not any(hasattr(submodule, reset) for reset in _RESETS):
            return False
    return True


def counts(value) -> bool:
    """Whether `params(...)` of `value` is PyTorch's to count."""
    torch = torch_module()
    return torch is not None and isinstance(value, (torch.nn.Module, torch.Tensor))


def count(value, kind: str) -> tuple[int, str]:
    """The parameters of a module (or one parameter tensor): all of them, the trainable ones
    (requires_grad) or the others. Floating-point buffers that a state dict keeps (batch norm's
    running mean and variance) count as non-trainable, as Keras counts its moving statistics;
    integer buffers (batch norm's num_batches_tracked, a step counter) are no weights and are
    not counted. TypeError for a tensor that is not a parameter."""
    torch = torch_module()
    if isinstance(value, torch.nn.Module):
        parameters = list(value.parameters())
        buffers = [buffer for buffer in _kept_buffers(value) if buffer.is_floating_point()]
        what = f"{type(value).__name__} module"
    elif isinstance(value, torch.nn.Parameter):
        parameters, buffers = [value], []
        what = f"parameter of shape {tuple(value.shape)}"
    else:
        raise TypeError("a PyTorch tensor does not know the module that made it: count the "
                        "module, params(layer), or a parameter, params(layer.weight)")
    trainable = sum(p.numel() for p in parameters if p.requires_grad)
    frozen = sum(p.numel() for p in parameters if not p.requires_grad)
    frozen += sum(math.prod(b.shape) for b in buffers)
    return {"params": trainable + frozen, "trainable": trainable,
            "non_trainable": frozen}[kind], what


def _kept_buffers(module) -> list:
    # A buffer registered with persistent=False is a cache of the module's, not its state.
    kept, seen = [], set()
    for submodule in module.modules():
        for name, buffer in submodule.named_buffers(recurse=False):
            if name not in submodule._non_persistent_buffers_set and id(buffer) not in seen:
                seen.add(id(buffer))
                kept.append(buffer)
    return kept


def plain_value(value):
    """A tensor of one element as its number; None for anything that is not a tensor.
    ValueError for a meta tensor, which has no value to give."""
    torch = torch_module()
    if torch is None or not isinstance(value, torch.Tensor):
        return None
    if value.is_meta:
        raise ValueError("it is a tensor on the meta device, which holds no values")
    value = value.detach()
    return value.item() if value.numel() == 1 else repr(value)
