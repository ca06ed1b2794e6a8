"""The data plane: every record, trace, dataset row, prompt and review score.

Layering for an endpoint: wire model -> service (no HTTP types) -> store (all SQL) -> route.
"""
