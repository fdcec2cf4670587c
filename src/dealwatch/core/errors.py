"""The error tree. Every error dealwatch raises on purpose is a DealwatchError.

DealwatchError
├── ConfigError            bad settings or import file (names the file and the field)
├── NotConfigured          a pluggable tier lacks its key, extra or binary: it drops out
├── NotFound               an unknown store, prediction, ...
├── InvalidInput           a value a user gave is wrong (e.g. a store URL that is not http(s))
├── FetchError             a URL cannot be fetched at all (unresolvable host)
│   └── UnsafeURL          refused by the SSRF guard (fetch/safety.py)
└── LLMError               the LLM tier failed (llm/base.py)
    ├── TransientLLMError  429, 5xx, timeouts: worth a retry
    └── BudgetExceeded     the rolling 24 h budget is spent

A fetch that runs but gives no usable page is not an exception: it ends with an outcome
(blocked, robots_disallowed, failed, ...) recorded with its reason.
"""

from __future__ import annotations


class DealwatchError(Exception):
    """Base of every error dealwatch raises on purpose."""


class ConfigError(DealwatchError):
    """Bad configuration: the message names the file, the field and the problem."""


class NotConfigured(DealwatchError):
    """A pluggable component cannot be built here (missing key, extra or binary)."""


class NotFound(DealwatchError):
    """The requested record does not exist."""


class InvalidInput(DealwatchError):
    """A value given by a user is not acceptable."""


class FetchError(DealwatchError):
    """A URL cannot be fetched at all."""
