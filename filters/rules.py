"""Matching posts against the keyword rules of config/rules.yaml (syntax: civicwatch/config/rules.py).

Every term of every rule and group goes into ONE Aho-Corasick automaton; a post is scanned
once per field and rules are evaluated on the hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ahocorasick

from civicwatch.config.rules import And, Group, Near, Not, Or, RulesConfig, RuleSpec, Term, parse_rule
from civicwatch.models import Post
from filters.normalise import Normalised, clean


@dataclass
class RuleHit:
    name: str
    kind: str
    where: list[tuple[str, str, int]] = field(default_factory=list)  # (field, term, position)


Hits = dict[tuple[str, str], list[int]]  # (field, term) → start positions


def _positive_terms(node: object, groups: dict[str, list[str]]) -> set[str] | None:
    """Terms of which at least one must hit for the rule to be true; None when NOT can make it true."""
    if isinstance(node, Not):
        return None
    if isinstance(node, (And, Or)):
        parts = [_positive_terms(n, groups) for n in node.nodes]
        if isinstance(node, Or):
            return None if any(p is None for p in parts) else set().union(*parts)  # type: ignore[arg-type]
        known = [p for p in parts if p is not None]
        return min(known, key=len) if known else None
    return _terms(node, groups)


def _terms(node: object, groups: dict[str, list[str]]) -> set[str]:
    if isinstance(node, Term):
        return {node.word}
    if isinstance(node, Group):
        return set(groups[node.name])
    if isinstance(node, Not):
        return _terms(node.node, groups)
    if isinstance(node, Near):
        return {node.left.word, node.right.word}
    return set().union(*(_terms(n, groups) for n in node.nodes))  # type: ignore[attr-defined]


def _fields(node: object) -> set[str]:
    if isinstance(node, (Term, Group)):
        return set(node.fields)
    if isinstance(node, Not):
        return _fields(node.node)
    if isinstance(node, Near):
        return set(node.left.fields)
    return set().union(*(_fields(n) for n in node.nodes))  # type: ignore[attr-defined]


class RuleSet:
    """The rules of one RulesConfig, with their terms in the chain's matching form."""

    def __init__(self, spec: RulesConfig) -> None:
        self.groups = {name: [clean(w) for w in words] for name, words in spec.groups.items()}
        names = set(spec.groups)
        self.rules: list[tuple[RuleSpec, object]] = [
            (rule, parse_rule(rule.expr, rule=rule.name, groups=names, clean=clean)) for rule in spec.rules]
        self.automaton = ahocorasick.Automaton()
        for word in set().union(*(_terms(node, self.groups) for _, node in self.rules)) if self.rules else ():
            if word:
                self.automaton.add_word(word, word)
        if len(self.automaton):
            self.automaton.make_automaton()
        # Most posts hit few words: skip rules none of whose necessary words hit.
        self._needs = [_positive_terms(node, self.groups) for _, node in self.rules]
        # Only the fields some rule reads are cleaned and scanned.
        self.fields = set().union(*(_fields(node) for _, node in self.rules)) if self.rules else set()

    def _scan(self, texts: dict[str, str]) -> Hits:
        hits: Hits = {}
        if not len(self.automaton):
            return hits
        for fld, text in texts.items():
            for end, word in self.automaton.iter(text):
                hits.setdefault((fld, word), []).append(end - len(word) + 1)
        return hits

    def _eval(self, node: object, hits: Hits, where: list[tuple[str, str, int]]) -> bool:
        if isinstance(node, Term):
            found = [(f, node.word, p) for f in node.fields for p in hits.get((f, node.word), [])]
            where.extend(found[:3])
            return bool(found)
        if isinstance(node, Group):
            found = [(f, w, p) for w in self.groups[node.name] for f in node.fields for p in hits.get((f, w), [])]
            where.extend(found[:3])
            return bool(found)
        if isinstance(node, Not):
            return not self._eval(node.node, hits, [])
        if isinstance(node, And):
            return all(self._eval(n, hits, where) for n in node.nodes)
        if isinstance(node, Or):
            return any([self._eval(n, hits, where) for n in node.nodes])
        if isinstance(node, Near):
            for f in node.left.fields:
                for a in hits.get((f, node.left.word), []):
                    for b in hits.get((f, node.right.word), []):
                        if abs(a - b) <= node.distance:
                            where.extend([(f, node.left.word, a), (f, node.right.word, b)])
                            return True
            return False
        raise TypeError(node)

    @staticmethod
    def _field(name: str, post: Post, norm: Normalised | None) -> str:
        """One field of the post as rules read it (cleaned like the chain's own text)."""
        if name == "title":
            return norm.title if norm else clean(post.title or "")
        if name == "text":
            if norm is None:
                return clean(post.text)
            return " ".join(p for p in (norm.own, norm.reposted) if p)
        if name == "author":
            return clean(post.author or "")
        return post.ip_region or ""

    def evaluate(self, post: Post, norm: Normalised | None = None) -> list[RuleHit]:
        hits = self._scan({f: self._field(f, post, norm) for f in self.fields})
        words = {w for _, w in hits}
        out = []
        for (rule, node), needs in zip(self.rules, self._needs, strict=True):
            if needs is not None and not needs & words:
                continue
            where: list[tuple[str, str, int]] = []
            if self._eval(node, hits, where):
                out.append(RuleHit(rule.name, rule.kind, where))
        return out
