"""Twinplane servers: the control plane and the data plane.

The two planes never import each other; they talk over HTTP as in production.
What both need lives in ``common``. Settings for both live in ``settings``.
"""
