"""civicwatch's ground: models, the lead lifecycle, exceptions, settings, config schemas, signals, the clock.

Nothing in this package imports any other civicwatch package (tests/test_layers.py checks it);
every other package may import it. See docs/architecture.md.
"""
