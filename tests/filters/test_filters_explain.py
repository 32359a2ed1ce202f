"""FilterChain.trace and `civicwatch explain`: the step-by-step evidence agrees with the decision."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicwatch.clock import SHANGHAI
from civicwatch.config import get_settings, load_config
from civicwatch.models import Post
from crawlers.cli import app
from filters.chain import FilterChain

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(get_settings())


def corpus_posts(limit: int) -> list[Post]:
    """Leads and negatives of our own training corpus, every tenth line."""
    posts = []
    for name in ("leads_a.jsonl", "negatives.jsonl"):
        lines = (ROOT / "data" / "training" / name).read_text(encoding="utf-8").splitlines()
        posts += [Post.model_validate({k: v for k, v in json.loads(line).items() if k != "label"})
                  for line in lines[::10][:limit]]
    return posts


def test_a_trace_decides_as_decide_does_and_leaves_the_chain_alone() -> None:
    tracer, decider = FilterChain.from_config(CONFIG), FilterChain.from_config(CONFIG)
    posts = corpus_posts(40)
    for post in posts:
        traced, steps = tracer.trace(post)
        decided = decider.decide(post)
        decider.reset()  # trace keeps no memory of leads: compare each post on its own
        assert traced == decided
        assert [s.step for s in steps] == [s.name for s in tracer.steps]
    assert tracer.dropped == {}  # tracing counts nothing


def test_each_field_of_the_decision_is_traced_to_the_step_that_set_it() -> None:
    chain = FilterChain.from_config(CONFIG)
    post = Post(platform="weibo", post_id="x1", url="", published_at=datetime(2026, 11, 30, 22, tzinfo=SHANGHAI),
                text="南山区粤海街道科技园路口的井盖丢了两天，晚上路过差点踩空，联系电话13812345678")
    decision, steps = chain.trace(post)
    assert decision.is_lead
    set_by = {name: s.step for s in steps for name in s.changes}
    assert set_by["matched"] == "classify" and steps[[s.step for s in steps].index("classify")].changes[
        "matched"] == decision.matched
    assert set_by["place"] == "locate"
    assert set_by["text_masked"] == "mask" and "13812345678" not in decision.text_masked


def test_a_screened_post_shows_the_skipped_steps() -> None:
    chain = FilterChain.from_config(CONFIG)
    post = Post(platform="weibo", post_id="x2", url="", published_at=datetime(2026, 11, 30, tzinfo=SHANGHAI),
                text="今天的晚霞真好看")
    decision, steps = chain.trace(post)
    assert not decision.is_lead
    skipped = [s.step for s in steps if not s.ran]
    assert skipped and all(not step.serves_screened for step in chain.steps if step.name in skipped)


@pytest.mark.parametrize("text", ["福田区华强北街道燕南路的路灯坏了一个星期，晚上漆黑一片，电话13912345678",
                                  "今天的晚霞真好看"])
def test_explain_prints_every_step_and_the_decision_masked(text: str) -> None:
    result = CliRunner().invoke(app, ["explain", text], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    decision = FilterChain.from_config(CONFIG).decide(
        Post(platform="weibo", post_id="explain", url="", text=text, published_at=datetime.now(SHANGHAI)))
    for step in FilterChain.from_config(CONFIG).steps:
        assert step.name in result.output
    if decision.is_lead:
        assert "线索 / lead" in result.output and decision.item in result.output
        assert f"masked text: {decision.text_masked}" in result.output
    else:
        assert "不是线索 / not a lead" in result.output and decision.drop_reason in result.output


def test_explain_with_a_broken_config_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "catalogue.yaml").write_text("categories: [", encoding="utf-8")
    result = CliRunner().invoke(app, ["explain", "井盖丢了"], env={"CIVICWATCH_CONFIG_DIR": str(tmp_path)})
    assert result.exit_code != 0 and "catalogue.yaml" in str(result.exception)
