from __future__ import annotations

from pathlib import Path

import pytest

from search.config import Settings, load_settings, user_config_path
from search.errors import BadInputError


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    assert load_settings({"XDG_CONFIG_HOME": str(tmp_path)}) == Settings()


def test_user_file_then_environment_override_defaults(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('index_dir = "/data/idx"\ncorpus_dir = "/data/news"\nlock_timeout = 1.5\n')
    env = {"SEARCH_CONFIG": str(config)}
    assert load_settings(env) == Settings(Path("/data/idx"), Path("/data/news"), 1.5)
    env["SEARCH_INDEX_DIR"] = "/env/idx"
    assert load_settings(env).index_dir == Path("/env/idx")
    assert load_settings(env).corpus_dir == Path("/data/news")


def test_user_file_lives_under_xdg_config_home(tmp_path: Path) -> None:
    assert user_config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "news-search" / "config.toml"


@pytest.mark.parametrize("content", ["index_dir = ", "colour = 'red'", "lock_timeout = 'soon'"])
def test_bad_user_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content)
    with pytest.raises(BadInputError, match="config file"):
        load_settings({"SEARCH_CONFIG": str(config)})
