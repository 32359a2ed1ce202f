"""Platform definitions (config/platforms.yaml): what to poll, how often and how politely."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PlatformConfig(BaseModel):
    """One platform's polling and politeness settings."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    spider: str | None = Field(None, description="spider name; defaults to the platform name")
    interval_seconds: float = Field(600, gt=0, description="time between polling rounds")
    jitter_seconds: float = Field(30, ge=0, description="random extra delay per round")
    download_delay_seconds: float = Field(5, ge=0)
    concurrency: int = Field(1, ge=1, le=16)
    obey_robots: bool = False
    max_pages: int = Field(10, ge=1, description="pages per keyword per round at most")
    expected_quiet_minutes: float = Field(
        360, gt=0, description="no new posts for longer than this marks the platform degraded")
    backoff_base_seconds: float = Field(60, gt=0)
    watermark_overlap_minutes: float = Field(
        30, ge=0, description="each search is re-read this far past its watermark, for posts the "
                              "platform indexes late (the seen-set drops the repeats)")
    backoff_max_seconds: float = Field(3600, gt=0)
    browser: bool = False
    keywords: list[str] | None = Field(None, description="search terms; defaults to search_keywords")
    boards: list[str] = Field(default_factory=list, description="board/forum ids for listing platforms")
    # The query planner (filters/planner.py) spends this many requests a round, pages and detail
    # pages included; keep it × download_delay_seconds within interval_seconds.
    request_budget_per_round: int = Field(40, ge=1, description="requests a polling round may send")
    coverage_period_rounds: int | None = Field(
        None, ge=1, description="every query is asked once in this many rounds; default planner's")


class PlannerConfig(BaseModel):
    """How the query planner spends each platform's budget (filters/planner.py)."""

    model_config = ConfigDict(extra="forbid")

    coverage_period_rounds: int = Field(24, ge=1, description="every query is asked once in this many rounds")
    yield_half_life_rounds: float = Field(6, gt=0, description="a query's observed yield halves in this many rounds")
    follow_up_after_rounds: int = Field(1, ge=1, description="a lead's street and landmarks are asked again this soon")
    follow_up_budget_share: float = Field(
        0.25, ge=0, le=1, description="follow-ups may take this share of a round's budget before coverage")
    prior_requests: float = Field(1, gt=0, description="weight of the prior yield, in requests")
    seed: int = Field(13, description="seeds the sampling, so a round's plan can be replayed")


class PlatformsFile(BaseModel):
    """The whole of config/platforms.yaml."""

    model_config = ConfigDict(extra="forbid")

    search_keywords: list[str] = Field(min_length=1)
    planner: PlannerConfig = Field(default_factory=PlannerConfig)
    platforms: dict[str, PlatformConfig]

    @model_validator(mode="after")
    def _fill_defaults(self) -> PlatformsFile:
        for name, platform in self.platforms.items():
            platform.spider = platform.spider or name
            if platform.keywords is None:
                platform.keywords = list(self.search_keywords)
            if platform.coverage_period_rounds is None:
                platform.coverage_period_rounds = self.planner.coverage_period_rounds
        return self

    def enabled(self, only: list[str] | None = None) -> dict[str, PlatformConfig]:
        return {name: p for name, p in self.platforms.items()
                if p.enabled and (not only or name in only)}
