"""Back links: only local paths, with their query strings."""

from __future__ import annotations

import pytest

from review.navigation import local_back


@pytest.mark.parametrize(("value", "expected"), [
    ("/?district=南山区&page=2", "/?district=南山区&page=2"),
    ("/search?q=井盖", "/search?q=井盖"),
    ("/dashboard#x", "/dashboard"),
    (None, "/"), ("", "/"),
    ("https://evil.example/", "/"), ("//evil.example/", "/"), ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"), ("evil", "/"), ("/ok\r\nSet-Cookie: x", "/"),
    ("/" + "a" * 2000, "/"),
])
def test_local_back_keeps_only_local_paths(value: str | None, expected: str) -> None:
    assert local_back(value) == expected
