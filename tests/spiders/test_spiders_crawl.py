"""Spiders against the simulator over real HTTP, crawled in this process: paging, search
semantics, faults. (tests/e2e runs the same spiders through `scrapy crawl`.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings as ScrapySettings
from scrapy.spiderloader import SpiderLoader

from simulator.server import SimulatorServer
from tests.conftest import run_crawl

ROOT = Path(__file__).resolve().parents[2]


def _post(i: int, platform: str, text: str, day: int = 21) -> dict[str, object]:
    pid = f"{9000000 + i}"
    return {"platform": platform, "post_id": pid, "url": f"https://example.org/{pid}", "author": f"u{i}",
            "title": "标题" if platform == "tieba" else None, "text": text,
            "published_at": f"2026-11-{day}T{i % 24:02d}:{i % 60:02d}:00+08:00", "ip_region": "广东"}


@pytest.fixture(scope="module")
def posts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [_post(i, "weibo", f"南山 第{i}条 测试帖子") for i in range(25)]
    rows += [_post(100 + i, "weibo", f"福田 第{i}条") for i in range(3)]
    rows += [_post(200 + i, "tieba", f"南山 贴吧 第{i}条") for i in range(12)]
    path = tmp_path_factory.mktemp("sim") / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sim(posts_file: Path) -> Iterator[SimulatorServer]:
    server = SimulatorServer(posts_file).start()
    yield server
    server.stop()


SPIDERS = SpiderLoader.from_settings(ScrapySettings({"SPIDER_MODULES": ["spiders"]}))


@pytest.fixture(autouse=True)
def _debug_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")


def crawl(sim: SimulatorServer, spider: str, caplog: pytest.LogCaptureFixture, settings: dict[str, Any] | None = None,
          **args: str) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """(items as JSON, stats, this crawl's log) of one crawl through the simulator."""
    caplog.clear()
    result = run_crawl(SPIDERS.load(spider), {"CIVICWATCH_SIMULATOR": sim.url, **(settings or {})}, **args)
    items = [item.model_dump(mode="json") for item in result.items]
    return items, result.stats, caplog.text


def test_weibo_pages_through_all_matching_posts(sim: SimulatorServer,
                                                caplog: pytest.LogCaptureFixture) -> None:
    items, stats, log = crawl(sim, "weibo", caplog, keywords="南山")
    assert sorted(i["post_id"] for i in items) == sorted(str(9000000 + i) for i in range(25))
    assert all(i["keyword"] == "南山" and i["platform"] == "weibo" for i in items)
    assert stats.get("source/outcome/end") == 1


def test_search_returns_only_posts_with_every_term(sim: SimulatorServer,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    items, _, _ = crawl(sim, "weibo", caplog, keywords="福田 第1条")
    assert [i["post_id"] for i in items] == ["9000101"]


def test_watermark_stops_paging(sim: SimulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    items, _, _ = crawl(sim, "weibo", caplog, keywords="南山", since="2026-11-21T20:00:00+08:00")
    assert sorted(i["post_id"] for i in items) == [str(9000000 + i) for i in range(20, 24)]


def test_malformed_page_is_logged_counted_and_the_crawl_goes_on(sim: SimulatorServer,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    sim.set_fault("weibo", "malformed", page=2)
    items, stats, log = crawl(sim, "weibo", caplog, keywords="南山,福田")
    ids = {i["post_id"] for i in items}
    nanshan = sorted(range(25), key=lambda i: (i % 24, i % 60), reverse=True)
    assert {str(9000000 + i) for i in nanshan[:10]} <= ids      # page 1 of 南山
    assert not {str(9000000 + i) for i in nanshan[10:20]} & ids  # page 2 was broken
    assert {"9000100", "9000101", "9000102"} <= ids                 # the other keyword
    assert "weibo: malformed at https://m.weibo.cn/api/container/getIndex" in log
    assert stats.get("source/outcome/malformed") == 1 and stats.get("parse/error_count") == 1


def test_truncated_detail_html_keeps_the_cut_text(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    long_text = "南山区粤海街道" + "工地夜间施工噪音" * 30
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(_post(1, "weibo", long_text), ensure_ascii=False) + "\n", encoding="utf-8")
    server = SimulatorServer(path).start()
    try:
        items, _, _ = crawl(server, "weibo", caplog, keywords="南山")
        assert items[0]["text"] == long_text  # the detail page gave the full text
        server.set_fault("weibo", "malformed", path="/detail/")
        items, stats, log = crawl(server, "weibo", caplog, keywords="南山")
    finally:
        server.stop()
    assert len(items) == 1 and items[0]["text"].endswith("全文") and len(items[0]["text"]) < len(long_text)
    assert "detail page without $render_data" in log and stats.get("parse/error_count") == 1


@pytest.mark.parametrize("kind, outcome", [("rate_limited", "rate_limited"), ("login_required", "login_required"),
                                           ("blocked", "blocked")])
def test_weibo_block_signals_become_outcomes(sim: SimulatorServer, kind: str, outcome: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    sim.set_fault("weibo", kind)
    items, stats, log = crawl(sim, "weibo", caplog, keywords="南山")
    assert items == [] and stats.get(f"source/outcome/{outcome}") == 1


def test_tieba_pages_and_rate_limit(sim: SimulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    items, _, _ = crawl(sim, "tieba", caplog, keywords="南山", boards="")
    assert len(items) == 12 and all(i["title"] == "标题" for i in items)
    sim.set_fault("tieba", "blocked")
    items, stats, log = crawl(sim, "tieba", caplog, keywords="南山", boards="")
    assert items == [] and stats.get("source/outcome/rate_limited") == 1


def test_tieba_board_listing_reads_every_thread_page(sim: SimulatorServer,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    items, stats, log = crawl(sim, "tieba", caplog, keywords="", boards="深圳")
    assert sorted(i["post_id"] for i in items) == sorted(str(9000200 + i) for i in range(12))
    assert all(i["keyword"] == "吧:深圳" and i["ip_region"] == "广东" and i["text"].startswith("南山 贴吧")
               for i in items)
    sim.set_fault("tieba", "malformed", path="/f")
    items, stats, log = crawl(sim, "tieba", caplog, keywords="", boards="深圳")
    assert items == [] and "tieba: malformed at https://tieba.baidu.com/f?kw=" in log


def test_generic_forum_spider_reads_both_yaml_boards(caplog: pytest.LogCaptureFixture) -> None:
    posts = Path(__file__).parent / "forum_posts.jsonl"
    server = SimulatorServer(posts).start()
    try:
        items, stats, log = crawl(server, "forum", caplog)
    finally:
        server.stop()
    by_board: dict[str, set[str]] = {}
    for i in items:
        by_board.setdefault(str(i["keyword"]), set()).add(str(i["post_id"]))
    every = {str(3000 + i) for i in range(27)}
    assert by_board == {"szbbs:2": every, "govboard:livelihood": every}  # two pages each, all posts
    html_post = next(i for i in items if i["keyword"] == "szbbs:2" and i["post_id"] == "3001")
    assert html_post["text"].startswith("福永街道") and html_post["title"] == "宝安福永的工厂半夜噪音"
    assert html_post["url"] == "https://bbs.example-forum.cn/forum.php?mod=viewthread&tid=3001"
    assert html_post["published_at"].startswith("2026-11-21T11:01")


def test_forum_page_limit_marks_the_board_truncated(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import shutil

    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    szbbs = config / "forums" / "szbbs.yaml"
    szbbs.write_text(szbbs.read_text(encoding="utf-8").replace("max_pages: 5", "max_pages: 1"), encoding="utf-8")
    server = SimulatorServer(Path(__file__).parent / "forum_posts.jsonl").start()
    try:
        items, stats, log = crawl(server, "forum", caplog, {"CIVICWATCH_CONFIG_DIR": config})
    finally:
        server.stop()
    assert len([i for i in items if i["keyword"] == "szbbs:2"]) == 20  # one page of the definition's 1
    # truncated: the crawl-state extension keeps this board's watermark where it was
    assert "'szbbs:2' cut at max_pages=1" in log


def test_forum_definition_errors_name_file_and_field(tmp_path: Path) -> None:
    from civicwatch.config.forums import load_forums
    from civicwatch.exceptions import ConfigError

    (tmp_path / "bad.yaml").write_text("name: bad\nlist_url: 'https://x.cn/?p={page}'\nboards: [a]\n"
                                       "items: {css: li, path: x}\nfields: {post_id: {css: a}}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_forums(tmp_path)
    assert "bad.yaml" in str(err.value) and "items" in str(err.value)


@pytest.fixture(scope="module")
def video_posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [_post(300 + i, "bilibili", f"南山 视频 第{i}条") for i in range(25)]
    rows += [_post(400 + i, "zhihu", f"南山 问答 第{i}条") for i in range(25)]
    for r in rows:
        r["title"] = f"标题{r['post_id']}"
    path = tmp_path_factory.mktemp("sim2") / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("spider, first", [("bilibili", 300), ("zhihu", 400)])
def test_json_search_platforms_page_to_the_end(video_posts: Path, spider: str, first: int,
                                               caplog: pytest.LogCaptureFixture) -> None:
    server = SimulatorServer(video_posts).start()
    try:
        items, stats, log = crawl(server, spider, caplog, keywords="南山")
        server.set_fault(spider, "rate_limited")
        blocked, blocked_stats, _ = crawl(server, spider, caplog, keywords="南山")
    finally:
        server.stop()
    assert sorted(i["post_id"] for i in items) == sorted(str(9000000 + first + i) for i in range(25))
    assert all(i["title"] == f"标题{i['post_id']}" and "<em" not in i["title"] for i in items)
    assert stats.get("source/outcome/end") == 1
    assert blocked == [] and (blocked_stats.get("source/outcome/rate_limited") == 1
                              or blocked_stats.get("source/outcome/blocked") == 1)


def test_liuyan_board_pages_by_last_tid_after_the_cookie(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    rows = [{**_post(i, "liuyan", f"尊敬的领导：南山区第{i}件事"), "post_id": str(700000 + i)} for i in range(23)]
    path = tmp_path / "liuyan.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    server = SimulatorServer(path).start()
    try:
        items, stats, log = crawl(server, "liuyan", caplog, boards="4901")
    finally:
        server.stop()
    assert sorted(int(i["post_id"]) for i in items) == list(range(700000, 700023))
    assert all(i["keyword"] == "fid:4901" for i in items)
    assert stats.get("source/outcome/end") == 1


@pytest.mark.parametrize("spider, fault, outcome", [("kuaishou", "blocked", "signature_rejected"),
                                                    ("toutiao", "blocked", "blocked")])
def test_feed_platforms_page_to_the_end(tmp_path: Path, spider: str, fault: str, outcome: str,
                                        caplog: pytest.LogCaptureFixture) -> None:
    rows = [_post(800 + i, spider, f"南山 {spider} 第{i}条") for i in range(25)]
    for r in rows:
        r["title"] = f"南山标题{r['post_id']}"
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    server = SimulatorServer(path).start()
    try:
        items, stats, log = crawl(server, spider, caplog, keywords="南山")
        server.set_fault(spider, fault)
        walled, walled_stats, _ = crawl(server, spider, caplog, keywords="南山")
    finally:
        server.stop()
    assert len(items) == 25 and len({i["url"] for i in items}) == 25
    assert all(i["text"].startswith("南山") for i in items)
    assert stats.get("source/outcome/end") == 1
    assert walled == [] and walled_stats.get(f"source/outcome/{outcome}") == 1


@pytest.mark.parametrize("spider, platform, fault, outcome", [
    ("weibo_html", "weibo", "login_required", "login_required"), ("wechat", "wechat", "captcha", "captcha")])
def test_html_search_pages(tmp_path: Path, spider: str, platform: str, fault: str, outcome: str,
                           caplog: pytest.LogCaptureFixture) -> None:
    rows = [_post(900 + i, platform, f"南山 {platform} 第{i}条 " + "很长的正文" * 20) for i in range(15)]
    for r in rows:
        r["title"] = f"南山文章{r['post_id']}"
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    server = SimulatorServer(path).start()
    try:
        items, stats, log = crawl(server, spider, caplog, keywords="南山")
        server.set_fault(platform, fault)
        walled, walled_stats, _ = crawl(server, spider, caplog, keywords="南山")
    finally:
        server.stop()
    assert len(items) == 15 and all(i["platform"] == platform for i in items)
    assert all(i["text"].endswith("很长的正文") for i in items)  # the full text, not the cut card
    assert stats.get("source/outcome/end") == 1
    assert walled == [] and walled_stats.get(f"source/outcome/{outcome}") == 1
