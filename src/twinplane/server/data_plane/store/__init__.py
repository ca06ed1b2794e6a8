"""Storage of the data plane: one interface (``base.Store``), two engines (SQLite, PostgreSQL).

Dialect differences live in the engine modules; services call the interface and never build SQL.
"""
