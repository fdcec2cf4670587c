"""The error tree. Every error dealwatch raises on purpose is a DealwatchError.

DealwatchError
├── ConfigError            bad settings or import file (names the file and the field)
├── NotConfigured          a pluggable tier lacks its key, extra or binary: it drops out
├── NotFound               an unknown store, prediction, ...
├── InvalidInput           a value a user gave is wrong (e.g. a store URL that is not http(s))
└── FetchError             a page could not be fetched
    ├── RobotsDisallowed   robots.txt forbids the URL
    ├── Blocked            a bot wall, captcha or bare 403/429/503
    └── FetchTimeout       the fetch ran out of time
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
    """A page could not be fetched."""


class RobotsDisallowed(FetchError):
    """robots.txt disallows fetching the URL."""


class Blocked(FetchError):
    """The site answered with a bot wall, captcha or blocking status."""


class FetchTimeout(FetchError):
    """The fetch did not complete in time."""
