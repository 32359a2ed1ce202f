"""CLI sub-commands, one module each; see crawlers/cli.py."""
