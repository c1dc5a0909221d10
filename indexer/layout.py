"""UMAP for the map (``topics.py``), with umap-learn's numba kernels cached on disk.

umap-learn compiles its numba kernels the first time a process runs UMAP and keeps only
some on disk (not ``smooth_knn_dist`` or ``compute_membership_strengths``), so every
``absorb index`` that fitted a map, and every test session, compiled them again: fitting
120 items took 11.4-12.4 s in a new process, nearly all of it compilation. Here numba caches them in absorb's cache folder
(``store.numba_cache_dir``), once per machine: the same fit in the next process takes 0.8 s
(3.7 s with the imports). The compiled code is the same, so layouts are unchanged.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from typing import Any

import numpy as np

from . import store


def umap_layout(
    x: np.ndarray, knn: tuple, dims: int, min_dist: float, seed: int, **kw: Any
) -> np.ndarray:
    """A seeded, single-threaded UMAP of ``x`` over the precomputed neighbour graph."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no-TensorFlow, precomputed-knn, small-data notices
        import umap

        _cache_kernels()
        model = umap.UMAP(
            n_neighbors=knn[0].shape[1], n_components=dims, min_dist=min_dist, metric="cosine",
            init="pca" if x.shape[1] > dims else "random", random_state=seed, n_jobs=1,
            low_memory=True, precomputed_knn=knn, **kw,
        )  # fmt: skip
        return model.fit_transform(x).astype(np.float32)


@functools.cache
def _cache_kernels() -> None:
    """Ask numba to keep umap-learn's compiled functions in absorb's cache (once a process)."""
    import numba
    import umap.distances
    import umap.layouts
    import umap.sparse
    import umap.spectral
    import umap.umap_
    import umap.utils
    from numba.core.registry import CPUDispatcher

    numba.config.CACHE_DIR = str(store.numba_cache_dir())  # type: ignore[attr-defined]
    for mod in (umap.umap_, umap.layouts, umap.utils, umap.spectral, umap.distances, umap.sparse):
        for obj in vars(mod).values():
            if isinstance(obj, CPUDispatcher):
                with contextlib.suppress(Exception):  # refused: compiled as before
                    obj.enable_caching()
