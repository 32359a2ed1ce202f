"""Scrapy extensions: crawl state (watermarks), source health, metrics."""
