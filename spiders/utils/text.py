"""HTML fragments from platforms → plain text (hostile input: never executed, only read)."""

from __future__ import annotations

import html
import re

from lxml import html as lxml_html
from lxml.etree import ParserError

_SPACES = re.compile(r"[ \t\r\f\v]+")


def strip_html(fragment: object) -> str:
    """Text of an HTML fragment: scripts/styles dropped, emoji <img alt> kept, entities decoded.

    Raises TypeError for anything but text or None (a changed shape, which spiders count).
    """
    if fragment is None or fragment == "":
        return ""
    if not isinstance(fragment, str):
        raise TypeError(f"expected text, got {type(fragment).__name__}")
    if "<" not in fragment:
        return html.unescape(fragment).strip()
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return html.unescape(re.sub(r"<[^>]*>", " ", fragment)).strip()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for img in root.xpath("//img[@alt]"):
        img.tail = (img.get("alt") or "") + (img.tail or "")
    for br in root.xpath("//br"):
        br.tail = "\n" + (br.tail or "")
    return _SPACES.sub(" ", root.text_content()).strip()
