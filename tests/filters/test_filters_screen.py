"""The first-pass screen: whether a post has an item word and, if so, a Shenzhen name."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from civicwatch.clock import SHANGHAI
from civicwatch.config import Settings, load_config
from civicwatch.models import Post
from filters.chain import FilterChain
from filters.classify import item_words
from filters.normalise import normalise
from filters.places import PlaceResolver
from filters.screen import ITEM_WORD, SHENZHEN_NAME, CandidateScreen
from filters.steps.screen import ScreenStep

CONFIG = load_config(Settings(config_dir=Path(__file__).resolve().parents[2] / "config"))
CHAIN = FilterChain.from_config(CONFIG)
# The catalogue's words alone (the learned model's widen it: tests/filters/test_learned.py).
SCREEN: CandidateScreen = ScreenStep.from_config(CONFIG.with_model(None)).screen


def flags(text: str) -> int:
    return SCREEN.scan(normalise(text).full)


def test_names_are_looked_for_only_after_an_item_word() -> None:
    assert flags("龍華區民治這邊井蓋不見了") == ITEM_WORD | SHENZHEN_NAME  # traditional, after normalising
    assert flags("广州天河这边井盖不见了") == ITEM_WORD                 # another city's problem
    assert flags("周末去大鹏所城玩，天气很好") == 0                     # a place, no problem: out already
    assert flags("今天心情不错") == 0


def test_a_screened_post_skips_the_later_steps_and_says_why() -> None:
    chain = CHAIN
    d = chain.decide(_post("广州天河这边井盖不见了，晚上很危险"))
    assert not d.is_lead and d.reasons == ["未确定在深圳"] and d.item is None and d.district is None
    assert d.drop_reason == "not_shenzhen"
    d = chain.decide(_post("今天心情不错"))
    assert d.reasons == ["无可办事项"] and d.text_masked == ""  # non-leads keep no text
    assert d.drop_reason == "no_item" and d.title_masked is None and d.author_hash == ""


def _post(text: str) -> Post:
    return Post(platform="weibo", post_id=str(abs(hash(text))), url="https://example.org/1", text=text,
                published_at=datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))


def test_every_word_is_seen_though_words_holding_another_are_left_out() -> None:
    items, names = item_words(CONFIG.classifier), PlaceResolver(CONFIG.gazetteer).shenzhen_names
    assert len(SCREEN.items) < len(items) and len(SCREEN.names) < len(names)
    assert all(SCREEN.scan(word) & ITEM_WORD for word in items)
    name_probe = next(iter(items))  # names are looked for only after an item word
    assert all(SCREEN.scan(f"{name_probe} {name}") == ITEM_WORD | SHENZHEN_NAME for name in names)
