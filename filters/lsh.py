"""MinHash LSH for near copies: signatures of character 3-grams and an index of their bands.

datasketch chooses the bands: `MinHashLSH(threshold, num_perm)` works out how many bands of
how many rows give the best trade-off at the threshold (14 × 4 for 0.5 and 64). The index
here keeps one dict per band, keyed by the band's bytes, as datasketch's does. It is ours
because dedup needs only the earliest incident among the near copies: keeping that one value
per bucket makes a query one lookup per band however many copies came before, where
datasketch answers every key (and its byte-swapping and storage layers alone cost a tenth of
the chain's time, benchmarks/filters.py). tests/filters/test_filters_lsh.py checks the two
agree.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import numpy as np
from datasketch import MinHashLSH

NUM_PERM = 64
THRESHOLD = 0.5
MIN_CHARS = 8  # shorter texts have too few 3-grams to compare
V = TypeVar("V", bound=tuple[Any, ...])  # ordered values (tuples compare item by item)

# Multiply-shift hashing, one (odd a, b) pair per permutation: h(x) = (a·x + b mod 2^64) >> 32.
_RNG = np.random.RandomState(7)
_A = _RNG.randint(0, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RNG.randint(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_PACK = np.array([1 << 42, 1 << 21, 1], dtype=np.uint64)  # 3 code points (21 bits each) → 1 number
_SHIFT32 = np.uint64(32)


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (NUM_PERM uint32 values) of `text`'s character 3-grams, or None
    for a text shorter than MIN_CHARS."""
    if len(text) < MIN_CHARS:
        return None
    # Each 3-gram packed into one 63-bit number (a sliding dot product) and hashed by every
    # permutation at once: a few numpy calls instead of a Python loop per gram.
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    hashed = np.multiply.outer(np.correlate(points, _PACK, mode="valid"), _A)
    hashed += _B
    # The shift is monotone, so it can follow the minimum (on 64 values, not all of them).
    return (np.minimum.reduce(hashed, axis=0) >> _SHIFT32).astype(np.uint32)


class BandIndex(Generic[V]):
    """Signatures cut into bands; each band's buckets keep the least value inserted into them.

    `query` answers the least value among the buckets a signature falls into, which is the
    least value of the keys datasketch's MinHashLSH.query would answer (dedup wants only
    the earliest incident): one lookup per band, whatever the number of copies already in.
    """

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> None:
        bands = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.bands, self.rows = bands.b, bands.r
        width = np.dtype(np.uint32).itemsize
        self._slices = [slice(start * width, end * width) for start, end in bands.hashranges]
        self._tables: list[dict[bytes, V]] = [{} for _ in self._slices]

    def keys(self, sig: np.ndarray) -> list[bytes]:
        """The signature's band keys, one per band (a lead's are looked up, then inserted)."""
        raw = sig.tobytes()
        return [raw[part] for part in self._slices]

    def insert(self, keys: list[bytes], value: V) -> None:
        for table, band in zip(self._tables, keys, strict=True):
            least = table.setdefault(band, value)
            if least is not value and value < least:
                table[band] = value

    def query(self, keys: list[bytes]) -> V | None:
        found = [v for table, band in zip(self._tables, keys, strict=True)
                 if (v := table.get(band)) is not None]
        return min(found) if found else None
