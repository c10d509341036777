"""Entry points of the child processes that run a course's code (`python -m lecture_tool.child_processes.X`):
they run in the course's Python, apart from the tool's process, and import nothing of its stages."""
