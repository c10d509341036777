"""The course's own code that makes files: figure scripts and notebooks, each run in a process of
its own (stale ones only, side by side), cached by content, replacing outputs only on success."""
