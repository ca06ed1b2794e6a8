"""Twinplane SDK: trace LLM applications and evaluate them.

The public surface is listed in ``__all__`` (a test pins it). The SDK never imports
``twinplane.server``; ``pip install twinplane`` without extras is enough to use it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
