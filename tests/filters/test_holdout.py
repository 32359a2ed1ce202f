"""The hold-out set (data/holdout/posts.jsonl) is valid and written apart from corpus and dev set.

It measures how the system does on posts by a writer who read neither; this file only compares:
a hold-out post may share at most half of its character 3-grams with any one corpus or dev post.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from civicwatch.config import get_settings, load_config
from crawlers.corpus import read_corpus
from tests.filters.labels import label_errors

ROOT = Path(__file__).resolve().parents[2]
HOLDOUT = ROOT / "data" / "holdout" / "posts.jsonl"
DEV = ROOT.parent / "shared" / "data" / "dev_posts.jsonl"
MAX_SHARED = 0.5
PLATFORMS = {"weibo", "tieba", "liuyan", "xiaohongshu", "douyin", "zhihu", "kuaishou", "toutiao",
             "wechat", "bilibili"}
TITLED = {"tieba", "liuyan", "zhihu", "toutiao", "wechat"}


@pytest.fixture(scope="module")
def holdout() -> list[dict[str, Any]]:
    return [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def _text(row: dict[str, Any]) -> str:
    return (row.get("title") or "") + (row.get("text") or "")


def _grams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


def _close_to(rows: list[dict[str, Any]], others: list[dict[str, Any]]) -> list[str]:
    """post_ids of rows sharing more than MAX_SHARED of their 3-grams with one of others."""
    holders: dict[str, list[int]] = {}
    for j, other in enumerate(others):
        for g in _grams(_text(other)):
            holders.setdefault(g, []).append(j)
    close = []
    for row in rows:
        grams = _grams(_text(row))
        shared = Counter(j for g in grams for j in holders.get(g, ()))
        if grams and shared and max(shared.values()) > MAX_SHARED * len(grams):
            close.append(row["post_id"])
    return close


def test_no_holdout_post_is_close_to_a_corpus_post(holdout: list[dict[str, Any]]) -> None:
    close = _close_to(holdout, read_corpus())
    assert not close, f"{len(close)} hold-out posts too close to a corpus post: {close[:10]}"


@pytest.mark.skipif(not DEV.exists(), reason="no dev set beside the checkout")
def test_no_holdout_post_is_close_to_a_dev_post(holdout: list[dict[str, Any]]) -> None:
    dev = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    close = _close_to(holdout, dev)
    assert not close, f"{len(close)} hold-out posts too close to a dev post: {close[:10]}"


def test_labels_follow_the_catalogue_and_gazetteer(holdout: list[dict[str, Any]]) -> None:
    wrong = label_errors(holdout, load_config(get_settings()), needs=("voice", "kind", "why"),
                         lead_needs_district=True)
    assert not wrong, "\n".join(wrong[:30])


def test_envelope_is_what_a_spider_hands_on(holdout: list[dict[str, Any]]) -> None:
    ids = Counter(row["post_id"] for row in holdout)
    assert [k for k, n in ids.items() if n > 1] == []
    for row in holdout:
        assert row["post_id"].startswith("h-"), row["post_id"]
        assert row["platform"] in PLATFORMS, row["post_id"]
        assert row["title"] is None or row["platform"] in TITLED, row["post_id"]
        assert row["published_at"].startswith("2026-11-") and row["published_at"].endswith("+08:00")
        assert row["url"].startswith("https://"), row["post_id"]


def test_it_covers_what_it_is_meant_to_measure(holdout: list[dict[str, Any]]) -> None:
    leads = [r["label"] for r in holdout if r["label"]["is_lead"]]
    groups = Counter(lab["dup_group"] for lab in leads if lab["dup_group"])
    assert len({lab["category"] for lab in leads}) >= 14
    assert len(groups) >= 4 and all(n >= 2 for n in groups.values())
    assert sum(lab["urgency"] == "urgent" for lab in leads) >= 15
    assert sum(bool(lab["pii"]) for lab in leads) >= 10
    assert len({r["label"]["kind"] for r in holdout if not r["label"]["is_lead"]}) >= 15
