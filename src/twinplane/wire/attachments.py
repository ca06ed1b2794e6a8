"""Attachment references in rows: ``{"type": "braintrust_attachment", "key": ..., "filename", "content_type"}``
anywhere in a row's JSON, as the SDK writes them; the key is the client's, the blob store hashes it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

ATTACHMENT_TYPE = "braintrust_attachment"


def attachment_keys(value: Any) -> Iterator[str]:
    """The client keys of the attachments a row (or any JSON value) references."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == ATTACHMENT_TYPE and isinstance(node.get("key"), str):
                yield node["key"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
