"""The one table of civicwatch settings: every `CIVICWATCH_…` name, its default and its help text.

Each field is read from the environment variable `CIVICWATCH_<FIELD>` (pydantic-settings) and
is also a Scrapy setting of the same name: crawlers/settings.py takes every value from here, and
a command that starts crawls passes the values it resolved (server URIs, the simulator) as
Scrapy settings (`as_scrapy_settings`); components read them back with `from_scrapy_settings`.
README.md, "Configuration", lists every field; tests/test_docs.py keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from civicwatch import addresses, promotion
from civicwatch.exceptions import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PREFIX = "CIVICWATCH_"


class Settings(BaseSettings):
    """Where the servers are, where data and config live, how the crawl behaves."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    # --- servers and files ---------------------------------------------------------------
    mongo_uri: str | None = Field(None, description="MongoDB URI; unset = start the embedded SecantusDB server")
    mongo_db: str = Field("civicwatch", description="database name")
    redis_url: str | None = Field(None, description="Redis URL; unset = start the embedded Redis")
    data_dir: Path = Field(Path(".civicwatch"), description="embedded servers' data, caches, the console's secret")
    config_dir: Path = Field(PROJECT_ROOT / "config", description="the YAML files operations staff edit")
    log_level: str = Field("INFO", description="log level")

    # --- crawling ------------------------------------------------------------------------
    simulator: str | None = Field(
        None, description="base URL of the simulator; when set, every platform host maps to it")
    chromium: Path = Field(Path("/usr/bin/chromium"), description="system Chromium for browser-rendered platforms")
    since: str = Field("72h", description="how far back a platform/keyword with no watermark yet is read")
    time_scale: float = Field(
        1.0, ge=0, description="multiplies polling intervals and download delays (0 in the demo and tests)")
    seen_ttl_days: int = Field(30, ge=1, description="how long a post id stays in the Redis seen-set")
    filters: dict[str, int | None] = Field(
        default_factory=dict,
        description="filter steps merged into CIVICWATCH_FILTERS_BASE (JSON: dotted path -> order, null disables)")
    model_path: Path = Field(
        PROJECT_ROOT / "models" / "learned.npz",
        description="the learned decision model (`civicwatch train`); unset = the one `civicwatch model promote` "
                    "put under the data dir, else the shipped one; absent = keyword-only decisions")
    dedup_window_days: int = Field(
        90, ge=1, description="stored leads this recent seed duplicate matching when a process starts")
    dedup_sync_s: float = Field(
        2.0, ge=0, description="how often (seconds, at most) a crawl process learns the leads other processes "
                               "stored, before deciding a post (0: before every post)")

    # --- source health (crawlers/extensions/health.py) ----------------------------------
    health_max_malformed_ratio: float = Field(
        0.2, ge=0, le=1, description="more malformed responses than this share of a round marks its platform degraded")
    health_max_not_found_ratio: float = Field(
        0.5, ge=0, le=1, description="more deleted or hidden posts than this share of those opened marks it degraded")
    health_slow_s: float = Field(
        10.0, gt=0, description="a response slower than this (seconds) marks its platform degraded")

    # --- scale-out (crawlers/scaleout.py) -------------------------------------------------
    scale_out: bool = Field(
        False, description="share the crawl with `civicwatch worker` processes through Redis (scrapy-redis)")
    dupefilter_ttl_s: int = Field(
        86400, ge=1, description="scale-out: the shared request dupefilter expires this long after its last add")
    worker: bool = Field(False, description="set by `civicwatch worker`: spiders only take requests others queued")

    # --- work orders (sinks/stream.py) ----------------------------------------------------
    workorder_stream: str = Field("civicwatch:workorders", description="work-order stream")
    status_stream: str = Field("civicwatch:workorder-status", description="status back-channel")
    dead_letter_stream: str = Field("civicwatch:workorders-dead", description="entries delivered too often")
    max_deliveries: int = Field(5, ge=1, description="deliveries before an entry is dead-lettered")
    status_dead_letter_stream: str = Field(
        "civicwatch:workorder-status-dead",
        description="status events that cannot be applied (bad JSON, not an event, too large, unknown work order, "
                    "not allowed in the lead's state), each with its reason")

    # --- console (review/) ----------------------------------------------------------------
    review_secret: str | None = Field(
        None, description="console session-signing key; unset = generated under the data dir")
    api_token: str | None = Field(None, description="bearer token for the JSON API")
    reject_reasons: list[str] = Field(
        ["广告或营销", "不在深圳", "信息不足，无法核实", "重复线索", "非民生诉求", "已由其他渠道处理"],
        description="preset rejection reasons in the console (bulk reject), a JSON list")
    withdraw_window_s: float = Field(
        600.0, ge=0, description="how long after dispatch a verifier may withdraw a work order (before 签收)")
    review_text_max_chars: int = Field(
        2000, ge=1, description="longest reason or work-order description a reviewer may store on a lead (characters)")
    author_secret: str | None = Field(
        None, description="HMAC key of stored author hashes; unset = generated once under data_dir")


def setting_name(field: str) -> str:
    """`mongo_uri` -> `CIVICWATCH_MONGO_URI` (the environment variable and the Scrapy setting)."""
    return PREFIX + field.upper()


def as_scrapy_settings(settings: Settings) -> dict[str, Any]:
    """Every field as `CIVICWATCH_<FIELD>: value`, for a Scrapy settings module or overrides."""
    return {setting_name(name): getattr(settings, name) for name in Settings.model_fields}


def from_scrapy_settings(values: Mapping[str, Any]) -> Settings:
    """Settings from the `CIVICWATCH_…` keys of a Scrapy settings object (or any mapping);
    a key that is missing or None falls back to the environment and the default."""
    given = {name: values.get(setting_name(name)) for name in Settings.model_fields}
    return get_settings(**{k: v for k, v in given.items() if v is not None})


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one ConfigError line."""
    from pydantic import ValidationError

    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = setting_name(str(err["loc"][0])) if err["loc"] else PREFIX + "?"
        raise ConfigError(err["msg"], path="environment", field=name) from None
    if not (settings.mongo_uri and settings.redis_url):
        # Servers another civicwatch runs on this data dir (civicwatch/addresses.py) come before
        # starting embedded ones of our own.
        live = addresses.read_live(settings.data_dir)
        found = {k: v for k, v in live.items() if not getattr(settings, k)}
        if found:
            settings = settings.model_copy(update=found)
    if "model_path" not in settings.model_fields_set:
        # A model promoted on this data dir (civicwatch/promotion.py) replaces the shipped one.
        promoted = promotion.promoted_model(settings.data_dir)
        if promoted is not None:
            settings = settings.model_copy(update={"model_path": promoted})
    return settings
