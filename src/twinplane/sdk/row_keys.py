"""Private keys of queued rows: scalars the caller's thread records instead of building nested
objects, expanded into wire fields on the delivery thread (``expand_row``).

Each key starts with a NUL character, which no wire field does, so they can never collide
with what a user logs.
"""

from __future__ import annotations

from typing import Any

REF_KEY = "\x00ref"  # the row's ObjectRef
START_KEY = "\x00start"  # metrics.start
END_KEY = "\x00end"  # metrics.end
NAME_KEY = "\x00name"  # span_attributes.name
TYPE_KEY = "\x00type"  # span_attributes.type
EXEC_KEY = "\x00exec"  # span_attributes.exec_counter


def expand_row(row: dict[str, Any]) -> None:
    """Turn the private scalars of an SDK-built row into wire fields, in place.

    Nested dicts present in such rows (``metrics``, ``span_attributes``) were copied by the SDK
    when the row was built, so they may be updated here.
    """
    if START_KEY in row:
        attrs = {"name": row.pop(NAME_KEY, None), "type": row.pop(TYPE_KEY, None),
                 "exec_counter": row.pop(EXEC_KEY, None)}
        extra = row.get("span_attributes")
        if extra:
            attrs.update(extra)
        row["span_attributes"] = attrs
        metrics = row.get("metrics")
        start = row.pop(START_KEY)
        if metrics is None:
            row["metrics"] = {"start": start}
        else:
            metrics["start"] = start
    if END_KEY in row:
        end = row.pop(END_KEY)
        metrics = row.get("metrics")
        if metrics is None:
            row["metrics"] = {"end": end}
        else:
            row["metrics"] = {**metrics, "end": end}
