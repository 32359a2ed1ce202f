"""config/rules.yaml: named word groups and keyword rules, and the rule expression syntax.

Syntax (half- or full-width): terms, "quoted terms", @group, parentheses, AND, OR, NOT,
`a NEAR/n b` (both within n characters), and field scope `title:`, `text:`, `author:`,
`ip_region:` (default: title and text). Every expression is parsed when the file is loaded, so
a syntax error stops start-up with the file, the line, the rule and the position;
filters/rules.py matches posts against the parsed rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from civicwatch.config.loader import line_of, read_yaml, reject_duplicates, validate
from civicwatch.exceptions import RuleSyntaxError

FIELDS = ("title", "text", "author", "ip_region")
DEFAULT_FIELDS = ("title", "text")


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: Literal["include", "exclude", "tag"] = Field(
        "tag", description="exclude vetoes a lead, include adds to its score, tag only records the hit")
    expr: str
    description: str | None = None


class RulesConfig(BaseModel):
    """The whole of config/rules.yaml."""

    model_config = ConfigDict(extra="forbid")
    groups: dict[str, list[str]] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_unique(self) -> RulesConfig:
        # A hit is reported by name: two rules of one name could not be told apart.
        reject_duplicates("rule name", ((r.name, ("rules", i, "name")) for i, r in enumerate(self.rules)))
        return self


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


# Parentheses, NOT and field scopes nest; deeper than this is a mistake (and would exhaust
# Python's recursion limit in this recursive-descent parser).
MAX_NESTING = 32

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|(NEAR/\d+)|([A-Za-z_]+:)|([^\s()"]+))')


class _Parser:
    def __init__(self, text: str, rule: str, groups: set[str], clean: Callable[[str], str]) -> None:
        self.src = unicodedata.normalize("NFKC", text)  # full-width （ＡＮＤ） → (AND)
        self.rule = rule
        self.groups = groups
        self.clean = clean
        self.pos = 0
        self.depth = 0
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

    def _nest(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            self._fail(f"nested deeper than {MAX_NESTING} levels", position,
                       "fewer parentheses, NOT or field scopes")

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
            self._nest(tok[2])
            node = Not(self._not())
            self.depth -= 1
            return node
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
            self._nest(pos)
            node = self._atom((value,))
            self.depth -= 1
            return node
        if kind == "(":
            self._nest(pos)
            node = self._or()
            close = self._peek()
            if close is None or close[0] != ")":
                self._fail("unclosed parenthesis", close[2] if close else end, "')'")
            self._take()
            self.depth -= 1
            return node
        if kind == "term":
            if value.startswith("@"):
                if value[1:] not in self.groups:
                    self._fail(f"unknown group {value!r}", pos, "a group defined under groups:")
                return Group(value[1:], fields)
            return Term(self.clean(value), fields)
        self._fail(f"unexpected {value!r}", pos, "a term, @group or '('")
        raise AssertionError


def parse_rule(expr: str, *, rule: str = "<rule>", groups: set[str] | None = None,
               clean: Callable[[str], str] = str) -> object:
    """The syntax tree of `expr`; `clean` puts each term in the form the matcher sees (the filter
    chain's normalisation; at load time the terms are only checked, so left as written)."""
    return _Parser(expr, rule, groups or set(), clean).parse()


def load_rules(path: Path) -> RulesConfig:
    """Validate config/rules.yaml and parse every expression; a syntax error names its line."""
    data, node = read_yaml(path)
    spec = validate(RulesConfig, data, path=path, node=node)
    groups = set(spec.groups)
    for i, rule in enumerate(spec.rules):
        try:
            parse_rule(rule.expr, rule=rule.name, groups=groups)
        except RuleSyntaxError as exc:  # the parser knows the rule; we know the file and line
            raise RuleSyntaxError(exc.message, rule=exc.rule, position=exc.position, expected=exc.expected,
                                  path=str(path), line=line_of(node, ("rules", i, "expr"))) from None
    return spec
