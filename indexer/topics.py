"""The topic map: a 2-D layout of every item, topics found by density, and their labels.

Pure functions over item vectors; the build pipeline stores what they return.

- Layout: UMAP (cosine) to 2-D of the mean-centred item vectors (centring removes
  the direction all MiniLM vectors share and sharpens neighbourhoods), with a
  fixed seed so the same corpus always gives the same map. Both UMAP runs share
  one exact k-nearest-neighbour graph. Fewer than 4 items are placed by PCA.
- Topics: HDBSCAN on a separate 5-d UMAP (min_dist=0, made for clustering), then
  every outlier joins the topic whose centroid it is most similar to, unless it is
  further from all of them than nearly every topic member is from its own
  ("unsorted", topic -1). Fewer than 15 items: agglomerative clustering.
- Labels: class-based TF-IDF over titles and prose (stop words, boilerplate and
  the author's name removed), 2-4 terms in their usual casing.
- Stability: with a previous map and few changes, old items keep their exact
  coordinates and topic; new items are placed by their nearest old neighbours.

Parameters grow with n and were tuned with bench/map_bench.py (577 notes).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .models import Item, Topic

TINY = 4  # fewer items: no UMAP
SMALL = 15  # fewer items: no density clustering
MAX_CHANGE = 0.2  # a larger share of new or removed items forces a full refit
BOILERPLATE = set(
    [
        "post",
        "posts",
        "blog",
        "http",
        "https",
        "com",
        "www",
        "org",
        "html",
        "htm",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "pdf",
        "img",
        "src",
        "href",
        "amp",
        "nbsp",
        "url",
        "link",
        "links",
        "read",
        "also",
        "like",
        "just",
        "really",
        "thing",
        "things",
        "way",
        "use",
        "using",
        "used",
        "new",
        "one",
        "two",
        "want",
        "know",
        "get",
        "got",
        "make",
        "made",
        "lot",
        "bit",
        "little",
        "pretty",
        "quite",
        "able",
        "need",
    ]
)
_TOKEN = r"(?u)\b[^\W\d_][\w-]*[^\W_]\b"  # 2+ characters, starts with a letter: no numbers
_NOISE = re.compile(r"```.*?```|https?://\S+|www\.\S+|\]\([^)]*\)", re.S)
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")


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
    k = int(topic_ids.max()) + 1
    labels = _labels(items, topic_ids, k)
    return MapResult(coords, topic_ids, _topics(items, vectors, coords, topic_ids, labels), True)


def project_query(
    vector: np.ndarray, ids: list[str], coords: np.ndarray, vectors: np.ndarray, k: int = 10
) -> tuple[float, float]:
    """Where ``vector`` goes on a map: similarity-weighted mean of its k nearest items."""
    if len(ids) == 0:
        return 0.0, 0.0
    xy = _place(np.asarray(vector, np.float32).reshape(1, -1), coords, vectors, k)[0]
    return float(xy[0]), float(xy[1])


# ---------------------------------------------------------------- full fit


def _fit(vectors: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(coords, topic ids) from scratch."""
    n = len(vectors)
    if n < TINY:
        return _pca2(vectors), np.zeros(n, np.int32)
    x = vectors - vectors.mean(axis=0)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    nn = min(n - 1, max(5, min(30, round(np.log2(n)) + 1)))  # 10 for 577 items, 18 for 100k
    knn = _knn(x, nn)
    epochs = max(200, min(1000, round(1e6 / n)))  # a long, gentle schedule for small maps
    coords = _umap(
        x,
        knn,
        2,
        0.05,
        seed,
        n_epochs=epochs,
        learning_rate=min(1.0, 500 / epochs),
        repulsion_strength=2.0,
    )
    if n < SMALL:
        from sklearn.cluster import AgglomerativeClustering

        k = max(1, round(np.sqrt(n / 2)))
        agg = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average")
        return coords, _by_size(agg.fit_predict(x))
    from sklearn.cluster import HDBSCAN

    reduced = _umap(x, knn, 5, 0.0, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's FutureWarning about ``copy``
        labels = HDBSCAN(min_cluster_size=max(3, round(np.sqrt(n) / 5))).fit_predict(reduced)
    if labels.max() < 0:
        labels[:] = 0
    return coords, _by_size(_assign_outliers(labels, vectors))


def _pca2(vectors: np.ndarray) -> np.ndarray:
    """2-D principal components for 1-3 items (no UMAP)."""
    x = vectors - vectors.mean(axis=0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    out = np.zeros((len(x), 2), np.float32)
    m = min(2, len(s))
    out[:, :m] = u[:, :m] * s[:m]
    return out


def _knn(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine k nearest neighbours (self first), computed block by block."""
    n = len(x)
    idx = np.empty((n, k), np.int32)
    dist = np.empty((n, k), np.float32)
    step = max(64, int(5e7 // n))
    for a in range(0, n, step):
        s = x[a : a + step] @ x.T
        rows = np.arange(len(s))
        s[rows, rows + a] = 2.0  # self first
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(top, np.argsort(-np.take_along_axis(s, top, 1), 1), 1)
        idx[a : a + step] = top
        dist[a : a + step] = np.clip(1.0 - np.take_along_axis(s, top, 1), 0.0, 2.0)
    dist[:, 0] = 0.0
    return idx, dist


def _umap(x: np.ndarray, knn: tuple, dims: int, min_dist: float, seed: int, **kw) -> np.ndarray:
    """A seeded, single-threaded UMAP of ``x`` from the precomputed neighbour graph."""
    import umap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # precomputed-knn and small-data notices
        model = umap.UMAP(
            n_neighbors=knn[0].shape[1],
            n_components=dims,
            min_dist=min_dist,
            metric="cosine",
            init="pca",
            random_state=seed,
            n_jobs=1,
            low_memory=True,
            precomputed_knn=knn,
            **kw,
        )
        return model.fit_transform(x).astype(np.float32)


def _assign_outliers(labels: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Outliers join their most similar topic centroid unless far from all of them."""
    labels = labels.copy()
    sims = vectors @ _centroids(vectors, labels, int(labels.max()) + 1).T
    member = labels >= 0
    floor = np.quantile(sims[member, labels[member]], 0.01)  # as far out as the odd member
    out = np.flatnonzero(~member)
    best, score = sims[out].argmax(axis=1), sims[out].max(axis=1)
    keep = np.argsort(-score, kind="stable")[: max(0, len(out) - len(labels) // 20)]
    near = score >= floor
    near[keep] = True  # never more than 5% unsorted
    labels[out[near]] = best[near]
    return labels


def _centroids(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    c = np.zeros((k, vectors.shape[1]), np.float32)
    np.add.at(c, labels[labels >= 0], vectors[labels >= 0])
    return c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber topics 0.. by decreasing size (ties: first appearance); -1 stays."""
    ids = [t for t, _ in Counter(int(t) for t in labels if t >= 0).most_common()]
    remap = {t: i for i, t in enumerate(ids)} | {-1: -1}
    return np.array([remap[int(t)] for t in labels], np.int32)


# ---------------------------------------------------------------- incremental


def _few_changes(items: list[Item], vectors: np.ndarray, prev: PreviousMap) -> bool:
    """Whether the previous map can be kept (same model, at most 20% changed)."""
    if len(prev.ids) == 0 or np.asarray(prev.vectors).shape[-1] != vectors.shape[1]:
        return False
    old, now = set(prev.ids), {it.id for it in items}
    changed = len(now - old) + len(old - now)
    return changed <= MAX_CHANGE * max(len(old), len(now))


def _incremental(items: list[Item], vectors: np.ndarray, prev: PreviousMap) -> MapResult:
    """Old items keep their place and topic; new ones go next to their neighbours."""
    pos = {pid: j for j, pid in enumerate(prev.ids)}
    old = np.array([i for i, it in enumerate(items) if it.id in pos], np.int64)
    new = np.array([i for i, it in enumerate(items) if it.id not in pos], np.int64)
    src = np.array([pos[items[i].id] for i in old], np.int64)
    coords = np.zeros((len(items), 2), np.float32)
    topic_ids = np.full(len(items), -1, np.int32)
    prev_coords, prev_topics = np.asarray(prev.coords), np.asarray(prev.topic_ids)
    coords[old], topic_ids[old] = prev_coords[src], prev_topics[src]
    if len(new) and len(src):
        ref_vecs = np.asarray(prev.vectors, np.float32)[src]
        coords[new] = _place(vectors[new], prev_coords[src], ref_vecs, 10)
        topic_ids[new] = _vote(vectors[new], ref_vecs, prev_topics[src], 10)
    labels = {t.id: t.label for t in prev.topics}
    k = max([int(topic_ids.max()) + 1, *[t + 1 for t in labels]])
    names = [labels.get(t, f"topic {t + 1}") for t in range(k)]
    return MapResult(coords, topic_ids, _topics(items, vectors, coords, topic_ids, names), False)


def _neighbours(q: np.ndarray, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and similarities of each query's k most similar rows of ``vectors``."""
    k = min(k, len(vectors))
    s = q @ np.asarray(vectors, np.float32).T
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    return top, np.take_along_axis(s, top, 1)


def _weights(sims: np.ndarray) -> np.ndarray:
    w = np.exp((sims - sims.max(axis=1, keepdims=True)) / 0.05)  # the nearest count most
    return w / w.sum(axis=1, keepdims=True)


def _place(q: np.ndarray, coords: np.ndarray, vectors: np.ndarray, k: int) -> np.ndarray:
    top, sims = _neighbours(q, vectors, k)
    return np.einsum("qk,qkd->qd", _weights(sims), np.asarray(coords)[top]).astype(np.float32)


def _vote(q: np.ndarray, vectors: np.ndarray, topic_ids: np.ndarray, k: int) -> np.ndarray:
    """The topic with the most similarity-weighted votes among the k nearest items."""
    top, sims = _neighbours(q, vectors, k)
    w, t = _weights(sims), topic_ids[top]
    out = np.full(len(q), -1, np.int32)
    for r in range(len(q)):
        votes: Counter[int] = Counter()
        for tid, wt in zip(t[r], w[r], strict=True):
            if tid >= 0:
                votes[int(tid)] += float(wt)
        out[r] = max(votes, key=lambda c: (votes[c], -c)) if votes else -1
    return out


# ---------------------------------------------------------------- topics and labels


def _topics(items, vectors, coords, topic_ids, labels: list[str]) -> list[Topic]:
    """Topic records: size, 3 items nearest the centroid, label position (median)."""
    out = []
    for t, label in enumerate(labels):
        members = np.flatnonzero(topic_ids == t)
        if len(members) == 0:
            continue
        centre = _centroids(vectors[members], np.zeros(len(members), np.int64), 1)[0]
        near = members[np.argsort(-(vectors[members] @ centre), kind="stable")[:3]]
        x, y = np.median(coords[members], axis=0)
        out.append(Topic(t, label, len(members), [items[i].id for i in near], float(x), float(y)))
    return out


def _labels(items: list[Item], topic_ids: np.ndarray, k: int) -> list[str]:
    """2-4 distinctive terms per topic by class-based TF-IDF, joined with ' · '."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    budget = int(min(5000, max(300, 2e7 / len(items))))  # characters of text per item
    texts = [_NOISE.sub(" ", f"{it.title}\n{it.text}")[:budget] for it in items]
    stop = set(ENGLISH_STOP_WORDS) | BOILERPLATE | _author_words(items, texts)
    fallback = [f"topic {t + 1}" for t in range(k)]
    try:
        cv = CountVectorizer(ngram_range=(1, 2), stop_words=sorted(stop), token_pattern=_TOKEN)
        x = cv.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return fallback
    x.data = np.log1p(x.data)  # one item repeating a word must not own the topic
    sel = topic_ids >= 0
    m = csr_matrix((np.ones(sel.sum()), (topic_ids[sel], np.flatnonzero(sel))), (k, len(items)))
    tf = np.asarray((m @ x).todense())
    docs = np.asarray((m @ (x > 0).astype(np.float64)).todense())
    idf = np.log1p(tf.sum() / max(k, 1) / np.maximum(tf.sum(axis=0), 1e-12))
    score = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1e-12) * idf
    sizes = np.asarray(m.sum(axis=1)).ravel()
    score[docs < np.minimum(2, sizes)[:, None]] = 0  # a term of one item is no topic
    terms = cv.get_feature_names_out()
    labels = []
    for t in range(k):
        chosen: list[str] = []
        order = np.argsort(-score[t], kind="stable")[:40]
        for j in order:
            if (
                score[t, j] <= 0
                or len(chosen) == 4
                or (len(chosen) >= 2 and score[t, j] < 0.5 * score[t, order[0]])
            ):
                break
            chosen = _add_term(chosen, str(terms[j]))
        members = [texts[i] for i in np.flatnonzero(topic_ids == t)]
        labels.append(" · ".join(_cased(chosen, members)) or fallback[t])
    return labels


def _add_term(chosen: list[str], term: str) -> list[str]:
    """Add ``term`` unless it repeats a word; a bigram replaces its own unigram."""
    words = set(term.split())
    inside = [c for c in chosen if set(c.split()) <= words]
    if any(set(c.split()) & words for c in chosen if c not in inside) or (
        inside and len(words) == 1
    ):
        return chosen
    return [c for c in chosen if c not in inside] + [term]


def _author_words(items: list[Item], texts: list[str]) -> set[str]:
    """The author's name: ``item.author`` words, and a capitalised name in most items."""
    words = {w.lower() for it in items for w in re.findall(r"\w+", it.author or "")}
    df = Counter(name for t in texts for name in set(_NAME.findall(t)))
    if df and len(items) >= 3:
        name, count = df.most_common(1)[0]
        if count > len(items) / 2:
            words.add(name.lower())
    return words


def _cased(terms: list[str], texts: list[str]) -> list[str]:
    """Each term in the casing it most often has in ``texts``."""
    want = {w for t in terms for w in t.split()}
    forms: Counter[str] = Counter()
    for text in texts:
        forms.update(w for w in re.findall(_TOKEN, text) if w.lower() in want)
    best = {}
    for form, count in forms.items():
        key = (count, form.islower())
        if form.lower() not in best or key > best[form.lower()][0]:
            best[form.lower()] = (key, form)
    return [" ".join(best.get(w, (0, w))[1] for w in t.split()) for t in terms]
