"""The Streamlit app's views: feed, search, map, the item view, the sidebar.

``app.py`` is the entry; each view lays out what ``indexer`` answers (``state`` holds the
session/URL keys and callbacks, ``data`` the cached loaders, ``components`` the shared
pieces of markup). No ranking, filtering or data shaping lives here.
"""
