"""Keyword rules operations staff write in config/rules.yaml.

Syntax (half- or full-width): terms, "quoted terms", @group, parentheses, AND, OR, NOT,
`a NEAR/n b` (both within n characters), and field scope `title:`, `text:`, `author:`,
`ip_region:` (default: title and text). Every term of every rule and group goes into ONE
Aho-Corasick automaton; a post is scanned once per field and rules are evaluated on the hits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import ahocorasick
from pydantic import BaseModel, ConfigDict, Field

from civicwatch.config.loader import read_yaml, validate
from civicwatch.exceptions import RuleSyntaxError
from civicwatch.models import Post
from filters.normalise import Normalised, clean

FIELDS = ("title", "text", "author", "ip_region")
DEFAULT_FIELDS = ("title", "text")


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: Literal["include", "exclude", "tag"] = "tag"
    expr: str
    description: str | None = None


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    groups: dict[str, list[str]] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)


# --- syntax tree -----------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    word: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class And:
    nodes: tuple[object, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[object, ...]


@dataclass(frozen=True)
class Near:
    left: Term
    right: Term
    distance: int


_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|(NEAR/\d+)|([A-Za-z_]+:)|([^\s()"]+))')


class _Parser:
    def __init__(self, text: str, rule: str, groups: set[str]) -> None:
        self.src = unicodedata.normalize("NFKC", text)  # full-width （ＡＮＤ） → (AND)
        self.rule = rule
        self.groups = groups
        self.pos = 0
        self.tokens: list[tuple[str, str, int]] = []
        i = 0
        while i < len(self.src):
            m = _TOKEN.match(self.src, i)
            if not m or m.end() == i:
                if self.src[i:].strip() == "":
                    break
                self._fail("unexpected character", i, "a term")
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            if m.group(1):
                self.tokens.append(("(", "(", start))
            elif m.group(2):
                self.tokens.append((")", ")", start))
            elif m.group(3) is not None:
                self.tokens.append(("term", m.group(3), start))
            elif m.group(4):
                self.tokens.append(("near", m.group(4), start))
            elif m.group(5):
                self.tokens.append(("field", m.group(5)[:-1], start))
            else:
                word = m.group(6)
                kind = word if word in ("AND", "OR", "NOT") else "term"
                self.tokens.append((kind, word, start))
            i = m.end()
        self.i = 0

    def _fail(self, message: str, position: int, expected: str) -> None:
        raise RuleSyntaxError(message, rule=self.rule, position=position, expected=expected)

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _take(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> object:
        if not self.tokens:
            self._fail("empty rule", 0, "a term")
        node = self._or()
        if (tok := self._peek()) is not None:
            self._fail(f"unexpected {tok[1]!r}", tok[2], "AND, OR or the end")
        return node

    def _or(self) -> object:
        nodes = [self._and()]
        while (tok := self._peek()) and tok[0] == "OR":
            self._take()
            nodes.append(self._and())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def _and(self) -> object:
        nodes = [self._not()]
        while (tok := self._peek()) and tok[0] in ("AND", "NOT", "term", "(", "field"):
            if tok[0] == "AND":
                self._take()
            nodes.append(self._not())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def _not(self) -> object:
        if (tok := self._peek()) and tok[0] == "NOT":
            self._take()
            return Not(self._not())
        return self._near()

    def _near(self) -> object:
        left = self._atom()
        while (tok := self._peek()) and tok[0] == "near":
            self._take()
            right = self._atom()
            if not isinstance(left, Term) or not isinstance(right, Term):
                self._fail("NEAR joins two plain terms", tok[2], "a term on both sides of NEAR")
            left = Near(left, right, int(tok[1].split("/")[1]))  # type: ignore[arg-type]
        return left

    def _atom(self, fields: tuple[str, ...] = DEFAULT_FIELDS) -> object:
        tok = self._peek()
        end = len(self.src)
        if tok is None:
            self._fail("rule ends too early", end, "a term, @group or '('")
        assert tok is not None
        kind, value, pos = self._take()
        if kind == "field":
            if value not in FIELDS:
                self._fail(f"unknown field {value!r}", pos, " / ".join(FIELDS))
            return self._atom((value,))
        if kind == "(":
            node = self._or()
            close = self._peek()
            if close is None or close[0] != ")":
                self._fail("unclosed parenthesis", close[2] if close else end, "')'")
            self._take()
            return node
        if kind == "term":
            if value.startswith("@"):
                if value[1:] not in self.groups:
                    self._fail(f"unknown group {value!r}", pos, "a group defined under groups:")
                return Group(value[1:], fields)
            return Term(clean(value), fields)
        self._fail(f"unexpected {value!r}", pos, "a term, @group or '('")
        raise AssertionError


def parse_rule(expr: str, *, rule: str = "<rule>", groups: set[str] | None = None) -> object:
    return _Parser(expr, rule, groups or set()).parse()


# --- evaluation --------------------------------------------------------------------------

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
    def __init__(self, spec: RulesFile, *, path: str | None = None) -> None:
        self.groups = {name: [clean(w) for w in words] for name, words in spec.groups.items()}
        self.rules: list[tuple[RuleSpec, object]] = []
        names = set(spec.groups)
        for rule in spec.rules:
            try:
                self.rules.append((rule, parse_rule(rule.expr, rule=rule.name, groups=names)))
            except RuleSyntaxError as exc:  # the parser knows the rule; we know the file
                raise RuleSyntaxError(exc.message, rule=exc.rule, position=exc.position,
                                      expected=exc.expected, path=path) from None
        self.automaton = ahocorasick.Automaton()
        for word in set().union(*(_terms(node, self.groups) for _, node in self.rules)) if self.rules else ():
            if word:
                self.automaton.add_word(word, word)
        if len(self.automaton):
            self.automaton.make_automaton()
        self._kinds = {r.name: r.kind for r, _ in self.rules}
        # Most posts hit few words: skip rules none of whose necessary words hit.
        self._needs = [_positive_terms(node, self.groups) for _, node in self.rules]
        # Only the fields some rule reads are cleaned and scanned.
        self.fields = set().union(*(_fields(node) for _, node in self.rules)) if self.rules else set()

    @classmethod
    def from_file(cls, path: Path) -> RuleSet:
        data, node = read_yaml(path)
        return cls(validate(RulesFile, data, path=path, node=node), path=str(path))

    def kinds(self, names: list[str]) -> set[str]:
        return {self._kinds[n] for n in names if n in self._kinds}

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
