"""The generated coverage corpus (simulator/corpus.py): seeded, valid posts, mostly noise, and
complaints that name a place below the district only."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter

import pytest

from civicwatch.config import Gazetteer, get_settings, load_gazetteer
from civicwatch.models import Post
from simulator.corpus import COMPLAINTS, PLATFORMS, URL_KEYED, generate, places


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(get_settings().config_dir / "gazetteer.yaml")


def test_the_same_seed_writes_the_same_file_and_another_seed_another(gazetteer: Gazetteer) -> None:
    assert list(generate(gazetteer, 200, seed=3)) == list(generate(gazetteer, 200, seed=3))
    assert list(generate(gazetteer, 200, seed=3)) != list(generate(gazetteer, 200, seed=4))


def test_posts_are_valid_unique_oldest_first_and_on_search_platforms(gazetteer: Gazetteer) -> None:
    rows = list(generate(gazetteer, 2000, seed=1))
    posts = [Post.model_validate(r) for r in rows]
    assert len({p.key for p in posts}) == len(posts)
    assert [p.published_at for p in posts] == sorted(p.published_at for p in posts)
    assert set(Counter(p.platform for p in posts)) == set(PLATFORMS)
    for p in posts:
        if p.platform in URL_KEYED:  # the spiders' own key: the URL's hash
            assert p.post_id == hashlib.sha1(p.url.encode()).hexdigest()[:16]
        else:
            assert p.url.rstrip("/").endswith(p.post_id[3:] if p.platform == "bilibili" else p.post_id[2:])


def test_mostly_noise_and_complaints_never_name_a_district(gazetteer: Gazetteer) -> None:
    rows = list(generate(gazetteer, 3000, seed=2))
    starts = [t.split("{p}") for t in COMPLAINTS]
    complaints = [r for r in rows if any(str(r["text"]).startswith(a) and str(r["text"]).endswith(b)
                                         for a, b in starts)]
    assert 0.08 * len(rows) < len(complaints) < 0.2 * len(rows)
    districts = {n for d in gazetteer.districts for n in (d.name, d.short, *d.aliases)}
    named = {p.name for p in places(gazetteer)}
    for r in complaints:
        text = str(r["text"])
        place = max((n for n in named if n in text), key=len)  # the name itself, not a shorter one inside it
        # Names like 南山街道 hold a district's short name; nothing but the place itself does.
        assert not any(d in text.replace(place, "") for d in districts), text


def test_places_span_streets_estates_landmarks_and_metro_stations(gazetteer: Gazetteer) -> None:
    kinds = Counter(p.kind for p in places(gazetteer))
    assert {"street", "estate", "landmark", "metro"} <= set(kinds)
    assert len(list(itertools.islice(generate(gazetteer, 10_000), 10_000))) == 10_000
