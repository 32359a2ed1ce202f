"""Duplicate catch-up: a crawl process learns the leads other processes stored while it runs.

In scale-out (crawlers/scaleout.py) any process may parse any page, so the first post of an
incident and its re-wording on another platform are often decided by two processes. Each
process's FilterChain knows the leads it decided itself and those seeded at start
(services.seed_duplicates); before deciding a post, `DuplicateSync.decide` also teaches it the
leads (and the posts joined to them) stored since it last looked: one query on the leads'
`stored_at` index, at most every CIVICWATCH_DEDUP_SYNC_S seconds (0: before every post).

The watermark is the newest `stored_at` seen, read back with an overlap (SYNC_OVERLAP): a lead
another process stamped a moment earlier but wrote a moment later, or stamped by a clock a little
behind, is still found. The post keys already in the index (seeded, caught up, or decided here)
are skipped, so nothing is indexed twice. MongoDB failing during a catch-up does not fail the
post: one warning line, the post is decided with what is known, and the next catch-up (after
RETRY_S at the earliest) starts again from the same watermark.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

import pymongo.errors

from civicwatch.models import Decision, Post
from filters.chain import FilterChain
from sinks.mongo import Store

logger = logging.getLogger(__name__)

SYNC_OVERLAP = timedelta(seconds=30)  # write delay and clock skew between crawl processes
RETRY_S = 5.0  # after a failed catch-up: not one server time-out per post while MongoDB is down


class DuplicateSync:
    def __init__(self, chain: FilterChain, store: Store, *, every_s: float, since: datetime,
                 known: Iterable[str] = (), clock: Callable[[], float] = time.monotonic) -> None:
        self.chain = chain
        self.store = store
        self.every_s = every_s
        self.watermark = since  # stored_at of the newest lead caught up (or when the seed read)
        self.known: set[str] = set(known)  # post keys in the chain's duplicate index
        self.clock = clock
        self._due = 0.0
        self._failing = False
        self.queries = 0  # catch-ups that reached the server (tests, benchmarks)

    def decide(self, post: Post) -> Decision:
        """The chain's decision on `post`, after catching up when due."""
        self.catch_up()
        decision = self.chain.decide(post)
        if decision.is_lead:  # the chain indexed it itself
            self.known.add(post.key)
        return decision

    def catch_up(self, *, force: bool = False) -> int:
        """Teach the chain what other processes stored since the watermark; how many posts."""
        now = self.clock()
        if not force and now < self._due:
            return 0
        self._due = now + self.every_s
        try:
            learnt = self._catch_up()
        except pymongo.errors.PyMongoError as exc:
            self._due = now + max(self.every_s, RETRY_S)
            if not self._failing:
                self._failing = True
                reason = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
                logger.warning("duplicate catch-up failed (MongoDB: %s); deciding with the leads known, "
                               "trying again from %s", reason, self.watermark.isoformat(timespec="seconds"))
            return 0
        if self._failing:
            self._failing = False
            logger.info("duplicate catch-up works again (%d posts learnt)", learnt)
        return learnt

    def _catch_up(self) -> int:
        self.queries += 1
        learnt = 0
        newest = self.watermark
        for row in self.store.leads_stored_since(self.watermark - SYNC_OVERLAP):
            unknown = [k for k in row.keys if k not in self.known]
            if unknown:
                found = self.store.lead_source_posts(row.lead_id, unknown)
                if found is None:
                    continue
                decision, posts = found
                first = row.keys[0]
                for post in posts:
                    # A joined post belongs to the lead's incident: its keys point at the first post.
                    joined = decision if post.key == first else replace(decision, dup_of=first)
                    self.chain.remember(post, joined)
                    self.known.add(post.key)
                    learnt += 1
            newest = max(newest, row.stored_at)
        self.watermark = newest
        return learnt


__all__ = ["RETRY_S", "SYNC_OVERLAP", "DuplicateSync"]
