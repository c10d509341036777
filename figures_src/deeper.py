"""Deeper is better: ImageNet (ILSVRC) classification error of the winning networks against their
depth, as published. Sources, cited on the slide: Krizhevsky et al. 2012 (AlexNet), Zeiler and
Fergus 2014 (ZFNet), Simonyan and Zisserman 2015 (VGG), Szegedy et al. 2015 (GoogLeNet),
He et al. 2016 (ResNet); the two shallow entries are the ILSVRC 2010 and 2011 winners."""
from pathlib import Path

from lecture_tool import figure_style as style

OUTPUTS = ["deeper.png"]
ALT = {"deeper.png": "Bar chart of the top-5 error on ImageNet of the winning entries, year by year: "
                     "shallow methods, 28.2% in 2010 and 25.8% in 2011; AlexNet, 8 layers, 16.4% in "
                     "2012; ZFNet, 8 layers, 11.7% in 2013; VGG, 19 layers, 7.3%, and GoogLeNet, 22 "
                     "layers, 6.7%, in 2014; ResNet, 152 layers, 3.57% in 2015. The deeper the "
                     "network, the lower the error."}

# (name, year, weight layers, top-5 error in %), as reported for ILSVRC.
RESULTS = [
    ("ILSVRC'10", 2010, 0, 28.2),
    ("ILSVRC'11", 2011, 0, 25.8),
    ("AlexNet", 2012, 8, 16.4),
    ("ZFNet", 2013, 8, 11.7),
    ("VGG", 2014, 19, 7.3),
    ("GoogLeNet", 2014, 22, 6.7),
    ("ResNet", 2015, 152, 3.57),
]


def make(out: Path) -> None:
    fig, axis = style.figure(0.9, 3.7)
    positions = range(len(RESULTS))
    colours = [style.GREY if layers == 0 else style.BLUE for _, _, layers, _ in RESULTS]
    colours[-1] = style.ORANGE
    bars = axis.bar(positions, [error for *_, error in RESULTS], color=colours, width=0.65)
    for bar, (_, _, layers, error) in zip(bars, RESULTS):
        depth = "shallow" if layers == 0 else f"{layers} layers"
        axis.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 0.6, f"{error:g}%\n{depth}",
                  ha="center", va="bottom", fontsize=13)
    axis.set_xticks(list(positions), [f"{name}\n{year}" for name, year, *_ in RESULTS])
    axis.set_ylabel("top-5 error (%)")
    axis.set_ylim(0, 36)
    fig.tight_layout()
    style.save_png(fig, out / "deeper.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
