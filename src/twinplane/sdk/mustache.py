"""Mustache-style templates for prompts and LLM-judge scorers.

Supported: ``{{name}}``, dotted paths ``{{a.b}}``, ``{{{name}}}`` / ``{{& name}}``, sections
``{{#x}}...{{/x}}`` (lists iterate, truthy values render once, dicts push a scope),
inverted sections ``{{^x}}``, ``{{.}}`` and comments ``{{! ... }}``. Values are not
HTML-escaped (prompts are not HTML); dicts and lists render as JSON, None as empty.
``strict=True`` raises KeyError for a missing variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

_TAG = re.compile(r"\{\{(\{[^}]*\}|[^}]*)\}\}\}?")
_MISSING = object()


class TemplateError(ValueError):
    """The template is malformed (an unclosed or mismatched section)."""


def _parse(template: str) -> list[Any]:
    """Tokens: str | ("var", name) | ("section", name, inverted, children)."""
    root: list[Any] = []
    stack: list[tuple[str, bool, list[Any]]] = []
    cur = root
    pos = 0
    for m in _TAG.finditer(template):
        if m.start() > pos:
            cur.append(template[pos:m.start()])
        pos = m.end()
        raw = m.group(1).strip()
        if raw.startswith("{"):
            raw = raw.strip("{} ")
            cur.append(("var", raw))
        elif raw.startswith("!"):
            continue
        elif raw.startswith("&"):
            cur.append(("var", raw[1:].strip()))
        elif raw.startswith(("#", "^")):
            children: list[Any] = []
            node = ("section", raw[1:].strip(), raw[0] == "^", children)
            cur.append(node)
            stack.append((node[1], node[2], cur))
            cur = children
        elif raw.startswith("/"):
            name = raw[1:].strip()
            if not stack or stack[-1][0] != name:
                raise TemplateError(f"unexpected closing tag {{{{/{name}}}}}")
            cur = stack.pop()[2]
        else:
            cur.append(("var", raw))
    if stack:
        raise TemplateError(f"section {{{{#{stack[-1][0]}}}}} is never closed")
    if pos < len(template):
        cur.append(template[pos:])
    return root


def _lookup(name: str, scopes: list[Any]) -> Any:
    if name == ".":
        return scopes[-1]
    head, *rest = name.split(".")
    for scope in reversed(scopes):
        if isinstance(scope, Mapping) and head in scope:
            value = scope[head]
            for part in rest:
                if isinstance(value, Mapping) and part in value:
                    value = value[part]
                elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                    value = value[int(part)]
                else:
                    return _MISSING
            return value
    return _MISSING


def _text(value: Any) -> str:
    if value is None or value is _MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return orjson.dumps(value, default=str).decode()
    return str(value)


def _render(tokens: list[Any], scopes: list[Any], strict: bool, out: list[str]) -> None:
    for tok in tokens:
        if isinstance(tok, str):
            out.append(tok)
        elif tok[0] == "var":
            value = _lookup(tok[1], scopes)
            if value is _MISSING and strict:
                raise KeyError(tok[1])
            out.append(_text(value))
        else:
            _, name, inverted, children = tok
            value = _lookup(name, scopes)
            falsy = value is _MISSING or not value
            if inverted:
                if falsy:
                    _render(children, scopes, strict, out)
            elif not falsy:
                if isinstance(value, list):
                    for item in value:
                        _render(children, scopes + [item], strict, out)
                elif isinstance(value, Mapping):
                    _render(children, scopes + [value], strict, out)
                else:
                    _render(children, scopes, strict, out)


def render(template: str, variables: Mapping[str, Any], strict: bool = False) -> str:
    """Render ``template`` with ``variables``."""
    out: list[str] = []
    _render(_parse(template), [variables], strict, out)
    return "".join(out)
