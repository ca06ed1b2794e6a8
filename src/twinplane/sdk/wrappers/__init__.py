"""Instrumentation of LLM client libraries; each wrapper imports nothing of its library at module level."""

from twinplane.sdk.wrappers.anthropic import wrap_anthropic
from twinplane.sdk.wrappers.openai import wrap_openai

__all__ = ["wrap_anthropic", "wrap_openai"]
