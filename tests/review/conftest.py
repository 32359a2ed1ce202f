"""Console fixtures: a Store in its own database on the session's real MongoDB-wire server,
users for each role, a console app, and helpers to seed leads through LeadService.record."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from civicwatch.clock import now_shanghai
from civicwatch.config import Config, get_settings, load_config
from civicwatch.models import Decision, Lead, Post
from review.app import create_app
from sinks.leads import LeadService
from sinks.users import UserStore

try:
    from sinks.mongo import Store
except ImportError:  # written concurrently by the sinks work; until it lands these tests skip
    Store = None  # type: ignore[assignment,misc]

PASSWORD = "correct-horse-1"
USERS = {"alice": "verifier", "bob": "verifier", "vic": "viewer", "ada": "admin"}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def console_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    data_dir = tmp_path_factory.mktemp("console-data")
    return load_config(get_settings(data_dir=data_dir, review_secret=None))


@pytest.fixture
def live_mongo_uri(request: pytest.FixtureRequest) -> str:
    """The session's embedded MongoDB-wire server (tests/conftest.py `mongo_uri`)."""
    try:
        return request.getfixturevalue("mongo_uri")
    except pytest.FixtureLookupError:
        pytest.skip("tests/conftest.py has no mongo_uri fixture yet")


@pytest.fixture
def live_redis(request: pytest.FixtureRequest) -> Any:
    """A client on the session's embedded Redis (tests/conftest.py `redis_client`)."""
    try:
        return request.getfixturevalue("redis_client")
    except pytest.FixtureLookupError:
        pytest.skip("tests/conftest.py has no redis_client fixture yet")


@pytest.fixture
def store(live_mongo_uri: str) -> Iterator[Any]:
    if Store is None:
        pytest.skip("sinks.mongo.Store is not there yet")
    mongo_uri = live_mongo_uri
    name = f"review_{uuid.uuid4().hex[:10]}"
    store = Store(mongo_uri, name)
    yield store
    store.db.client.drop_database(name)


@pytest.fixture
def users(store: Any) -> UserStore:
    users = UserStore.from_store(store)
    for name, role in USERS.items():
        users.add(name, role, PASSWORD)
    return users


@pytest.fixture
def app(console_config: Config, store: Any, users: UserStore) -> Any:
    return create_app(console_config, store, users=users, secret="test-secret-" + uuid.uuid4().hex)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def make_client(app: Any) -> Iterator[Any]:
    """Further independent browsers (own cookie jars) on the same app."""
    made: list[TestClient] = []

    def make() -> TestClient:
        c = TestClient(app, follow_redirects=False)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": name, "password": password, "csrf_token": token,
                                    "next": "/"})
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/").text)


def seed_lead(store: Any, config: Config, post_id: str, text: str, *, platform: str = "weibo",
              item: str | None = "SD01", urgency: str = "general", district: str | None = "南山区",
              street: str | None = "粤海街道", matched: list[str] | None = None,
              found_ago_minutes: int = 0, url: str | None = None, now: datetime | None = None,
              dup_of: str | None = None, model_version: str | None = None) -> Lead:
    """Store a lead the way the crawl pipeline does: Post + Decision → LeadService.record."""
    now = (now or now_shanghai()) - timedelta(minutes=found_ago_minutes)
    cat = config.catalogue
    it = cat.items.get(item) if item else None
    post = Post(platform=platform, post_id=post_id, url=url or f"https://example.org/{platform}/{post_id}",
                author="某网友", text=text, published_at=now - timedelta(minutes=5), fetched_at=now)
    decision = Decision(
        platform=platform, post_id=post_id, is_lead=True, score=0.8, district=district, street=street,
        category=it.category if it else "SD", item=item, department=it.department if it else None,
        urgency=urgency, text_masked=text, matched=matched or [], reasons=["测试种子线索"], dup_of=dup_of,
        model_version=model_version,
    )
    lead, _ = LeadService(store, config.catalogue).record(post, decision, text_masked=text, title_masked=None,
                                                          author_hash="h-test", now=now)
    return lead


def item_codes(config: Config) -> dict[str, Any]:
    return config.catalogue.items


ROOT = Path(__file__).resolve().parents[2]
