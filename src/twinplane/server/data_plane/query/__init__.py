"""The query layer: a typed filter language and the SDK's BTQL JSON, compiled through one safe AST.

``ast`` holds the nodes and the dialect protocol. Parsers produce nodes; the compiler turns
them into SQL through a dialect that each store engine implements, with every value bound.
"""
