"""First pass over every post: can it be a lead at all?

A lead needs a catalogue item and a Shenzhen place (see steps.decide), and both come from
words: an item word for the classifier, a Shenzhen name for the place resolver. Two small
Aho-Corasick automata, one per vocabulary, each stop at their first match, so a post costs
at most two scans at C speed and one Python step per vocabulary. Most of a platform's stream
lacks one or the other and skips every later step but the cheapest; that is what keeps the
chain near the speed of a bare scan.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

ITEM_WORD = 1
SHENZHEN_NAME = 2


def _automaton(words: Iterable[str]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


class CandidateScreen:
    def __init__(self, item_words: Iterable[str], shenzhen_names: Iterable[str]) -> None:
        self.vocabularies = [(flag, a) for flag, a in ((ITEM_WORD, _automaton(item_words)),
                                                       (SHENZHEN_NAME, _automaton(shenzhen_names))) if a]

    def scan(self, text: str) -> int:
        """ITEM_WORD and SHENZHEN_NAME, as bit flags, for what `text` holds."""
        found = 0
        for flag, automaton in self.vocabularies:
            for _ in automaton.iter(text):
                found |= flag
                break
        return found
