"""The ``BadRequest`` a failed parse becomes: where (1-based position, line, column), what
was expected there (lark's terminals in words a user reads), and what was found."""

from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from twinplane.server.common.errors import BadRequest

# what a user should read for each terminal lark says it expected
_EXPECTED_NAMES = {
    "FIELD": "a field", "STRING": "a string", "NUMBER": "a number", "COMPOP": "a comparison (=, !=, <, <=, >, >=)",
    "REGEX_OP": "~ or !~", "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "PLUS": "'+'", "MINUS": "'-'",
    "UNIT": "a unit (second, minute, hour, day, week)", "$END": "the end of the input",
}
_OPERATOR_TERMINALS = {"COMPOP", "REGEX_OP", "IN", "IS", "LIKE", "ILIKE", "REGEXP", "MATCH", "INCLUDES", "NOT",
                       "PLUS", "MINUS"}
_VALUE_TERMINALS = {"STRING", "NUMBER", "TRUE", "FALSE", "NULL", "NOW"}


def syntax_error(what: str, text: str, e: UnexpectedInput) -> BadRequest:
    pos: int
    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream or 0
        expected = set(e.allowed or ())
        got = f"found {_quote(text[pos:pos + 1])}"
    elif isinstance(e, UnexpectedEOF):
        pos, expected, got = len(text), set(e.expected), "the input ended"
    elif isinstance(e, UnexpectedToken):
        expected = set(e.accepts or e.expected)
        if e.token.type == "$END":
            pos, got = len(text), "the input ended"
        else:
            pos = e.token.start_pos if e.token.start_pos is not None else len(text)
            got = f"found {_quote(str(e.token))}"
    else:  # pragma: no cover - lark raises only the three above
        pos, expected, got = 0, set(), "invalid input"
    prev = re.search(r"(\S{1,40})\s*\Z", text[:pos])
    after = f" after {_quote(prev.group(1))}" if prev else ""
    message = f"expected {_describe(expected)}{after}, {got}"
    err = located_error(what, text, pos, message)
    err.details = {**(err.details or {}), "expected": sorted(_describe_each(expected))}
    return err


def located_error(what: str, text: str, pos: int, message: str) -> BadRequest:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    where = f"at position {pos + 1}" + (f" (line {line}, column {column})" if "\n" in text else "")
    return BadRequest(f"{what}: {where}: {message}", details={"position": pos + 1, "line": line, "column": column})


def _describe_each(expected: set[str]) -> set[str]:
    out = set()
    operators = "COMPOP" in expected
    for name in expected:
        if name in _VALUE_TERMINALS and "STRING" in expected:
            out.add("a value")
        elif operators and name in _OPERATOR_TERMINALS:
            out.add("an operator (=, !=, <, >, IN, IS NULL, LIKE, ~, MATCH, ...)")
        else:
            out.add(_EXPECTED_NAMES.get(name, name))
    return out


def _describe(expected: set[str]) -> str:
    names = sorted(_describe_each(expected), key=lambda s: (not s.startswith("a"), s == "the end of the input", s))
    if not names:
        return "something else"
    if len(names) > 6:
        names = names[:6] + ["..."]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _quote(s: str) -> str:
    s = s if len(s) <= 40 else s[:40] + "..."
    s = s.encode("unicode_escape").decode("ascii")
    return f'"{s}"' if "'" in s else f"'{s}'"
