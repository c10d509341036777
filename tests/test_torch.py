"""`lecture check` on PyTorch decks: counts of hand-built models, shapes on the meta device, the
blocks that need real tensors, and a billion parameters counted without allocating them."""
import json
import re
import shutil

import pytest

from lecture_tool.checking.client import DeckRun
from lecture_tool.commands.check import check
from lecture_tool.config import load_config
from lecture_tool.deck import read_deck
from lecture_tool.deck.annotations import deck_checks

from conftest import SAMPLES

DECK = SAMPLES / "torch" / "models.md"
SETTINGS = {"timeout": 60, "memory_limit_mb": 2048}

# The counts, from the layers' sizes: (inputs × kernel + 1 bias) × outputs, layer by layer.
LENET = (1 * 5 * 5 + 1) * 6 + (6 * 5 * 5 + 1) * 16 + (16 * 5 * 5 + 1) * 120 + (120 + 1) * 84 \
    + (84 + 1) * 10
VGG16_WIDTHS = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
VGG16 = sum((3 * 3 * given + 1) * made for given, made in zip([3] + VGG16_WIDTHS, VGG16_WIDTHS)) \
    + (512 * 7 * 7 + 1) * 4096 + (4096 + 1) * 4096 + (4096 + 1) * 1000
# Two 3×3 convolutions of 64 channels without bias; each batch norm learns a scale and a shift
# and keeps a running mean and variance (its num_batches_tracked counter is not counted).
BLOCK_TRAINABLE = 2 * (64 * 64 * 3 * 3) + 2 * (64 + 64)
BLOCK_RUNNING = 2 * (64 + 64)
HUGE = 1_000_000 * 1_000 + 1_000


def course(root, deck: str, **settings) -> None:
    (root / "slides").mkdir()
    (root / "slides/deck.md").write_text(deck)
    settings = {**SETTINGS, **settings}
    (root / "pyproject.toml").write_text(
        "[tool.lecture]\n[tool.lecture.remark]\nhighlightLanguage = \"python\"\n"
        "[tool.lecture.check]\n" + "".join(f"{key} = {json.dumps(value)}\n"
                                          for key, value in settings.items()))


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    root = tmp_path_factory.mktemp("torch")
    course(root, DECK.read_text())
    return check(load_config(root), use_cache=False)


def line_of(text: str, deck: str) -> int:
    return deck[:deck.index(text)].count("\n") + 1


def test_the_published_counts_are_the_arithmetics():
    assert LENET == 61_706 and VGG16 == 138_357_544  # LeCun et al. 1998; Simonyan & Zisserman 2015


def test_every_claim_of_the_pytorch_deck_holds(checked):
    assert [d.message for d in checked.diagnostics] == []
    claims = [case.name for case in checked.cases if not case.name.startswith("block")]
    assert claims == [
        f"params(lenet) = {LENET:,}", "params(lenet.conv1) = 156",
        "params(lenet.conv1.weight) = 150",
        f"params(vgg) = {VGG16:,}", "shape(logits) = (1, 1000)",
        f"params(block) = {BLOCK_TRAINABLE + BLOCK_RUNNING:,}",
        f"trainable(block) = {BLOCK_TRAINABLE:,}", f"non_trainable(block) = {BLOCK_RUNNING}",
        f"params(huge) = {HUGE:,}", "params(huge) = 1.0B",
        "value(probabilities.max()) = 0.665", "len(probabilities) = 3", "shape(loss) = ()"]
    assert all(case.failure is None for case in checked.cases)


# Each claim and shape comment of the deck, stated wrongly.
PERTURBED = {
    "61,706": "61,707", "has 156": "has 157",
    "= 156 -->": "= 157 -->", "of 150 numbers": "of 151 numbers", "= 150 -->": "= 151 -->",
    "torch.Size([8, 1, 32, 32])": "torch.Size([8, 1, 32, 33])", "is: (8, 10)": "is: (8, 11)",
    "138,357,544": "138,357,545", "torch.Size([1, 512, 7, 7])": "torch.Size([1, 512, 14, 14])",
    "is: (1, 1000)": "is: (1, 999)", "shape(logits) = (1, 1000)": "shape(logits) = (1, 100)",
    "is: (2, 64, 56, 56)": "is: (2, 64, 28, 28)", "74,240": "74,241", "73,984": "73,985",
    "and 256": "and 128", "= 256 -->": "= 128 -->", "1,000,001,000": "1,000,000,000",
    "That is 1.0B. <!-- check: params(huge) = 1.0B": "That is 1.1B. <!-- check: params(huge) = 1.1B",
    "is 0.665. <!-- check: value(probabilities.max()) = 0.665":
        "is 0.675. <!-- check: value(probabilities.max()) = 0.675",
    "len(probabilities) = 3 --> There are 3": "len(probabilities) = 4 --> There are 4",
    "shape(loss) = () --> its shape is ()": "shape(loss) = (1,) --> its shape is (1,)",
}


def test_a_perturbed_copy_fails_every_claim_at_its_line(tmp_path):
    deck = DECK.read_text()
    for right, wrong in PERTURBED.items():
        assert right in deck, right
        deck = deck.replace(right, wrong)
    wrong_lines = sorted({line for number, text in enumerate(deck.splitlines(), 1)
                          for line in [number] if re.search(r"check: |# shape of", text)})
    course(tmp_path, deck)
    result = check(load_config(tmp_path), use_cache=False)
    errors = sorted((d.line, d.message) for d in result.diagnostics if d.severity == "error")
    assert [line for line, _ in errors] == wrong_lines
    assert (line_of("params(lenet) = 61,707", deck),
            f"LeNet module has {LENET:,} parameters, slide says 61,707") in errors
    assert (line_of("params(huge) = 1,000,000,000", deck),
            f"Linear module has {HUGE:,} parameters, slide says 1,000,000,000") in errors
    assert (line_of("torch.Size([1, 512, 14, 14])", deck),
            "features has shape (1, 512, 7, 7), the comment says torch.Size([1, 512, 14, 14]) "
            "= (1, 512, 14, 14)") in errors
    assert (line_of("non_trainable(block) = 128", deck),
            f"BasicBlock module has {BLOCK_RUNNING} non-trainable parameters, slide says 128") in errors


def test_a_billion_parameters_are_counted_on_the_meta_device_in_little_memory(tmp_path):
    # 4 GB of float32 if allocated; the worker's peak resident memory says it was not.
    course(tmp_path, "# Big\n\n```python\nhuge = nn.Linear(1_000_000, 1_000)\n```\n\n"
                     "1,000,001,000 parameters <!-- check: params(huge) = 1,000,001,000 -->\n\n"
                     "---\n\n# Peak\n\n```python\nstatus = open('/proc/self/status').read()\n"
                     "peak_mb = int(status.split('VmHWM:')[1].split()[0]) // 1024\n"
                     "assert peak_mb < 500, f'the worker took {peak_mb} MB'\n```\n")
    result = check(load_config(tmp_path), use_cache=False)
    assert [d.message for d in result.diagnostics] == []


def test_a_block_that_needs_values_runs_on_real_tensors_or_says_which_annotation(tmp_path):
    course(tmp_path, "# Deferred, then real\n\n"
                     "```python\nnet = nn.Sequential(nn.Linear(4, 3), nn.ReLU())\n"
                     "batch = torch.ones(2, 4)\nout = net(batch)\n```\n\n"
                     # Tripping over the meta device, it runs again on real tensors.
                     "```python\nassert net(torch.ones(2, 4)).min() >= 0\n```\n\n"
                     # What it prints is a real tensor's.
                     "<!-- check: output -->\n```python\nprint(torch.ones(2) * 3)\n```\n\n"
                     "```\ntensor([3., 3.])\n```\n\n"
                     # `out` was made on the meta device two blocks before.
                     "```python\ntotal = out.sum().item()\n```\n\n"
                     "<!-- check: value(batch.sum()) = 8.0 --> 8.0\n")
    result = check(load_config(tmp_path), use_cache=False)
    deck = (tmp_path / "slides/deck.md").read_text()
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (line_of("total =", deck), "RuntimeError: Tensor.item() cannot be called on meta tensors (out was made on the "
             "meta device by the deferred block at line 4: put <!-- check: values --> above that "
             "block)"),
        (line_of("<!-- check: value", deck), "cannot evaluate batch.sum(): ValueError: it is a tensor on the meta device, which "
             "holds no values (batch was made on the meta device by the deferred block at line 4: "
             "put <!-- check: values --> above that block)")]
    (tmp_path / "slides/deck.md").write_text(deck.replace("```python\nnet =",
                                                          "<!-- check: values -->\n```python\nnet ="))
    result = check(load_config(tmp_path), use_cache=False)
    assert result.diagnostics == []


def test_a_missing_pytorch_is_named_at_the_block_with_its_extra(tmp_path):
    # A course-local package named torch that is not there: as if PyTorch were not installed.
    course(tmp_path, "# A\n\n```python\nx = 1\n```\n\n```python\nlayer = nn.Linear(3, 2)\n```\n")
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch/__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    result = check(load_config(tmp_path), use_cache=False)
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (8, "ModuleNotFoundError: No module named 'torch' (the block uses nn, from the prelude): "
            "pip install 'lecture-tool[torch]' brings it")]


def test_running_out_of_memory_in_pytorch_names_the_setting(tmp_path):
    course(tmp_path, "# A\n\n<!-- check: values -->\n```python\nx = torch.empty(10**10)\n```\n")
    result = check(load_config(tmp_path), use_cache=False)
    [problem] = result.diagnostics
    assert problem.line == 5
    assert problem.message.endswith("(the limit is 2048 MB: [tool.lecture.check] memory_limit_mb)")


def test_a_block_marked_deferred_is_not_run_again_on_real_tensors(tmp_path):
    course(tmp_path, "# A\n\n<!-- check: deferred -->\n```python\nx = torch.ones(3)\n"
                     "total = x.sum().item()\n```\n")
    result = check(load_config(tmp_path), use_cache=False)
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (6, "RuntimeError: Tensor.item() cannot be called on meta tensors (this block needs real "
            "tensors: put <!-- check: values --> above it)")]


def test_lecture_serve_checks_a_changed_pytorch_deck_in_a_spare_that_imported_pytorch(tmp_path):
    # `lecture serve --check` keeps a deck's worker and a spare: for a PyTorch deck, the spare
    # imports torch, and what the meta device needs, while nobody waits for it.
    slide = "# A\n\n```python\nlayer = nn.Linear({}, 2)\n```\n\n{} <!-- check: params(layer) = {} -->\n"
    course(tmp_path, slide.format(3, 8, 8))
    path = tmp_path / "slides/deck.md"
    run = DeckRun(load_config(tmp_path), read_deck(path))
    try:
        assert run.run(deck_checks(read_deck(path), "").steps, keep=True)[0] == []
        path.write_text(slide.format(4, 10, 10))  # 4 × 2 weights and 2 biases
        problems, done = run.run(deck_checks(read_deck(path), "").steps, keep=True)
        assert problems == [] and [d for step in done for d in step.diagnostics] == []
        assert run.worker.imported[:2] == ["torch", "torch._dynamo"]  # the spare's own, ahead
    finally:
        run.close()
