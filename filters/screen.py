"""First pass over every post: can it be a lead at all?

A lead needs a catalogue item and a Shenzhen place (see steps.decide), and both come from
words: an item word for the classifier, a Shenzhen name for the place resolver. Two small
Aho-Corasick automata, one per vocabulary, each stop at their first match, so a post costs
at most two scans at C speed and one Python step per vocabulary (names only when an item
word was found). Most of a platform's stream
lacks one or the other and skips every later step but the cheapest; that is what keeps the
chain near the speed of a bare scan.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

ITEM_WORD = 1
SHENZHEN_NAME = 2


def _build(words: Iterable[str]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


def _automaton(words: Iterable[str]) -> ahocorasick.Automaton | None:
    """An automaton for "does the text hold one of `words`": a word holding another (小区井盖
    holds 井盖) is left out, since the shorter one is found wherever the longer one is. Fewer
    first characters make every step of the scan cheaper."""
    words = set(words)
    every = _build(words)
    if every is None:
        return None
    return _build(w for w in words if all(found == w for _, found in every.iter(w)))


class CandidateScreen:
    def __init__(self, item_words: Iterable[str], shenzhen_names: Iterable[str]) -> None:
        self.items = _automaton(item_words)
        self.names = _automaton(shenzhen_names)

    def scan(self, text: str) -> int:
        """ITEM_WORD, then SHENZHEN_NAME, as bit flags, for what `text` holds. Without an item
        word the post is out whatever its place, so names are not looked for: 0."""
        if self.items is None:
            return 0
        for _ in self.items.iter(text):
            break
        else:
            return 0
        if self.names is not None:
            for _ in self.names.iter(text):
                return ITEM_WORD | SHENZHEN_NAME
        return ITEM_WORD
