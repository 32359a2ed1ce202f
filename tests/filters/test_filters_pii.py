"""Personal-data masking on odd real-world formats."""

from __future__ import annotations

import pytest

from filters.pii import hash_author, id_checksum_ok, luhn_ok, mask_pii


@pytest.mark.parametrize("raw, hidden, shown", [
    ("电话13812345678找我", "13812345678", "138****5678"),
    ("打 +86 138-1234-5678 就行", "1234", "138-****-5678"),
    ("号码 139 1234 5678", "139 1234 5678", "139 ****"),
    ("一三八一二三四五六七八", "一三八一二三四五六七八", "一三八****五六七八"),
    ("座机0755-83123456", "83123456", "0755-****3456"),
    ("身份证44030619870923481X", "44030619870923481X", "4403**********481X"),
    ("卡号 6222 0210 0112 3456 789 别转错", "0210 0112", "6222 **** **** 6789"),
    ("车牌粤B·7K3M2停了一个月", "7K3M2", "粤B·***M2"),
    ("新能源粤BD12345", "D12345", "粤B·***45"),
    ("邮箱 zhangsan@example.com", "zhangsan@", "z***@example.com"),
    ("房东陈国平说墙脏了", "陈国平", "房东陈**"),
    ("业主代表：赵丽萍，电话", "赵丽萍", "赵**"),
])
def test_masks_keep_the_kind_visible(raw: str, hidden: str, shown: str) -> None:
    masked = mask_pii(raw)
    assert hidden not in masked
    assert shown in masked


def test_ordinary_words_after_a_role_are_not_names() -> None:
    assert mask_pii("老板说了下个月发") == "老板说了下个月发"
    assert mask_pii("物业经理不在") == "物业经理不在"


def test_dates_and_prices_are_not_mistaken_for_numbers_to_hide() -> None:
    text = "2026年11月20日交了3000元押金，12点前到"
    assert mask_pii(text) == text


def test_id_check_digit_and_luhn() -> None:
    assert id_checksum_ok("11010519491231002X")  # the GB 11643 worked example
    assert not id_checksum_ok("110105194912310021")
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_author_hash_is_stable_and_not_the_name() -> None:
    assert hash_author("张三") == hash_author("张三") != hash_author("李四")
    assert "张三" not in hash_author("张三")
