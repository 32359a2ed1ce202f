"""Spiders against the simulator over real HTTP: paging, search semantics, faults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.server import SimulatorServer

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


def crawl(sim: SimulatorServer, spider: str, tmp_path: Path, *args: str) -> tuple[list[dict[str, object]], str]:
    out = tmp_path / f"{spider}.jsonl"
    env = {**os.environ, "CIVICWATCH_SIMULATOR": sim.url}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(out), "-s", "ITEM_PIPELINES={}",
         "-s", "EXTENSIONS={}", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    items = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return items, result.stderr


def test_weibo_pages_through_all_matching_posts(sim: SimulatorServer, tmp_path: Path) -> None:
    items, log = crawl(sim, "weibo", tmp_path, "-a", "keywords=南山")
    assert sorted(i["post_id"] for i in items) == sorted(str(9000000 + i) for i in range(25))
    assert all(i["keyword"] == "南山" and i["platform"] == "weibo" for i in items)
    assert "'source/outcome/end': 1" in log


def test_search_returns_only_posts_with_every_term(sim: SimulatorServer, tmp_path: Path) -> None:
    items, _ = crawl(sim, "weibo", tmp_path, "-a", "keywords=福田 第1条")
    assert [i["post_id"] for i in items] == ["9000101"]


def test_watermark_stops_paging(sim: SimulatorServer, tmp_path: Path) -> None:
    items, _ = crawl(sim, "weibo", tmp_path, "-a", "keywords=南山", "-a", "since=2026-11-21T20:00:00+08:00")
    assert sorted(i["post_id"] for i in items) == [str(9000000 + i) for i in range(20, 24)]


def test_malformed_page_is_logged_counted_and_the_crawl_goes_on(sim: SimulatorServer, tmp_path: Path) -> None:
    sim.set_fault("weibo", "malformed", page=2)
    items, log = crawl(sim, "weibo", tmp_path, "-a", "keywords=南山,福田")
    ids = {i["post_id"] for i in items}
    nanshan = sorted(range(25), key=lambda i: (i % 24, i % 60), reverse=True)
    assert {str(9000000 + i) for i in nanshan[:10]} <= ids      # page 1 of 南山
    assert not {str(9000000 + i) for i in nanshan[10:20]} & ids  # page 2 was broken
    assert {"9000100", "9000101", "9000102"} <= ids                 # the other keyword
    assert "weibo: malformed at https://m.weibo.cn/api/container/getIndex" in log
    assert "'source/outcome/malformed': 1" in log and "'parse/error_count': 1" in log


def test_truncated_detail_html_keeps_the_cut_text(tmp_path: Path) -> None:
    long_text = "南山区粤海街道" + "工地夜间施工噪音" * 30
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(_post(1, "weibo", long_text), ensure_ascii=False) + "\n", encoding="utf-8")
    server = SimulatorServer(path).start()
    try:
        items, _ = crawl(server, "weibo", tmp_path, "-a", "keywords=南山")
        assert items[0]["text"] == long_text  # the detail page gave the full text
        server.set_fault("weibo", "malformed", path="/detail/")
        items, log = crawl(server, "weibo", tmp_path, "-a", "keywords=南山")
    finally:
        server.stop()
    assert len(items) == 1 and items[0]["text"].endswith("全文") and len(items[0]["text"]) < len(long_text)
    assert "detail page without $render_data" in log and "'parse/error_count': 1" in log


@pytest.mark.parametrize("kind, outcome", [("rate_limited", "rate_limited"), ("login_required", "login_required"),
                                           ("blocked", "blocked")])
def test_weibo_block_signals_become_outcomes(sim: SimulatorServer, tmp_path: Path, kind: str, outcome: str) -> None:
    sim.set_fault("weibo", kind)
    items, log = crawl(sim, "weibo", tmp_path, "-a", "keywords=南山")
    assert items == [] and f"'source/outcome/{outcome}': 1" in log


def test_tieba_pages_and_rate_limit(sim: SimulatorServer, tmp_path: Path) -> None:
    items, _ = crawl(sim, "tieba", tmp_path, "-a", "keywords=南山", "-a", "boards=")
    assert len(items) == 12 and all(i["title"] == "标题" for i in items)
    sim.set_fault("tieba", "blocked")
    items, log = crawl(sim, "tieba", tmp_path, "-a", "keywords=南山", "-a", "boards=")
    assert items == [] and "'source/outcome/rate_limited': 1" in log


def test_tieba_board_listing_reads_every_thread_page(sim: SimulatorServer, tmp_path: Path) -> None:
    items, log = crawl(sim, "tieba", tmp_path, "-a", "keywords=", "-a", "boards=深圳")
    assert sorted(i["post_id"] for i in items) == sorted(str(9000200 + i) for i in range(12))
    assert all(i["keyword"] == "吧:深圳" and i["ip_region"] == "广东" and i["text"].startswith("南山 贴吧")
               for i in items)
    sim.set_fault("tieba", "malformed", path="/f")
    items, log = crawl(sim, "tieba", tmp_path, "-a", "keywords=", "-a", "boards=深圳")
    assert items == [] and "tieba: malformed at https://tieba.baidu.com/f?kw=" in log


def test_generic_forum_spider_reads_both_yaml_boards(tmp_path: Path) -> None:
    posts = Path(__file__).parent / "forum_posts.jsonl"
    server = SimulatorServer(posts).start()
    try:
        items, log = crawl(server, "forum", tmp_path)
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


def test_forum_page_limit_marks_the_board_truncated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    szbbs = config / "forums" / "szbbs.yaml"
    szbbs.write_text(szbbs.read_text(encoding="utf-8").replace("max_pages: 5", "max_pages: 1"), encoding="utf-8")
    monkeypatch.setenv("CIVICWATCH_CONFIG_DIR", str(config))
    server = SimulatorServer(Path(__file__).parent / "forum_posts.jsonl").start()
    try:
        items, log = crawl(server, "forum", tmp_path)
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
def test_json_search_platforms_page_to_the_end(video_posts: Path, tmp_path: Path, spider: str, first: int) -> None:
    server = SimulatorServer(video_posts).start()
    try:
        items, log = crawl(server, spider, tmp_path, "-a", "keywords=南山")
        server.set_fault(spider, "rate_limited")
        blocked, blocked_log = crawl(server, spider, tmp_path, "-a", "keywords=南山")
    finally:
        server.stop()
    assert sorted(i["post_id"] for i in items) == sorted(str(9000000 + first + i) for i in range(25))
    assert all(i["title"] == f"标题{i['post_id']}" and "<em" not in i["title"] for i in items)
    assert "'source/outcome/end': 1" in log
    assert blocked == [] and ("'source/outcome/rate_limited': 1" in blocked_log
                              or "'source/outcome/blocked': 1" in blocked_log)


def test_liuyan_board_pages_by_last_tid_after_the_cookie(tmp_path: Path) -> None:
    rows = [{**_post(i, "liuyan", f"尊敬的领导：南山区第{i}件事"), "post_id": str(700000 + i)} for i in range(23)]
    path = tmp_path / "liuyan.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    server = SimulatorServer(path).start()
    try:
        items, log = crawl(server, "liuyan", tmp_path, "-a", "boards=4901")
    finally:
        server.stop()
    assert sorted(int(i["post_id"]) for i in items) == list(range(700000, 700023))
    assert all(i["keyword"] == "fid:4901" for i in items)
    assert "'source/outcome/end': 1" in log


@pytest.mark.parametrize("spider, fault, outcome", [("kuaishou", "blocked", "signature_rejected"),
                                                    ("toutiao", "blocked", "blocked")])
def test_feed_platforms_page_to_the_end(tmp_path: Path, spider: str, fault: str, outcome: str) -> None:
    rows = [_post(800 + i, spider, f"南山 {spider} 第{i}条") for i in range(25)]
    for r in rows:
        r["title"] = f"南山标题{r['post_id']}"
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    server = SimulatorServer(path).start()
    try:
        items, log = crawl(server, spider, tmp_path, "-a", "keywords=南山")
        server.set_fault(spider, fault)
        walled, walled_log = crawl(server, spider, tmp_path, "-a", "keywords=南山")
    finally:
        server.stop()
    assert len(items) == 25 and len({i["url"] for i in items}) == 25
    assert all(i["text"].startswith("南山") for i in items)
    assert "'source/outcome/end': 1" in log
    assert walled == [] and f"'source/outcome/{outcome}': 1" in walled_log


@pytest.mark.parametrize("spider, platform, fault, outcome", [("weibo_html", "weibo", "login_required", "login_required"),
                                                              ("wechat", "wechat", "captcha", "captcha")])
def test_html_search_pages(tmp_path: Path, spider: str, platform: str, fault: str, outcome: str) -> None:
    rows = [_post(900 + i, platform, f"南山 {platform} 第{i}条 " + "很长的正文" * 20) for i in range(15)]
    for r in rows:
        r["title"] = f"南山文章{r['post_id']}"
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    server = SimulatorServer(path).start()
    try:
        items, log = crawl(server, spider, tmp_path, "-a", "keywords=南山")
        server.set_fault(platform, fault)
        walled, walled_log = crawl(server, spider, tmp_path, "-a", "keywords=南山")
    finally:
        server.stop()
    assert len(items) == 15 and all(i["platform"] == platform for i in items)
    assert all(i["text"].endswith("很长的正文") for i in items)  # the full text, not the cut card
    assert "'source/outcome/end': 1" in log
    assert walled == [] and f"'source/outcome/{outcome}': 1" in walled_log
