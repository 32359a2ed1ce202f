"""The simulator's posts: a labelled-post JSONL file, per platform, newest first."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from civicwatch.models import Post

logger = logging.getLogger(__name__)


def load_posts(path: Path) -> dict[str, list[Post]]:
    by_platform: dict[str, list[Post]] = defaultdict(list)
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            post = Post.model_validate_json(line)
        except ValueError as exc:
            logger.warning("%s:%d: skipped, not a post: %s", path, n, str(exc).splitlines()[0])
            continue
        by_platform[post.platform].append(post)
    for posts in by_platform.values():
        posts.sort(key=lambda p: p.published_at, reverse=True)
    return dict(by_platform)


def matches_query(post: Post, query: str) -> bool:
    """Real search semantics: every term of the query is in the title or the text."""
    haystack = f"{post.title or ''} {post.text}"
    return all(term in haystack for term in query.split())
