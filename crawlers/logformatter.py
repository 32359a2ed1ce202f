"""Log lines about items name them by `platform:post_id`, never by their content (LOG_FORMATTER).

Scrapy's own LogFormatter writes the whole item into "Scraped from …", "Dropped: …" and
"Error processing …", so a store outage would copy every post, unmasked, into the log. The
traceback Scrapy attaches to an item error is rewritten too: its frames stay, but in each
exception message (a validation error's quotes its input) every run of REDACT_CHARS
characters found in the post's text or title, and the author, become "…"; what is left is
masked (filters.pii) and cut to MAX_EXCEPTION_MESSAGE_CHARS. An item that failed because
MongoDB or Redis stopped answering gets one line naming the server instead of a traceback.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

from civicwatch.exceptions import ServerUnavailableError
from filters.pii import mask_pii
from sinks.servers import SERVER_DOWN_ERRORS, server_down

MAX_EXCEPTION_MESSAGE_CHARS = 300
REDACT_CHARS = 6  # shorter runs are common words; longer ones would let phrases through
_READ_CHARS = 4000  # of an exception message: enough to redact what is kept
_ITEM_LOGGER = "scrapy.core.scraper"  # where Scrapy logs item errors, with exc_info


def _post_of(item: Any) -> Any:
    return getattr(item, "post", item)


def _field(post: Any, name: str) -> str:
    value = post.get(name) if isinstance(post, dict) else getattr(post, name, None)
    return value if isinstance(value, str) else ""


def item_key(item: Any) -> str:
    """`platform:post_id` of a Post, a DecidedPost or a dict; else only the item's type."""
    post = _post_of(item)
    key = getattr(post, "key", None)
    if isinstance(key, str):
        return key
    if isinstance(post, dict) and "post_id" in post:
        return f"{post.get('platform', '?')}:{post['post_id']}"
    return f"<{type(item).__name__}>"


def _redact(message: str, item: Any) -> str:
    """`message` without the item's words: runs shared with its text or title, and its author."""
    post = _post_of(item)
    n = REDACT_CHARS
    grams = {t[i:i + n] for t in (_field(post, "text"), _field(post, "title")) for i in range(len(t) - n + 1)}
    hidden = [False] * len(message)
    for i in range(len(message) - n + 1):
        if message[i:i + n] in grams:
            hidden[i:i + n] = [True] * n
    out = re.sub(r"\x00+", "…", "".join("\x00" if h else ch for ch, h in zip(message, hidden, strict=True)))
    author = _field(post, "author")
    return out.replace(author, "…") if len(author) >= 2 else out


def _masked_text(exc: BaseException, item: Any) -> str:
    text = mask_pii(_redact(str(exc)[:_READ_CHARS], item))
    if len(text) > MAX_EXCEPTION_MESSAGE_CHARS:
        text = text[:MAX_EXCEPTION_MESSAGE_CHARS] + "… (cut)"
    return text


def _safe_message(exc: BaseException, item: Any) -> str:
    name = f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins.")
    text = _masked_text(exc, item)
    return f"{name}: {text}\n" if text else f"{name}\n"


def safe_traceback(exc: BaseException, item: Any = None, _seen: set[int] | None = None) -> str:
    """Like traceback.format_exception (chained causes included), each message made safe for `item`."""
    seen = _seen if _seen is not None else set()
    seen.add(id(exc))
    parts: list[str] = []
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and id(cause) not in seen:
        parts.append(safe_traceback(cause, item, seen))
        parts.append("\nThe above exception was the direct cause of the following exception:\n\n"
                     if exc.__cause__ is not None else
                     "\nDuring handling of the above exception, another exception occurred:\n\n")
    if exc.__traceback__ is not None:
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(exc.__traceback__))
    parts.append(_safe_message(exc, item))
    return "".join(parts)


class _MaskItemTracebacks(logging.Filter):
    """On Scrapy's item-error records (they carry `item`) of crawls using PrivacyLogFormatter,
    replaces the traceback by a safe one."""

    def filter(self, record: logging.LogRecord) -> bool:
        crawler = getattr(getattr(record, "spider", None), "crawler", None)
        # `_logformatter`: Crawler.logformatter raises until set; a log filter must never raise.
        ours = isinstance(getattr(crawler, "_logformatter", None), PrivacyLogFormatter)
        if ours and hasattr(record, "item") and record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            down = exc if isinstance(exc, ServerUnavailableError) else _server_down(exc)
            if down is not None and isinstance(record.args, dict):
                # A server that stopped answering mid-round: one line per item, not a traceback
                # each (the round fails and says so once at the end).
                text = str(down if isinstance(down, ServerUnavailableError) else server_down(down))
                record.msg = f"{record.msg}: %(error)s"
                record.args = {**record.args, "error": _masked_text(RuntimeError(text), record.item)}
                record.exc_text = None
            else:
                record.exc_text = safe_traceback(exc, record.item).rstrip("\n")
            record.exc_info = None
        return True


def _server_down(exc: BaseException | None) -> BaseException | None:
    """The error in `exc`'s chain of causes that says MongoDB or Redis cannot be reached, if any."""
    for _ in range(8):  # a chain of causes, bounded
        if exc is None or isinstance(exc, SERVER_DOWN_ERRORS):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


_FILTER = _MaskItemTracebacks()


class PrivacyLogFormatter(LogFormatter):
    """Scrapy's LogFormatter with items named by key instead of printed."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivacyLogFormatter:
        logger = logging.getLogger(_ITEM_LOGGER)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        return cls()

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        result = super().scraped(item, response, spider)
        return {"level": result["level"], "msg": "Scraped %(item)s from %(src)s",
                "args": {"item": item_key(item), "src": result["args"]["src"]}}  # type: ignore[call-overload]

    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return {"level": result["level"], "msg": "Dropped %(item)s: %(exception)s",
                "args": {"item": item_key(item), "exception": _masked_text(exception, item)}}

    def item_error(self, item: Any, exception: BaseException, response: Response | Failure | None,
                   spider: Spider) -> LogFormatterResult:
        return {"level": logging.ERROR, "msg": "Error processing %(item)s",
                "args": {"item": item_key(item)}}
