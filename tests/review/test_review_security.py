"""The session-signing key: from settings, else generated once under data_dir with mode 0600."""

from __future__ import annotations

from pathlib import Path

from civicwatch.config import get_settings
from review.security import session_secret


def test_secret_from_settings_wins(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path, review_secret="from-env")
    assert session_secret(settings) == "from-env"
    assert not (tmp_path / "review_secret").exists()


def test_generated_secret_is_kept_private_and_reused(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path / "data", review_secret=None)
    first = session_secret(settings)
    path = tmp_path / "data" / "review_secret"
    assert len(first) >= 40 and path.read_text() == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert session_secret(settings) == first
