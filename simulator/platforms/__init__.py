"""One module per platform: its paths and response shapes (reference/platforms.md §3)."""
