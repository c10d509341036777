"""`lecture check` on sample decks: claims, shapes, every failure kind, line mapping, cache."""
import json
import os
import shutil
import time
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from click.testing import CliRunner

from lecture_tool.commands.check import check
from lecture_tool.cli import main
from lecture_tool.config import load_config
from lecture_tool.deck import read_deck
from lecture_tool.diagnostics import ERROR, Diagnostic
from lecture_tool.checking.client import DeckRun, default_memory_limit_mb, memory_limit_mb
from lecture_tool.deck.annotations import count_matches, deck_checks, output_difference, parse_count

from conftest import REPO, SAMPLES, Process

# 3 GB of address space: TensorFlow's predict() takes about 2.3 GB of it, and 0.3 GB more where JAX
# is installed too, as the test set-up has it (TensorFlow's tf.lite imports JAX when it can).
CONFIG = """
[tool.lecture.remark]
highlightLanguage = "python"
highlightLines = true

[tool.lecture.check]
timeout = 8
memory_limit_mb = 3072
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("check")
    shutil.copytree(SAMPLES / "check", root / "slides")
    (root / "pyproject.toml").write_text('[tool.lecture]\ntitle = "Checks"\n' + CONFIG)
    return root


@pytest.fixture(scope="module")
def checked(project):
    """Each sample deck checked once (TensorFlow starts once per deck), two at a time: much of
    a check is waiting (for the hang to time out, for a crashed worker's replacement)."""
    config = load_config(project)
    names = ("failures", "seed-lecture3", "claims", "values", "counts", "shown", "output", "order",
             "plain")
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = {name: pool.submit(check, config, [project / "slides" / f"{name}.md"], use_cache=False)
                for name in names}
    return {name: run.result() for name, run in runs.items()}


def messages(result, severity="error") -> list[tuple[int, str]]:
    return [(d.line, d.message) for d in result.diagnostics
            if d.severity == severity and "image '" not in d.message]


def test_stated_precision():
    assert parse_count("922M") == (922_000_000, 1_000_000)
    assert count_matches(921_601_000, "922M")
    assert not count_matches(921_601_000, "900M")
    assert count_matches(921_601_000, "0.9B") and count_matches(921_601_000, "921.6M")
    assert count_matches(138_357_544, "138,357,544") and not count_matches(138_357_545, "138,357,544")
    assert count_matches(304, "304") and count_matches(1_234, "1.2k")
    assert parse_count("lots") is None
    # Counts in words, at the precision they are written with.
    assert parse_count("4.2 million") == (4_200_000, 100_000)
    assert count_matches(4_204_200, "4.2 million") and not count_matches(4_204_200, "4.3 million")
    assert count_matches(60_123, "60 thousand") and count_matches(1_234_567_890, "1.2 billion")
    assert count_matches(4_204_200, "4.2 Million") and parse_count("4.2 mega") is None


def test_parameter_claims_true_false_and_precision(checked):
    assert messages(checked["claims"]) == [
        (18, "Dense layer has 921,601,000 parameters, slide says 900M"),
        (22, "Dense layer has 921,601,000 parameters, slide says 921,601,001"),
        (35, "h has shape (None, 24, 24, 4), the comment says (None, 24, 24, 5)"),
    ]
    cases = {(c.line, c.name): c.failure for c in checked["claims"].cases}
    assert cases[(11, "params(z) = 922M")] is None  # true, at the line that states it
    assert cases[(20, "params(z) = 921,601,000")] is None
    assert cases[(24, "params(z) = 0.9B")] is None
    assert cases[(38, "params(h) = 304")] is None  # a KerasTensor counts its layer
    assert cases[(39, "params(model) = 304")] is None


def test_unannotated_counts_are_warned_about(checked):
    assert messages(checked["claims"], "warning") == [
        (41, "'1.2k' is a parameter count that nothing checks: tie it to the code with "
             "<!-- check: params(EXPRESSION) = 1.2k -->"),
        (43, "'9,999 parameters' is a parameter count that nothing checks: tie it to the code "
             "with <!-- check: params(EXPRESSION) = 9,999 -->"),
    ]


def test_every_failure_kind_is_reported_at_its_deck_line(checked):
    found = messages(checked["failures"])
    assert found[:-1] == [
        (83, "unknown check annotation 'frobnicate': use skip, raises, values, deferred, setup, "
             "output, params(...) = N (trainable(...), non_trainable(...)), value(...) = X, "
             'shape(...) = (...), len(...) = N, figure("...").NAME = X, notebook("...").NAME = X '
             "or not-computed"),
        (84, "check: skip needs a reason: <!-- check: skip (why it cannot run) -->"),
        (11, "ValueError: broken on purpose"),  # the raising line, not the block's first
        (18, "the block called sys.exit(3); a snippet must not end the program"),
        (24, "timed out after 8 s and was stopped (an endless loop, or work too long for "
             "a slide?)"),
        (32, "the Python process running the snippets was killed by SIGSEGV (a crash in native "
             "code)"),
        (51, "expected KeyError, but the block raised ZeroDivisionError: division by zero"),
        (56, "the block was expected to raise an exception, but it ran without error"),
        (79, "SyntaxError: expected ':'"),
    ]
    # NumPy words the MemoryError itself; ours is what follows it.
    memory = found.pop()
    assert memory[0] == 92 and memory[1].startswith("MemoryError: ")
    assert memory[1].endswith(" (the limit is 3072 MB: [tool.lecture.check] memory_limit_mb)")
    # After the hang and the crash, a new worker replayed the earlier blocks: line 38 ran fine.
    assert {c.line: c.failure for c in checked["failures"].cases}[38] is None
    skipped = [c for c in checked["failures"].cases if c.skipped]
    assert [(c.line, c.skipped) for c in skipped] == [(63, "needs a GPU"), (86, "no reason given")]


def test_blocks_that_need_weights_get_them(checked):
    assert messages(checked["values"]) == []
    assert len(checked["values"].cases) == 3


def test_keras_1_vgg_block_says_plainly_why(checked):
    problems = messages(checked["seed-lecture3"])
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 487  # the first line of the VGG block in the seed
    assert message.startswith("NameError: name 'model' is not defined — this is Keras 1 code")
    assert "Convolution2D is Conv2D(filters, (rows, cols))" in message
    assert "channels-first" in message
    # The seed's three Keras 2 blocks run, and their shape comments hold.
    assert [(c.line, c.failure is None) for c in checked["seed-lecture3"].cases] == [
        (213, True), (287, True), (347, True), (487, False)]


def test_cache_reuses_results_until_a_block_changes(tmp_path):
    (tmp_path / "slides").mkdir()
    deck = tmp_path / "slides/deck.md"
    # Plain Python: the cache is the same for any block, and this one starts no TensorFlow.
    deck.write_text("# A\n\n```python\nx = list(range(4))\n```\n")
    (tmp_path / "pyproject.toml").write_text("[tool.lecture]\n")
    config = load_config(tmp_path)
    first = check(config)
    assert first.cached_decks == [] and len(first.cases) == 1
    again = check(config)
    assert again.cached_decks == ["slides/deck.md"] and again.diagnostics == []
    deck.write_text("# A\n\n```python\nx = list(range(4))\nraise RuntimeError('now broken')\n```\n")
    changed = check(config)
    assert changed.cached_decks == []
    assert [(d.line, d.message) for d in changed.diagnostics] == [(5, "RuntimeError: now broken")]
    cached_failure = check(config)
    assert cached_failure.cached_decks == ["slides/deck.md"]
    assert [(d.line, d.message) for d in cached_failure.diagnostics] == [(5, "RuntimeError: now broken")]
    assert check(config, use_cache=False).cached_decks == []


def test_command_line_exit_codes_annotations_and_junit(tmp_path, monkeypatch):
    (tmp_path / "slides").mkdir()
    (tmp_path / "slides/ok.md").write_text("# OK\n\n```python\nz = Dense(3)(Input((2,)))\n```\n\n"
                                           "9 params <!-- check: params(z) = 9 -->\n")
    (tmp_path / "pyproject.toml").write_text("[tool.lecture]\n")
    runner = CliRunner()
    result = runner.invoke(main, ["-C", str(tmp_path), "check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Checked 1 code blocks and 1 claims" in result.output
    (tmp_path / "slides/bad.md").write_text("# Bad\n\n```python\nz = Dense(3)(Input((2,)))\n```\n\n"
                                            "8 params <!-- check: params(z) = 8 -->\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    junit = tmp_path / "report.xml"
    result = runner.invoke(main, ["-C", str(tmp_path), "check", "--junit-xml", str(junit)],
                           catch_exceptions=False)
    assert result.exit_code == 1
    assert "slides/bad.md:7: error: Dense layer has 9 parameters, slide says 8" in result.output
    assert "::error file=slides/bad.md,line=7::Dense layer has 9 parameters, slide says 8" in result.output
    suites = ElementTree.parse(junit).getroot()
    failures = [case.get("name") for case in suites.iter("testcase") if case.find("failure") is not None]
    assert failures == ["slides/bad.md:7 params(z) = 8"]


def test_the_course_decks_snippets_and_claims_hold():
    # As `lecture check --strict` sees it: not one error, not one warning.
    result = check(load_config(REPO), use_cache=False)
    assert [d.format(REPO) for d in result.diagnostics] == []
    claims = {c.name for c in result.cases if c.name.startswith("params")}
    assert claims == {"params(z) = 922M", "params(convnet) = 433,354", "params(x) = 304",
                      "params(features) = 14,714,688", "params(model) = 138,357,544"}
    assert all(c.failure is None for c in result.cases)


def test_plain_python_checks_without_importing_keras(checked):
    # The deck's last block asserts that neither Keras, TensorFlow, PyTorch nor numpy was
    # imported (its own F is no reason to import the prelude's).
    assert messages(checked["plain"]) == []
    assert len(checked["plain"].cases) == 4
    assert all(c.failure is None for c in checked["plain"].cases)


def one_deck_course(root, deck: str, **check_settings):
    (root / "slides").mkdir()
    (root / "slides/deck.md").write_text(deck)
    settings = {"timeout": 8, "memory_limit_mb": 3072, **check_settings}
    # JSON's strings and integers are TOML's too.
    (root / "pyproject.toml").write_text("[tool.lecture]\n[tool.lecture.check]\n" + "".join(
        f"{key} = {json.dumps(value)}\n" for key, value in settings.items()))


def test_a_missing_module_is_reported_at_the_block_and_never_cached(tmp_path):
    # As if Keras were not installed: the prelude imports from a package that is not there.
    one_deck_course(tmp_path, "# A\n\n```python\nx = 1\n```\n\n"
                              "```python\nlayer = Dense(3)\n```\n\n"
                              "```python\ny = x + 1\nimport no_such_package_xyz\n```\n\n"
                              "```python\nassert y == 2\n```\n",
                    prelude="from no_such_package_xyz import Dense")
    hint = "install it into the Python environment that runs lecture"
    expected = [
        "slides/deck.md:8: error: ModuleNotFoundError: No module named 'no_such_package_xyz' "
        f"(the block uses Dense, from the prelude): {hint}",
        f"slides/deck.md:13: error: ModuleNotFoundError: No module named 'no_such_package_xyz': {hint}",
    ]
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(main, ["-C", str(tmp_path), "check"], catch_exceptions=False)
        assert result.exit_code == 1
        assert [line for line in result.output.splitlines() if ": error: " in line] == expected
        assert "Checked 4 code blocks and 0 claims in " in result.output  # not "(1 from cache)"


def test_a_prelude_import_runs_only_when_a_name_it_binds_is_used(tmp_path):
    # The unused import never runs; the statement that is not an import runs at the start.
    one_deck_course(tmp_path, "# A\n\n```python\nassert half == math.pi / 2\n```\n",
                    prelude="import math\nimport no_such_package_xyz\nhalf = math.pi / 2\n")
    result = check(load_config(tmp_path))
    assert result.diagnostics == [] and [c.failure for c in result.cases] == [None]


def test_time_spent_importing_is_not_the_blocks(tmp_path):
    # Like Keras from a cold disk: the import takes longer than a block may.
    one_deck_course(tmp_path, "# A\n\n```python\nassert thing == 42\n```\n",
                    prelude="from slow_module import thing\n", timeout=1)
    (tmp_path / "slow_module.py").write_text("import time\ntime.sleep(2)\nthing = 42\n")
    result = check(load_config(tmp_path), use_cache=False)
    assert result.diagnostics == [] and [c.failure for c in result.cases] == [None]


def test_a_prelude_that_fails_says_why_and_is_not_cached(tmp_path):
    one_deck_course(tmp_path, "# A\n\n```python\nx = 1\n```\n",
                    prelude="from no_such_package_xyz import thing\nvalue = thing()\n")
    config = load_config(tmp_path)
    for _ in range(2):
        result = check(config)
        assert result.cached_decks == []
        assert [(d.line, d.message) for d in result.diagnostics] == [
            (1, "the prelude failed: ModuleNotFoundError: No module named 'no_such_package_xyz' "
                "(line 2 uses thing, from the prelude): install it into the Python environment "
                "that runs lecture")]


def test_a_block_that_imports_keras_itself_gets_deferred_weights(tmp_path):
    # No prelude: the block's own import brings Keras. 3.7 GB of weights would not fit in 2 GB.
    one_deck_course(tmp_path, "# A\n\n```python\nimport keras\n"
                              "x = keras.Input((640 * 480 * 3,))\n"
                              "z = keras.layers.Dense(1000)(x)\n# shape of z is: (None, 1000)\n```\n\n"
                              "921,601,000 parameters <!-- check: params(z) = 921,601,000 -->\n",
                    prelude="")
    result = check(load_config(tmp_path), use_cache=False)
    assert result.diagnostics == []
    assert [(c.name, c.failure) for c in result.cases] == [
        ("block at line 4", None), ("params(z) = 921,601,000", None)]


def test_a_worker_that_cannot_start_says_why_and_is_not_cached(tmp_path):
    # A limit too large for the address-space rlimit: the worker fails before it is ready.
    one_deck_course(tmp_path, "# A\n\n```python\nx = 1\n```\n", memory_limit_mb=1 << 44)
    config = load_config(tmp_path)
    for _ in range(2):
        result = check(config)
        assert result.cached_decks == []
        assert [(d.line, d.message) for d in result.diagnostics] == [
            (1, "the snippet worker did not start: the Python process running the snippets exited "
                "with status 1: OverflowError: Python int too large to convert to C long")]


def test_the_cache_keeps_a_diagnostics_location():
    diagnostic = Diagnostic(REPO / "slides/x.md", 3, ERROR, "broken", "cell 2 (line 1 of the cell)")
    saved = diagnostic.to_json(REPO)
    assert saved["path"] == "slides/x.md"  # relative: a moved course keeps its cache
    assert Diagnostic.from_json(saved, REPO) == diagnostic


def test_a_deck_runs_again_when_a_module_its_blocks_import_changes(tmp_path):
    # The worker runs in the course root: `from helpers import build` is the course's helpers.py,
    # and what helpers.py imports from the course counts too.
    one_deck_course(tmp_path, "# A\n\n```python\nfrom helpers import build\nassert build() == 1\n```\n",
                    prelude="")
    (tmp_path / "helpers.py").write_text("from settings import VALUE\n\n\ndef build():\n    return VALUE\n")
    (tmp_path / "settings.py").write_text("VALUE = 1\n")
    (tmp_path / "unrelated.py").write_text("X = 1\n")
    config = load_config(tmp_path)
    assert check(config).diagnostics == []
    (tmp_path / "unrelated.py").write_text("X = 2\n")  # imported by no block: still cached
    assert check(config).cached_decks == ["slides/deck.md"]
    (tmp_path / "settings.py").write_text("VALUE = 2\n")
    changed = check(config)
    assert changed.cached_decks == []
    assert [(d.line, d.message) for d in changed.diagnostics] == [(5, "AssertionError")]


# Issue 14: what a lecturer adopting `lecture check` on an existing deck needs.

def test_claims_are_checked_after_the_slides_blocks_or_where_they_say(checked):
    # Slide 2 of order.md has the claim above a block that rebuilds `model` (Dense(7): 77
    # parameters): the slide shows the model below it, so 55 is wrong there. Slide 3's claim
    # says `here`: it is checked before its slide's block, where `model` still has 77.
    assert messages(checked["order"]) == [
        (18, "Sequential model 'sequential_1' has 77 parameters, slide says 55")]
    assert [(c.line, c.name, c.failure is None) for c in checked["order"].cases] == [
        (4, "block at line 4", True), (7, "params(model) = 55", True),
        (15, "block at line 15", True), (18, "params(model) = 55", False),
        (24, "params(model) = 77", True), (27, "block at line 27", True)]


def test_near_miss_shape_comments_and_counts_in_words(checked):
    fix = ("this shape comment is not checked: write it as '# shape of x is: (None, 13)' "
           "(lower-case 'shape of NAME is:', the shape in parentheses, nothing after it)")
    unchecked = "is a parameter count that nothing checks: tie it to the code with"
    assert messages(checked["counts"], "warning") == [
        (5, fix), (6, fix), (7, fix),  # capital S, text after the tuple, [brackets]
        (23, f"'60 thousand weights' {unchecked} <!-- check: params(EXPRESSION) = 60 thousand -->"),
        (23, f"'1.2 billion params' {unchecked} <!-- check: params(EXPRESSION) = 1.2 billion -->"),
        (40, f"'2,241 trainable parameters' {unchecked} "
             "<!-- check: trainable(EXPRESSION) = 2,241 -->"),
    ]
    assert messages(checked["counts"]) == [
        (21, "Dense layer has 4,204,200 parameters, slide says 4.3 million"),
        (38, "Sequential model 'sequential' has 193 trainable parameters, slide says 2,433"),
    ]
    cases = {(c.line, c.name): c.failure for c in checked["counts"].cases}
    assert cases[(20, "params(big) = 4.2 million")] is None
    assert cases[(35, "trainable(model) = 193")] is None
    assert cases[(36, "params(model) = 2,433")] is None
    assert cases[(37, "non_trainable(model) = 2,240")] is None


def test_sessions_run_as_doctest_and_output_shown_as_code_is_not_run(checked):
    # The `>>>` session: one case per example, its output compared (whitespace normalised);
    # the traceback shown for 1 / 0 means it must raise ZeroDivisionError. The next slide's
    # epoch log, traceback, `text` block and printed array are not run; broken code that
    # reads like Python still is.
    assert messages(checked["shown"]) == [
        (14, "the output differs from the slide: the slide shows '8', the block printed '7'"),
        (50, "SyntaxError: expected ':'"),
    ]
    assert [c.line for c in checked["shown"].cases] == [4, 5, 7, 9, 13, 42, 50]


def test_output_checks_compare_what_a_block_prints(checked):
    # A plain print, a model.summary() shown as Keras prints it in a wider terminal, `...`,
    # a summary that does not match, and an annotation with no output shown after its block.
    assert messages(checked["output"]) == [
        (69, "check: output needs what the block prints shown in a code block after it on this "
             "slide"),
        (65, "the output differs from the slide: the slide shows 'Total params: 55 (220.00 B)', "
             "the block printed 'Total params: 77 (308.00 B)'"),
    ]
    assert [(c.line, c.failure is None) for c in checked["output"].cases] == [
        (5, True), (21, True), (43, True), (58, False), (71, True)]


def test_output_comparison_rule():
    assert output_difference("a  b\n\n c\n", "a b\nc") is None  # runs of spaces, blank lines
    assert output_difference("┃ x ┃ 1 ┃\n┗━━━┛\n", "│ x      │ 1 │") is None  # box drawing
    assert output_difference("\x1b[1mbold\x1b[0m\n", "bold") is None  # colours
    assert output_difference("one\ntwo\nthree\n", "one\n...\nthree") is None
    assert output_difference("loss: 0.25 in 3 s", "loss: ... s") is None
    assert output_difference("one\ntwo\n", "one\nthree") == (
        1, "the slide shows 'three', the block printed 'two'")
    assert output_difference("one\n", "one\ntwo") == (1, "the slide shows 'two', the block "
                                                        "printed nothing more")
    assert output_difference("one\ntwo\n", "one") == (
        0, "the block printed more than the slide shows: 'two'")


def test_recognising_output_shown_as_code(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("# A\n\n```\nTotal params: 55 (220.00 B)\nModel: \"sequential\"\n```\n\n"
                    "```\nloss=0.5 acc=0.9\n```\n\n```python\nEpoch 1/2\n```\n\n"
                    "```\nprint \"hello\"\n```\n\n```\n  File \"x.py\", line 1\n```\n")
    blocks = deck_checks(read_deck(deck), "python").steps
    # Not Python and nothing like it: not run. An assignment, a `python` tag, Python 2's
    # print: run (and reported as a SyntaxError). A traceback's tail alone is not Python.
    assert [b.line for b in blocks] == [9, 13, 17]


ADOPTED = ("# Adopting\r\n\r\n"
           "```python\r\nx = undefined_name\r\n```\r\n\r\n---\r\n\r\n"
           "```python\r\ny = 1\r\nz = y + missing\r\n```\r\n\r\n"
           "```python\r\nassert y == 1\r\n```\r\n\r\n"
           "- an item\r\n\r\n  ```python\r\n  broken(\r\n  ```\r\n\r\n"
           "```python\r\n>>> 1 + 1\r\n3\r\n```\r\n\r\n"
           "```python\r\nfine = True\r\n```\r\n")


def test_add_skips_makes_a_deck_green_once(tmp_path):
    one_deck_course(tmp_path, "", prelude="")
    deck = tmp_path / "slides/deck.md"
    deck.write_bytes(ADOPTED.encode())
    runner = CliRunner()
    result = runner.invoke(main, ["-C", str(tmp_path), "check", "--add-skips"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Added 5 skip annotations." in result.output
    # y = 1 ran in the block that fails at `missing`: once that block is skipped, the next one
    # fails too, and is skipped in a second round. The file keeps its CR LF line ends, and the
    # fence's indentation in the list item.
    skip = "<!-- check: skip (fails today: {}) -->\r\n"
    assert deck.read_bytes().decode() == (
        "# Adopting\r\n\r\n"
        + skip.format("NameError: name 'undefined_name' is not defined")
        + "```python\r\nx = undefined_name\r\n```\r\n\r\n---\r\n\r\n"
        + skip.format("NameError: name 'missing' is not defined")
        + "```python\r\ny = 1\r\nz = y + missing\r\n```\r\n\r\n"
        + skip.format("NameError: name 'y' is not defined")
        + "```python\r\nassert y == 1\r\n```\r\n\r\n"
        + "- an item\r\n\r\n  " + skip.format("SyntaxError: '(' was never closed")
        + "  ```python\r\n  broken(\r\n  ```\r\n\r\n"
        + skip.format("the output differs from the slide: the slide shows '3', the block "
                      "printed '2'")
        + "```python\r\n>>> 1 + 1\r\n3\r\n```\r\n\r\n"
        + "```python\r\nfine = True\r\n```\r\n")
    adopted = deck.read_bytes()
    again = runner.invoke(main, ["-C", str(tmp_path), "check", "--add-skips", "--no-cache"],
                          catch_exceptions=False)
    assert again.exit_code == 0 and "Added 0 skip annotations." in again.output
    assert deck.read_bytes() == adopted  # never twice
    plain = runner.invoke(main, ["-C", str(tmp_path), "check"], catch_exceptions=False)
    assert plain.exit_code == 0 and ": error: " not in plain.output


def test_exit_zero_reports_everything_and_exits_0(tmp_path):
    one_deck_course(tmp_path, "# A\n\n```python\nraise RuntimeError('broken')\n```\n", prelude="")
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "check", "--exit-zero", "--strict"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert "slides/deck.md:4: error: RuntimeError: broken" in result.output


def test_input_raises_eoferror_at_once(tmp_path):
    # Not the worker's requests: an empty stdin, for a subprocess the block starts too.
    one_deck_course(tmp_path, "# A\n\n<!-- check: raises EOFError -->\n```python\ninput()\n```\n\n"
                              "```python\nimport subprocess\n"
                              "assert subprocess.run(['cat'], capture_output=True).stdout == b''\n"
                              "name = input('Your name? ')\n```\n", prelude="")
    result = check(load_config(tmp_path), use_cache=False)
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (11, "EOFError: EOF when reading a line")]
    # Not waiting for input until the 8 s timeout: a margin that a loaded machine keeps.
    assert all(case.seconds < 6 for case in result.cases)


def test_processes_a_block_starts_end_with_the_worker_and_replays_repeat_them(tmp_path):
    # A block starts a process; a later block crashes the worker: the new worker replays the
    # first block, which starts its process again. The README says so. Neither outlives the
    # check: the crashed worker's group is killed, and so is the last one's when it stops.
    one_deck_course(tmp_path, "# A\n\n```python\nimport subprocess\n"
                              "sleeper = subprocess.Popen(['sleep', '300'])\n"
                              "with open('pids.txt', 'a') as pids:\n"
                              "    print(sleeper.pid, file=pids)\n```\n\n---\n\n# B\n\n"
                              "```python\nimport ctypes\nctypes.string_at(0)\n```\n", prelude="")
    result = check(load_config(tmp_path), use_cache=False)
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (16, "the Python process running the snippets was killed by SIGSEGV (a crash in native "
             "code)")]
    sleepers = [Process(int(pid)) for pid in (tmp_path / "pids.txt").read_text().split()]
    assert len(sleepers) == 2
    deadline = time.monotonic() + 5
    while any(sleeper.running() for sleeper in sleepers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(sleeper.running() for sleeper in sleepers)


def test_the_default_memory_limit_is_the_machines_memory_at_most_16_gb(tmp_path):
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 20
    assert default_memory_limit_mb() <= min(total_mb, 16 * 1024)
    one_deck_course(tmp_path, "# A\n", memory_limit_mb=0)
    config = load_config(tmp_path)
    assert memory_limit_mb(config) == 0  # no limit, as given
    unset = replace(config, check=replace(config.check, memory_limit_mb=None))
    assert memory_limit_mb(unset) == default_memory_limit_mb()


def test_a_vgg16_training_step_runs_within_the_default_memory_limit(tmp_path):
    # The case: 4096 MB of address space killed it; TensorFlow reserves about twice
    # what it uses (3.4 GB here, 6.9 GB of address space).
    one_deck_course(tmp_path, "# A\n\n```python\nmodel = keras.applications.VGG16(weights=None)\n"
                              "model.compile('adam', 'sparse_categorical_crossentropy')\n"
                              "model.fit(np.zeros((1, 224, 224, 3)), np.zeros((1,)), verbose=0)\n"
                              "```\n", timeout=300)
    config = load_config(tmp_path)
    # What a course that sets no limit gets (config.py fills in no default for it).
    unset = replace(config, check=replace(config.check, memory_limit_mb=None))
    result = check(unset, use_cache=False)
    assert result.diagnostics == [] and [c.failure for c in result.cases] == [None]


def test_a_worker_killed_at_its_memory_limit_names_the_setting(tmp_path):
    # Memory taken up to the limit, then TensorFlow cannot start the threads of a training
    # step: the worker aborts (or crashes) in native code, near its limit.
    one_deck_course(tmp_path, "# A\n\n<!-- check: values -->\n```python\ninputs = Input((4,))\n"
                              "model = Model(inputs, Dense(2)(inputs))\nmodel.compile('adam', 'mse')\n"
                              "```\n\n```python\nhog = []\ntry:\n    while True:\n"
                              "        hog.append(np.ones(64 << 20, np.uint8))\n"
                              "except MemoryError:\n    pass\n"
                              "model.fit(np.ones((8, 4)), np.ones((8, 2)), verbose=0)\n```\n",
                    memory_limit_mb=2048)
    result = check(load_config(tmp_path), use_cache=False)
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (17, "ran out of memory (the limit is 2048 MB: [tool.lecture.check] memory_limit_mb)")]


def _cpu_seconds(pid: int) -> float:
    """The CPU time a process has used (user and system)."""
    with open(f"/proc/{pid}/stat") as stat:
        ticks = sum(int(field) for field in stat.read().rsplit(")", 1)[1].split()[11:13])
    return ticks / os.sysconf("SC_CLK_TCK")


def _idle(pid: int, seconds: float = 60) -> None:
    """Wait until a process uses no more CPU (a spare worker done importing Keras)."""
    deadline, last = time.monotonic() + seconds, -1.0
    while time.monotonic() < deadline and _cpu_seconds(pid) != last:
        last = _cpu_seconds(pid)
        time.sleep(0.5)


def test_a_kept_deck_run_goes_on_from_the_first_change_or_in_a_warm_spare(tmp_path):
    # What `lecture serve --check` uses: DeckRun.run(steps, keep=True) after each edit.
    slide = ("# A\n\n```python\nz = Dense({})(Input((2,)))\n```\n\n"
             "{} parameters <!-- check: params(z) = {} -->\n")
    one_deck_course(tmp_path, slide.format(3, 9, 9))
    path = tmp_path / "slides/deck.md"
    config = load_config(tmp_path)

    def steps():
        return deck_checks(read_deck(path), "").steps

    run = DeckRun(config, read_deck(path))
    try:
        assert run.run(steps(), keep=True)[0] == [] and run.ran == 2
        first = run.worker.process.pid
        first_worker = Process(first)
        # A slide added at the end: only its steps run, in the same worker.
        path.write_text(slide.format(3, 9, 9) + "\n---\n\n" + slide.format(4, 12, 12).replace("z", "w"))
        problems, done = run.run(steps(), keep=True)
        assert problems == [] and run.ran == 2 and run.worker.process.pid == first
        assert [d.message for step in done for d in step.diagnostics] == []
        # The last claim changed: it is checked again, nothing else runs.
        path.write_text(slide.format(3, 9, 9) + "\n---\n\n" + slide.format(4, 13, 13).replace("z", "w"))
        done = run.run(steps(), keep=True)[1]
        assert run.ran == 1 and run.worker.process.pid == first
        assert [d.message for step in done for d in step.diagnostics] == [
            "Dense layer has 12 parameters, slide says 13"]
        # The first block changed: everything runs again, in the spare started after the last
        # run, which imported Keras while nobody waited for it.
        spare = run.spare.process.pid
        spare_worker = Process(spare)
        _idle(spare)
        path.write_text(slide.format(5, 15, 15))
        before = _cpu_seconds(spare)
        problems, done = run.run(steps(), keep=True)
        # CPU time, which a loaded machine does not stretch: importing Keras takes seconds of it.
        seconds = _cpu_seconds(spare) - before
        assert problems == [] and run.ran == 2 and run.worker.process.pid == spare
        assert [d.message for step in done for d in step.diagnostics] == []
        assert run.worker.imported[0] == "keras" and seconds < 1.5, seconds
        assert not first_worker.running()
    finally:
        run.close()
    assert not spare_worker.running()


def test_no_cache_for_one_deck_keeps_the_other_decks_cached(tmp_path):
    one_deck_course(tmp_path, "# A\n\n```python\nx = 1\n```\n", prelude="")
    (tmp_path / "slides/other.md").write_text("# B\n\n```python\ny = 2\n```\n")
    config = load_config(tmp_path)
    check(config)
    check(config, [tmp_path / "slides/deck.md"], use_cache=False)
    assert check(config).cached_decks == ["slides/deck.md", "slides/other.md"]


def test_a_moved_course_keeps_its_check_cache_and_its_paths(tmp_path):
    (tmp_path / "here").mkdir()
    one_deck_course(tmp_path / "here", "# A\n\n```python\nraise ValueError('no')\n```\n", prelude="")
    check(load_config(tmp_path / "here"))
    moved = tmp_path / "there"
    (tmp_path / "here").rename(moved)
    result = check(load_config(moved))
    assert result.cached_decks == ["slides/deck.md"]
    assert [(d.path, d.line, d.message) for d in result.diagnostics] == [
        (moved / "slides/deck.md", 4, "ValueError: no")]


KERAS_2_DECK = ("# Augmentation\n\n```python\nfrom keras.preprocessing.image import ImageDataGenerator\n"
                "augment = ImageDataGenerator(rotation_range=10)\n```\n\n"
                "```python\nfrom keras.preprocessing.text import Tokenizer\n```\n")


def test_keras_2_imports_are_recognised_as_old_keras(tmp_path):
    one_deck_course(tmp_path, KERAS_2_DECK, prelude="")
    result = check(load_config(tmp_path), use_cache=False)
    (first_line, first), (second_line, second) = messages(result)
    assert first_line == 4 and first.startswith(
        "ImportError: cannot import name 'ImageDataGenerator' from 'keras.preprocessing.image'")
    assert ("— this is Keras 2 code, which Keras 3 does not run: ImageDataGenerator is gone: "
            "keras.utils.image_dataset_from_directory") in first
    # Keras is installed: its missing submodule is the deck's age, not an extra to install.
    assert second_line == 9 and second.startswith(
        "ModuleNotFoundError: No module named 'keras.preprocessing.text' — this is Keras 2 code")
    assert "pip install" not in second


def test_skip_reasons_hold_neither_paths_nor_advice(tmp_path):
    one_deck_course(tmp_path, KERAS_2_DECK + "\n```python\nimport no_such_package_xyz\n```\n\n"
                    "```python\nopen('/nowhere/at/all/data.csv')\n```\n", prelude="")
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "check", "--add-skips"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    skips = [line for line in (tmp_path / "slides/deck.md").read_text().splitlines()
             if line.startswith("<!-- check: skip")]
    assert skips == [
        "<!-- check: skip (fails today: ImportError: cannot import name 'ImageDataGenerator' "
        "from 'keras.preprocessing.image') -->",
        "<!-- check: skip (fails today: ModuleNotFoundError: No module named "
        "'keras.preprocessing.text') -->",
        "<!-- check: skip (fails today: ModuleNotFoundError: No module named 'no_such_package_xyz') -->",
        "<!-- check: skip (fails today: FileNotFoundError: [Errno 2] No such file or directory: "
        "'data.csv') -->"]
