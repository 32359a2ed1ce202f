"""Every exception civicwatch raises on purpose, in one place.

    CivicwatchError (status 500, exit 1)
     ├── ConfigError (exit 78, EX_CONFIG)
     │    └── RuleSyntaxError
     ├── ServerUnavailableError (503, exit 69, EX_UNAVAILABLE)
     │    ├── EmbeddedServerError
     │    └── AddressInUseError
     ├── DataFileError (exit 65, EX_DATAERR)
     ├── OutputFileError (exit 73, EX_CANTCREAT)
     ├── LeadNotFound (404) · StaleLeadError (409) · TransitionError (409) · LeadTooLargeError (409)
     ├── InvalidInputError (422) · FormInputError (400) · LoginRequired (401) · UserError (exit 65)
     └── ParseError · SourceBlocked   (crawling: counted per platform, never stop a crawl)

`status` is the HTTP status the console's one exception handler (review/app.py) answers with;
`exit_code` is what the CLI exits with after printing the one-line message (crawlers/cli.py).
Keep README's "Errors" section in step with this file.
"""

from __future__ import annotations


class CivicwatchError(Exception):
    """Base of every civicwatch error."""

    status: int = 500
    exit_code: int = 1


# --- configuration -----------------------------------------------------------


class ConfigError(CivicwatchError):
    """A configuration file or variable is wrong; raised at load time, before anything runs.

    `str()` is one line an operator can act on: file, line, field and the problem.
    """

    exit_code = 78  # EX_CONFIG

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = message
        where = path or "<config>"
        if line is not None:
            where += f":{line}"
        if field:
            where += f": field '{field}'"
        super().__init__(f"{where}: {message}")


class RuleSyntaxError(ConfigError):
    """A keyword rule cannot be parsed; carries the rule name and the character position."""

    def __init__(self, message: str, *, rule: str, position: int, expected: str,
                 path: str | None = None, line: int | None = None) -> None:
        self.rule = rule
        self.position = position
        self.expected = expected
        self.message = message
        super().__init__(f"rule '{rule}' at position {position}: {message} (expected {expected})",
                         path=path, line=line, field=rule)


# --- servers and storage -----------------------------------------------------


class ServerUnavailableError(CivicwatchError):
    """MongoDB or Redis did not answer in time; the message names the server and its address."""

    status = 503
    exit_code = 69  # EX_UNAVAILABLE


class EmbeddedServerError(ServerUnavailableError):
    """An embedded MongoDB-wire or Redis server could not be started or did not become ready."""


class AddressInUseError(ServerUnavailableError):
    """A server we start (the simulator) cannot listen on its host and port: taken, or not ours."""


class StaleLeadError(CivicwatchError):
    """Someone else changed the lead since it was read (optimistic locking); reload and retry."""

    status = 409

    def __init__(self, lead_id: str, expected_version: int) -> None:
        self.lead_id = lead_id
        self.expected_version = expected_version
        super().__init__(f"lead {lead_id} was changed by someone else (expected version {expected_version})")


class TransitionError(CivicwatchError):
    """The lead's lifecycle does not allow this step from its current state."""

    status = 409

    def __init__(self, lead_id: str, from_state: str, to_state: str) -> None:
        self.lead_id = lead_id
        self.from_state = from_state
        self.to_state = to_state
        super().__init__(f"lead {lead_id}: cannot go from {from_state} to {to_state}")


class LeadTooLargeError(CivicwatchError):
    """MongoDB refused to grow the lead's document past its 16 MB limit (a lead written before
    reviewer text was capped): the step is not recorded, the lead is unchanged."""

    status = 409

    def __init__(self, lead_id: str) -> None:
        self.lead_id = lead_id
        super().__init__(f"lead {lead_id} is too large to record another step (MongoDB's 16 MB document "
                         "limit); archive part of its history first")


class LeadNotFound(CivicwatchError):
    """No lead with this id."""

    status = 404


class InvalidInputError(CivicwatchError):
    """A request names a place, item or value that is not allowed; `field` says which."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


# --- crawling ----------------------------------------------------------------


class ParseError(CivicwatchError):
    """A platform response could not be parsed: malformed body or a changed shape.

    Spiders count it (`parse/error_count/<platform>`) and mark the platform degraded; it never
    stops the crawl.
    """

    def __init__(self, message: str, *, platform: str, url: str) -> None:
        self.platform = platform
        self.url = url
        super().__init__(f"{platform}: {url}: {message}")


class SourceBlocked(CivicwatchError):
    """A platform answered with a login wall, rate limit, block or captcha (outcome in `.outcome`)."""

    def __init__(self, outcome: str, *, platform: str, url: str, evidence: str = "") -> None:
        self.outcome = outcome
        self.platform = platform
        self.url = url
        self.evidence = evidence
        super().__init__(f"{platform}: {outcome} at {url} {evidence}".rstrip())


# --- console -----------------------------------------------------------------


class UserError(CivicwatchError):
    """A console user cannot be created or changed: unknown role, duplicate name, empty password."""

    status = 422
    exit_code = 65  # EX_DATAERR


class LoginRequired(CivicwatchError):
    """A console page or action was asked for without a signed-in user; pages redirect to /login."""

    status = 401


class FormInputError(CivicwatchError):
    """A console form is incomplete or names a place/item not in the gazetteer/catalogue.

    Raised by review/views before calling the lead service; the page is shown again with the message.
    """

    status = 400


# --- input files -------------------------------------------------------------


class DataFileError(CivicwatchError):
    """An input file cannot be used at all: not UTF-8, or no line of it is a post.

    Raised by the simulator's post loader; the message names the file (and line).
    """

    exit_code = 65  # EX_DATAERR

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        super().__init__(f"{path}{f':{line}' if line else ''}: {message}")


class OutputFileError(CivicwatchError):
    """An output file cannot be written (no such directory, no permission) or is the input itself.

    Raised before any work starts, so a long run never fails at its last step.
    """

    exit_code = 73  # EX_CANTCREAT

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")
