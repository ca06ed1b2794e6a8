"""Exceptions the SDK raises to its caller.

::

    TwinplaneError
     ├── LoginError          bad key, unknown org, control plane unreachable at login
     ├── APIError            a data-plane call answered an error (status, code, message)
     └── NotFoundError       a named object (prompt, experiment) does not exist

Only explicit calls raise (``login``, ``load_prompt``, ``Dataset.fetch`` ...). Logging
never raises into the host program: delivery failures are counted and logged instead.
"""

from __future__ import annotations


class TwinplaneError(Exception):
    """Base class of every SDK error."""


class LoginError(TwinplaneError):
    """Login failed: no or wrong API key, unknown organization, or the server could not be reached."""


class APIError(TwinplaneError):
    """A data-plane request failed."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class NotFoundError(TwinplaneError):
    """The named object does not exist."""
