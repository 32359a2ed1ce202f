"""One module per platform: its paths and response shapes (docs/platforms.md)."""
