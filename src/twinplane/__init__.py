"""Twinplane SDK: trace LLM applications and evaluate them.

The public surface is listed in ``__all__`` (a test pins it). The SDK never imports
``twinplane.server``; ``pip install twinplane`` without extras is enough to use it.
Integrations with optional libraries (OpenAI, Anthropic, OpenTelemetry) import them
only when called.
"""

__version__ = "0.1.0"

from twinplane.sdk.api import delivery_stats, flush, log_feedback, login  # noqa: E402
from twinplane.sdk.context import start_span  # noqa: E402
from twinplane.sdk.dataset import Dataset, init_dataset  # noqa: E402
from twinplane.sdk.errors import APIError, LoginError, NotFoundError, TwinplaneError  # noqa: E402
from twinplane.sdk.eval import Eval, EvalCaseResult, EvalHooks, EvalResult  # noqa: E402
from twinplane.sdk.eval_data import EvalCase  # noqa: E402
from twinplane.sdk.experiment import Experiment, init  # noqa: E402
from twinplane.sdk.logger import Logger, init_logger  # noqa: E402
from twinplane.sdk.otel import TwinplaneSpanProcessor  # noqa: E402
from twinplane.sdk.prompt import Prompt, create_prompt, load_prompt  # noqa: E402
from twinplane.sdk.readonly_experiment import ReadonlyExperiment  # noqa: E402
from twinplane.sdk.span import NoopSpan, Span, current_span  # noqa: E402
from twinplane.sdk.summary import ExperimentSummary  # noqa: E402
from twinplane.sdk.traced import traced  # noqa: E402
from twinplane.sdk.wrappers import wrap_anthropic, wrap_openai  # noqa: E402

__all__ = [
    "APIError",
    "Dataset",
    "Eval",
    "EvalCase",
    "EvalCaseResult",
    "EvalHooks",
    "EvalResult",
    "Experiment",
    "ExperimentSummary",
    "Logger",
    "LoginError",
    "NoopSpan",
    "NotFoundError",
    "Prompt",
    "ReadonlyExperiment",
    "Span",
    "TwinplaneError",
    "TwinplaneSpanProcessor",
    "__version__",
    "create_prompt",
    "current_span",
    "delivery_stats",
    "flush",
    "init",
    "init_dataset",
    "init_logger",
    "load_prompt",
    "log_feedback",
    "login",
    "start_span",
    "traced",
    "wrap_anthropic",
    "wrap_openai",
]
