"""Catalogue classification and lead scoring from config/classifier.yaml's vocabulary.

One Aho-Corasick automaton over every item word plus the danger, complaint and noise words.
The item is the best-scoring one (longer words weigh more); the lead score adds complaint
cues and subtracts noise (ads, jokes, guides, praise).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import ahocorasick

from civicwatch.config import ClassifierConfig


def item_words(vocabulary: ClassifierConfig) -> frozenset[str]:
    """Every word that names some item, as matched (without its `+`/`~` mark)."""
    return frozenset(str(t).lstrip("+~") for terms in vocabulary.items.values() for t in terms)


def term_weight(term: str) -> float:
    """Longer words say more; `+word` marks an item's defining word, `~word` a generic one."""
    if term.startswith("~"):
        return 0.5
    bonus = 1.0 if term.startswith("+") else 0.0
    word = term.lstrip("+")
    return 1.0 + bonus + 0.25 * max(0, len(word) - 2)


@dataclass(slots=True)
class Classification:
    item: str | None
    item_score: float
    runner_up: float
    complaint: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)
    danger: list[str] = field(default_factory=list)
    item_terms: list[str] = field(default_factory=list)


class Classifier:
    """Built from a validated vocabulary (its item codes are the catalogue's: load_config checks)."""

    def __init__(self, vocabulary: ClassifierConfig) -> None:
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.weights: dict[tuple[str, str], float] = {}
        for code, terms in vocabulary.items.items():
            for t in terms:
                word = str(t).lstrip("+~")
                groups[word].append(("item", code))
                self.weights[(word, code)] = max(self.weights.get((word, code), 0.0), term_weight(str(t)))
        for kind in ("danger", "complaint", "noise"):
            for t in getattr(vocabulary, kind):
                groups[str(t)].append((kind, ""))
        self.item_words = item_words(vocabulary)
        self.automaton = ahocorasick.Automaton()
        for term, tags in groups.items():
            # (word, its items with their weights, its other kinds), ready for classify's loop
            items = tuple((code, self.weights[(term, code)]) for kind, code in tags if kind == "item")
            self.automaton.add_word(term, (term, items, tuple(kind for kind, _ in tags if kind != "item")))
        self.automaton.make_automaton()

    def classify(self, text: str) -> Classification:
        # Each word once, in order of first appearance.
        found = {hit[0]: hit for _, hit in self.automaton.iter(text)}
        scores: dict[str, float] = {}
        item_terms: dict[str, list[str]] = {}
        hits: dict[str, list[str]] = {"complaint": [], "noise": [], "danger": []}
        for term, items, kinds in found.values():
            for code, weight in items:
                scores[code] = scores.get(code, 0.0) + weight
                item_terms.setdefault(code, []).append(term)
            for kind in kinds:
                hits[kind].append(term)
        best, top, runner_up = None, 0.0, 0.0
        if scores:
            best = max(scores, key=scores.__getitem__)  # the first of equals, as a stable sort has it
            top = scores.pop(best)
            runner_up = max(scores.values(), default=0.0)
        return Classification(item=best, item_score=top, runner_up=runner_up,
                              complaint=hits["complaint"], noise=hits["noise"], danger=hits["danger"],
                              item_terms=item_terms[best] if best else [])
