"""The learned decision models at run time: character n-gram TF-IDF and linear models, in numpy.

One model file (civicwatch/config/model.py; built by `civicwatch train`, filters/training.py)
holds three linear models over the same features, the character 1–3-grams of a post's
normalised text:

- lead or not, whose score is combined with the keyword evidence by a small logistic model
  (`stack`, fit on the corpus's out-of-fold scores) into the calibrated lead probability;
- the catalogue item (softmax over the items, temperature-scaled on out-of-fold scores);
- urgency (danger to people, Platt-scaled on out-of-fold scores).

Every score is explained by the n-grams that weighed most for this post. The same `ngrams`
function is the analyser in training, so a post is read the same way in both.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

NGRAM_MAX = 3
EVIDENCE = 4  # n-grams shown per decision


def ngrams(text: str) -> list[str]:
    """Every character 1..3-gram of `text` (already normalised), spaces kept as they are."""
    n = len(text)
    return [text[i:i + k] for k in range(1, NGRAM_MAX + 1) for i in range(n - k + 1)]


def _sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def _sigmoid1(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def raised(prob: float, by: float) -> float:
    """`prob` with `by` more log-odds (an include rule's bonus, weighed as the keywords are)."""
    return float(1.0 / (1.0 + np.exp(-(logit(prob) + by))))


@dataclass(slots=True, frozen=True)
class KeywordEvidence:
    """What the keyword steps found, as the combination reads it."""

    score: float         # the keyword lead score (classify)
    has_item: bool       # the keywords named a catalogue item
    complaint: int       # complaint cues, noise words and (specific) danger words found
    noise: int
    danger: int


COUNT_CAP = 3  # a fourth noise word says little more than the third


def combination_features(model_lead: float, kw: KeywordEvidence, clip: tuple[float, float]) -> list[float]:
    """The combination's inputs, the same in training and at run time: a constant, the n-gram
    model's log-odds, the clipped keyword score, and the keyword findings."""
    lo, hi = clip
    return [1.0, logit(model_lead), min(max(kw.score, lo), hi), float(kw.has_item),
            float(min(kw.complaint, COUNT_CAP)), float(min(kw.noise, COUNT_CAP)), float(min(kw.danger, COUNT_CAP))]


@dataclass(slots=True)
class Prediction:
    """The models' view of one post."""

    lead: float            # the n-gram model's lead probability (before the keyword evidence)
    item: str              # most probable catalogue item, and its probability
    item_prob: float
    urgent: float          # probability that the post describes danger to people
    evidence: list[str]    # the n-grams that weighed most towards "lead", heaviest first


class LearnedModel:
    """The arrays of a model file, ready for scoring (built once, when the chain is built)."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.version = str(arrays["version"][()])
        self.vocab: list[str] = [str(g) for g in arrays["vocab"]]
        self.index = {g: i for i, g in enumerate(self.vocab)}
        self.idf = arrays["idf"].astype(np.float32)
        self.w_lead = arrays["lead_w"].astype(np.float32)
        self.b_lead = float(arrays["lead_b"][()])
        self.w_item = arrays["item_w"].astype(np.float32)       # (features, items)
        self.b_item = arrays["item_b"].astype(np.float32)
        self.item_codes: list[str] = [str(c) for c in arrays["item_codes"]]
        self.item_temperature = float(arrays["item_temperature"][()])
        self.w_urgent = arrays["urgent_w"].astype(np.float32)
        self.b_urgent = float(arrays["urgent_b"][()])
        self.urgent_platt = arrays["urgent_platt"].astype(np.float64)  # (a, b): p = σ(a·z + b)
        self.ua, self.ub = float(self.urgent_platt[0]), float(self.urgent_platt[1])
        # The combination with the keyword evidence: σ(w · [1, logit(model), keyword score, has item])
        self.stack = arrays["stack"].astype(np.float64)
        self.keyword_clip = arrays["keyword_clip"].astype(np.float64)
        self.lead_threshold = float(arrays["lead_threshold"][()])
        self.urgent_threshold = float(arrays["urgent_threshold"][()])
        self.item_override = float(arrays["item_override"][()])  # model item wins above this probability
        self.screen_words: list[str] = [str(w) for w in arrays["screen_words"]]

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One text's features: (feature ids, l2-normalised tf-idf values), sublinear tf."""
        get = self.index.get
        counts = Counter([i for i in map(get, ngrams(text)) if i is not None])
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[cols]
        norm = float(np.sqrt(values @ values))
        return cols, values / norm if norm else values

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """The three models over a batch of normalised texts. Each post is a handful of small
        vector products (gathering only its own n-grams' weights); the loop is over posts."""
        out = []
        for text in texts:
            cols, values = self._features(text)
            lead_parts = values * self.w_lead[cols]
            lead_z = float(lead_parts.sum()) + self.b_lead
            urgent_z = float(values @ self.w_urgent[cols]) + self.b_urgent
            item_z = (values @ self.w_item[cols] + self.b_item) / self.item_temperature
            best = int(item_z.argmax())
            item_p = np.exp(item_z - item_z[best])
            top = np.argsort(-lead_parts, kind="stable")[:EVIDENCE]
            out.append(Prediction(
                lead=_sigmoid1(lead_z), item=self.item_codes[best], item_prob=float(1.0 / item_p.sum()),
                urgent=_sigmoid1(self.ua * urgent_z + self.ub),
                evidence=[self.vocab[cols[j]] for j in top if lead_parts[j] > 0]))
        return out

    @property
    def keyword_weight(self) -> float:
        """Log-odds per point of keyword score in the combination."""
        return float(self.stack[2])

    def lead_probability(self, model_lead: float, keywords: KeywordEvidence) -> float:
        """The calibrated lead probability from the n-gram model's and the keywords' evidence."""
        x = combination_features(model_lead, keywords, (float(self.keyword_clip[0]), float(self.keyword_clip[1])))
        return float(_sigmoid(np.dot(x, self.stack)))
