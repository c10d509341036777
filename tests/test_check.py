"""`lecture check` on sample decks: claims, shapes, every failure kind, line mapping, cache."""
import json
import shutil
import xml.etree.ElementTree as ElementTree

import pytest
from click.testing import CliRunner

from lecture_tool.check import _diagnostic_from_json, _diagnostic_json, check
from lecture_tool.cli import main
from lecture_tool.config import load_config
from lecture_tool.diagnostics import ERROR, Diagnostic
from lecture_tool.snippets import count_matches, parse_count

from conftest import REPO, SAMPLES

CONFIG = """
[tool.lecture.remark]
highlightLanguage = "python"
highlightLines = true

[tool.lecture.check]
timeout = 8
memory_limit_mb = 2048
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("check")
    shutil.copytree(SAMPLES / "check", root / "slides")
    (root / "pyproject.toml").write_text('[tool.lecture]\ntitle = "Checks"\n' + CONFIG)
    return root


@pytest.fixture(scope="module")
def checked(project):
    """Each sample deck checked once (TensorFlow starts once per deck)."""
    config = load_config(project)
    results = {}
    for name in ("claims", "failures", "values", "seed-lecture3", "plain"):
        results[name] = check(config, [project / "slides" / f"{name}.md"], use_cache=False)
    return results


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
    assert found == [
        (83, "unknown check annotation 'frobnicate': use skip, raises, values, deferred, setup "
             "or params(...) = N"),
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
        (92, "MemoryError: Unable to allocate 3.00 GiB for an array with shape (402653184,) and "
             "data type float64"),
    ]
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
    # The seed's own shape comments hold.
    assert all("the comment says" not in m for _, m in problems)


def test_cache_reuses_results_until_a_block_changes(tmp_path):
    (tmp_path / "slides").mkdir()
    deck = tmp_path / "slides/deck.md"
    deck.write_text("# A\n\n```python\nx = Input((4,))\n```\n")
    (tmp_path / "pyproject.toml").write_text("[tool.lecture]\n")
    config = load_config(tmp_path)
    first = check(config)
    assert first.cached_decks == [] and len(first.cases) == 1
    again = check(config)
    assert again.cached_decks == ["slides/deck.md"] and again.diagnostics == []
    deck.write_text("# A\n\n```python\nx = Input((4,))\nraise RuntimeError('now broken')\n```\n")
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
                      "params(model) = 138,357,544"}
    assert all(c.failure is None for c in result.cases)


def test_plain_python_checks_without_importing_keras(checked):
    # The deck's last block asserts that neither Keras, TensorFlow nor numpy was imported.
    assert messages(checked["plain"]) == []
    assert len(checked["plain"].cases) == 4
    assert all(c.failure is None for c in checked["plain"].cases)


def one_deck_course(root, deck: str, **check_settings):
    (root / "slides").mkdir()
    (root / "slides/deck.md").write_text(deck)
    settings = {"timeout": 8, "memory_limit_mb": 2048, **check_settings}
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
    assert _diagnostic_from_json(_diagnostic_json(diagnostic)) == diagnostic


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
