"""What the app shows before there is an index: how to build one, or a button that does."""

from __future__ import annotations

import streamlit as st

from indexer import appdata as A
from indexer.models import AbsorbError, IndexMissing

from . import components as C
from . import data


def no_index_view(path: str, err: AbsorbError) -> None:
    C.html_block(
        '<div class="ab-head"><span class="ab-logo">absorb</span>'
        '<span class="ab-sub">search, read and map everything one author published</span>'
        "</div>"
    )
    if isinstance(err, IndexMissing):
        st.info("There is no index yet, so there is nothing to show.", icon=":material/info:")
        st.markdown("Build one from your captures in a terminal:")
        st.code(f"absorb index data/captures --index {path}", language="bash")
        st.markdown("…or build the bundled sample captures right here:")
        if st.button(
            "Build the sample index",
            type="primary",
            icon=":material/build:",
            disabled=not data.DEFAULT_CAPTURES.is_dir(),
        ):
            build_default(path)
    else:
        st.error(f"The index at `{A.esc_md(path)}` cannot be opened.", icon=":material/error:")
        st.code(str(err), language="text")


def build_default(path: str) -> None:
    from indexer.build import build_index

    with st.status(f"Indexing {data.DEFAULT_CAPTURES.name}…", expanded=True) as status:
        st.write(
            "Reading captures, embedding passages and laying out the topic map. "
            "The first build loads the embedding model, so it takes a little while."
        )
        try:
            report = build_index([str(data.DEFAULT_CAPTURES)], path, progress=False)
        except AbsorbError as e:
            status.update(label="The build failed", state="error")
            st.code(str(e), language="text")
            return
        status.update(
            label=f"Indexed {report.items} items ({report.passages} passages) in "
            f"{report.seconds:.1f}s",
            state="complete",
        )
    data.get_index.clear()
    st.rerun()
