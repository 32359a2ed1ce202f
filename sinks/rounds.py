"""One planned round's budget and tallies, shared in Redis by `civicwatch run` and its workers.

With CIVICWATCH_SCALE_OUT, requests queued by the crawl that planned a round are downloaded by
whichever process pops them, so the round's request budget must be one counter all of them
spend from, and what each query cost and found must reach the planner that books the round.
`civicwatch run` opens the round (`begin`); every process's budget middleware `take`s from it;
workers tally answers, refusals, leads and follow-up places; the planning process reads it all
(`collect`) when its crawl closes. Only gazetteer names of follow-ups are kept, never post text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis

KEY = "civicwatch:round:{platform}"
TTL_S = 2 * 86400  # a round left open by a killed crawl goes away by itself

# KEYS[1] the round's hash; ARGV[1] the query ('' for none). Returns the round's number when
# the request may go, 0 when the budget is spent (the query marked cut), -1 when no round is open.
_TAKE = """
local round = redis.call('HGET', KEYS[1], 'round')
if not round then return -1 end
local budget = tonumber(redis.call('HGET', KEYS[1], 'budget'))
if tonumber(redis.call('HGET', KEYS[1], 'sent') or '0') >= budget then
  if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'cut:' .. ARGV[1], 1) end
  redis.call('HINCRBY', KEYS[1], 'over', 1)
  return 0
end
redis.call('HINCRBY', KEYS[1], 'sent', 1)
if ARGV[1] ~= '' then redis.call('HINCRBY', KEYS[1], 'requests:' .. ARGV[1], 1) end
return tonumber(round)
"""

TALLIES = ("requests", "answers", "leads", "follow")
FLAGS = ("cut", "refused", "truncated")


@dataclass
class RoundTallies:
    round_no: int | None
    sent: int = 0
    over: int = 0  # requests refused for the spent budget, in every process
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {t: {} for t in TALLIES})
    flags: dict[str, set[str]] = field(default_factory=lambda: {f: set() for f in FLAGS})


class SharedRound:
    def __init__(self, client: redis.Redis, platform: str) -> None:
        self.client = client
        self.platform = platform
        self.key = KEY.format(platform=platform)
        self._take = client.register_script(_TAKE)

    def begin(self, round_no: int, budget: int) -> None:
        pipe = self.client.pipeline()
        pipe.delete(self.key)
        pipe.hset(self.key, mapping={"round": round_no, "budget": budget, "sent": 0})
        pipe.expire(self.key, TTL_S)
        pipe.execute()

    def take(self, query: str | None) -> int | None:
        """The round's number if one request for `query` may go; 0 if the budget is spent;
        None if no round is open (nothing planned: the request goes uncounted)."""
        got = int(self._take(keys=[self.key], args=[query or ""]))
        return None if got < 0 else got

    def tally(self, kind: str, query: str, n: int = 1) -> None:
        self.client.hincrby(self.key, f"{kind}:{query}", n)

    def flag(self, kind: str, queries: set[str]) -> None:
        if queries:
            self.client.hset(self.key, mapping={f"{kind}:{q}": 1 for q in queries})

    def collect(self) -> RoundTallies:
        raw = {k.decode(): v.decode() for k, v in self.client.hgetall(self.key).items()}
        out = RoundTallies(round_no=int(raw["round"]) if "round" in raw else None,
                           sent=int(raw.get("sent", 0)), over=int(raw.get("over", 0)))
        for name, value in raw.items():
            kind, sep, query = name.partition(":")
            if not sep:
                continue
            if kind in out.counts:
                out.counts[kind][query] = int(value)
            elif kind in out.flags:
                out.flags[kind].add(query)
        return out
