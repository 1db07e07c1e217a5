"""Where the settings and the index live: the user's config file, the environment variables that
name folders, and the default folders. Read by config.py, which builds the settings, and by client.py,
which must find the index folder before anything else is imported (so this module imports nothing
but os, and names files as strings: pathlib takes 11 ms to import).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # collections.abc takes ~5 ms to import: for the type checker only (client.py)
if TYPE_CHECKING:
    from collections.abc import Mapping

CONFIG_ENV = "SEARCH_CONFIG"
ENV_VARIABLES = {
    "index_dir": "SEARCH_INDEX_DIR",
    "corpus_dir": "SEARCH_CORPUS_DIR",
}
DEFAULT_INDEX_DIR = "index"
DEFAULT_CORPUS_DIR = "corpus"


def user_config_path(env: Mapping[str, str] = os.environ) -> str:
    """The user's config file: $SEARCH_CONFIG, else $XDG_CONFIG_HOME/news-search/config.toml."""
    if env.get(CONFIG_ENV):
        return os.path.expanduser(env[CONFIG_ENV])
    base = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return os.path.join(base, "news-search", "config.toml")
