"""How the store logs a database error: its type and code, never its text.

Drivers quote the offending statement's parameters in their messages (PostgreSQL's
"invalid input ... DETAIL: ... {"input": ...}"), so the message itself may carry row
content, which is never logged (STYLE.md rule 6).
"""

from __future__ import annotations


def describe(err: BaseException) -> str:
    code = getattr(err, "sqlstate", None) or getattr(err, "sqlite_errorname", None)
    return f"{type(err).__module__}.{type(err).__qualname__}" + (f" ({code})" if code else "")
