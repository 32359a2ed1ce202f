"""First pass over every post: can it be a lead at all?

A lead needs a catalogue item and a Shenzhen place (see steps.decide), and both come from
words: an item word for the classifier, a Shenzhen name for the place resolver. One
Aho-Corasick automaton over just those two vocabularies says, in one scan that stops as soon
as it has seen one of each, whether a post has both. Most of a platform's stream has not, and
skips every later step but the cheapest; that is what keeps the chain near the speed of a bare
scan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import ahocorasick

ITEM_WORD = 1
SHENZHEN_NAME = 2
BOTH = ITEM_WORD | SHENZHEN_NAME


class CandidateScreen:
    def __init__(self, item_words: Iterable[str], shenzhen_names: Iterable[str]) -> None:
        flags: dict[str, int] = defaultdict(int)
        for word in item_words:
            flags[word] |= ITEM_WORD
        for name in shenzhen_names:
            flags[name] |= SHENZHEN_NAME
        self.automaton = ahocorasick.Automaton()
        for word, flag in flags.items():
            self.automaton.add_word(word, flag)
        if flags:
            self.automaton.make_automaton()

    def scan(self, text: str) -> int:
        """ITEM_WORD and SHENZHEN_NAME, as bit flags, for what `text` holds."""
        found = 0
        if not text or self.automaton.kind != ahocorasick.AHOCORASICK:
            return found
        for _, flag in self.automaton.iter(text):
            found |= flag
            if found == BOTH:
                break
        return found
