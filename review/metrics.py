"""Prometheus metrics of the console (served by `civicwatch review --metrics-port N`).

Only counts: no user names or addresses as labels (personal data, unbounded label sets).
"""

from __future__ import annotations

from prometheus_client import Counter

LOGIN_FAILURES = Counter("civicwatch_console_login_failures_total",
                         "Console log-ins refused: wrong name or password, or throttled", ["reason"])
