"""The representation table of issue 12: character n-grams vs jieba words + character n-grams,
5-fold on the training corpus (folds keep templates and incidents whole), with speed per post.

    .venv/bin/python benchmarks/representations.py

Each representation feeds the same logistic regressions (lead on all posts; item and urgency on
leads). Figures are the n-gram models alone, out of fold, before the keyword combination and the
rest of the chain. Speed is CPU time per post of turning a text into features and scoring the
three models (scikit-learn's sparse path, one batch), over every corpus text.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

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


def measure(name: str, analyser: Callable[[str], list[str]], texts: list[str], rows: list[dict],
            folds: np.ndarray) -> dict[str, float | str]:
    y = np.array([r["label"]["is_lead"] for r in rows])
    items = np.array([str(r["label"]["item"]) for r in rows])
    urgent = np.array([r["label"].get("urgency") == "urgent" for r in rows])
    pred_lead = np.zeros(len(rows), dtype=bool)
    pred_item = np.array([""] * len(rows), dtype=object)
    pred_urgent = np.zeros(len(rows), dtype=bool)
    for f in range(int(folds.max()) + 1):
        tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        vec = TfidfVectorizer(analyzer=analyser, min_df=3, sublinear_tf=True, dtype=np.float32)
        x_tr = vec.fit_transform([texts[i] for i in tr])
        x_te = vec.transform([texts[i] for i in te])
        lead = LogisticRegression(C=10, max_iter=3000).fit(x_tr, y[tr])
        pred_lead[te] = lead.predict(x_te)
        lt = tr[y[tr]]
        item = LogisticRegression(C=10, max_iter=3000).fit(x_tr[np.flatnonzero(y[tr])], items[lt])
        pred_item[te] = item.predict(x_te)
        urg = LogisticRegression(C=10, max_iter=3000).fit(x_tr[np.flatnonzero(y[tr])], urgent[lt])
        pred_urgent[te] = urg.predict(x_te)
    t0 = time.process_time()
    x = vec.transform(texts)
    lead.decision_function(x), item.decision_function(x), urg.decision_function(x)
    per_post_ms = (time.process_time() - t0) / len(texts) * 1000
    tp = (pred_lead & y).sum()
    p, r = tp / max(pred_lead.sum(), 1), tp / max(y.sum(), 1)
    return {"representation": name, "lead P": p, "lead R": r, "lead F1": 2 * p * r / (p + r),
            "item acc (leads)": float((pred_item[y] == items[y]).mean()),
            "urgent recall": float((pred_urgent & urgent & y).sum() / max((urgent & y).sum(), 1)),
            "features": len(vec.vocabulary_), "ms/post": per_post_ms}


def main() -> None:
    rows = read_corpus()
    texts = texts_of(rows)
    folds = np.asarray(template_folds(rows, 5))
    results = [measure("char 1-3-grams", ngrams, texts, rows, folds),
               measure("jieba words+bigrams + char 1-3-grams", jieba_and_chars(), texts, rows, folds)]
    cols = list(results[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for res in results:
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in res.values()) + " |")


if __name__ == "__main__":
    main()
