"""The actor table: every actor's name and type, written as the rows a run changed, moved over from the
actors.json of older indexes, made again from the index when it is lost or damaged."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from search import index_corpus, open_index
from search.engine import actornames
from search.engine.actornames import (
    ACTOR_TABLE_NAME,
    read_actor_names,
    table_version,
    write_actor_names,
)
from search.engine.facets import _actor_table

from ..conftest import SAMPLE_CORPUS


def actor_names(count: int) -> dict[str, tuple[str, str]]:
    return {
        f"actor-{n}": (f"Actor {n} é", ("person", "organisation", "location")[n % 3]) for n in range(count)
    }


def nothing() -> dict[str, tuple[str, str]]:
    return {}


def test_names_are_written_whole_or_as_the_rows_that_differ(tmp_path: Path) -> None:
    """A rebuild writes every actor; an update only those it names otherwise or first (a trigger counts
    the rows written); any ids are looked up, more than one SELECT takes, and missing ones."""
    names = actor_names(1_200)
    assert read_actor_names(tmp_path) is None  # (no table: an index written before it)
    write_actor_names(tmp_path, names, True, nothing)
    assert read_actor_names(tmp_path) == names
    wanted = [f"actor-{n}" for n in range(0, 1_300, 2)]
    assert read_actor_names(tmp_path, wanted) == {key: names[key] for key in wanted if key in names}
    with closing(sqlite3.connect(tmp_path / ACTOR_TABLE_NAME)) as connection:
        connection.execute("CREATE TABLE written (id TEXT)")
        connection.execute(
            "CREATE TRIGGER n AFTER INSERT ON actors BEGIN INSERT INTO written VALUES (new.id); END"
        )
        connection.commit()
    seen = {"actor-1": names["actor-1"], "actor-2": ("Renamed", "person"), "new": ("New", "location")}
    version = table_version(tmp_path)
    found = write_actor_names(tmp_path, seen, False, nothing, wanted=["actor-2", "actor-4", "nobody"])
    assert found == {"actor-2": ("Renamed", "person"), "actor-4": names["actor-4"]}
    assert read_actor_names(tmp_path) == {**names, **seen} and table_version(tmp_path) != version
    with closing(sqlite3.connect(tmp_path / ACTOR_TABLE_NAME)) as connection:
        assert sorted(row[0] for row in connection.execute("SELECT id FROM written")) == ["actor-2", "new"]
    version = table_version(tmp_path)
    write_actor_names(tmp_path, {"actor-1": names["actor-1"]}, False, nothing)  # nothing differs
    assert table_version(tmp_path) == version  # (readers keep what they read)
    write_actor_names(tmp_path, {"only": ("Only", "person")}, True, nothing)  # a rebuild: the run's alone
    assert read_actor_names(tmp_path) == {"only": ("Only", "person")}


def test_an_index_written_with_actors_json_is_read_from_it_and_moved_over(tmp_path: Path) -> None:
    old = {"ecowas": ["ECOWAS", "organisation"], "bad": ["x"], "mali": ["Mali", "location"]}
    (tmp_path / "actors.json").write_text(json.dumps(old), encoding="utf-8")
    expected = {"ecowas": ("ECOWAS", "organisation"), "mali": ("Mali", "location")}
    assert read_actor_names(tmp_path) is None and actornames.read_old_actor_names(tmp_path) == expected
    write_actor_names(tmp_path, {"mali": ("Republic of Mali", "location")}, False, nothing)
    assert not (tmp_path / "actors.json").exists()
    assert read_actor_names(tmp_path) == {**expected, "mali": ("Republic of Mali", "location")}


def test_a_move_that_fails_leaves_the_old_file_to_move_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table is made in the transaction that copies actors.json in: a run that fails there leaves
    no empty table that the next run would take as complete."""
    (tmp_path / "actors.json").write_text(json.dumps({"mali": ["Mali", "location"]}), encoding="utf-8")
    real_insert = actornames._insert

    def full_disk(connection: sqlite3.Connection, names: dict[str, tuple[str, str]]) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(actornames, "_insert", full_disk)
    with pytest.raises(OSError) as raised:
        write_actor_names(tmp_path, {"new": ("New", "person")}, False, nothing)
    assert raised.value.errno == 28
    assert (tmp_path / "actors.json").exists() and read_actor_names(tmp_path) is None
    assert _actor_table(tmp_path) == {"mali": ("Mali", "location")}  # (what facets read meanwhile)
    monkeypatch.setattr(actornames, "_insert", real_insert)
    write_actor_names(tmp_path, {"new": ("New", "person")}, False, nothing)
    assert read_actor_names(tmp_path) == {"mali": ("Mali", "location"), "new": ("New", "person")}


@pytest.mark.parametrize("loss", ["damaged", "removed"])
def test_a_table_damaged_or_lost_is_made_again_from_the_index(tmp_path: Path, loss: str) -> None:
    """Without a table to read or a file to move over, an update makes the table again from the
    names the index's documents give: facets and the alias table name every actor again."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir)
    names = read_actor_names(index_dir)
    assert names and "ecowas" in names
    aliases = (index_dir / "actor-aliases.json").read_text(encoding="utf-8")
    for path in index_dir.glob(f"{ACTOR_TABLE_NAME}*"):
        path.unlink()
    if loss == "damaged":
        (index_dir / ACTOR_TABLE_NAME).write_bytes(b"SQLite format 3\0" + b"\xff" * 4000)
        assert read_actor_names(index_dir) == {}
    edited = sorted(corpus.rglob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA line added.\n", encoding="utf-8")
    assert index_corpus(corpus, index_dir).updated == 1
    assert read_actor_names(index_dir) == names
    assert (index_dir / "actor-aliases.json").read_text(encoding="utf-8") == aliases
    listed = {count.value: (count.name, count.type) for count in open_index(index_dir).actors()}
    assert listed and all(names[actor_id] == entry for actor_id, entry in listed.items())


def test_readers_never_write_to_the_index_folder(tmp_path: Path) -> None:
    """A query process opens the table read-only: the folder is left as the run left it."""
    write_actor_names(tmp_path, actor_names(10), True, nothing)
    before = sorted(path.name for path in tmp_path.iterdir())
    assert read_actor_names(tmp_path, ["actor-1"]) == {"actor-1": ("Actor 1 é", "organisation")}
    assert table_version(tmp_path) and read_actor_names(tmp_path) == actor_names(10)
    assert sorted(path.name for path in tmp_path.iterdir()) == before


def test_a_writer_killed_mid_transaction_leaves_readers_reading(tmp_path: Path) -> None:
    """A run killed inside its transaction leaves a hot journal, which a read-only reader cannot roll
    back: the reader rolls it back as SQLite's readers do, and reads what was committed."""
    names = actor_names(50)
    write_actor_names(tmp_path, names, True, nothing)
    killed = subprocess.run(
        [
            sys.executable, "-c",
            "import os, signal, sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.executemany('INSERT OR REPLACE INTO actors VALUES (?, ?, ?)', "
            "[(f'x{n}', 'x' * 500, 'person') for n in range(5000)])\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
            str(tmp_path / ACTOR_TABLE_NAME),
        ],
        check=False,
    )  # fmt: skip
    assert killed.returncode == -9 and (tmp_path / f"{ACTOR_TABLE_NAME}-journal").exists()
    assert table_version(tmp_path)
    assert read_actor_names(tmp_path) == names
