"""MongoDB storage: masked posts, leads, crawl watermarks (pymongo; any MongoDB-wire server).

Collections (database CIVICWATCH_MONGO_DB, default `civicwatch`):
- posts:       _id = platform:post_id; masked title/text, hashed author, search tokens
- leads:       _id = lead:platform:post_id of the incident's first post (civicwatch.models.Lead);
               written only by sinks.leads.LeadService, read here too; `stored_at` (not in the
               model) is when the crawl stored it or last joined a post to it, the watermark of
               the other crawl processes' duplicate catch-up (crawlers/dedupsync.py)
- crawl_state: _id = platform:keyword; the watermark (newest published_at processed)
- lead_counts: the review queue's counting tree (sinks/queue.py), kept by LeadService
Indexes are created by ensure_indexes() at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pymongo
from pymongo.database import Database

from civicwatch.clock import SHANGHAI
from civicwatch.exceptions import LeadNotFound
from civicwatch.models import DECISIONS, Decision, Lead, Post

_TOKEN_RE = re.compile(r"[\u4e00-\u9fff]{2}|[a-z0-9]{2,}")
MAX_TOKENS = 400


def search_tokens(*texts: str | None) -> list[str]:
    """Character bigrams and latin words: SecantusDB has no $text, so search uses an array index."""
    out: set[str] = set()
    for text in texts:
        if not text:
            continue
        low = text.lower()
        out.update(m.group(0) for m in re.finditer(r"[a-z0-9]{2,}", low))
        han = re.findall(r"[\u4e00-\u9fff]+", text)
        for run in han:
            out.update(run[i:i + 2] for i in range(len(run) - 1))
    return sorted(out)[:MAX_TOKENS]


def to_shanghai(value: Any) -> Any:
    """Datetimes come back as UTC; the domain speaks Asia/Shanghai."""
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI)
    if isinstance(value, dict):
        return {k: to_shanghai(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_shanghai(v) for v in value]
    return value


def post_from_doc(doc: dict[str, Any]) -> Post:
    """A stored post as the filter chain sees it (masked text, no author)."""
    doc = to_shanghai(doc)
    return Post(platform=doc["platform"], post_id=doc["post_id"], url=doc["url"], title=doc.get("title"),
                text=doc.get("text") or "", published_at=doc["published_at"], fetched_at=doc.get("fetched_at"),
                ip_region=doc.get("ip_region"), keyword=doc.get("keyword"))


@dataclass(frozen=True)
class StoredSources:
    """What the duplicate catch-up reads of one lead first: when it was last stored and its posts."""

    lead_id: str
    stored_at: datetime
    keys: list[str]


def lead_from_doc(doc: dict[str, Any]) -> Lead:
    return Lead.model_validate(to_shanghai(doc))


def lead_to_doc(lead: Lead) -> dict[str, Any]:
    return lead.model_dump(by_alias=True, mode="python")


class Store:
    """The civicwatch database."""

    def __init__(self, mongo_uri: str | None = None, db_name: str = "civicwatch", *,
                 db: Database | None = None) -> None:
        if db is None:
            from sinks.servers import mongo_client

            client: pymongo.MongoClient = mongo_client(mongo_uri)  # short time-outs
            db = client[db_name]
        self.db = db
        self.posts = db["posts"]
        self.leads = db["leads"]
        self.crawl_state = db["crawl_state"]

    def ensure_indexes(self) -> None:
        self.posts.create_index("tokens")
        self.posts.create_index([("platform", 1), ("published_at", -1)])
        self.leads.create_index([("state", 1), ("deadline", 1)])
        self.leads.create_index("deadline")
        self.leads.create_index("sources.key")
        self.leads.create_index("discovered_at")
        self.leads.create_index("stored_at")  # the duplicate catch-up of scale-out processes
        self.leads.create_index("work_order_id")
        self.leads.create_index("outbox.state")
        # The queue (sinks/queue.py): its rank range and one index per filter.
        self.leads.create_index("queue_rank")
        self.leads.create_index("history.at")  # the console's audit log
        # Which 办结 a new lead recurs after (LeadService._follows_of), and which leads follow a late one.
        self.leads.create_index([("decision.item", 1), ("facts.place", 1), ("facts.resolved_at", 1)])
        self.leads.create_index([("decision.item", 1), ("discovered_at", -1)])
        for path in ("decision.category", "decision.district", "sources.platform"):
            self.leads.create_index([("state", 1), (path, 1)])
        self.db["review_examples"].create_index("at")  # sinks/examples.py: the last days' reviews

    def ping(self) -> None:
        """Raises when the server does not answer (the console's health check)."""
        self.db.command("ping")

    # --- posts -------------------------------------------------------------------------

    def save_post(self, post: Post, *, text_masked: str, title_masked: str | None,
                  author_hash: str) -> None:
        self.posts.update_one({"_id": post.key}, {"$set": {
            "platform": post.platform, "post_id": post.post_id, "url": post.url,
            "author_hash": author_hash, "title": title_masked, "text": text_masked,
            "published_at": post.published_at, "fetched_at": post.fetched_at,
            "keyword": post.keyword, "ip_region": post.ip_region,
            "tokens": search_tokens(title_masked, text_masked),
        }}, upsert=True)

    def posts_by_key(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Stored (masked) posts by `platform:post_id`, datetimes in Asia/Shanghai."""
        if not keys:
            return {}
        return {d["_id"]: to_shanghai(d) for d in self.posts.find({"_id": {"$in": keys}}, {"tokens": 0})}

    # --- reading leads (sinks.leads.LeadService writes them) ----------------------------

    def lead(self, lead_id: str) -> Lead:
        doc = self.leads.find_one({"_id": lead_id})
        if doc is None:
            raise LeadNotFound(lead_id)
        return lead_from_doc(doc)

    def count_leads(self, *, state: str | None = None, platform: str | None = None,
                    since: datetime | None = None) -> int:
        query: dict[str, Any] = {}
        if state:
            query["state"] = state
        if platform:
            query["sources.platform"] = platform
        if since:
            query["discovered_at"] = {"$gte": since}
        return self.leads.count_documents(query)

    def recent_lead_posts(self, since: datetime) -> Iterator[tuple[Post, Decision]]:
        """Each recent lead's first post (masked, as stored) with the lead's decision."""
        for doc in self.leads.find({"discovered_at": {"$gte": since}}, {"decision": 1, "sources": 1}):
            if not doc.get("sources"):
                continue
            post_doc = self.posts.find_one({"_id": doc["sources"][0]["key"]})
            if post_doc is None:
                continue
            yield post_from_doc(post_doc), DECISIONS.validate_python(doc["decision"])

    def leads_stored_since(self, since: datetime) -> list[StoredSources]:
        """Leads the crawl stored, or joined a post to, at or after `since`: their ids, stored_at
        and source keys only (one query on the stored_at index; most catch-ups find nothing new)."""
        docs = self.leads.find({"stored_at": {"$gte": since}}, {"stored_at": 1, "sources.key": 1})
        return [StoredSources(lead_id=d["_id"], stored_at=d["stored_at"].astimezone(SHANGHAI),
                              keys=[s["key"] for s in d.get("sources", [])]) for d in docs]

    def lead_source_posts(self, lead_id: str, keys: list[str]) -> tuple[Decision, list[Post]] | None:
        """A lead's decision and those of its sources' posts (masked, as stored) named by `keys`,
        in the lead's source order; None when the lead is gone."""
        doc = self.leads.find_one({"_id": lead_id}, {"decision": 1})
        if doc is None:
            return None
        found = {d["_id"]: post_from_doc(d) for d in self.posts.find({"_id": {"$in": keys}}, {"tokens": 0})}
        return DECISIONS.validate_python(doc["decision"]), [found[k] for k in keys if k in found]

    # --- crawl state -------------------------------------------------------------------

    def get_watermarks(self, platform: str) -> dict[str, datetime]:
        return {d["keyword"]: d["watermark"].astimezone(SHANGHAI)
                for d in self.crawl_state.find({"platform": platform})}

    def list_watermarks(self, platform: str | None = None) -> list[dict[str, Any]]:
        """Every watermark (platform, keyword, watermark in Shanghai time), by platform and keyword."""
        rows = [{"platform": d["platform"], "keyword": d["keyword"],
                 "watermark": d["watermark"].astimezone(SHANGHAI) if d.get("watermark") else None}
                for d in self.crawl_state.find({"platform": platform} if platform else {})]
        return sorted(rows, key=lambda r: (r["platform"], r["keyword"]))

    def reset_watermarks(self, platform: str, keyword: str | None = None) -> int:
        """Forget a platform's watermarks (or one keyword's): the next round reads back as far as
        its --since again. Returns how many were forgotten."""
        query: dict[str, Any] = {"platform": platform}
        if keyword is not None:
            query["keyword"] = keyword
        return int(self.crawl_state.delete_many(query).deleted_count)

    def advance_watermark(self, platform: str, keyword: str, published_at: datetime) -> None:
        """Move the watermark forward only; an older value never replaces a newer one."""
        key = f"{platform}:{keyword}"
        self.crawl_state.update_one(
            {"_id": key}, {"$setOnInsert": {"platform": platform, "keyword": keyword}}, upsert=True)
        self.crawl_state.update_one(
            {"_id": key, "$or": [{"watermark": {"$exists": False}}, {"watermark": {"$lt": published_at}}]},
            {"$set": {"watermark": published_at}})
