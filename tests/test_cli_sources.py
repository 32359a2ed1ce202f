"""`civicwatch sources` on a narrow terminal: every cell folds onto more lines, nothing is cut."""

from __future__ import annotations

from datetime import datetime

from pymongo.database import Database
from typer.testing import CliRunner

from civicwatch.clock import SHANGHAI
from crawlers.cli import app
from sinks.health import HealthStore

REASON = "rate_limited×3 after login_required×2 on the search endpoint of the mobile site"


def test_a_narrow_terminal_wraps_the_table_and_keeps_every_word(mongo_uri: str, mongo_db: Database) -> None:
    health = HealthStore(mongo_db)
    health.record_round("weibo", at=datetime(2026, 11, 30, 21, 5, tzinfo=SHANGHAI), state="degraded",
                        reason=REASON, evidence=[], posts=12, new_posts=3, errors=5)
    health.record_round("tieba", at=datetime(2026, 11, 30, 21, 6, tzinfo=SHANGHAI), state="ok", reason="ok",
                        evidence=[], posts=40, new_posts=40, errors=0)
    result = CliRunner().invoke(app, ["sources"], env={"CIVICWATCH_MONGO_URI": mongo_uri,
                                                        "CIVICWATCH_MONGO_DB": mongo_db.name, "COLUMNS": "72"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 72
    assert "…" not in result.output
    # the reason column (4th) read top to bottom holds the whole reason
    column = "".join(line.split("│")[4].strip() for line in lines if line.count("│") == 10)
    assert REASON.replace(" ", "") in column.replace(" ", "")
    assert "北京时间" in result.output
