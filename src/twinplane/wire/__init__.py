"""The wire protocol shared by the SDK and the servers: constants, ids and merge rules.

Nothing here imports a server package; see ``shared/reference/braintrust-wire.md``.
"""
