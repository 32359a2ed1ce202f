"""Training the learned decision models (filters/learned.py) from corpus rows: pure functions.

`train(rows, folds, config)` fits, on the labelled corpus only (never the dev set):

1. per fold, character n-gram TF-IDF and three logistic regressions (lead, item, urgency) on the
   other folds, scoring the held-out fold: out-of-fold scores for every corpus post;
2. from out-of-fold scores, the parts that combine and calibrate: the logistic model that joins
   the n-gram model's lead score with the keyword evidence, fit where the n-gram model scores
   voices and kinds of post it never saw (the stream has writers the corpus lacks; where the
   model is unsure, the keywords then count), its threshold (best F1), the
   item softmax's temperature (least log-loss), urgency's Platt scaling and threshold, and the
   probability above which the model's item overrides the keywords' (best item accuracy);
3. the final models on the whole corpus, with those parts.

The fold models are also run through the whole filter chain on their held-out fold: the 5-fold
figures of the manifest. Training is deterministic (lbfgs, sorted vocabularies, folds given by
the caller), so the same corpus gives the same arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from civicwatch.config import Config, ModelFile
from civicwatch.models import Post
from filters.classify import item_words
from filters.context import PostContext
from filters.learned import KeywordEvidence, LearnedModel, combination_features, ngrams
from filters.normalise import normalise
from filters.places import shenzhen_names
from filters.screen import CandidateScreen
from filters.steps.classify import ClassifyStep
from filters.steps.screen import ScreenStep

KEYWORD_CLIP = (-3.0, 8.0)  # keyword scores beyond these say nothing more


@dataclass(frozen=True)
class Params:
    min_df: int = 3            # n-grams in fewer training posts are dropped (keeps the file small)
    c_lead: float = 10.0
    c_item: float = 30.0
    c_urgent: float = 10.0
    screen_words: int = 600    # learned words that widen the screen
    screen_min_precision: float = 0.75  # ...each a lead in at least this share of corpus posts holding it
    screen_min_posts: int = 4
    seed: int = 0


@dataclass
class TrainResult:
    arrays: dict[str, np.ndarray]
    params: Params
    fold_metrics: list[dict[str, float]] = field(default_factory=list)
    oof: dict[str, float] = field(default_factory=dict)  # the n-gram models alone, out of fold
    missed: dict[str, int] = field(default_factory=dict)  # held-out leads the chain dropped, by reason

    @property
    def mean_metrics(self) -> dict[str, float]:
        keys = self.fold_metrics[0] if self.fold_metrics else {}
        return {k: float(np.mean([m[k] for m in self.fold_metrics])) for k in keys}


def texts_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """What the models read: the normalised title, own words and quote (as the chain's `full`)."""
    return [normalise(r.get("text") or "", r.get("title")).full for r in rows]


@dataclass
class _Fit:
    vectorizer: TfidfVectorizer
    lead: LogisticRegression
    item: LogisticRegression | None
    urgent: LogisticRegression | None


def _fit(texts: list[str], rows: Sequence[dict[str, Any]], p: Params) -> _Fit:
    vec = TfidfVectorizer(analyzer=ngrams, min_df=p.min_df, sublinear_tf=True, dtype=np.float32)
    x = vec.fit_transform(texts)
    y_lead = np.array([bool(r["label"]["is_lead"]) for r in rows])
    lead = LogisticRegression(C=p.c_lead, max_iter=3000, random_state=p.seed).fit(x, y_lead)
    leads = np.flatnonzero(y_lead)
    items = np.array([rows[i]["label"]["item"] for i in leads])
    item = LogisticRegression(C=p.c_item, max_iter=3000, random_state=p.seed).fit(x[leads], items)
    urgent_y = np.array([rows[i]["label"].get("urgency") == "urgent" for i in leads])
    urgent = None
    if 0 < urgent_y.sum() < len(urgent_y):
        urgent = LogisticRegression(C=p.c_urgent, max_iter=3000, random_state=p.seed).fit(x[leads], urgent_y)
    return _Fit(vec, lead, item, urgent)


def _keyword_evidence(rows: Sequence[dict[str, Any]], config: Config, extra_screen: Sequence[str]
                      ) -> tuple[np.ndarray, list[KeywordEvidence], list[str | None]]:
    """Per row, as the chain sees it before the learned step: passes the screen (widened by
    `extra_screen`), the keyword evidence, and the keywords' item."""
    screen = ScreenStep(CandidateScreen(item_words(config.classifier) | set(extra_screen),
                                        shenzhen_names(config.gazetteer)))
    classify = ClassifyStep.from_config(config)
    passes, evidence, items = [], [], []
    for row in rows:
        ctx = PostContext(Post.model_validate(row))
        ctx.norm = normalise(ctx.post.text, ctx.post.title)
        screen.process(ctx)
        classify.process(ctx)
        passes.append(not ctx.screened)
        found = ctx.classification
        assert found is not None
        evidence.append(KeywordEvidence(score=ctx.score, has_item=found.item is not None,
                                        complaint=len(found.complaint), noise=len(found.noise),
                                        danger=len(ctx.danger or ())))
        items.append(found.item)
    return np.array(passes), evidence, items


def _screen_words(fit: _Fit, texts: list[str], y: np.ndarray, p: Params) -> list[str]:
    """Learned words for the screen: the lead model's heaviest 2–3-grams that are leads in at
    least screen_min_precision of the corpus posts holding them (recall-first, but not every
    post with 小区 in it)."""
    names = fit.vectorizer.get_feature_names_out()
    weights = fit.lead.coef_[0]
    order = np.argsort(-weights, kind="stable")
    holding = fit.vectorizer.transform(texts) > 0
    chosen: list[str] = []
    for j in order:
        if weights[j] <= 0 or len(chosen) >= p.screen_words:
            break
        word = str(names[j])
        if len(word) < 2 or not word.strip() or word != word.strip():
            continue
        docs = holding[:, j].nonzero()[0]
        if len(docs) >= p.screen_min_posts and y[docs].mean() >= p.screen_min_precision:
            chosen.append(word)
    return sorted(chosen)


# The sign each keyword finding may weigh with in the combination (after the constant): the
# n-gram model, keyword score, item named, complaint cues and danger words count for a lead,
# noise words against. The corpus's hard negatives were written full of problem words, so
# unconstrained they come out as evidence against a lead, which is the corpus's making, not
# the stream's.
COMBINATION_SIGNS = (1, 1, 1, 1, -1, 1)


def _fit_signed(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Logistic weights [intercept, w...] for x (its first column the constant) with each weight
    of the sign COMBINATION_SIGNS allows: a feature whose weight comes out the other way is
    dropped (weight 0) and the rest refit, until all agree."""
    active = list(range(1, x.shape[1]))
    while True:
        lr = LogisticRegression(C=1.0, max_iter=1000, random_state=seed).fit(x[:, active], y)
        weights = np.zeros(x.shape[1])
        weights[0] = lr.intercept_[0]
        weights[active] = lr.coef_[0]
        wrong = [j for j in active if weights[j] * COMBINATION_SIGNS[j - 1] < 0]
        if not wrong:
            return weights
        active.remove(max(wrong, key=lambda j: abs(weights[j])))


def _fit_platt(z: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, float]:
    if len(set(y.tolist())) < 2:
        return 1.0, 0.0
    lr = LogisticRegression(C=1e4, max_iter=1000, random_state=seed).fit(z.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    best, best_loss = 1.0, np.inf
    for t in np.round(np.concatenate([np.arange(0.02, 0.2, 0.02), np.arange(0.2, 5.01, 0.1)]), 2):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -logp[np.arange(len(truth)), truth].mean()
        if loss < best_loss - 1e-12:
            best, best_loss = float(t), loss
    return best


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = float((pred & y).sum())
    return 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0


def _arrays(fit: _Fit, item_codes: list[str], parts: dict[str, Any], version: str) -> dict[str, np.ndarray]:
    """The model file's arrays: weights in float16 (a few MB), calibration in float64."""
    vec = fit.vectorizer
    n = len(vec.vocabulary_)
    item_w = np.zeros((n, len(item_codes)), dtype=np.float32)
    item_b = np.full(len(item_codes), -30.0, dtype=np.float32)  # items the corpus lacks: never chosen
    assert fit.item is not None
    for k, code in enumerate(fit.item.classes_):
        col = item_codes.index(str(code))
        # A two-class fit has one row of weights: the second class's; the first is its negative.
        if fit.item.coef_.shape[0] == 1:
            sign = 1.0 if k == 1 else -1.0
            item_w[:, col] = sign * fit.item.coef_[0] / 2
            item_b[col] = sign * fit.item.intercept_[0] / 2
        else:
            item_w[:, col] = fit.item.coef_[k]
            item_b[col] = fit.item.intercept_[k]
    urgent_w = np.zeros(n, dtype=np.float32) if fit.urgent is None else fit.urgent.coef_[0]
    urgent_b = -30.0 if fit.urgent is None else float(fit.urgent.intercept_[0])
    return {
        "version": np.array(version),
        "vocab": np.array([str(g) for g in vec.get_feature_names_out()]),
        "idf": vec.idf_.astype(np.float32),
        "lead_w": fit.lead.coef_[0].astype(np.float16), "lead_b": np.array(float(fit.lead.intercept_[0])),
        "item_w": item_w.astype(np.float16), "item_b": item_b, "item_codes": np.array(item_codes),
        "urgent_w": np.asarray(urgent_w).astype(np.float16), "urgent_b": np.array(urgent_b),
        "item_temperature": np.array(parts["item_temperature"]),
        "urgent_platt": np.array(parts["urgent_platt"], dtype=np.float64),
        "stack": np.array(parts["stack"], dtype=np.float64),
        "keyword_clip": np.array(KEYWORD_CLIP, dtype=np.float64),
        "lead_threshold": np.array(parts["lead_threshold"]),
        "urgent_threshold": np.array(parts["urgent_threshold"]),
        "item_override": np.array(parts["item_override"]),
        "screen_words": np.array(parts["screen_words"], dtype=str),
    }


def _unseen_lead_scores(texts: list[str], y: np.ndarray, folds: Sequence[int], p: Params) -> np.ndarray:
    """Out-of-fold lead probabilities where each fold holds out whole voices and kinds: how the
    n-gram model scores writing it has not seen, which the combination is fit on."""
    fold_ids = np.asarray(folds)
    out = np.zeros(len(texts))
    for f in range(int(fold_ids.max()) + 1):
        train_i, test_i = np.flatnonzero(fold_ids != f), np.flatnonzero(fold_ids == f)
        vec = TfidfVectorizer(analyzer=ngrams, min_df=p.min_df, sublinear_tf=True, dtype=np.float32)
        x = vec.fit_transform([texts[i] for i in train_i])
        lead = LogisticRegression(C=p.c_lead, max_iter=3000, random_state=p.seed).fit(x, y[train_i])
        out[test_i] = lead.predict_proba(vec.transform([texts[i] for i in test_i]))[:, 1]
    return out


def train(rows: Sequence[dict[str, Any]], folds: Sequence[int], config: Config, params: Params | None = None,
          version: str = "dev", evaluate_chain: bool = True,
          unseen_folds: Sequence[int] | None = None) -> TrainResult:
    """The model file's arrays for `rows` (labelled corpus posts), with out-of-fold figures.
    `folds` keep templates and incidents whole; `unseen_folds` (default: `folds`) hold out
    whole voices and kinds, for the combination with the keyword evidence."""
    from filters.chain import FilterChain
    from filters.evaluate import evaluate

    p = params or Params()
    texts = texts_of(rows)
    y = np.array([bool(r["label"]["is_lead"]) for r in rows])
    item_codes = list(config.catalogue.items)
    code_index = {c: i for i, c in enumerate(item_codes)}
    fold_ids = np.asarray(folds)
    k = int(fold_ids.max()) + 1
    n = len(rows)
    oof_lead = np.zeros(n)
    oof_item = np.zeros((n, len(item_codes)))
    oof_urgent = np.zeros(n)
    fits: list[tuple[_Fit, np.ndarray, np.ndarray]] = []
    for f in range(k):
        train_i, test_i = np.flatnonzero(fold_ids != f), np.flatnonzero(fold_ids == f)
        fit = _fit([texts[i] for i in train_i], [rows[i] for i in train_i], p)
        x = fit.vectorizer.transform([texts[i] for i in test_i])
        oof_lead[test_i] = fit.lead.predict_proba(x)[:, 1]
        assert fit.item is not None
        logits = np.full((len(test_i), len(item_codes)), -30.0)
        logits[:, [code_index[str(c)] for c in fit.item.classes_]] = (
            fit.item.decision_function(x).reshape(len(test_i), -1) if len(fit.item.classes_) > 2
            else np.stack([-fit.item.decision_function(x) / 2, fit.item.decision_function(x) / 2], axis=1))
        oof_item[test_i] = logits
        if fit.urgent is not None:
            oof_urgent[test_i] = fit.urgent.decision_function(x)
        fits.append((fit, train_i, test_i))

    final = _fit(texts, rows, p)
    words = _screen_words(final, texts, y, p)
    passes, keywords, kw_items = _keyword_evidence(rows, config, words)

    # The combination: lead probability from the n-gram model and the keywords, on posts the
    # (widened) screen lets through, as in the chain.
    unseen = oof_lead if unseen_folds is None else _unseen_lead_scores(texts, y, unseen_folds, p)
    feats = np.array([combination_features(v, kw, KEYWORD_CLIP) for v, kw in zip(unseen, keywords, strict=True)])
    stack = _fit_signed(feats[passes], y[passes], p.seed)
    stacked = 1 / (1 + np.exp(-(feats @ stack)))
    thresholds = np.round(np.arange(0.2, 0.81, 0.05), 2)
    lead_threshold = float(max(thresholds, key=lambda t: (_f1(passes & (stacked >= t), y), -abs(t - 0.5))))

    leads = np.flatnonzero(y)
    truth = np.array([code_index[rows[i]["label"]["item"]] for i in leads])
    temperature = _temperature(oof_item[leads], truth)
    z = oof_item[leads] / temperature
    prob = np.exp(z - z.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    model_item, model_p = prob.argmax(axis=1), prob.max(axis=1)

    def item_accuracy(t: float) -> float:
        right = 0
        for j, i in enumerate(leads):
            kw = kw_items[i]
            chosen = item_codes[model_item[j]] if kw is None or model_p[j] >= t else kw
            right += chosen == rows[i]["label"]["item"]
        return right / max(len(leads), 1)

    overrides = np.round(np.arange(0.0, 1.01, 0.05), 2).tolist() + [1.01]
    item_override = float(max(overrides, key=lambda t: (item_accuracy(t), t)))

    urgent_y = np.array([rows[i]["label"].get("urgency") == "urgent" for i in leads])
    platt = _fit_platt(oof_urgent[leads], urgent_y, p.seed)
    urgent_p = 1 / (1 + np.exp(-(platt[0] * oof_urgent[leads] + platt[1])))
    sla_urgent = np.array([config.catalogue.items[item_codes[m]].sla == "urgent" for m in model_item])

    def f2(t: float) -> float:
        pred = sla_urgent | (urgent_p >= t)
        tp = float((pred & urgent_y).sum())
        return 5 * tp / (4 * urgent_y.sum() + pred.sum()) if urgent_y.sum() + pred.sum() else 0.0

    urgent_threshold = float(max(np.round(np.arange(0.1, 0.91, 0.05), 2), key=lambda t: (f2(t), t)))

    parts = {"item_temperature": temperature, "urgent_platt": platt,
             "stack": [float(w) for w in stack],
             "lead_threshold": lead_threshold, "urgent_threshold": urgent_threshold,
             "item_override": item_override, "screen_words": words}
    result = TrainResult(arrays=_arrays(final, item_codes, parts, version), params=p)
    result.oof = {
        "ngram_lead_f1": _f1(oof_lead >= 0.5, y),
        "stacked_lead_f1": _f1(passes & (stacked >= lead_threshold), y),
        "ngram_item_accuracy": float((model_item == truth).mean()) if len(leads) else 0.0,
        "combined_item_accuracy": item_accuracy(item_override),
        "screen_corpus_leads": float(passes[y].mean()) if y.any() else 0.0,
        "screen_corpus_negatives": float(passes[~y].mean()) if (~y).any() else 0.0,
    }
    if evaluate_chain:
        posts = [Post.model_validate(r) for r in rows]
        for fit, train_i, test_i in fits:
            fold_words = _screen_words(fit, [texts[i] for i in train_i], y[train_i], p)
            arrays = _arrays(fit, item_codes, {**parts, "screen_words": fold_words}, version + "-fold")
            chain = FilterChain.from_config(config.with_model(ModelFile(Path("<fold>"), arrays)))
            decisions = chain.decide_batch([posts[i] for i in test_i])
            result.fold_metrics.append(evaluate([rows[i] for i in test_i], decisions).metrics)
            for i, d in zip(test_i, decisions, strict=True):
                if rows[i]["label"]["is_lead"] and not d.is_lead:
                    reason = f"{d.drop_reason}"
                    result.missed[reason] = result.missed.get(reason, 0) + 1
    return result


def check_arrays(arrays: dict[str, np.ndarray]) -> LearnedModel:
    """The arrays as the chain will read them (raises if one is missing)."""
    return LearnedModel(arrays)
