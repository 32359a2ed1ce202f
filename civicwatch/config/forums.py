"""Generic-spider definitions (config/forums/*.yaml): a forum or message board without code.

Regexes, CSS and XPath selectors are compiled when the file loads, so a typo fails at start-up
with its file and line, not mid-crawl as a traceback and an empty round.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cssselect import SelectorError
from cssselect.xpath import ExpressionError
from lxml import etree
from parsel.csstranslator import css2xpath
from pydantic import BaseModel, ConfigDict, Field, model_validator

from civicwatch.config.loader import line_of, read_yaml, validate
from civicwatch.exceptions import ConfigError


class Selector(BaseModel):
    """Where a value is: `css` or `xpath` (HTML) or `path` (JSON, dotted), then an optional `regex`."""

    model_config = ConfigDict(extra="forbid")

    css: str | None = None
    xpath: str | None = None
    path: str | None = None
    regex: str | None = Field(None, description="keep the first group of this regex")
    join: bool = Field(False, description="join all matches with spaces (else the first)")

    @model_validator(mode="after")
    def _one_way(self) -> Selector:
        if sum(x is not None for x in (self.css, self.xpath, self.path)) != 1:
            raise ValueError("give exactly one of css, xpath, path")
        xpath = self.xpath
        if self.css is not None:
            try:
                xpath = css2xpath(self.css)
            except (SelectorError, ExpressionError, ValueError) as exc:
                raise ValueError(f"bad CSS selector {self.css!r}: {exc}") from None
        if xpath is not None:
            try:
                etree.XPath(xpath)
            except etree.XPathSyntaxError as exc:
                raise ValueError(f"bad XPath {self.xpath or self.css!r}: {exc}") from None
        if self.regex is not None:
            try:
                groups = re.compile(self.regex).groups
            except re.error as exc:
                raise ValueError(f"bad regex {self.regex!r}: {exc}") from None
            if groups < 1:
                raise ValueError(f"regex {self.regex!r} needs a (group): its first group is kept")
        return self


class DetailPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Selector]


class ForumDefinition(BaseModel):
    """One board family: listing URL template, paging, item selector, field mapping, time format."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    platform: str = "forum"
    format: Literal["html", "json"] = "html"
    list_url: str = Field(description="with {board} and {page}")
    boards: list[str] = Field(min_length=1)
    first_page: int = 1
    max_pages: int = Field(5, ge=1)
    items: Selector
    next_page: Selector | None = Field(None, description="paging stops when this finds nothing")
    fields: dict[str, Selector]
    detail: DetailPage | None = Field(None, description="read these fields from each item's `url`")
    time_format: str = Field("auto", description="'auto' (every form in docs/platforms.md) or a strptime pattern")

    @model_validator(mode="after")
    def _required_fields(self) -> ForumDefinition:
        have = set(self.fields) | set(self.detail.fields if self.detail else {})
        missing = {"post_id", "url", "published_at"} - have
        if missing:
            raise ValueError(f"fields {sorted(missing)} are required")
        if "{page}" not in self.list_url:
            raise ValueError("list_url needs {page}")
        return self

    @property
    def host(self) -> str:
        return urlsplit(self.list_url.replace("{board}", "x").replace("{page}", "1")).hostname or ""


def load_forums(directory: Path) -> list[ForumDefinition]:
    """Every definition in `directory`; a name used by two files is an error naming both."""
    forums: list[ForumDefinition] = []
    first: dict[str, str] = {}  # name → "file:line" where it was defined
    for path in sorted(directory.glob("*.yaml")):
        data, node = read_yaml(path)
        forum = validate(ForumDefinition, data, path=path, node=node)
        line = line_of(node, ("name",))
        if forum.name in first:
            raise ConfigError(f"duplicate forum name {forum.name!r} (first in {first[forum.name]})",
                              path=str(path), line=line, field="name")
        first[forum.name] = f"{path}:{line}" if line else str(path)
        forums.append(forum)
    return forums

