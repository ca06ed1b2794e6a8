"""Scrubbing credentials out of log lines: a last line of defence, not a licence to log them.

``redact`` masks Twinplane API keys and service tokens (keeping the public prefix, which
identifies a key without granting anything), bearer tokens, JWTs, ``password=``-style pairs
(``access_token``, ``id_token`` and other ``*_token`` / ``*_key`` / ``*_secret`` names too),
and credential-like URL query parameters: the OIDC callback's ``code`` and ``state``, and
``sig``, and any parameter whose name holds ``token``, ``key``, ``secret``, ``passw``,
``signature``, ``session`` or ``verifier``. Uvicorn's access log prints every request line with its query,
so these would otherwise be written to disk. ``RedactingFilter`` applies it to every record
passing a handler.
"""

from __future__ import annotations

import logging
import re

__all__ = ["redact", "RedactingFilter", "install_redaction"]

_CREDENTIAL = re.compile(r"\b(tp[ks]_[a-z0-9]{12})_[A-Za-z0-9_-]{20,}")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_PAIR = re.compile(r"(?i)\b(\w*(?:password|passwd|secret|token|api_?key|code_verifier))"
                   r"(\"?\s*[:=]\s*\"?)([^\s\"&,;]+)")
# name=value in a query string: after ? or &, up to the next &, # or whitespace
_QUERY = re.compile(r"(?i)([?&](?:code|state|sig|[\w.-]*(?:token|key|secret|passw|signature|session|verifier)[\w.-]*)=)"
                    r"([^&#\s\"]+)")


def redact(text: str) -> str:
    text = _CREDENTIAL.sub(r"\1_[redacted]", text)
    text = _JWT.sub("[redacted-jwt]", text)
    text = _BEARER.sub(r"\1[redacted]", text)
    text = _QUERY.sub(r"\1[redacted]", text)
    return _PAIR.sub(r"\1\2[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of ``logger`` (default: root). Call once at server start."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
