"""The process that runs one deck's code blocks: `python -m lecture_tool.child_processes.snippet_worker`.

It reads one JSON request a line on its original stdin and answers one JSON line on its
original stdout. The snippets get neither: their stdin is empty (`input()` raises EOFError at
once), and what they print goes to stderr, or, for a block whose output the slide shows, into a
file that the reply returns. It imports only the standard library and
`lecture_tool.extras` itself (Keras when the deck uses it): it runs in the course's Python, which
may have no Keras at all.

The prelude's imports wait until a block, a claim or another prelude statement names what they
bind, so a deck of plain Python never imports numpy, TensorFlow or Keras. Before each import the
worker says so (`{"importing": ...}`, then `{"imported": ...}`): Keras takes seconds to import,
and that time does not count against the block's timeout.

Model-building code runs with deferred variables (`keras.StatelessScope(initialize_variables=
False)`): layers know their weights' shapes, so parameter counts and output shapes are exact, but
no weight is allocated. A block that needs real weights (it calls `predict`, `fit`, ... or is
marked `<!-- check: values -->`) runs normally, after the weights of the models it names are made.
PyTorch's part, the `meta` device, is in `torch_checks.py`.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import ctypes
import faulthandler
import json
import math
import os
import re
import resource
import sys
import tempfile
import traceback
import types
from dataclasses import dataclass
from typing import Callable

from lecture_tool.child_processes import torch_checks
from lecture_tool.extras import missing_module_hint
from lecture_tool.shapes import shape_text, stated_shape

NEEDS_VALUES = {"predict", "fit", "evaluate", "predict_on_batch", "train_on_batch",
                "test_on_batch", "get_weights", "set_weights", "numpy", "save", "save_weights",
                "load_weights", "export"}
# Names today's Keras no longer has, and what replaced them.
KERAS_1 = {
    "Convolution1D": "Conv1D(filters, kernel_size)", "Convolution2D": "Conv2D(filters, (rows, cols))",
    "Convolution3D": "Conv3D(filters, (d, rows, cols))", "Deconvolution2D": "Conv2DTranspose",
    "AtrousConvolution2D": "Conv2D(..., dilation_rate=...)", "Merge": "keras.layers.Concatenate/Add",
    "merge": "keras.layers.concatenate/add",
}
KERAS_1_ARGUMENTS = {"border_mode": "padding", "subsample": "strides", "nb_filter": "filters",
                     "init": "kernel_initializer", "dim_ordering": "data_format",
                     "nb_epoch": "epochs", "output_dim": "units"}
# Keras 2 names that Keras 3 removed, and what replaced them: code written for Keras 2 meets
# them as an ImportError or an AttributeError, which says nothing of the version.
KERAS_2 = {
    "ImageDataGenerator": "keras.utils.image_dataset_from_directory with augmentation layers "
                          "(keras.layers.RandomFlip, RandomRotation, ...)",
    "Tokenizer": "keras.layers.TextVectorization", "preprocessing.text": "keras.layers.TextVectorization",
    "TimeseriesGenerator": "keras.utils.timeseries_dataset_from_array",
    "KerasClassifier": "scikeras.wrappers.KerasClassifier", "KerasRegressor": "scikeras.wrappers.KerasRegressor",
    "fit_generator": "fit", "predict_generator": "predict", "evaluate_generator": "evaluate",
}
# Code that imports from these builds models: Keras is imported too, for deferred weights.
KERAS_MODULES = {"keras", "tensorflow"}
TORCH_MODULES = {"torch"}


@dataclass(frozen=True)
class PreludeImport:
    """An import statement of the prelude, not yet run: it runs when one of its names is used."""
    statement: ast.stmt
    names: frozenset[str]
    filename: str


class Worker:
    def __init__(self, notify: Callable[[dict], None] = lambda message: None) -> None:
        # A module of its own, found in sys.modules as code such as dataclasses expects.
        module = types.ModuleType("__lecture__")
        sys.modules[module.__name__] = module
        self.namespace: dict = module.__dict__
        self.waiting: list[PreludeImport] = []
        self.notify = notify
        # Whether the deck itself imported torch (Keras may run on it without the deck knowing).
        self.uses_torch = False
        self.deferred_log = torch_checks.DeferredLog()

    @property
    def keras(self):
        # None until the prelude, a block or a claim has needed Keras.
        return sys.modules.get("keras")

    def handle(self, request: dict) -> dict:
        op = request["op"]
        if op == "prelude":
            return self.prelude(request["source"], request["filename"])
        if op == "block":
            return self.block(request)
        if op == "params":
            return self.params(request)
        if op == "value":
            return self.value(request)
        if op == "warm":
            # A spare worker, started ahead of the next run: Keras (or PyTorch) imported before
            # it is needed.
            for framework in request.get("frameworks", ["keras"]):
                self.import_torch(meta=True) if framework == "torch" else self.import_keras()
            return {"ok": True}
        raise ValueError(f"unknown request {op!r}")

    def prelude(self, source: str, filename: str) -> dict:
        try:
            tree = ast.parse(source, filename)
        except SyntaxError as exc:
            return _failure(exc.lineno or 1, f"SyntaxError: {exc.msg}")
        for statement in tree.body:
            names = _bound_names(statement)
            if names:
                self.waiting.append(PreludeImport(statement, frozenset(names), filename))
                continue
            # Anything else (a star import, a seed, a helper) runs now, as a prelude always did.
            failure = self.import_names(_names(statement), f"line {statement.lineno}",
                                        statement.lineno)
            if failure:
                return failure
            star_import = isinstance(statement, (ast.Import, ast.ImportFrom))
            try:
                with (self.importing(ast.unparse(statement)) if star_import
                      else contextlib.nullcontext()):
                    exec(compile(ast.Module([statement], type_ignores=[]), filename, "exec"),
                         self.namespace)
            except BaseException as exc:  # noqa: BLE001 - the course's own prelude
                return _exception(exc, filename, statement.lineno, "", "values")
            if _imports_keras(statement):
                self.import_keras()
            if _imports_any(statement, TORCH_MODULES):
                self.import_torch()
        return {"ok": True}

    def import_names(self, names: set[str], user: str, line: int) -> dict | None:
        """Run the waiting prelude imports that bind any of `names`; a failure, if one fails."""
        for waiting in [w for w in self.waiting if w.names & names]:
            try:
                with self.importing(ast.unparse(waiting.statement)):
                    exec(compile(ast.Module([waiting.statement], type_ignores=[]),
                                 waiting.filename, "exec"), self.namespace)
            except BaseException as exc:  # noqa: BLE001 - whatever the import raises
                # It stays waiting: every block that needs it says why it cannot run.
                used = ", ".join(sorted(waiting.names & names))
                return _failure(line, _error_text(exc, f" ({user} uses {used}, from the prelude)"),
                                environment=True)
            self.waiting.remove(waiting)
            if _imports_keras(waiting.statement):
                self.import_keras()
            if _imports_any(waiting.statement, TORCH_MODULES):
                self.import_torch()
        return None

    def import_keras(self) -> None:
        if self.keras is not None:
            return
        with self.importing("keras"):
            try:
                import keras  # noqa: F401
            except ImportError:
                pass  # TensorFlow without Keras runs plainly; a block's own import says what fails

    def import_torch(self, meta: bool = False) -> None:
        """torch; with `meta`, also what the meta device needs (deferred blocks)."""
        self.uses_torch = True
        if torch_checks.torch_module() is None:
            with self.importing("torch"):
                torch_checks.import_torch()
        if meta and torch_checks.torch_module() is not None and "torch._dynamo" not in sys.modules:
            with self.importing("torch._dynamo"):
                torch_checks.prepare_meta()

    @contextlib.contextmanager
    def importing(self, what: str):
        self.notify({"importing": what})
        try:
            yield
        finally:
            self.notify({"imported": what})

    def block(self, request: dict) -> dict:
        filename = request["filename"]
        names = (_used_names(request.get("setup", "")) | _used_names(request["source"])
                 | {shape["name"].split(".")[0] for shape in request.get("shapes", [])})
        # A name the deck bound itself (`F = 9.81`) is its own, not the prelude's to import.
        failure = self.import_names(names - set(self.namespace), "the block", request["line"])
        if failure:
            return failure
        if _imports_keras_in(request.get("setup", "")) or _imports_keras_in(request["source"]):
            self.import_keras()
        if any(_imports_any(_parsed(text), TORCH_MODULES)
               for text in (request.get("setup", ""), request["source"])):
            self.import_torch()
        if request.get("setup"):
            setup = self.run(request["setup"], filename, request["setup_line"], mode="values")
            if not setup["ok"]:
                setup["error"]["message"] = "in the hidden setup: " + setup["error"]["message"]
                return setup
        result, printed = self.run_captured(request, request["mode"])
        tripped = result.get("meta") or (result.get("mode") == "deferred" and printed
                                          and torch_checks.META_REPR in printed[0])
        if tripped and request["mode"] == "auto":  # not against a <!-- check: deferred -->
            # It needs PyTorch's values after all (or printed a meta tensor): again, for real.
            result, printed = self.run_captured(request, "values")
        if printed:
            result["output"] = printed[0]
        expected = request.get("raises")
        if expected is None:
            return result
        if result["ok"]:
            return {"ok": False, "error": {"line": request["line"], "message":
                    f"the block was expected to raise {expected or 'an exception'}, but it ran "
                    "without error"}}
        if expected and expected not in result["error"].get("exception_types", []):
            result["error"]["message"] = (f"expected {expected}, but the block raised "
                                          + result["error"]["message"])
            return result
        return {"ok": True, "raised": result["error"]["message"]}

    def run_captured(self, request: dict, mode: str) -> tuple[dict, list[str]]:
        printed: list[str] = []
        with capture_stdout(printed) if request.get("capture") else contextlib.nullcontext():
            result = self.run(request["source"], request["filename"], request["line"], mode=mode,
                              shapes=request.get("shapes", []), echo=request.get("echo", False))
        return result, printed

    def run(self, source: str, filename: str, first_line: int, mode: str,
            shapes: list | None = None, echo: bool = False) -> dict:
        padded = "\n" * (first_line - 1) + source  # so that line numbers are the deck's
        try:
            tree = ast.parse(padded, filename)
        except SyntaxError as exc:
            return _failure(exc.lineno or first_line, f"SyntaxError: {exc.msg}" + _keras_1_hint(source))
        if mode == "auto":
            mode = ("values" if _calls_any(tree, NEEDS_VALUES)
                    or (self.uses_torch and torch_checks.needs_values(tree)) else "deferred")
        pending = sorted(shapes or [], key=lambda s: s["line"])
        checked = []
        keras = self.keras  # a deck with no Keras in it runs plainly
        try:
            if mode == "values" and keras:
                self.materialise(_names(tree))
            if mode == "values" and self.uses_torch:
                torch_checks.materialise(self.namespace, _names(tree))
            with contextlib.ExitStack() as scope:
                if mode == "deferred" and keras:
                    scope.enter_context(keras.StatelessScope(initialize_variables=False))
                if mode == "deferred" and self.uses_torch:
                    self.import_torch(meta=True)
                    scope.enter_context(torch_checks.deferred())
                for statement in tree.body:
                    while pending and pending[0]["line"] < statement.lineno:
                        checked.append(self.shape(pending.pop(0)))
                    # `echo`: at a `>>>` prompt, an expression's value is printed (displayhook).
                    code = (compile(ast.Interactive([statement]), filename, "single") if echo
                            else compile(ast.Module([statement], type_ignores=[]), filename, "exec"))
                    exec(code, self.namespace)
                while pending:
                    checked.append(self.shape(pending.pop(0)))
        except BaseException as exc:  # noqa: BLE001 - a snippet may raise anything, SystemExit too
            failure = _exception(exc, filename, first_line, source, mode)
            if self.uses_torch and torch_checks.trips_on_meta(exc):
                failure["error"]["message"] += self.deferred_log.advice(self.namespace, _names(tree))
                failure["meta"] = mode == "deferred"  # block() may run it again on real tensors
            return failure
        if mode == "deferred" and self.uses_torch:
            self.deferred_log.note(self.namespace, tree, first_line)
        problems = [c for c in checked if c is not None]
        if problems:
            return {"ok": False, "shape_errors": problems}
        return {"ok": True, "mode": mode}

    def shape(self, claim: dict) -> dict | None:
        try:
            value = eval(claim["name"], self.namespace)  # noqa: S307 - the deck's own code
        except Exception as exc:  # noqa: BLE001
            return {"line": claim["line"], "message": f"cannot check the shape of {claim['name']}: "
                    f"{type(exc).__name__}: {exc}"}
        actual = tuple(None if d is None else int(d) for d in getattr(value, "shape", ()))
        try:
            stated = stated_shape(claim["stated"])
        except ValueError as exc:
            return {"line": claim["line"], "message": str(exc)}
        if actual != stated:
            return {"line": claim["line"], "message":
                    f"{claim['name']} has shape {shape_text(actual)}, the comment says "
                    f"{claim['stated']}" + (f" = {shape_text(stated)}" if claim["stated"]
                                            != shape_text(stated) else "")}
        return None

    def params(self, request: dict) -> dict:
        failure = self.import_names(_names_in(request["expr"]), "the claim", request["line"])
        if failure:
            return failure
        if self.uses_torch:
            counted = self.torch_params(request)
            if counted is not None:
                return counted
        self.import_keras()
        try:
            import keras  # imported already, unless it is missing: then that is the answer

            with keras.StatelessScope(initialize_variables=False):
                value = eval(request["expr"], self.namespace)  # noqa: S307 - the deck's own code
                layer = getattr(getattr(value, "_keras_history", None), "operation", value)
                count = int(layer.count_params())
            counted = request.get("kind", "params")
            if counted != "params":
                # count_params() (called above) says it when the layer is not built yet.
                weights = (layer.trainable_weights if counted == "trainable"
                           else layer.non_trainable_weights)
                count = sum(math.prod(weight.shape) for weight in weights)
        except Exception as exc:  # noqa: BLE001
            return _failure(request["line"], f"cannot count the parameters of {request['expr']}: "
                            + _error_text(exc), environment=isinstance(exc, ImportError))
        kind = type(layer).__name__
        what = (f"{kind} model '{layer.name}'" if isinstance(layer, keras.Model)
                else f"{kind} layer")
        return {"ok": True, "count": count, "what": what}

    def torch_params(self, request: dict) -> dict | None:
        """The count of a PyTorch module's parameters; None when the expression is not PyTorch's."""
        try:
            with torch_checks.deferred():  # `params(nn.Linear(10**6, 1000))` allocates nothing
                value = eval(request["expr"], self.namespace)  # noqa: S307 - the deck's own code
            if not torch_checks.counts(value):
                return None
            count, what = torch_checks.count(value, request.get("kind", "params"))
        except Exception as exc:  # noqa: BLE001
            return _failure(request["line"], f"cannot count the parameters of {request['expr']}: "
                            + _error_text(exc), environment=isinstance(exc, ImportError))
        return {"ok": True, "count": count, "what": what}

    def value(self, request: dict) -> dict:
        """A claim's expression where the slide's blocks left off: its value (a number, a string,
        True/False), its shape, or its length."""
        failure = self.import_names(_names_in(request["expr"]), "the claim", request["line"])
        if failure:
            return failure
        try:
            found = eval(request["expr"], self.namespace)  # noqa: S307 - the deck's own code
            if request["kind"] == "len":
                result = len(found)
            elif request["kind"] == "shape":
                result = [None if d is None else int(d) for d in found.shape]
            else:
                result = _plain_value(found)
        except Exception as exc:  # noqa: BLE001
            advice = (self.deferred_log.advice(self.namespace, _names_in(request["expr"]), claim=True)
                      if self.uses_torch and torch_checks.trips_on_meta(exc) else "")
            return _failure(request["line"], f"cannot evaluate {request['expr']}: " + _error_text(exc)
                            + advice,
                            environment=isinstance(exc, ImportError))
        return {"ok": True, "value": result}

    def materialise(self, names: set[str]) -> None:
        """Make the deferred weights of the models and layers a block names."""
        _forget_deferred_variables()
        for name in names:
            value = self.namespace.get(name)
            if not isinstance(value, self.keras.Layer):  # models are layers too
                continue
            for variable in value.weights:
                # Keras keeps a deferred variable's initializer until it is first made.
                if getattr(variable, "_value", True) is None:
                    variable._deferred_initialize()


def _forget_deferred_variables() -> None:
    """Take the deferred variables off Keras' own list of them. On JAX, `predict` and `fit` run
    through stateless calls, whose scope makes every variable on that list when it ends: every
    model the deck has built, its 922M-parameter layer too, and again those `materialise` made
    (a TypeError). Only the worker decides which deferred weights are made."""
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # another Keras: its list, if any, stays
        return
    global_state.set_global_attribute("uninitialized_variables", [])


def _calls_any(tree: ast.AST, methods: set[str]) -> bool:
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr in methods for node in ast.walk(tree))


def _names(tree: ast.AST) -> set[str]:
    # `keras.layers.Dense` is the Name `keras` under two Attributes.
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _names_in(source: str) -> set[str]:
    try:
        return _names(ast.parse(source))
    except SyntaxError:
        return set()  # running it reports the error


def _used_names(source: str) -> set[str]:
    """The names a block reads and does not bind itself (`F = 9.81` makes F the block's own)."""
    tree = _parsed(source)
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return read - bound


def _parsed(source: str) -> ast.AST:
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.Module([], type_ignores=[])  # running it reports the error


def _bound_names(statement: ast.stmt) -> set[str]:
    """The names an import statement binds (none for `from x import *`, nor for other code)."""
    if not isinstance(statement, (ast.Import, ast.ImportFrom)):
        return set()
    if any(alias.name == "*" for alias in statement.names):
        return set()
    return {alias.asname or alias.name.split(".")[0] for alias in statement.names}


def _imports_keras(tree: ast.AST) -> bool:
    return _imports_any(tree, KERAS_MODULES)


def _imports_any(tree: ast.AST, packages: set[str]) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            modules = [node.module or ""]
        else:
            continue
        if any(module.split(".")[0] in packages for module in modules):
            return True
    return False


def _imports_keras_in(source: str) -> bool:
    try:
        return _imports_keras(ast.parse(source))
    except SyntaxError:
        return False


def _plain_value(value):
    """A number (NumPy's, a 0-d tensor's too), a string or True/False, as JSON carries it;
    anything else as its repr, which no number matches."""
    if isinstance(value, (bool, int, float, str)):
        return value
    tensor = torch_checks.plain_value(value)  # a PyTorch tensor (numpy() fails on some)
    if tensor is not None:
        return tensor
    if hasattr(value, "numpy"):
        value = value.numpy()  # a TensorFlow or Keras tensor
    if hasattr(value, "item") and getattr(value, "size", 1) == 1:
        return value.item()
    return repr(value)


def _failure(line: int, message: str, environment: bool = False) -> dict:
    # `environment`: the Python that runs the deck lacks something; the deck may well be right.
    return {"ok": False, "error": {"line": line, "message": message, "environment": environment}}


def _error_text(exc: BaseException, context: str = "") -> str:
    """`Type: first line of the message`, and for a missing module what brings it."""
    text = str(exc).strip().splitlines()
    message = f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ") + context
    # keras.preprocessing.text: Keras is there, the module is gone (Keras 2): no install helps.
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] not in sys.modules:
        message += f": {missing_module_hint(exc.name)}"
    return message


def _exception(exc: BaseException, filename: str, first_line: int, source: str, mode: str) -> dict:
    line = first_line
    for frame, number in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == filename:
            line = number
    if isinstance(exc, SystemExit):
        message = (f"the block called sys.exit({exc.code!r}); a snippet must not end the program")
    else:
        message = _error_text(exc)
        if mode == "deferred" and "stateless scope" in str(exc):
            message += (" (this block needs real weights: put <!-- check: values --> above it)")
        message += _keras_1_hint(source) or _keras_2_hint(exc)
    types = [cls.__name__ for cls in type(exc).__mro__]
    old_keras = " — this is Keras " in message  # the deck's code is old, not this Python
    return {"ok": False, "error": {"line": line, "message": message, "exception_types": types,
                                   "environment": isinstance(exc, ImportError) and not old_keras}}


def _keras_1_hint(source: str) -> str:
    found = [f"{old} is {new}" for old, new in KERAS_1.items() if re.search(rf"\b{old}\(", source)]
    found += [f"{old}= is {new}=" for old, new in KERAS_1_ARGUMENTS.items()
              if re.search(rf"\b{old}\s*=", source)]
    if re.search(r"input_shape\s*=\s*\(\s*[13]\s*,", source):
        found.append("input_shape=(3, 224, 224) is channels-first; today's default is (224, 224, 3)")
    if not found:
        return ""
    return " — this is Keras 1 code, which today's Keras does not run: " + "; ".join(found)


def _keras_2_hint(exc: BaseException) -> str:
    """For an import or attribute that Keras 3 no longer has, named in the error itself (the
    source may well mention the name in a comment or a string)."""
    if not isinstance(exc, (ImportError, AttributeError)):
        return ""
    text = str(exc)
    found = [f"{old} is gone: {new}" for old, new in KERAS_2.items()
             if re.search(rf"'(?:[\w.]*\.)?{re.escape(old)}'", text)]
    if not found:
        return ""
    return " — this is Keras 2 code, which Keras 3 does not run: " + "; ".join(found)


@contextlib.contextmanager
def capture_stdout(printed: list[str], limit: int = 1 << 20):
    """Append to `printed` what the code inside prints: Python's print, `model.summary()`, C's
    printf alike (file descriptor 1 goes to a file meanwhile); its first `limit` bytes."""
    sys.stdout.flush()
    with tempfile.TemporaryFile() as file:
        saved = os.dup(1)
        os.dup2(file.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            _flush_c_stdout()
            os.dup2(saved, 1)
            os.close(saved)
            file.seek(0)
            printed.append(file.read(limit).decode("utf-8", "replace"))


def _flush_c_stdout() -> None:
    # What native code printed with printf may still sit in the C library's buffer.
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-mb", type=int, default=0)
    args = parser.parse_args()
    # The requests and replies travel on copies of stdin and stdout, which no child inherits.
    requests = os.fdopen(os.dup(0), "r")
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    # A snippet's stdin is empty, at the descriptor too (a subprocess it starts reads it), so
    # that `input()` raises EOFError at once instead of waiting for the requests.
    with open(os.devnull, "rb") as devnull:
        os.dup2(devnull.fileno(), 0)  # sys.stdin, which has read nothing yet, reads it too
    os.dup2(2, 1)  # what snippets print (Python or C) goes to stderr, not into the replies
    # UTF-8 whatever the locale: model.summary() draws its table with box-drawing characters.
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", buffering=1,  # noqa: SIM115
                      closefd=False)
    faulthandler.enable()  # a crash in native code still names the deck line
    worker = Worker(notify=lambda message: replies.write(json.dumps(message) + "\n"))
    if args.memory_mb:
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    replies.write(json.dumps({"ok": True, "ready": True}) + "\n")
    for line in requests:
        try:
            reply = worker.handle(json.loads(line))
        except MemoryError:
            reply = _failure(0, "MemoryError")
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
