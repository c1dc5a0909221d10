"""A Streamlit page with only the map component, on synthetic points (for bench/map_explorer.py).

``ABSORB_MAP_N`` points in 30 Gaussian blobs, each split into 3 and again into 3 (three topic
levels), dated 2005-2025 with 10% undated and 5% dated as a range. Run by the benchmark as
``streamlit run bench/map_page.py``; it never touches an index.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import numpy as np
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from views.mapview import data_key, payload, topic_map  # noqa: E402

WORDS = [
    "graph",
    "vector",
    "sqlite",
    "python",
    "rust",
    "docker",
    "llm",
    "prompt",
    "search",
    "index",
    "map",
    "audio",
    "video",
]


@st.cache_data
@st.cache_resource(show_spinner=False)  # the app caches its payload too (views/mapview/explorer)
def synthetic(n: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, (30, 2))
    paths = np.zeros((n, 3), np.int64)
    paths[:, 0] = rng.integers(0, 30, n)
    paths[:, 1] = paths[:, 0] * 3 + rng.integers(0, 3, n)
    paths[:, 2] = paths[:, 1] * 3 + rng.integers(0, 3, n)
    offs = rng.normal(0, 1, (270, 2)) * 0.9
    xy = centres[paths[:, 0]] + offs[paths[:, 2]] * 0.8 + rng.normal(0, 0.35, (n, 2))
    topics = []
    for level in range(3):
        for t in np.unique(paths[:, level]):
            m = paths[:, level] == t
            w = [WORDS[(t * 7 + k * 3 + level) % len(WORDS)] for k in range(3)]
            topics.append(
                {"level": level, "id": int(t), "label": f"{w[0]} {t} · {w[1]} · {w[2]}",
                 "size": int(m.sum()), "x": float(np.median(xy[m, 0])),
                 "y": float(np.median(xy[m, 1]))}
            )  # fmt: skip
    days = rng.integers(0, 20 * 365, n)
    dates = [dt.date(2005, 1, 1) + dt.timedelta(days=int(d)) for d in days]
    dates = [None if i % 10 == 0 else d for i, d in enumerate(dates)]
    ends = [d + dt.timedelta(days=700) if d and i % 20 == 1 else None for i, d in enumerate(dates)]
    kinds = ["note" if i % 3 else "post" for i in range(n)]
    titles = [f"synthetic item {i}" for i in range(n)]
    return payload(
        xy, paths, topics, kinds, ["note", "post"], dates, ends, titles, data_key=data_key(n, seed)
    )


st.set_page_config(page_title="map bench", layout="wide")
value = topic_map(synthetic(int(os.environ.get("ABSORB_MAP_N", "1000"))))
st.code(json.dumps(value, separators=(",", ":")) if value else "no value")
