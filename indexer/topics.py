"""The topic map: a 2-D layout of every item, topics found by density, and their labels.

Pure functions of the items and their vectors; the build pipeline stores the result.

- Layout: seeded, single-threaded UMAP (cosine) of the mean-centred vectors, so the same
  corpus always gives the same map; centring drops the direction all MiniLM vectors share.
- Topics: HDBSCAN on a second, 5-d UMAP over the same exact neighbour graph; outliers join
  the most similar topic centroid unless further from all than any member is from its
  own (those stay "unsorted", -1). Under 15 items: agglomerative; under 4: no UMAP.
- Labels: class-based TF-IDF over titles and prose (no code lines, stop words,
  boilerplate or author's name), 2-4 terms in their usual casing.
- Stability: after small changes old items keep their exact place and topic, and new
  items go beside their nearest old neighbours. Parameters scale with n (bench/map_bench.py).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .models import Item, Topic

Arr = np.ndarray
TINY, SMALL = 4, 15  # below TINY items: no UMAP; below SMALL: no density clustering
MAX_CHANGE = 0.2  # a larger share of new or removed items forces a full refit
_BOILERPLATE = """post posts blog http https com www org html htm png jpg jpeg gif svg webp pdf
img src href amp nbsp url link links read also like just really thing things way use using used
new lot bit pretty quite able need want know get got make made def self return import const var
let true false null none tmp et al"""
BOILERPLATE = frozenset(_BOILERPLATE.split())
_TOKEN = r"(?u)\b[^\W\d_][\w-]*[^\W_]\b"  # 2+ characters starting with a letter: no numbers
_NOISE = re.compile(r"https?://\S+|www\.\S+|\]\([^)]*\)|\b[\w.-]+\.(?:com|net|org|io|dev)\b")
_CODEISH = re.compile(r"[{}\[\]()<>=_/\\|$#*`@%^&~+\";]")  # > 5% of a line: code, not prose
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
_STEM = re.compile(r"(?<=...)s$|\d+$")  # "tests" ~ "test", "sqlite3" ~ "sqlite"


@dataclass
class MapResult:
    coords: np.ndarray  # (n, 2) float32, one row per item, same order as the input
    topic_ids: np.ndarray  # (n,) int32; -1 = unsorted
    topics: list[Topic]
    refitted: bool  # True: full fit; False: new items placed on the previous map


@dataclass
class PreviousMap:
    ids: list[str]
    coords: np.ndarray
    topic_ids: np.ndarray
    topics: list[Topic]
    vectors: np.ndarray  # the previous items' vectors (n_prev, d)


def build_map(
    items: list[Item],
    vectors: np.ndarray,
    previous: PreviousMap | None = None,
    refit: bool = False,
    seed: int = 42,
) -> MapResult:
    """Lay out ``items`` (with their unit ``vectors``) and find their topics."""
    n = len(items)
    if n == 0:
        return MapResult(np.zeros((0, 2), np.float32), np.zeros(0, np.int32), [], True)
    vectors = np.asarray(vectors, dtype=np.float32).reshape(n, -1)
    if previous is not None and not refit and _few_changes(items, vectors, previous):
        return _incremental(items, vectors, previous)
    coords, topic_ids = _fit(vectors, seed)
    labels = _labels(items, topic_ids, int(topic_ids.max()) + 1)
    return MapResult(coords, topic_ids, _topics(items, vectors, coords, topic_ids, labels), True)


def project_query(
    vector: np.ndarray, ids: list[str], coords: np.ndarray, vectors: np.ndarray, k: int = 10
) -> tuple[float, float]:
    """Where ``vector`` goes on a map: similarity-weighted mean of its k nearest items."""
    if len(ids) == 0:
        return 0.0, 0.0
    q = np.asarray(vector, np.float32).reshape(1, -1)
    xy = _interpolate(q, coords, vectors, np.full(len(ids), -1), k)[0][0]
    return float(xy[0]), float(xy[1])


def _fit(vectors: Arr, seed: int) -> tuple[Arr, Arr]:
    """(coords, topic ids) from scratch."""
    n, x = len(vectors), vectors - vectors.mean(axis=0)
    if n < TINY or np.abs(x).max() < 1e-6:  # 1-3 items, or all alike: principal components
        u, s, _ = np.linalg.svd(x, full_matrices=False)
        return np.pad(u * s, ((0, 0), (0, 2)))[:, :2].astype(np.float32), np.zeros(n, np.int32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    knn = _knn(x, min(n - 1, max(5, min(30, round(np.log2(n)) + 3))))  # 12 at 577, 20 at 100k
    epochs = max(200, min(1000, round(1e6 / n)))  # long and gentle where it is cheap
    rate = min(1.0, 500 / epochs)
    coords = _umap(x, knn, 2, 0.05, seed, n_epochs=epochs, learning_rate=rate, repulsion_strength=2)
    if n < SMALL:
        from sklearn.cluster import AgglomerativeClustering

        agg = AgglomerativeClustering(round(np.sqrt(n / 2)), metric="cosine", linkage="average")
        return coords, _by_size(agg.fit_predict(x))
    from sklearn.cluster import HDBSCAN

    reduced = _umap(x, knn, 5, 0.0, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's FutureWarning about ``copy``
        labels = HDBSCAN(min_cluster_size=max(3, round(np.sqrt(n) / 5))).fit_predict(reduced)
    labels = labels if labels.max() >= 0 else np.zeros_like(labels)  # no clusters: one topic
    return coords, _by_size(_assign_outliers(labels, vectors))


def _knn(x: Arr, k: int) -> tuple[Arr, Arr]:
    """Exact cosine k nearest neighbours (self first), block by block."""
    n = len(x)
    idx, dist = np.empty((n, k), np.int32), np.empty((n, k), np.float32)
    step = max(64, int(5e7 // n))  # about 200 MB of similarities at a time
    for a in range(0, n, step):
        s = x[a : a + step] @ x.T
        s[np.arange(len(s)), np.arange(a, a + len(s))] = 2.0  # self first
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(top, np.argsort(-np.take_along_axis(s, top, 1), 1), 1)
        idx[a : a + step] = top
        dist[a : a + step] = np.clip(1.0 - np.take_along_axis(s, top, 1), 0.0, 2.0)
    return idx, dist


def _umap(x: Arr, knn: tuple, dims: int, min_dist: float, seed: int, **kw) -> Arr:
    """A seeded, single-threaded UMAP of ``x`` over the precomputed neighbour graph."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no-TensorFlow, precomputed-knn, small-data notices
        import umap

        model = umap.UMAP(
            n_neighbors=knn[0].shape[1], n_components=dims, min_dist=min_dist, metric="cosine",
            init="pca" if x.shape[1] > dims else "random", random_state=seed, n_jobs=1,
            low_memory=True, precomputed_knn=knn, **kw,
        )  # fmt: skip
        return model.fit_transform(x).astype(np.float32)


def _assign_outliers(labels: Arr, vectors: Arr) -> Arr:
    """Outliers join the most similar topic centroid unless far from all (at most 5% stay)."""
    labels = labels.copy()
    sims = vectors @ _centroids(vectors, labels, int(labels.max()) + 1).T
    member = labels >= 0
    floor = sims[member, labels[member]].min()  # further out than any member: unsorted
    out = np.flatnonzero(~member)
    best, score = sims[out].argmax(axis=1), sims[out].max(axis=1)
    near = score >= floor
    near[np.argsort(-score, kind="stable")[: max(0, len(out) - len(labels) // 20)]] = True
    labels[out[near]] = best[near]
    return labels


def _centroids(vectors: Arr, labels: Arr, k: int) -> Arr:
    c = np.zeros((k, vectors.shape[1]), np.float32)
    np.add.at(c, labels[labels >= 0], vectors[labels >= 0])
    return c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)


def _by_size(labels: Arr) -> Arr:
    """Renumber topics 0.. by decreasing size (ties: first seen); -1 stays."""
    order = [t for t, _ in Counter(int(t) for t in labels if t >= 0).most_common()]
    remap = {t: i for i, t in enumerate(order)} | {-1: -1}
    return np.array([remap[int(t)] for t in labels], np.int32)


def _few_changes(items: list[Item], vectors: Arr, prev: PreviousMap) -> bool:
    """Whether the previous map can stay: same vector size, at most 20% new or removed."""
    if len(prev.ids) == 0 or np.asarray(prev.vectors).shape[-1] != vectors.shape[1]:
        return False
    old, now = set(prev.ids), {it.id for it in items}
    return len(now - old) + len(old - now) <= MAX_CHANGE * max(len(old), len(now))


def _incremental(items: list[Item], vectors: Arr, prev: PreviousMap) -> MapResult:
    """Old items keep place and topic; new ones go beside their nearest old neighbours."""
    pos = {pid: j for j, pid in enumerate(prev.ids)}
    known = np.array([it.id in pos for it in items], bool)
    src = np.array([pos[it.id] for it in items if it.id in pos], np.int64)
    pc, pt = np.asarray(prev.coords, np.float32), np.asarray(prev.topic_ids, np.int32)
    coords, topic_ids = np.zeros((len(items), 2), np.float32), np.full(len(items), -1, np.int32)
    coords[known], topic_ids[known] = pc[src], pt[src]
    if len(src) and not known.all():
        ref = np.asarray(prev.vectors, np.float32)[src]
        coords[~known], topic_ids[~known] = _interpolate(vectors[~known], pc[src], ref, pt[src], 10)
    names = {t.id: t.label for t in prev.topics}
    k = max([int(topic_ids.max()) + 1, *[t + 1 for t in names]])
    labels = [names.get(t, f"topic {t + 1}") for t in range(k)]
    return MapResult(coords, topic_ids, _topics(items, vectors, coords, topic_ids, labels), False)


def _interpolate(q: Arr, coords: Arr, vectors: Arr, topic_ids: Arr, k: int) -> tuple[Arr, Arr]:
    """Per query, among its k most similar items (softmax of similarity: nearest count most):
    the weighted mean position, and the topic with the most weight (-1: all unsorted)."""
    vectors, coords = np.asarray(vectors, np.float32), np.asarray(coords, np.float32)
    xy, tids = np.zeros((len(q), 2), np.float32), np.zeros(len(q), np.int32)
    k, step = min(k, len(vectors)), max(1, int(5e7 // len(vectors)))
    for a in range(0, len(q), step):
        s = q[a : a + step] @ vectors.T
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        sims = np.take_along_axis(s, top, 1)
        w = np.exp((sims - sims.max(axis=1, keepdims=True)) / 0.01)  # tuned: 0.005-0.01
        w /= w.sum(axis=1, keepdims=True)
        xy[a : a + step] = np.einsum("qk,qkd->qd", w, coords[top])
        t = np.asarray(topic_ids)[top]
        votes = np.zeros((len(t), max(0, int(t.max())) + 2))
        np.add.at(votes, (np.arange(len(t))[:, None], t + 1), np.where(t >= 0, w, 0.0))
        tids[a : a + step] = votes.argmax(axis=1) - 1  # column 0 (unsorted) never gains weight
    return xy, tids


def _topics(items: list[Item], v: Arr, xy: Arr, tids: Arr, names: list[str]) -> list[Topic]:
    """Topic records: size, the 3 items nearest the centroid, label at the members' median."""
    out = []
    for t, name in enumerate(names):
        members = np.flatnonzero(tids == t)
        if len(members):
            centre = _centroids(v[members], np.zeros(len(members), np.int64), 1)[0]
            near = members[np.argsort(-(v[members] @ centre), kind="stable")[:3]]
            x, y = np.median(xy[members], axis=0)
            reps = [items[i].id for i in near]
            out.append(Topic(t, name, len(members), reps, float(x), float(y)))
    return out


def _labels(items: list[Item], topic_ids: Arr, k: int) -> list[str]:
    """2-4 distinctive terms per topic by class-based TF-IDF, joined with ' · '."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    budget = int(min(5000, max(300, 2e7 / len(items))))  # characters of prose per item
    texts = [_prose(f"{it.title}\n{it.text}")[:budget] for it in items]
    stop = sorted(ENGLISH_STOP_WORDS | BOILERPLATE | _author_words(items, texts))
    cv = CountVectorizer(ngram_range=(1, 2), stop_words=stop, token_pattern=_TOKEN)
    try:
        x = cv.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return [f"topic {t + 1}" for t in range(k)]
    x.data = np.log1p(x.data)  # one item repeating a word must not own its topic
    sel = np.flatnonzero(topic_ids >= 0)
    m = csr_matrix((np.ones(len(sel)), (topic_ids[sel], sel)), shape=(k, len(items)))
    tf, docs = (m @ x).toarray(), (m @ (x > 0).astype(np.float64)).toarray()
    idf = np.log1p(tf.sum() / max(k, 1) / np.maximum(tf.sum(axis=0), 1e-12))
    score = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1e-12) * idf
    score[docs < np.minimum(2, docs.max(axis=1, keepdims=True))] = 0  # not one item's word
    terms, labels = cv.get_feature_names_out(), []
    score[:, [" " in term for term in terms]] *= 1.5  # a bigram says more than either word
    for t in range(k):
        chosen: list[str] = []
        order = np.argsort(-score[t], kind="stable")[:40]
        floor = 0.5 * score[t, order[0]]
        for j in order:  # the best terms; after two, only those half as good as the best
            if len(chosen) == 4 or score[t, j] <= 0 or (len(chosen) >= 2 and score[t, j] < floor):
                break
            chosen = _add_term(chosen, str(terms[j]))
        members = [texts[i] for i in np.flatnonzero(topic_ids == t)]
        labels.append(" · ".join(_cased(chosen, members)) or f"topic {t + 1}")
    return labels


def _prose(text: str) -> str:
    """The text without URLs and code-looking lines (labels should be words, not code)."""
    lines = _NOISE.sub(" ", text).splitlines()
    return "\n".join(s for s in lines if len(_CODEISH.findall(s)) <= len(s) / 20)


def _add_term(chosen: list[str], term: str) -> list[str]:
    """``chosen`` plus ``term`` unless it repeats a word; a bigram replaces its own unigram."""
    stem = {c: {_STEM.sub("", w.lower()) for w in c.split()} for c in [*chosen, term]}
    inside = [c for c in chosen if stem[c] <= stem[term]]
    clash = any(stem[c] & stem[term] for c in chosen if c not in inside)
    if clash or (inside and len(stem[term]) == 1):
        return chosen
    return [c for c in chosen if c not in inside] + [term]


def _author_words(items: list[Item], texts: list[str]) -> set[str]:
    """The author's name: ``item.author`` words, and a capitalised name found in most items."""
    words = {w.lower() for it in items for w in re.findall(r"\w+", it.author or "")}
    df = Counter(name for t in texts for name in set(_NAME.findall(t)))
    top = df.most_common(1)
    return words | {name.lower() for name, count in top if count > len(items) / 2 >= 1.5}


def _cased(terms: list[str], texts: list[str]) -> list[str]:
    """Each term in the casing its words most often have in ``texts`` (ties: lower case);
    Title Case counts half, being mostly titles and sentence starts."""
    want = {w for t in terms for w in t.split()}
    forms = Counter(w for text in texts for w in re.findall(_TOKEN, text) if w.lower() in want)
    best: dict[str, str] = {}
    weight = {f: c / (2 if f.istitle() else 1) for f, c in forms.items()}  # titles, sentences
    for form in sorted(forms, key=lambda f: (weight[f], f.islower())):
        best[form.lower()] = form  # the most frequent form comes last and wins
    return [" ".join(best.get(w, w) for w in t.split()) for t in terms]
