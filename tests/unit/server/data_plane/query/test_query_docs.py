"""docs/query-language.md stays in step with the allow-list and the grammar."""

from __future__ import annotations

import re
from pathlib import Path

from twinplane.server.data_plane.query.fields import ROOTS
from twinplane.server.data_plane.query.parse import parse_filter

DOC = (Path(__file__).resolve().parents[5] / "docs" / "query-language.md").read_text()


def test_every_field_root_is_documented() -> None:
    for root in ROOTS:
        assert re.search(rf"`{re.escape(root)}[`.]", DOC), root


def test_every_operator_keyword_is_documented() -> None:
    for word in ("IN", "NOT IN", "IS NULL", "IS NOT NULL", "LIKE", "ILIKE", "MATCH", "INCLUDES", "REGEXP",
                 "`~`", "`!~`", "AND", "OR", "NOT", "interval", "now()"):
        assert word in DOC, word


def test_documented_examples_parse() -> None:
    examples = [
        "metadata.model = 'gpt-4o' AND scores.Factuality < 0.5 AND input MATCH 'refund'\n"
        "  AND created > now() - interval 7 day",
        "scores.Factuality != 0.5 OR scores.Factuality IS NULL",
        "output ~ '(?i)^sorry'",
        "metrics.end - metrics.start > 5",
        "_xact_id > '1000192656880881099'",
        'metadata."user id" = 1 AND scores."Answer relevance" > 0.5',
        "is_root AND NOT metadata.cached",
        "'x' IN tags OR tags INCLUDES 'y'",
    ]
    for text in examples:
        assert parse_filter(text) is not None, text
