"""`lecture check --junit-xml`: the results as a JUnit XML report, which CI services display."""
from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from ..diagnostics import ERROR
from ..outputs import write_if_changed
from .decks import CaseResult, CheckResult


def write_junit(result: CheckResult, path: Path, root: Path | None = None) -> None:
    """A JUnit XML report: one test case per code block and per claim (and, with `--a11y`, per
    slide and page audited), in a test suite per deck."""
    suites = ElementTree.Element("testsuites", name="lecture check")
    by_deck: dict[str, list[CaseResult]] = {}
    for case in result.cases:
        by_deck.setdefault(case.deck, []).append(case)
    for deck, cases in by_deck.items():
        suite = ElementTree.SubElement(
            suites, "testsuite", name=deck, tests=str(len(cases)),
            failures=str(sum(c.failure is not None for c in cases)),
            skipped=str(sum(c.skipped is not None for c in cases)))
        for case in cases:
            element = ElementTree.SubElement(suite, "testcase", classname=deck,
                                             name=f"{deck}:{case.line} {case.name}",
                                             time=f"{case.seconds:.3f}")
            if case.failure is not None:
                ElementTree.SubElement(element, "failure", message=case.failure).text = case.failure
            elif case.skipped is not None:
                ElementTree.SubElement(element, "skipped", message=case.skipped)
    # A case's failure holds its problems' messages, one a line (the audit's) or joined by "; "
    # (a block's and a claim's): those are said by the case, not again under "decks".
    in_cases = {failure for c in result.cases if c.failure
                for line in c.failure.splitlines() for failure in line.split("; ")}
    other = [d for d in result.diagnostics if d.severity == ERROR and d.message not in in_cases]
    suite = ElementTree.SubElement(suites, "testsuite", name="decks", tests=str(len(other) or 1),
                                   failures=str(len(other)))
    if not other:
        ElementTree.SubElement(suite, "testcase", classname="decks", name="no problems")
    for diagnostic in other:
        element = ElementTree.SubElement(suite, "testcase", classname="decks",
                                         name=diagnostic.format(root))
        ElementTree.SubElement(element, "failure", message=diagnostic.message)
    data = ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True)
    write_if_changed(path, data)
