"""JavaScript's regular expressions in Python's dialect, for the ports of remark's lexer
(`model.py`) and of its Markdown, marked (`marked.py`).

Where the two dialects differ in what these ports use: JavaScript's `\\s` is not Python's
(Python adds \\x1c-\\x1f and \\x85, and lacks \\ufeff), so it is spelled out; JavaScript's `.`
stops at \\r, \\u2028 and \\u2029 too; its `$` without the m flag is Python's `\\Z` (Python's `$`
also matches before a final newline); and its `\\w`, `\\b` and `\\d` are ASCII, which is
Python's re.ASCII.
"""

JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
S = f"[{JS_SPACE}]"  # \s
NOT_S = f"[^{JS_SPACE}]"  # \S
DOT = "[^\n\r\u2028\u2029]"  # .
