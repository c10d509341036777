"""Printing: a built deck page to PDF (slides, handout, notes) by headless Chromium."""
