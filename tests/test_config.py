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


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("max_file_bytes = -5", "out of bounds"),
        ("max_file_bytes = inf", "not a valid int"),
        ("max_file_bytes = 0", "out of bounds"),
        ("lock_timeout = nan", "out of bounds"),
        ("lock_timeout = -1.0", "out of bounds"),
        ("request_timeout = 0", "out of bounds"),
        ('lock_timeout = "soon"', "not a valid float"),
    ],
)
def test_settings_out_of_their_bounds_are_one_line_errors(tmp_path: Path, line: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(line + "\n")
    with pytest.raises(BadInputError, match=message):
        load_settings({"SEARCH_CONFIG": str(config)})
