"""Checking: a deck's code blocks run in a worker process, its claims verified there, results
cached by content; JUnit reports and `--add-skips`."""
