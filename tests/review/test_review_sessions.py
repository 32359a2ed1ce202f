"""Sessions end server-side: a cookie copied before log-out, a password change or disabling
the account no longer signs anyone in (issue 16, item 7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sinks import users as users_module
from sinks.users import UserStore
from tests.review.conftest import PASSWORD, login

pytestmark = pytest.mark.faults

COOKIE = "civicwatch_session"


def _replay(make_client: Callable[[], TestClient], cookie: str) -> TestClient:
    """Another browser holding a copy of the saved cookie."""
    thief = make_client()
    thief.cookies.set(COOKIE, cookie)
    return thief


def _signed_in(client: TestClient) -> bool:
    r = client.get("/")
    return r.status_code == 200


def test_cookie_saved_before_logout_no_longer_works(client: TestClient, make_client: Any) -> None:
    token = login(client, "alice")
    saved = client.cookies[COOKIE]
    assert _signed_in(_replay(make_client, saved))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    r = _replay(make_client, saved).get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_logout_ends_only_that_session(client: TestClient, make_client: Any) -> None:
    token = login(client, "alice")
    other = make_client()
    login(other, "alice")
    client.post("/logout", data={"csrf_token": token})
    assert _signed_in(other)


def test_password_change_ends_every_session(client: TestClient, make_client: Any, users: UserStore) -> None:
    login(client, "alice")
    saved = client.cookies[COOKIE]
    users.add("alice", "verifier", "a-new-password-2", replace=True)
    assert not _signed_in(client)
    assert not _signed_in(_replay(make_client, saved))
    login(client, "alice", "a-new-password-2")
    assert _signed_in(client)


def test_disable_then_enable_does_not_revive_old_cookies(client: TestClient, make_client: Any,
                                                         users: UserStore) -> None:
    login(client, "bob")
    saved = client.cookies[COOKIE]
    users.set_disabled("bob", True)
    users.set_disabled("bob", False)
    assert not _signed_in(_replay(make_client, saved))
    login(client, "bob", PASSWORD)
    assert _signed_in(client)


def test_session_list_is_bounded(users: UserStore) -> None:
    cap = users_module.MAX_SESSIONS
    ids = [users.open_session("vic") for _ in range(cap + 3)]
    vic = users.get("vic")
    assert vic is not None and len(vic.sessions) == cap
    assert not vic.has_session(ids[0]) and vic.has_session(ids[-1])
    assert all(i not in vic.sessions for i in ids)  # only hashes are stored

