"""Rendering: a deck model in, its page's HTML out (and the course page, stylesheet, script)."""
