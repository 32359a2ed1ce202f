"""Mask: every field of a lead that is stored or dispatched, in one place (filters/pii.py),
private persons' names included (filters/persons.py, the gazetteer's names never taken for one).

Other posts are dropped without keeping their text, so they are not masked.
"""

from __future__ import annotations

from civicwatch.config import Config
from filters.context import PostContext
from filters.persons import PersonNames
from filters.pii import hash_author, mask_pii
from filters.places import shenzhen_names
from filters.steps import Step


class MaskStep(Step):
    name = "mask"

    def __init__(self, author_key: bytes, persons: PersonNames | None = None) -> None:
        self.author_key = author_key
        self.persons = persons

    @classmethod
    def from_config(cls, config: Config) -> MaskStep:
        return cls(config.author_key, PersonNames(shenzhen_names(config.gazetteer)))

    def process(self, ctx: PostContext) -> None:
        if ctx.is_lead:
            post = ctx.post
            ctx.text_masked = mask_pii(post.text, self.persons)
            ctx.title_masked = mask_pii(post.title, self.persons) if post.title else None
            ctx.author_hash = hash_author(post.author, self.author_key)
