"""Component lists the Scrapy way: dotted path -> order, None switches an entry off."""

from __future__ import annotations

import pytest

from civicwatch.components import build_component_list, load_object
from civicwatch.exceptions import ConfigError

BASE = {"a.First": 100, "a.Second": 200, "a.Third": 300}


@pytest.mark.parametrize("overrides, expected", [
    (None, ["a.First", "a.Second", "a.Third"]),
    ({"a.Second": None}, ["a.First", "a.Third"]),
    ({"b.Mine": 150}, ["a.First", "b.Mine", "a.Second", "a.Third"]),
    ({"a.First": 400}, ["a.Second", "a.Third", "a.First"]),
    ({"b.Mine": 200}, ["a.First", "a.Second", "b.Mine", "a.Third"]),  # equal orders keep theirs
    ({"b.Mine": 250.5}, ["a.First", "a.Second", "b.Mine", "a.Third"]),
])
def test_overrides_merge_into_the_base(overrides: dict | None, expected: list[str]) -> None:
    assert build_component_list(BASE, overrides) == expected


@pytest.mark.parametrize("order", ["high", True, [1]])
def test_an_order_that_is_not_a_number_is_rejected(order: object) -> None:
    with pytest.raises(ConfigError) as err:
        build_component_list(BASE, {"b.Mine": order}, setting="CIVICWATCH_FILTERS")
    assert err.value.field == "b.Mine" and str(err.value).startswith("CIVICWATCH_FILTERS: field 'b.Mine': ")


def test_load_object_imports_the_named_object() -> None:
    assert load_object("civicwatch.components.load_object") is load_object


@pytest.mark.parametrize("path, problem", [
    ("nothing_here.Step", "cannot import 'nothing_here'"),
    ("civicwatch.components.NoSuchThing", "has no 'NoSuchThing'"),
    ("Bare", "not a full dotted path"),
])
def test_load_object_names_a_bad_path(path: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as err:
        load_object(path)
    assert err.value.field == path
