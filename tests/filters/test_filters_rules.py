"""Keyword rule syntax and evaluation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.config import RulesConfig, RuleSpec, load_rules
from civicwatch.exceptions import RuleSyntaxError
from civicwatch.models import Post
from filters.rules import RuleSet


def ruleset(*rules: tuple[str, str], groups: dict[str, list[str]] | None = None) -> RuleSet:
    return RuleSet(RulesConfig(groups=groups or {}, rules=[RuleSpec(name=n, expr=e) for n, e in rules]))


def post(text: str, title: str | None = None, author: str = "网友") -> Post:
    return Post(platform="weibo", post_id="1", url="u", text=text, title=title, author=author,
                published_at=datetime(2026, 11, 20, tzinfo=SHANGHAI))


def hits(rs: RuleSet, p: Post) -> set[str]:
    return {h.name for h in rs.evaluate(p)}


def test_boolean_operators_full_width_and_groups() -> None:
    rs = ruleset(("a", "（深圳 ＯＲ 南山） ＡＮＤ @event ＮＯＴ 广告"), groups={"event": ["噪音", "欠薪"]})
    assert hits(rs, post("南山晚上噪音")) == {"a"}
    assert hits(rs, post("南山晚上噪音 广告")) == set()
    assert hits(rs, post("广州晚上噪音")) == set()


def test_near_counts_characters_and_field_scope() -> None:
    rs = ruleset(("near", "井盖 NEAR/4 没了"), ("title", "title:求助 AND 停水"))
    assert hits(rs, post("井盖又没了")) == {"near"}
    assert hits(rs, post("井盖今天早上发现没了")) == set()
    assert hits(rs, post("停水三天", title="求助")) == {"title"}
    assert hits(rs, post("求助 停水三天")) == set()


@pytest.mark.parametrize("expr, position, expected", [
    ("深圳 AND", 6, "a term"),
    ("(深圳 OR 噪音", 9, "')'"),
    ("foo:深圳", 0, "title"),
    ("深圳 NEAR/3 (a OR b)", 3, "a term on both sides"),
])
def test_syntax_errors_name_rule_position_and_expectation(expr: str, position: int, expected: str) -> None:
    with pytest.raises(RuleSyntaxError) as err:
        ruleset(("bad", expr))
    assert err.value.rule == "bad" and err.value.position == position
    assert expected in err.value.expected


def test_rule_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - name: r1\n    expr: '(深圳'\n", encoding="utf-8")
    with pytest.raises(RuleSyntaxError) as err:
        load_rules(path)  # expressions are parsed when the file is loaded
    assert str(err.value).startswith(f"{path}:3: ") and "r1" in str(err.value)
    assert err.value.line == 3 and err.value.position == 3
