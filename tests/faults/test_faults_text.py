"""Item 4 of issue 16: text from outside (a cut emoji: a lone surrogate) never stops a post or a file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from civicwatch.clock import now_shanghai
from civicwatch.config import get_settings, load_config
from civicwatch.models import Post
from crawlers.services import Services
from filters.chain import FilterChain
from filters.lsh import signature
from sinks.leads import LeadService

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
# As a platform sends it: the JSON escape of half an emoji, inside a post that is a lead.
LINE = ('{"platform": "tieba", "post_id": "77", "url": "https://tieba.baidu.com/p/77", "author": "a\\ud83d",'
        ' "title": "盐田区沙头角街道路灯不亮\\ud800", "text": "这条路晚上路灯全灭一个星期了，骑车看不清\\ud83d",'
        ' "published_at": "2026-11-20T20:00:00+08:00"}')


def test_a_lone_surrogate_is_replaced_when_the_post_is_made() -> None:
    post = Post.model_validate(json.loads(LINE))
    for value in (post.author, post.title, post.text):
        assert value is not None and "\ufffd" in value
        value.encode("utf-8")  # strict: raises on any lone surrogate left
    assert signature(post.text) is not None


def test_such_a_post_goes_through_the_chain_and_is_stored(services: Services) -> None:
    post = Post.model_validate(json.loads(LINE))
    decision = services.chain.decide(post)
    assert decision.is_lead, decision
    lead, created = LeadService(services.store, services.config.catalogue).record(
        post, decision, text_masked=decision.text_masked, title_masked=decision.title_masked,
        author_hash=decision.author_hash, now=now_shanghai())
    assert created and "\ufffd" in lead.decision.text_masked
    stored = services.store.posts.find_one({"_id": post.key})
    assert stored is not None and "\ufffd" in stored["text"] and "\ufffd" in stored["title"]


def test_chain_decides_the_same_twice_on_it() -> None:
    chain = FilterChain.from_config(load_config(get_settings()))
    post = Post.model_validate(json.loads(LINE))
    first, second = chain.decide(post), chain.decide(post.model_copy(update={"post_id": "78"}))
    assert first.is_lead and second.dup_of == post.key


def test_classify_keeps_the_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(LINE + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "crawlers.cli", "classify", str(src), "-o", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["is_lead"]
