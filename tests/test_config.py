from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from search import Ranking
from search.config import Settings, load_settings, user_config_path, with_ranking
from search.errors import BadInputError

from .conftest import PROJECT_ROOT


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
    assert (
        Path(user_config_path({"XDG_CONFIG_HOME": str(tmp_path)})) == tmp_path / "news-search" / "config.toml"
    )


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


def test_the_ranking_table_of_the_user_file_changes_only_what_it_names(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('index_dir = "/data/idx"\n[ranking]\nfeedback = false\nk1 = 0.9\nrerank_depth = 50\n')
    settings = load_settings({"SEARCH_CONFIG": str(config)})
    assert settings.ranking == Ranking(feedback=False, k1=0.9, rerank_depth=50)
    assert settings.index_dir == Path("/data/idx")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("k1 = -1", "out of bounds"),
        ("b = 1.5", "out of bounds"),
        ("feedback = 'maybe'", "not true or false"),
        ("feedback_terms = 2.5", "not a whole number"),
        ("feedback_terms = true", "not a valid int"),
        ("speed = 3", "unknown ranking parameter 'speed'"),
    ],
)
def test_bad_ranking_parameters_are_one_line_errors(tmp_path: Path, table: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[ranking]\n{table}\n")
    with pytest.raises(BadInputError, match=message) as raised:
        load_settings({"SEARCH_CONFIG": str(config)})
    assert "[ranking]" in str(raised.value) and "\n" not in str(raised.value)


def test_ranking_must_be_a_table(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("ranking = 3\n")
    with pytest.raises(BadInputError, match=r"table of parameters"):
        load_settings({"SEARCH_CONFIG": str(config)})


def test_ranking_parameters_read_from_words_as_a_benchmark_gives_them() -> None:
    changed = with_ranking(Ranking(), {"feedback": "off", "k1": "1.5", "feedback_terms": "20"}, "--set")
    assert changed == Ranking(feedback=False, k1=1.5, feedback_terms=20)


def test_the_readmes_config_example_is_read_and_gives_the_default_ranking(tmp_path: Path) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Where the index and the corpus live")[1].split("```toml\n")[1].split("```")[0]
    config = tmp_path / "config.toml"
    config.write_text(textwrap.dedent(example))
    settings = load_settings({"SEARCH_CONFIG": str(config)})
    assert settings.ranking == Ranking() and "[ranking]" in example
    assert settings.index_dir == Path("~/news-index").expanduser()
