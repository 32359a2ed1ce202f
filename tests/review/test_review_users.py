"""Console users: argon2 hashes in Mongo, role order, and the `civicwatch users` command."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pymongo import MongoClient
from pymongo.database import Database
from typer.testing import CliRunner

from civicwatch.clock import SHANGHAI
from civicwatch.exceptions import UserError
from crawlers.cli import app as cli
from sinks.users import UserStore


@pytest.fixture
def users_db(live_mongo_uri: str) -> Iterator[Database]:
    name = f"users_{uuid.uuid4().hex[:10]}"
    client: MongoClient = MongoClient(live_mongo_uri, tz_aware=True)
    yield client[name]
    client.drop_database(name)
    client.close()


def test_password_is_stored_hashed_and_checked(users_db: Database) -> None:
    users = UserStore(users_db)
    users.add("alice", "verifier", "s3cret-pass")
    doc = users_db["users"].find_one({"_id": "alice"})
    assert "s3cret-pass" not in str(doc) and doc["password_hash"].startswith("$argon2")
    assert users.authenticate("alice", "s3cret-pass").role == "verifier"
    assert users.authenticate("alice", "wrong-pass") is None
    assert users.authenticate("nobody", "s3cret-pass") is None


@pytest.mark.parametrize(("role", "needed", "allowed"), [
    ("viewer", "viewer", True), ("viewer", "verifier", False), ("verifier", "verifier", True),
    ("verifier", "admin", False), ("admin", "verifier", True),
])
def test_roles_are_ordered(users_db: Database, role: str, needed: str, allowed: bool) -> None:
    assert UserStore(users_db).add("u", role, "long-enough").can(needed) is allowed


@pytest.mark.parametrize(("name", "role", "password", "problem"), [
    ("x", "boss", "long-enough", "unknown role"),
    ("x", "viewer", "short", "at least 8"),
    ("  ", "viewer", "long-enough", "empty"),
])
def test_bad_users_are_refused(users_db: Database, name: str, role: str, password: str, problem: str) -> None:
    with pytest.raises(UserError, match=problem):
        UserStore(users_db).add(name, role, password)


def test_duplicate_needs_replace(users_db: Database) -> None:
    users = UserStore(users_db)
    users.add("a", "viewer", "first-pass")
    with pytest.raises(UserError, match="already exists"):
        users.add("a", "admin", "second-pass")
    users.add("a", "admin", "second-pass", replace=True)
    assert users.authenticate("a", "second-pass").role == "admin"


def test_disabled_user_cannot_sign_in(users_db: Database) -> None:
    users = UserStore(users_db)
    users.add("d", "verifier", "long-enough")
    users.set_disabled("d", True)
    assert users.authenticate("d", "long-enough") is None


def test_users_command_adds_and_lists(live_mongo_uri: str, users_db: Database,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICWATCH_MONGO_URI", live_mongo_uri)
    monkeypatch.setenv("CIVICWATCH_MONGO_DB", users_db.name)
    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", "carol", "--role", "viewer"], input="pass-word-1\npass-word-1\n")
    assert result.exit_code == 0, result.output
    assert UserStore(users_db).authenticate("carol", "pass-word-1").role == "viewer"
    result = runner.invoke(cli, ["users", "add", "dan", "--role", "admin", "--password", "pass-word-2"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["users", "list"], env={"COLUMNS": "160"})
    assert "carol" in listed.output and "dan" in listed.output and "admin" in listed.output
    # creation times in Beijing time like every other table, and labelled so
    created = UserStore(users_db).get("carol").created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert created in listed.output and "北京时间" in listed.output
    bad = runner.invoke(cli, ["users", "add", "eve", "--role", "root", "--password", "pass-word-3"])
    assert bad.exit_code != 0 and isinstance(bad.exception, UserError)
