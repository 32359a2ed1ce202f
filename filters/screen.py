"""First pass over every post: one scan for every word the later steps look for.

A lead needs a catalogue item and a Shenzhen place (see steps.decide), and both come from
words: an item word for the classifier, a Shenzhen name for the place resolver. One
Aho-Corasick automaton holds both vocabularies, each word carrying the classifier's and the
resolver's own payloads. Its scan tells whether a post has at least one of each; most of a
platform's stream has not, and skips every later step. For the rest, the classifier and the
resolver read the same matches instead of scanning again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from filters.classify import Classification, Classifier
from filters.places import PlaceResolver, PlaceResult

ITEM_WORD = 1
SHENZHEN_NAME = 2
BOTH = ITEM_WORD | SHENZHEN_NAME


@dataclass
class Scan:
    found: int = 0                                          # ITEM_WORD | SHENZHEN_NAME bits
    hits: list[tuple[int, Any]] = field(default_factory=list)  # (end, payload) as matched


class CandidateScreen:
    def __init__(self, classifier: Classifier, places: PlaceResolver) -> None:
        self.classifier = classifier
        self.places = places
        self.automaton = ahocorasick.Automaton()
        for word in set(classifier.payloads) | set(places.payloads):
            flags = (ITEM_WORD if word in classifier.item_words else 0) | \
                    (SHENZHEN_NAME if word in places.shenzhen_names else 0)
            self.automaton.add_word(word, (flags, classifier.payloads.get(word), places.payloads.get(word)))
        if len(self.automaton):
            self.automaton.make_automaton()

    def scan(self, text: str) -> Scan:
        out = Scan()
        if not text or self.automaton.kind != ahocorasick.AHOCORASICK:
            return out
        hits = out.hits = list(self.automaton.iter(text))
        found = 0
        for _, (flags, _, _) in hits:
            found |= flags
        out.found = found
        return out

    def classify(self, scan: Scan) -> Classification:
        return self.classifier.tally(c for _, (_, c, _) in scan.hits if c is not None)

    def locate(self, scan: Scan, text: str, ip_region: str | None) -> PlaceResult:
        return self.places.resolve_found(((end, p) for end, (_, _, p) in scan.hits if p is not None),
                                         text, ip_region)
