"""The query layer: a typed filter language and the SDK's BTQL JSON, compiled through one safe AST.

* ``ast``: the immutable nodes and the ``SqlDialect`` protocol each store engine implements.
* ``fields``: the allow-list of queryable fields, their types and path rules.
* ``predicate``: checked constructors of nodes, shared by both parsers.
* ``parse`` (+ ``parse_error``): the typed language (lark, LALR) → nodes; sort keys; field names.
* ``btql``: a ``/btql`` request body → ``BtqlQuery``.
* ``compile``: nodes → SQL text through a dialect, every value bound.
* ``aggregate``: the ``/v1/aggregate`` spec.

The user reference is ``docs/query-language.md``.
"""
