"""Scrapy downloader middlewares (wired in crawlers/settings.py)."""
