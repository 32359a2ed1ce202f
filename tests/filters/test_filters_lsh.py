"""MinHash LSH: our band index agrees with datasketch's MinHashLSH, and signatures estimate
the Jaccard similarity of character 3-grams."""

from __future__ import annotations

import random

import numpy as np
from datasketch import MinHash, MinHashLSH

from filters.lsh import NUM_PERM, THRESHOLD, BandIndex, signature

_WORDS = ["小区", "门口", "井盖", "不见了", "晚上", "很黑", "施工", "噪音", "凌晨", "还在", "打桩", "物业",
          "不管", "投诉", "好几次", "路灯", "坏了", "西乡", "固戍", "宝安", "积水", "严重", "老人", "摔倒"]


def _texts(n: int, seed: int) -> list[str]:
    """Posts built from a few shared stories, cut and padded differently: many near copies."""
    rng = random.Random(seed)
    stories = ["".join(rng.choices(_WORDS, k=12)) for _ in range(8)]
    out = []
    for _ in range(n):
        story = rng.choice(stories)
        cut = rng.randint(len(story) // 2, len(story))
        out.append("".join(rng.choices(_WORDS, k=rng.randint(0, 3))) + story[:cut])
    return out


def _grams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


def test_the_band_index_answers_the_least_of_what_datasketch_answers() -> None:
    ours: BandIndex[tuple[int, str]] = BandIndex()
    theirs = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    assert (ours.bands, ours.rows) == (theirs.b, theirs.r)
    rng = random.Random(3)
    texts = _texts(300, seed=1)
    value = {}
    for i, text in enumerate(texts[:200]):
        sig = signature(text)
        assert sig is not None
        value[f"k{i}"] = (rng.randint(0, 50), f"k{i}")  # a time, then the key: ties on time occur
        ours.insert(ours.keys(sig), value[f"k{i}"])
        theirs.insert(f"k{i}", MinHash(num_perm=NUM_PERM, hashvalues=sig, scheme="affine32"))
    answered = 0
    for text in texts[200:]:
        sig = signature(text)
        assert sig is not None
        keys = theirs.query(MinHash(num_perm=NUM_PERM, hashvalues=sig, scheme="affine32"))
        assert ours.query(ours.keys(sig)) == (min(value[k] for k in keys) if keys else None)
        answered += bool(keys)
    assert answered > 50  # the corpus has near copies, so the comparison is not of empty answers


def test_signatures_estimate_the_jaccard_similarity_of_3_grams() -> None:
    texts = _texts(60, seed=2)
    errors = []
    for a, b in zip(texts, texts[1:], strict=False):
        sa, sb = signature(a), signature(b)
        assert sa is not None and sb is not None
        true = len(_grams(a) & _grams(b)) / len(_grams(a) | _grams(b))
        errors.append(abs(float(np.mean(sa == sb)) - true))
    assert np.mean(errors) < 0.08 and max(errors) < 0.3  # 64 permutations: standard error ≤ 0.0625


def test_signatures_are_deterministic_and_need_enough_text() -> None:
    assert signature("短文本") is None
    a = signature("西乡固戍小区门口井盖不见了晚上很黑")
    assert a is not None and a.dtype == np.uint32 and len(a) == NUM_PERM
    assert np.array_equal(a, signature("西乡固戍小区门口井盖不见了晚上很黑"))
