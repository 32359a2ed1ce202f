"""Personal-data masking: everything stored or dispatched passes through mask_pii().

Masks keep the kind of data visible (`138****5678`, `粤B·***45`, `4403**********481X`,
`6222 **** **** 6789`, `陈**`, `//@张**:`) so reviewers still see what was there. Given a
PersonNames (filters/persons.py: a tagger around person cues), private persons' names anywhere
in the text are masked too (我爸刘德明 → 我爸刘**). Any 18-character
ID-shaped number is masked even if its MOD 11-2 check digit fails (a typo is still personal);
the check only labels the match. Bank cards are masked at 16–19 digits; Luhn is recorded
as confidence, not required.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from filters.persons import SURNAMES

if TYPE_CHECKING:
    from filters.persons import PersonNames

_CN_DIGITS = {"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN = "零〇一幺二两三四五六七八九"

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<!\d)(\d{4})((?:[\s-]?\d{4}){2,3})([\s-]?\d{1,4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)((?:\+|＋)?86[\s-]?)?(1[3-9]\d)([\s-]?)(\d{4})([\s-]?)(\d{4})(?!\d)")
_MOBILE_CN = re.compile(rf"(?<![{_CN}])([一幺][三四五六七八九][{_CN}])([{_CN}]{{4}})([{_CN}]{{4}})(?![{_CN}])")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})([\s-]?)(\d{3,4})[\s-]?(\d{4})(?!\d)")
# Spelled-out mobiles with separators or mixed with digits (一三八 零零一三 8000): runs of
# numeral characters, at most one separator between two of them.
_NUMERAL_RUN = re.compile(rf"[0-9{_CN}](?:[\s\-]?[0-9{_CN}]){{10,}}")
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# @handles (mentions, `//@某某:` repost chains, half- or full-width @): the run of word
# characters after the @, zero-width characters slipped inside included. An @ between an
# e-mail's local part and its domain (masked before, `z***@example.com`) is not a handle.
_HANDLE = re.compile(r"([@＠])([\w\-\u200b-\u200d\u2060\ufeff]+)")
_EMAIL_LOCAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-*")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Provinces' one-character names, in both scripts (a plate written in Hong Kong style is 粵B).
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼滬遼魯蘇贛閩貴粵陝寧瓊雲晉"
_PLATE = re.compile(rf"([{_PROVINCES}][A-Z])(\s?[·•\.\-]?\s?)([A-Z0-9]{{3,4}})([A-Z0-9]{{2}})"
                    r"([挂学警港澳领]?)(?![A-Za-z0-9])")
_SURNAMES = "".join(sorted(SURNAMES))
_ROLE = ("房东|二房东|包租公|包租婆|老板|老板娘|经理|项目经理|负责人|联系人|业主代表|代表|店主|店长|包工头|工头|"
         "中介|名字叫|名叫|我叫|姓名|户主|班主任|主任|队长|师傅叫")
_NAME = re.compile(rf"((?:{_ROLE})[：:\s是为]?)([{_SURNAMES}])([\u4e00-\u9fff]{{1,2}})")
# 张先生 / 李女士: the surname is the personal part.
_HONORIFIC = re.compile(rf"([{_SURNAMES}])(先生|女士|小姐|太太|阿姨|师傅)")
_PLATE_SPECIAL = re.compile(rf"([{_PROVINCES}][A-Z])(\s?[·•\.\-]?\s?)([A-Z0-9]{{2}})([A-Z0-9]{{2}})([挂学警港澳领使])")
_NAME_STOP = set("说的了在也就都和跟把被对给让要会不没又还说讲拖欠扣是电")


def id_checksum_ok(number: str) -> bool:
    """GB 11643 MOD 11-2 check digit of an 18-character ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _mask_card(m: re.Match[str]) -> str:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    if not 16 <= len(digits) <= 19:
        return raw
    sep = " " if " " in raw else ("-" if "-" in raw else "")
    return f"{digits[:4]}{sep}****{sep}****{sep}{digits[-4:]}"


def _mask_name(m: re.Match[str]) -> str:
    role, surname, rest = m.groups()
    # "老板说" is not a name: the character after the role must start a plausible given name.
    # "老板欧阳**": masked already, by the tagger (a compound surname keeps both characters).
    if rest[0] in _NAME_STOP or m.string.startswith("*", m.end()):
        return m.group(0)
    if len(rest) == 2 and rest[1] in _NAME_STOP:
        return f"{role}{surname}*{rest[1]}"
    return f"{role}{surname}{'*' * len(rest)}"


def _mask_numeral_run(m: re.Match[str]) -> str:
    """A run of 11 numerals (Chinese or mixed) that reads as a mobile: mask digits 4–7."""
    raw = m.group(0)
    positions = [i for i, ch in enumerate(raw) if ch.isdigit() or ch in _CN_DIGITS]
    digits = "".join(_CN_DIGITS.get(raw[i], raw[i]) for i in positions)
    if len(digits) != 11 or not re.match(r"1[3-9]", digits):
        return raw
    hidden = set(positions[3:7])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(raw))


def _mask_handle(m: re.Match[str]) -> str:
    at, handle = m.groups()
    text, start = m.string, m.start()
    if start and text[start - 1] in _EMAIL_LOCAL_CHARS and _EMAIL_DOMAIN.match(text, m.start(2)):
        return m.group(0)
    # Like a name: the first character stays, every other one becomes *.
    return f"{at}{handle[0]}{'*' * (len(handle) - 1)}"


def _mask_at(text: str) -> str:
    """E-mail addresses, then @handles."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)
    return _HANDLE.sub(_mask_handle, text)


def _mask_numbers(text: str) -> str:
    text = _ID.sub(lambda m: f"{m.group(1)[:4]}**********{m.group(3)[-4:]}", text)
    text = _CARD.sub(_mask_card, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}{m.group(3)}****{m.group(5)}{m.group(6)}", text)
    text = _MOBILE_CN.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _NUMERAL_RUN.sub(_mask_numeral_run, text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(4)}", text)


def _mask_plates(text: str) -> str:
    text = _PLATE.sub(lambda m: f"{m.group(1)}·***{m.group(4)}{m.group(5)}", text)
    return _PLATE_SPECIAL.sub(lambda m: f"{m.group(1)}·**{m.group(4)}{m.group(5)}", text)


def _mask_persons(text: str) -> str:
    text = _HONORIFIC.sub(lambda m: f"某{m.group(2)}", text)
    return _NAME.sub(_mask_name, text)


# What each group of maskers needs before it can find anything, checked on the text as it
# came (masks only ever remove these). Every number masked is at least ten numerals long (a
# landline with its area code; mobiles, cards and IDs are longer), with at most one separator
# between two of them: "3天" or "2个月" is not one. Most texts need no group, or one.
_NUMERALS = f"0-9０-９{_CN}"
_MASKERS: tuple[tuple[Callable[[str], object], Callable[[str], str]], ...] = (
    (lambda text: "@" in text or "＠" in text, _mask_at),
    (re.compile(rf"[{_NUMERALS}](?:[\s\-－]?[{_NUMERALS}]){{9}}").search, _mask_numbers),
    (re.compile(rf"[{_PROVINCES}][A-Z]").search, _mask_plates),
    (re.compile(rf"{_ROLE}|先生|女士|小姐|太太|阿姨|师傅").search, _mask_persons),
)


def mask_pii(text: str, persons: PersonNames | None = None) -> str:
    """Mask personal data in `text`; the result is safe to store and dispatch. With `persons`,
    private persons' names the tagger finds are masked as well (what the chain stores)."""
    if persons is not None and text:
        text = persons.mask(text)  # first: the role rule below would cut 欧阳志强 to 欧**强
    maskers = [mask for needed, mask in _MASKERS if needed(text)] if text else []
    if not maskers:
        return text
    text = text.translate(_FULLWIDTH)  # １３８… is the oldest trick against filters
    for mask in maskers:
        text = mask(text)
    return text


def mask_everything(text: str) -> str:
    """mask_pii by its definition: every masker on every text, no pre-checks (for tests)."""
    text = text.translate(_FULLWIDTH)
    for _, mask in _MASKERS:
        text = mask(text)
    return text


@lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    if not key:
        raise ValueError("hash_author needs a non-empty key")
    return hmac.new(key, digestmod=hashlib.sha256)


def hash_author(author: str, key: bytes) -> str:
    """An author as a keyed hash (HMAC-SHA256, 16 hex digits): enough to group one author's
    posts, and without `key` nobody can test guessed handles against it. The caller supplies
    the key (civicwatch.keys.author_key), so this stays pure; the keyed state is copied per
    author (cheaper than keying a new HMAC per lead)."""
    digest = _keyed(key).copy()
    digest.update(author.encode("utf-8"))
    return digest.hexdigest()[:16]
