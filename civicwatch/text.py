"""Text from outside made valid before anything else touches it.

Platforms send cut emoji (a lone surrogate, `"\\ud800"` as a JSON escape) and other code points
no encoder accepts; one of them used to raise deep in the chain (filters/lsh.py encodes text) and
stop the post for good. Every such code point becomes U+FFFD, the Unicode replacement character.
"""

from __future__ import annotations

import re

# Lone surrogates (never valid in UTF-8) and the noncharacters (U+FDD0–U+FDEF and the last two
# code points of every plane), which Unicode reserves for internal use.
_INVALID = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)

REPLACEMENT = "\ufffd"


def valid_text(text: str) -> str:
    """`text` with every lone surrogate and noncharacter replaced by U+FFFD (itself if none)."""
    return _INVALID.sub(REPLACEMENT, text)
