"""What the SQLite full-text side file (``<database>.fts``) holds, read directly: deleted data must leave it."""

from __future__ import annotations

import sqlite3


def indexed_words(db: str) -> dict[str, int]:
    """Every word the side file of database ``db`` indexes, with the number of rows holding it."""
    side = sqlite3.connect(db + ".fts", isolation_level=None)
    try:
        side.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, dp_fts, 'row')")
        return dict(side.execute("SELECT term, doc FROM temp.words"))
    finally:
        side.close()
