"""civicwatch's own Scrapy signals (sent with crawler.signals.send_catch_log)."""

# A spider classified a response: platform, outcome (platforms.md §2.3), url, evidence.
source_outcome = object()
