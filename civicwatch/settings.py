"""Deployment settings from `CIVICWATCH_…` environment variables (pydantic-settings).

Every variable is listed in README.md, "Configuration"; keep the two in step.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from civicwatch.exceptions import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Where the servers are, where data and config live, how the crawl behaves."""

    model_config = SettingsConfigDict(env_prefix="CIVICWATCH_", extra="ignore")

    mongo_uri: str | None = Field(None, description="MongoDB URI; unset = start the embedded server")
    mongo_db: str = "civicwatch"
    redis_url: str | None = Field(None, description="Redis URL; unset = start the embedded server")
    data_dir: Path = Field(Path(".civicwatch"), description="embedded servers' data, the console's secret")
    config_dir: Path = Field(PROJECT_ROOT / "config", description="YAML edited by operations staff")
    simulator: str | None = Field(None, description="base URL that every platform host maps to")
    chromium: Path = Field(Path("/usr/bin/chromium"), description="system Chromium for scrapy-playwright")
    since: str = Field("72h", description="how far back a platform/keyword with no watermark is read")
    workorder_stream: str = "civicwatch:workorders"
    status_stream: str = "civicwatch:workorder-status"
    dead_letter_stream: str = "civicwatch:workorders-dead"
    status_dead_letter_stream: str = Field(
        "civicwatch:workorder-status-dead", description="status events that cannot be applied, with why")
    max_deliveries: int = Field(5, ge=1, description="deliveries before an entry goes to dead letters")
    seen_ttl_days: int = Field(30, ge=1, description="how long a post id stays in the Redis seen-set")
    scale_out: bool = Field(
        False, description="share the crawl with `civicwatch worker` processes through Redis (scrapy-redis)")
    health_slow_s: float = Field(10.0, gt=0, description="a response slower than this degrades its platform")
    time_scale: float = Field(
        1.0, ge=0, description="multiplies polling intervals and download delays (0 = no waiting; demo/tests)")
    log_level: str = "INFO"
    withdraw_window_s: float = Field(
        600.0, ge=0, description="how long after dispatch a verifier may withdraw a work order (before 签收)")
    reject_reasons: list[str] = Field(
        ["广告或营销", "不在深圳", "信息不足，无法核实", "重复线索", "非民生诉求", "已由其他渠道处理"],
        description="preset rejection reasons offered in the console (a JSON list in the environment)")
    review_secret: str | None = Field(None, description="session-signing key for the console")
    api_token: str | None = Field(None, description="bearer token for the JSON API")


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one ConfigError line."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "CIVICWATCH_" + str(err["loc"][0]).upper() if err["loc"] else "CIVICWATCH_?"
        raise ConfigError(err["msg"], path="environment", field=name) from None
