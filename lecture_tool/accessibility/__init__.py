"""Accessibility, WCAG 2.1 AA: the contrast of a course's stylesheet, computed at build time
(`stylesheet.py`, on `contrast.py`, `css.py` and `selectors.py`), and the built pages audited by
axe-core in headless Chromium (`audit.py`)."""
