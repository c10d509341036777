"""Printing: a built deck page to PDF (slides, handout, notes, annotated) by headless Chromium."""
