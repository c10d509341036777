"""[tool.lecture]: every option declared once, every bad value one message at its line."""
import pytest
from click.testing import CliRunner

from lecture_tool.cli import main
from lecture_tool.config import OPTIONS, CheckOptions, ConfigError, load_config

from conftest import make_project


def errors_of(tmp_path, pyproject: str) -> list[str]:
    make_project(tmp_path, {"deck.md": "# A\n"})
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    return [d.format(tmp_path) for d in raised.value.diagnostics]


@pytest.mark.parametrize("setting, message", [
    ('figure_timeout = "abc"', '[tool.lecture] figure_timeout must be a number of seconds, not "abc"'),
    ("figure_timeout = -1", "[tool.lecture] figure_timeout must be a number of seconds, not -1"),
    ("cell_timeout = true", "[tool.lecture] cell_timeout must be a number of seconds, not True"),
    ("slides = 3", "[tool.lecture] slides must be a directory, relative to the course, not 3"),
    ('title = ["a"]', "[tool.lecture] title must be text, not ['a']"),
    ('remark = "x"', '[tool.lecture] remark must be a table, not "x"'),
    ("check = 5", "[tool.lecture] check must be a table, not 5"),
    ('output = ".."', '[tool.lecture] output must be a directory inside the course, not ".."'),
    ('output = "."', '[tool.lecture] output must be a directory inside the course, not "."'),
    ('output = "/tmp/site"', '[tool.lecture] output must be a directory inside the course, not "/tmp/site"'),
    ('output = "slides"', "[tool.lecture] output (slides) and slides (slides) overlap: a build "
                          "would overwrite the course's own files"),
    ('output = "slides/site"', "[tool.lecture] output (slides/site) and slides (slides) overlap: "
                               "a build would overwrite the course's own files"),
    ('figures_output = "../../x"', '[tool.lecture] figures_output must be a directory inside the '
                                   'output, not "../../x"'),
    ('language = "english!"', '[tool.lecture] language must be a language tag such as "en", "de" or '
                              '"pt-BR", not "english!"'),
    ("shortcuts = 0", "[tool.lecture] shortcuts must be true or false, not 0"),
    ('keras_backend = "pytorch"', '[tool.lecture] keras_backend must be "jax", "torch" or '
                                  '"tensorflow", not "pytorch"'),
    ('keys = {q = "alt+q"}', "[tool.lecture] keys must be a table from the page's single-key shortcuts "
                             '(b c f h j k m p t ? o /) to keys such as "alt+p", or to false (off), not '
                             "{'q': 'alt+q'}"),
    ('keys = {p = "hyper+p"}', "[tool.lecture] keys must be a table from the page's single-key shortcuts "
                               '(b c f h j k m p t ? o /) to keys such as "alt+p", or to false (off), not '
                               "{'p': 'hyper+p'}"),
])
def test_each_bad_value_is_an_error_at_its_line(tmp_path, setting, message):
    assert errors_of(tmp_path, f'[project]\nname = "x"\n\n[tool.lecture]\n{setting}\n') == [
        f"pyproject.toml:5: error: {message}"]


def test_every_problem_in_one_pass_in_file_order(tmp_path):
    found = errors_of(tmp_path, '[tool.lecture]\ntitle = 1\nmemroy_limit_mb = 3\n\n'
                                '[tool.lecture.check]\ntimeout = "fast"\nmemroy_limit_mb = 1\n'
                                'weights = "real"\n')
    assert found == [
        "pyproject.toml:2: error: [tool.lecture] title must be text, not 1",
        "pyproject.toml:3: warning: [tool.lecture] has no option 'memroy_limit_mb', it is ignored: "
        "memory_limit_mb belongs in [tool.lecture.check]",
        'pyproject.toml:6: error: [tool.lecture.check] timeout must be a number of seconds, not "fast"',
        "pyproject.toml:7: warning: [tool.lecture.check] has no option 'memroy_limit_mb', it is "
        "ignored: did you mean memory_limit_mb?",
        'pyproject.toml:8: error: [tool.lecture.check] weights must be "deferred" or "materialised", '
        'not "real"',
    ]


def test_tool_lecture_that_is_not_a_table(tmp_path):
    assert errors_of(tmp_path, "[tool]\nlecture = 5\n") == [
        "pyproject.toml:2: error: [tool] lecture must be a table, not 5"]


def test_a_file_that_is_not_toml_or_not_utf8(tmp_path):
    assert errors_of(tmp_path, "[tool.lecture]\ntitle = \n") == [
        "pyproject.toml:2: error: not valid TOML: Invalid value (at line 2, column 9)"]
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.lecture]\ntitle = "Caf\xe9"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert [d.format(tmp_path) for d in raised.value.diagnostics] == [
        "pyproject.toml:2: error: not UTF-8 text (invalid continuation byte): TOML files are UTF-8"]


def test_unknown_keys_warn_and_strict_fails_on_them(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n"}, config="tittle = 'x'\n")
    config = load_config(project)
    assert [w.format(project) for w in config.warnings] == [
        "pyproject.toml:3: warning: [tool.lecture] has no option 'tittle', it is ignored: did you "
        "mean title?"]
    result = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert result.exit_code == 0 and "did you mean title?" in result.output
    result = CliRunner().invoke(main, ["-C", str(project), "build", "--strict"])
    assert result.exit_code == 1


def test_the_command_line_says_every_error_and_runs_nothing(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n"}, config='figure_timeout = "abc"\nslides = 5\n')
    result = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        'pyproject.toml:3: error: [tool.lecture] figure_timeout must be a number of seconds, not "abc"',
        "pyproject.toml:4: error: [tool.lecture] slides must be a directory, relative to the course, not 5"]
    assert not (project / "build").exists()


def test_good_values_and_defaults_reach_the_configuration(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n"}, config=(
        'figure_timeout = 30\nnotebooks = "nb"\nfigures_output = "img/"\n'
        "[tool.lecture.check]\ntimeout = 2.5\n[tool.lecture.remark]\nratio = \"4:3\"\n"))
    config = load_config(project)
    assert (config.title, config.figure_timeout, config.cell_timeout) == ("Test course", 30.0, 120.0)
    assert config.notebooks_dir == project / "nb" and config.figures_subdir == "img"
    assert config.check == CheckOptions(timeout=2.5, memory_limit_mb=None, prelude=None,
                                        weights="deferred")
    assert config.remark["ratio"] == "4:3" and config.remark["highlightLines"] is True
    assert config.warnings == ()


def test_every_option_is_in_the_readme_example_and_it_is_valid(tmp_path):
    readme = (make_project.__globals__["REPO"] / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = [o.name for o in OPTIONS
               if f"\n{o.name} =" not in section and f"\n[tool.lecture.{o.name}]" not in section]
    assert missing == []
    # The example is one valid file, and it configures nothing unknown or wrong.
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "pyproject.toml").write_text(example)
    config = load_config(tmp_path)
    assert config.warnings == () and config.check.timeout == 60


def test_moved_shortcuts_are_written_as_the_page_reads_keys(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n"},
                           config='shortcuts = false\n[tool.lecture.keys]\np = "Shift+Alt+P"\nc = false\n"?" = "F2"\n')
    config = load_config(project)
    assert config.shortcuts is False and config.language == "en"
    assert config.keys == {"p": "alt+shift+p", "c": False, "?": "f2"}
