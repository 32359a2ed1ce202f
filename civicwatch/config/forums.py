"""Generic-spider definitions (config/forums/*.yaml): a forum or message board without code."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

from civicwatch.config.loader import load_model


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
    return [load_model(ForumDefinition, p) for p in sorted(directory.glob("*.yaml"))]
