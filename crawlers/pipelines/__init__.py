"""Scrapy item pipelines: thin adapters over filters/ and sinks/ (wired in crawlers/settings.py)."""
