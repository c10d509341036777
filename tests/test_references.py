"""What a deck refers to (images, media, backgrounds, links) is checked against what the
build will hold, at the line that refers to it."""
from click.testing import CliRunner

from lecture_tool.cli import main as cli

from conftest import make_project


def test_backgrounds_videos_and_audio_are_checked_too(tmp_path):
    deck = ("background-image: url(images/sky.jpg)\nbackground-alt: A clear blue sky\n\n# Sky\n\n"
            "---\n\n# Media\n\n"
            '<video src="clip.mp4" poster="still.png" controls><track kind="captions" src="clip.vtt">'
            '</video>\n\n<audio controls><source src="talk.ogg"></audio>\n\n'
            "---\n<!-- background-image: url('present.png') -->\n<!-- background-alt: decorative -->\n\n"
            "# Present\n")
    project = make_project(tmp_path, {"deck.md": deck}, files={"slides/present.png": b"png"})
    result = CliRunner().invoke(cli, ["-C", str(project), "build"], catch_exceptions=False)
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert warnings == [
        "slides/deck.md:1: warning: background image 'images/sky.jpg' not found: no "
        "slides/images/sky.jpg to copy and no build step makes build/images/sky.jpg",
        "slides/deck.md:10: warning: media 'clip.mp4' not found: no slides/clip.mp4 to copy and no "
        "build step makes build/clip.mp4",
        "slides/deck.md:10: warning: image 'still.png' not found: no slides/still.png to copy and "
        "no build step makes build/still.png",
        "slides/deck.md:12: warning: media 'talk.ogg' not found: no slides/talk.ogg to copy and "
        "no build step makes build/talk.ogg",
    ]


def test_build_and_check_agree_on_what_the_output_holds(tmp_path):
    deck = ("# Links\n\n[KaTeX's stylesheet](assets/katex/katex.min.css), [a font]"
            "(assets/katex/fonts/KaTeX_Main-Regular.woff2), [the script](assets/lecture.js), "
            "[gone](assets/nothing.js)\n")
    project = make_project(tmp_path, {"deck.md": deck})
    outputs = [CliRunner().invoke(cli, ["-C", str(project), command]).output
               for command in ("build", "check")]
    expected = ("slides/deck.md:3: warning: link 'assets/nothing.js' not found: no "
                "slides/assets/nothing.js to copy and no build step makes build/assets/nothing.js")
    for output in outputs:
        assert [line for line in output.splitlines() if ": warning: " in line] == [expected]


def test_notebook_mentions_are_never_taken_from_urls_or_paths():
    from lecture_tool.deck import parse_deck
    from lecture_tool.deck.mentions import mentions_of

    deck = parse_deck("# Notebooks\n\nOpen linear-regression.ipynb, then see a%20networks.ipynb, "
                      "<https://x.org/get?f=nets.ipynb>, file:cnn.ipynb, x=rnn.ipynb and "
                      "archive/old.ipynb.\n\n* logistic-regression.ipynb\n")
    assert mentions_of(deck) == ["linear-regression", "logistic-regression"]
