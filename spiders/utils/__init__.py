"""Pure helpers for spiders: time formats, HTML to text."""
