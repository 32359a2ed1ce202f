"""civicwatch's own Scrapy signals (sent with crawler.signals.send_catch_log)."""

# A spider classified a response: platform, outcome (docs/platforms.md, "Outcomes, health and backoff"), url, evidence.
source_outcome = object()
