"""Why a service call changed nothing: the caller (CLI, UI, gateway) turns these into answers.

`Invalid` (and `NotFound`) mean the input was bad: CLI exit 2. `Refused` means the input was fine
but the rules say no (a lone visit to a flagged place): CLI exit 1. The message is one line,
written for the person at reception.
"""


class Invalid(ValueError):
    """Bad input (validation error, duplicate mobile, malformed time): nothing written."""


class NotFound(Invalid):
    """An id or name that does not exist: nothing written."""


class Refused(Exception):
    """The rules refuse this state change: nothing written."""
