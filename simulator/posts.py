"""The simulator's posts: a labelled-post JSONL file, per platform, newest first."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from pydantic import ValidationError

from civicwatch.exceptions import DataFileError
from civicwatch.models import Post

logger = logging.getLogger(__name__)

MAX_WARNINGS = 20


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise DataFileError(f"not UTF-8 text (byte {exc.start}); the posts file must be UTF-8 JSON lines",
                            path=str(path), line=line) from None
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None


def _why(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(map(str, err["loc"]))
    return f"field '{where}': {err['msg']}" if where else err["msg"]


def load_posts(path: Path) -> dict[str, list[Post]]:
    """Posts by platform. Lines that are not posts are skipped with a warning (the first
    MAX_WARNINGS of them); a file with lines but no post at all (not JSON lines, or the wrong
    shape) is a DataFileError, one line."""
    path = Path(path)
    by_platform: dict[str, list[Post]] = defaultdict(list)
    skipped: list[tuple[int, str]] = []
    for n, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            post = Post.model_validate_json(line)
        except ValidationError as exc:
            skipped.append((n, _why(exc)))
            continue
        by_platform[post.platform].append(post)
    if skipped and not by_platform:
        raise DataFileError(f"no line is a post (JSON lines of the labelled-post shape); first: {skipped[0][1]}",
                            path=str(path), line=skipped[0][0])
    for n, reason in skipped[:MAX_WARNINGS]:
        logger.warning("%s:%d: skipped, not a post: %s", path, n, reason)
    if len(skipped) > MAX_WARNINGS:
        logger.warning("%s: %d more lines skipped", path, len(skipped) - MAX_WARNINGS)
    for posts in by_platform.values():
        posts.sort(key=lambda p: p.published_at, reverse=True)
    return dict(by_platform)


def matches_query(post: Post, query: str) -> bool:
    """Real search semantics: every term of the query is in the title or the text."""
    haystack = f"{post.title or ''} {post.text}"
    return all(term in haystack for term in query.split())
