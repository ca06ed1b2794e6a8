"""Twinplane SDK: trace LLM applications and evaluate them.

The public surface is listed in ``__all__`` (a test pins it). The SDK never imports
``twinplane.server``; ``pip install twinplane`` without extras is enough to use it.
"""

__version__ = "0.1.0"

from twinplane.sdk.api import flush, delivery_stats, login, log_feedback  # noqa: E402
from twinplane.sdk.context import start_span  # noqa: E402
from twinplane.sdk.experiment import Experiment, init  # noqa: E402
from twinplane.sdk.logger import Logger, init_logger  # noqa: E402
from twinplane.sdk.span import NoopSpan, Span, current_span  # noqa: E402
from twinplane.sdk.traced import traced  # noqa: E402

__all__ = [
    "Experiment",
    "Logger",
    "NoopSpan",
    "Span",
    "__version__",
    "current_span",
    "delivery_stats",
    "flush",
    "init",
    "init_logger",
    "log_feedback",
    "login",
    "start_span",
    "traced",
]
