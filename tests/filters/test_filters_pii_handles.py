"""@handles and repost chains are masked like names, and author hashes are keyed (issue 16,
item 9). Property tests draw handles from the characters platforms allow plus the tricks a
hostile post can use (full-width @, zero-width characters, handles glued to each other)."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicwatch.config import get_settings
from filters.pii import hash_author, mask_everything, mask_pii

pytestmark = pytest.mark.faults

KEY = b"test-key-0123456789abcdef"
# Characters a Weibo/Bilibili handle may hold: CJK, ASCII letters and digits, _ and -.
_HANDLE_CHARS = st.sampled_from("深圳小王李四张三南山吃货宝安阿明ABCxyz0189_-")
handles = st.text(_HANDLE_CHARS, min_size=2, max_size=30)
# Where a handle sits: a mention, a repost chain link (half- or full-width colon), a reply.
FRAMES = ("楼下施工太吵了@{h} 快来看看", "转发理由//@{h}:原文在此", "同感//@{h}：噪音扰民",
          "回复@{h}:不是这样的", "凌晨还在施工@{h}", "＠{h}，麻烦处理")


def _masked(handle: str) -> str:
    return handle[0] + "*" * (len(handle) - 1)


@pytest.mark.parametrize("raw, masked", [
    ("转发微博//@深圳小王:楼下施工太吵了//@南山吃货:同感",
     "转发微博//@深***:楼下施工太吵了//@南***:同感"),
    ("@张三 你好", "@张* 你好"),
    ("＠王五，快来", "＠王*，快来"),
    ("@张\u200b三丰:", "@张***:"),  # a zero-width space does not end a handle
    ("@甲乙@丙丁看看", "@甲*@丙***"),  # glued mentions; the text glued to one is masked with it
    ("//@甲乙丙://@丁戊:原文", "//@甲**://@丁*:原文"),
    ("hi@zhangsan", "hi@z*******"),
    ("联系 zhangsan@example.com 或者@李四", "联系 z***@example.com 或者@李*"),
])
def test_handles_are_masked_like_names(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


@pytest.mark.parametrize("text", ["@", "@@", "a@b", "价格@5", "@ 空格", "😀@😀", "@\ud800"])
def test_odd_at_signs_do_not_break_masking(text: str) -> None:
    out = mask_pii(text)
    assert len(out) == len(text) and out == mask_everything(text)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(handles, st.sampled_from(FRAMES))
def test_a_handle_in_any_frame_is_hidden(handle: str, frame: str) -> None:
    masked = mask_pii(frame.format(h=handle))
    assert masked == frame.format(h=_masked(handle))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(handles, min_size=1, max_size=6))
def test_every_link_of_a_repost_chain_is_hidden(chain: list[str]) -> None:
    text = "原帖" + "".join(f"//@{h}:转发{i}" for i, h in enumerate(chain))
    masked = mask_pii(text)
    assert masked == "原帖" + "".join(f"//@{_masked(h)}:转发{i}" for i, h in enumerate(chain))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(st.sampled_from("@＠深圳小王 :：/，\u200bab.com"), max_size=40))
def test_masking_handles_is_idempotent_and_keeps_length(text: str) -> None:
    once = mask_pii(text)
    assert mask_pii(once) == once and len(once) == len(text)


def test_author_hash_is_an_hmac_of_the_key() -> None:
    expected = hmac.new(KEY, "深圳小王".encode(), hashlib.sha256).hexdigest()[:16]
    assert hash_author("深圳小王", KEY) == expected
    assert hash_author("深圳小王", KEY) != hash_author("深圳小王", b"another-key")
    # The old constant salt reversed every stored hash from a list of public handles.
    assert hash_author("深圳小王", KEY) != hashlib.sha256("civicwatch:深圳小王".encode()).hexdigest()[:16]
    with pytest.raises(ValueError):
        hash_author("深圳小王", b"")


def test_author_key_from_the_setting_wins(tmp_path: Path) -> None:
    from civicwatch.keys import author_key

    assert author_key(get_settings(data_dir=tmp_path, author_secret="from-env")) == b"from-env"
    assert not any(tmp_path.iterdir())


def test_author_key_is_generated_private_and_reused(tmp_path: Path) -> None:
    from civicwatch.keys import AUTHOR_KEY_FILE, author_key

    settings = get_settings(data_dir=tmp_path / "data", author_secret=None)
    first = author_key(settings)
    path = tmp_path / "data" / AUTHOR_KEY_FILE
    assert len(first) >= 40 and path.read_bytes() == first
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert author_key(settings) == first
    assert author_key(get_settings(data_dir=tmp_path / "other", author_secret=None)) != first
