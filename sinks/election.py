"""One holder per deployment of a Redis lease (a key with a TTL that only its holder renews).

The dispatch link (outbox relay and status applier) runs in every console process; the lease
elects the one that does the work, so two consoles do not relay or apply twice. A holder that
dies stops renewing and another takes over after at most `ttl_s`.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid

import redis

# KEYS[1] lease; ARGV: holder, ttl ms. 1 when the caller holds the lease afterwards.
_ACQUIRE_OR_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Lease:
    """`holds()` says whether this process holds the lease now, renewing it on the way."""

    def __init__(self, client: redis.Redis, key: str, *, ttl_s: float = 15.0, holder: str | None = None) -> None:
        self.client = client
        self.key = key
        self.ttl_ms = int(ttl_s * 1000)
        self.holder = holder or f"{uuid.uuid4().hex[:12]}"
        self._acquire = client.register_script(_ACQUIRE_OR_RENEW)
        self._release = client.register_script(_RELEASE)
        self._lock = threading.Lock()
        self._valid_until = 0.0  # monotonic; a third of the TTL after the last renewal
        self.unreachable: redis.RedisError | None = None  # why the last renewal could not ask Redis

    def holds(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._valid_until:
                return True
            try:
                held = bool(self._acquire(keys=[self.key], args=[self.holder, self.ttl_ms]))
                self.unreachable = None
            except redis.RedisError as exc:
                held = False  # cannot tell: do no work rather than double it
                self.unreachable = exc
            # Renew well before expiry: a pause longer than two thirds of the TTL loses the lease.
            self._valid_until = now + self.ttl_ms / 3000 if held else 0.0
            return held

    def release(self) -> None:
        with self._lock:
            self._valid_until = 0.0
            with contextlib.suppress(redis.RedisError):  # else it expires by itself
                self._release(keys=[self.key], args=[self.holder])

    def current_holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value
