"""Put the product through the faults a real folder and a real machine bring, and print what held.

    python -m bench.faults [--stories 3000] [--kills 30] [--seed 1] [--work DIR]

Each fault runs the installed `search` command (or `python -m search.cli`) as a user would, on a folder
of real news stories (AllSides, ../shared/corpora) written as plain text files:

- kill -9 at random moments of a first build, an update and a rebuild: how many committed documents
  were lost (must be 0) and whether the next plain `search index` completes (must be all);
- damaged index states (a truncated or missing segment, a garbled table of contents, catalog,
  actor table or manifest) against every reading and writing command: one clear line and exit 2, no
  traceback; `--rebuild` repairs each;
- folders that are not ours (a user's own files, a folder of dotfiles): their files' checksums
  unchanged after every command;
- an empty or missing corpus folder: nothing removed;
- bad files (binary, empty, huge, mis-encoded, deeply nested, links out of the folder, FIFOs, names
  that are not UTF-8 or hold escape sequences): the run completes, each file indexed or skipped;
- a full disk (a small tmpfs; skipped with the reason where the machine cannot mount one) and an
  immutable index folder (chattr +i): one line, no file left behind, the next run completes;
- the HTTP server: no 500, no server path in any body, a foreign Host header refused.

The functions are also the fast fault suite's (tests/test_faults.py), run there on the sample corpus
through click's CliRunner.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.data import ALLSIDES, rows
from search import engine

# (exit status, stdout, stderr) of one `search` command run with these arguments.
Runner = Callable[[list[str]], tuple[int, str, str]]


@dataclass(frozen=True)
class Row:
    fault: str
    trials: int
    held: int  # trials where the promise held
    promise: str
    detail: str = ""


# --- corpora ---------------------------------------------------------------------------


def write_stories(folder: Path, count: int, start: int = 0) -> list[str]:
    """Write `count` AllSides stories as NAME.txt (headline, blank line, text); returns their names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for number, story in enumerate(rows(ALLSIDES, start, start + count), start):
        name = f"story-{number:05d}.txt"
        (folder / name).write_text(f"{story['title']}\n\n{story['text']}\n", encoding="utf-8")
        names.append(name)
    return names


def write_bad_files(folder: Path, outside: Path) -> dict[str, str]:
    """Files a folder from elsewhere may hold; returns name -> what must happen ('indexed'/'skipped')."""
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text("The password is swordfish.\n")
    files: dict[str, str] = {}

    def put(name: str, content: bytes, outcome: str) -> None:
        (folder / name).write_bytes(content)
        files[name] = outcome

    put("binary.txt", b"PK\x03\x04" + bytes(range(256)) * 20, "skipped")
    put("empty.txt", b"", "skipped")
    put("blank.html", b"<html><body>   </body></html>", "skipped")
    put("huge.txt", b"", "skipped")
    os.truncate(folder / "huge.txt", 21 * 1024 * 1024)  # past the 20 MB cap; sparse, never read
    put(
        "cp1251.txt",
        "Президент Украины\n\nПрезидент Украины заявил о переговорах.".encode("cp1251"),
        "indexed",
    )
    put("utf16.txt", "Cocoa board\n\nThe cocoa board said exports rose.".encode("utf-16-le"), "indexed")
    put("bad-byte.txt", "Touré à Sévaré\n\nTouré \xe0 Bamako.".encode() + b"\xff", "indexed")
    deep = "<html><body>" + "".join(f"<font><p>Paragraph {i}: the cocoa board met." for i in range(300))
    put("deep.html", deep.encode(), "indexed")
    put("broken.html", b"<html><body><p>Unclosed <b>cocoa <i>news</p></div></span>", "indexed")
    put("escape\x1b]0;pwned\x07.txt", b"Cocoa\n\nCocoa \x1b[2J prices.", "indexed")
    put("nested.txt", b"Cocoa nested\n\nA story with a deep sidecar.", "indexed")
    (folder / "nested.meta.json").write_text("[" * 1000 + "]" * 1000)
    put(os.fsdecode(b"latin1-\xe9t\xe9.txt"), "Ete\n\nUn article sur le cacao.".encode("cp1252"), "indexed")
    os.symlink(secret, folder / "link-out.txt")
    files["link-out.txt"] = "skipped"
    os.symlink("/proc/self/status", folder / "proc.txt")
    files["proc.txt"] = "skipped"
    os.mkfifo(folder / "fifo.txt")
    files["fifo.txt"] = "skipped"
    return files


# --- damage ---------------------------------------------------------------------------


def _truncate_segment(index_dir: Path) -> None:
    for segment in _files(index_dir, "*.seg"):
        segment.write_bytes(segment.read_bytes()[:2000])


def _remove_segment(index_dir: Path) -> None:
    for segment in _files(index_dir, "*.seg"):
        segment.unlink()


def _files(index_dir: Path, pattern: str) -> list[Path]:
    """The index's files a damage hits: none is an error (a damage that hits nothing proves nothing)."""
    found = sorted(index_dir.glob(pattern))
    if not found:
        raise FileNotFoundError(f"no {pattern} in {index_dir} to damage")
    return found


def _garble(pattern: str) -> Callable[[Path], None]:
    def garble(index_dir: Path) -> None:
        for path in _files(index_dir, pattern):
            path.write_bytes(b"\x80garbled\x00" * 10)

    return garble


def _halve(pattern: str) -> Callable[[Path], None]:
    def halve(index_dir: Path) -> None:
        for path in _files(index_dir, pattern):
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])

    return halve


DAMAGES: dict[str, Callable[[Path], None]] = {
    "truncated segment": _truncate_segment,
    "missing segment": _remove_segment,
    "garbled table of contents": _garble("_MAIN_*.toc"),
    "garbled catalog": _garble("catalog.sqlite3"),
    "garbled actor table": _garble("actors.sqlite3"),
    "half a manifest": _halve("search-index.json"),
}


def reading_commands(index_dir: Path, document_id: str) -> dict[str, list[str]]:
    where = ["--index-dir", str(index_dir)]
    return {
        "query": ["query", "cocoa OR mali", *where],
        "query --facets": ["query", "mali", "--facets", "actor", *where],
        "show": ["show", document_id, *where],
        "similar": ["similar", document_id, *where],
        "actors": ["actors", *where],
        "stats": ["stats", *where],
    }


def one_clear_line(outcome: tuple[int, str, str]) -> bool:
    """Exit 2, one line on stderr saying it is ours, no traceback."""
    status, _, stderr = outcome
    lines = stderr.strip().splitlines()
    return (
        status == 2
        and len(lines) == 1
        and lines[0].startswith("search: error: ")
        and "Traceback" not in stderr
    )


def answered_or_clear(outcome: tuple[int, str, str]) -> bool:
    """Answered (exit 0, or 1 for no match) or refused in one clear line; never a traceback."""
    return one_clear_line(outcome) or (outcome[0] in (0, 1) and "Traceback" not in outcome[2])


def check_damaged_indexes(run: Runner, corpus: Path, work: Path, document_id: str) -> list[Row]:
    """Every damage against every command: each answers or says one clear line (a damage queries do not
    feel, such as the catalog's, may be answered through); an index run says so whenever a query does;
    `--rebuild` repairs."""
    rows = []
    for name, damage in DAMAGES.items():
        index_dir = work / name.replace(" ", "-")
        run(["index", str(corpus), "--index-dir", str(index_dir), "--quiet"])
        damage(index_dir)
        outcomes = {label: run(args) for label, args in reading_commands(index_dir, document_id).items()}
        outcomes["index"] = run(["index", str(corpus), "--index-dir", str(index_dir)])
        failed = [label for label, outcome in outcomes.items() if not answered_or_clear(outcome)]
        if any(one_clear_line(o) for o in outcomes.values()) and not one_clear_line(outcomes["index"]):
            failed.append("index said nothing of it")
        repaired = run(["index", str(corpus), "--index-dir", str(index_dir), "--rebuild", "--quiet"])[0] == 0
        answered = run(reading_commands(index_dir, document_id)["query"])[0] == 0
        rows.append(
            Row(
                f"damaged index: {name}",
                len(outcomes) + 1,
                len(outcomes) + 1 - len(failed) - (not (repaired and answered)),
                "each command answers or says one clear line; --rebuild repairs",
                ", ".join(failed) + ("" if repaired and answered else " rebuild failed"),
            )
        )
    return rows


# --- folders that are not ours ----------------------------------------------------------


def checksums(folder: Path) -> dict[str, str]:
    """Every file under folder (hidden ones too) with its content's digest."""
    return {
        str(path.relative_to(folder)): hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def check_foreign_folders(run: Runner, corpus: Path, work: Path) -> list[Row]:
    """A user's folders named as the index: nothing written, each command one clear line."""
    foreign = {
        "a user's search-index.json": {"search-index.json": '{"theme": "dark"}\n', "notes.txt": "mine\n"},
        "only dotfiles": {".git/HEAD": "ref: refs/heads/main\n", ".env": "TOKEN=1\n"},
        "someone's documents": {"report.docx": "draft", "photos/a.jpg": "jpeg"},
    }
    rows = []
    for name, files in foreign.items():
        folder = work / name.replace(" ", "-").replace("'", "")
        for relative, text in files.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text)
        before = checksums(folder)
        commands = [
            ["index", str(corpus), "--index-dir", str(folder)],
            ["index", str(corpus), "--index-dir", str(folder), "--rebuild"],
            ["query", "cocoa", "--index-dir", str(folder)],
            ["stats", "--index-dir", str(folder)],
        ]
        clear = sum(one_clear_line(run(args)) for args in commands)
        unchanged = checksums(folder) == before
        rows.append(
            Row(
                f"foreign folder: {name}",
                len(commands),
                clear if unchanged else 0,
                "nothing written; one clear line each",
                "" if unchanged else "FILES CHANGED",
            )
        )
    return rows


def check_emptied_corpus(run: Runner, corpus: Path, work: Path) -> Row:
    """An update over an emptied or missing corpus folder removes nothing."""
    index_dir = work / "emptied"
    run(["index", str(corpus), "--index-dir", str(index_dir), "--quiet"])
    before = checksums(index_dir)
    empty = work / "empty-corpus"
    empty.mkdir(exist_ok=True)
    outcomes = [run(["index", str(empty), "--index-dir", str(index_dir)]),
                run(["index", str(work / "unmounted"), "--index-dir", str(index_dir)])]  # fmt: skip
    held = sum(one_clear_line(outcome) for outcome in outcomes) if checksums(index_dir) == before else 0
    return Row("empty or missing corpus folder", 2, held, "nothing removed; one clear line")


def check_bad_files(run: Runner, work: Path) -> Row:
    """A folder of bad files: the run completes and every file is indexed or skipped as it should be."""
    folder = work / "bad-files"
    expected = write_bad_files(folder, work / "outside")
    index_dir = work / "bad-files-index"
    status, _, stderr = run(["index", str(folder), "--index-dir", str(index_dir)])
    wrong = []
    for name, outcome in expected.items():
        shown = name.encode("unicode_escape").decode("ascii") if "\x1b" in name else name
        shown = os.fsencode(shown).decode("utf-8", "backslashreplace")
        if (f"skipped {shown}:" in stderr) != (outcome == "skipped"):
            wrong.append(name)
    leaked = run(["query", "swordfish", "--index-dir", str(index_dir)])[0] != 1
    held = len(expected) - len(wrong) if status == 0 and "Traceback" not in stderr and not leaked else 0
    detail = ", ".join(repr(name) for name in wrong) + (" a link out was indexed" if leaked else "")
    return Row(
        "bad files in the corpus", len(expected), held, "run completes; each indexed or skipped", detail
    )


# --- the machine: a full disk, an immutable folder ---------------------------------------


@contextlib.contextmanager
def small_disk(folder: Path, kilobytes: int) -> Iterator[Callable[[int], None]]:
    """A tmpfs of `kilobytes` mounted at folder; yields a function that resizes it. Raises OSError
    with the reason where this machine does not let us mount one (not root, no CAP_SYS_ADMIN)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        raise OSError(f"cannot mount a tmpfs here: {mounted.stderr.strip() or mounted.returncode}")

    def resize(size: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}k", str(folder)], check=True)

    try:
        yield resize
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False)  # files may still be open


def grown(corpus: Path, more: Path, folder: Path) -> Path:
    """A copy of corpus with more's files added: what an update adds to the index."""
    shutil.copytree(corpus, folder, dirs_exist_ok=True)
    shutil.copytree(more, folder, dirs_exist_ok=True)
    return folder


def check_full_disk(run: Runner, corpus: Path, more: Path, work: Path) -> Row:
    """An index on a nearly full disk: one line, nothing left behind, the next run completes with room."""
    index_dir = work / "disk" / "index"
    more = grown(corpus, more, work / "disk-corpus")
    sizing = work / "disk-sizing"
    run(["index", str(corpus), "--index-dir", str(sizing), "--quiet"])
    size = sum(path.stat().st_size for path in sizing.iterdir())
    room = size * 2 // 1024 + 200  # the first build fits, with the room its writer needs aside
    try:
        with small_disk(work / "disk", room) as resize:
            run(["index", str(corpus), "--index-dir", str(index_dir), "--quiet"])
            before = checksums(index_dir)
            failed = run(["index", str(more), "--index-dir", str(index_dir)])
            clear = one_clear_line(failed) and "no space left on device" in failed[2]
            clean = checksums(index_dir) == before
            answered = run(["query", "cocoa OR mali", "--index-dir", str(index_dir)])[0] == 0
            resize(room * 64)
            completed = run(["index", str(more), "--index-dir", str(index_dir), "--quiet"])[0] == 0
    except OSError as error:
        return Row(
            "full disk", 0, 0, "one line; nothing left behind; next run completes", f"skipped: {error}"
        )
    held = sum((clear, clean, answered, completed))
    detail = ", ".join(
        label
        for label, ok in (
            ("message", clear),
            ("files left", clean),
            ("query", answered),
            ("next run", completed),
        )
        if not ok
    )
    return Row(
        "full disk", 4, held, "one line; nothing left behind; old index answers; next run completes", detail
    )


def check_immutable_folder(run: Runner, corpus: Path, more: Path, work: Path) -> Row:
    """An index folder the user made immutable (chattr +i): one line, nothing changed."""
    index_dir = work / "immutable"
    more = grown(corpus, more, work / "immutable-corpus")
    run(["index", str(corpus), "--index-dir", str(index_dir), "--quiet"])
    if subprocess.run(["chattr", "+i", str(index_dir)], capture_output=True).returncode != 0:
        return Row(
            "immutable index folder", 0, 0, "one line; nothing changed", "skipped: chattr +i not permitted"
        )
    try:
        before = checksums(index_dir)
        outcomes = [run(["index", str(more), "--index-dir", str(index_dir)]),
                    run(["index", str(more), "--index-dir", str(index_dir), "--rebuild"])]  # fmt: skip
        clear = sum(one_clear_line(o) and "cannot write the index" in o[2] for o in outcomes)
        held = clear if checksums(index_dir) == before else 0
    finally:
        subprocess.run(["chattr", "-i", str(index_dir)], check=False)
    return Row("immutable index folder", 2, held, "one line; nothing changed")


# --- kill -9 ---------------------------------------------------------------------------


@functools.cache
def search_command() -> list[str]:
    """The `search` command installed beside this interpreter, else this interpreter running the CLI
    (not any `search` on the PATH: another program may have the name)."""
    found = shutil.which("search", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-c", "from search.cli import main; main()"]


def subprocess_runner(env: dict[str, str]) -> Runner:
    def run(args: list[str]) -> tuple[int, str, str]:
        done = subprocess.run(
            [*search_command(), *args], capture_output=True, text=True, env=env, timeout=600
        )
        return done.returncode, done.stdout, done.stderr

    return run


def committed_ids(index_dir: Path) -> set[str]:
    """The documents the index's last commit holds, as its catalog says (written after each commit)."""
    return set(engine.read_catalog(index_dir))


def check_kills(
    env: dict[str, str], corpus: Path, extra: Path, work: Path, kills: int, rng: random.Random
) -> list[Row]:
    """kill -9 at random moments of a first build, an update (adding `extra`) and a rebuild."""
    run = subprocess_runner(env)
    rows = []
    for kind in ("first build", "update", "rebuild"):
        lost = completed = killed = 0
        for trial in range(kills):
            index_dir = work / f"kill-{kind.replace(' ', '-')}-{trial}"
            target = corpus
            if kind != "first build":
                run(["index", str(corpus), "--index-dir", str(index_dir), "--quiet"])
            if kind == "update":
                target = grown(corpus, extra, work / f"kill-update-corpus-{trial}")
            before = committed_ids(index_dir)
            args = [*search_command(), "index", str(target), "--index-dir", str(index_dir), "--quiet"]
            args += ["--rebuild"] if kind == "rebuild" else []
            process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 6.0))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait()
            after_kill = committed_ids(index_dir)
            lost += len(before - after_kill)
            status = run(["index", str(target), "--index-dir", str(index_dir), "--quiet"])[0]
            answered = run(["query", "the", "--index-dir", str(index_dir), "--json", "--limit", "1"])
            total = json.loads(answered[1])["total"] if answered[0] == 0 else -1
            completed += status == 0 and total == len(list(target.glob("*.txt")))
            shutil.rmtree(index_dir, ignore_errors=True)
        rows.append(
            Row(
                f"kill -9 during {'an' if kind[0] in 'aeiou' else 'a'} {kind}",
                kills,
                completed if lost == 0 else 0,
                "no committed document lost; the next run completes",
                f"{killed} killed mid-run; committed documents lost: {lost}",
            )
        )
    return rows


# --- HTTP ------------------------------------------------------------------------------


@contextlib.contextmanager
def serving(env: dict[str, str], index_dir: Path) -> Iterator[str]:
    """`search serve` on a free port, stopped with Ctrl-C at the end; yields its first line on stderr
    (where it serves, or why it cannot)."""
    served = subprocess.Popen(
        [*search_command(), "serve", "--index-dir", str(index_dir.resolve()), "--port", "0"],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        yield served.stderr.readline()  # type: ignore[union-attr]
    finally:
        served.send_signal(signal.SIGINT)
        served.communicate(timeout=30)


def _url(announced: str) -> str:
    return announced.split(" on ")[1].split()[0]


def check_http(env: dict[str, str], index_dir: Path, work: Path) -> Row:
    """A real server: requests good and bad, a foreign Host; then one over a damaged index.

    The index is damaged before that server starts: a segment truncated under a running server is
    a SIGBUS where Whoosh has mapped it (docs/reliability.md), which no index run ever does.
    """
    import httpx

    requests = ["/search?q=cocoa", "/search?q=%22unclosed", "/search?q=date:2012-02-31",
                "/search?limit=0", "/document?id=../../etc/passwd", "/similar?id=nothing",
                "/actors?type=nobody", "/stats", "/nowhere", "/search?q=" + "a" * 2000, "/search?q=*",
                "/search?q=title:((((", "/actors", "/search?q=mali&facets=actor&facets=year"]  # fmt: skip
    problems = []
    with serving(env, index_dir) as announced, httpx.Client(base_url=_url(announced), timeout=30) as http:
        for request in requests:
            answer = http.get(request)
            if (
                answer.status_code >= 500
                or str(work) in answer.text
                or ("error" not in answer.json() and answer.status_code >= 400)
            ):
                problems.append(f"{request} -> {answer.status_code}")
        if http.get("/health", headers={"Host": "rebinding.example"}).status_code != 421:
            problems.append("foreign Host answered")
    _truncate_segment(index_dir)
    with serving(env, index_dir) as announced:  # refused at the start in one line, or a 503 then
        if announced.startswith("search: error: ") and "damaged" in announced:
            pass
        elif (damaged := httpx.get(f"{_url(announced)}/search?q=mali", timeout=30)).status_code != 503:
            problems.append(f"damaged index -> {damaged.status_code} {damaged.text[:80]}")
        elif str(work) in damaged.text:
            problems.append("a server path in the damaged index's answer")
    trials = len(requests) + 2
    return Row(
        "HTTP server",
        trials,
        trials - len(problems),
        "no 500; no server path; foreign Host refused; damaged index 503",
        "; ".join(problems),
    )


def print_table(rows: list[Row]) -> None:
    print("| fault | trials | held | promise | notes |")
    print("|---|---:|---:|---|---|")
    for row in rows:
        print(f"| {row.fault} | {row.trials} | {row.held} | {row.promise} | {row.detail} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=10, help="kills per kind of run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    work = arguments.work or Path(tempfile.mkdtemp(prefix="faults-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env["XDG_CONFIG_HOME"] = str(work / "config")
    corpus, extra = work / "corpus", work / "extra"
    write_stories(corpus, arguments.stories)
    write_stories(extra, max(arguments.stories // 10, 50), start=arguments.stories)
    run = subprocess_runner(env)
    document_id = "story-00000.txt"
    started = time.perf_counter()
    rows = [
        *check_kills(env, corpus, extra, work, arguments.kills, rng),
        *check_damaged_indexes(run, corpus, work, document_id),
        *check_foreign_folders(run, corpus, work),
        check_emptied_corpus(run, corpus, work),
        check_bad_files(run, work),
        check_full_disk(run, extra, corpus, work),
        check_immutable_folder(run, extra, corpus, work),
    ]
    index_dir = work / "http-index"
    run(["index", str(corpus), "--index-dir", str(index_dir), "--quiet"])
    rows.append(check_http(env, index_dir, work))
    print(f"{arguments.stories:,} stories, seed {arguments.seed}, {time.perf_counter() - started:.0f} s\n")
    print_table(rows)


if __name__ == "__main__":
    main()
