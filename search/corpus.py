"""Find the article files under a corpus folder and read each one into a SourceFile."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat as stat_module
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .decoding import decode, looks_like_html, without_controls
from .errors import CorpusNotFoundError
from .models import GivenMetadata, SkippedFile, SourceFile

TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
SIDECAR_SUFFIX = ".meta.json"
GIVEN_KEYS = ("title", "date", "actors", "authors", "source", "url", "type")
LIST_KEYS = frozenset({"actors", "authors"})
# A document's url is served to HTTP clients and pages as a link: only these schemes are kept
# (a "javascript:" or "file:" url from a corpus made elsewhere would run or point into this machine).
URL_SCHEMES = frozenset({"http", "https"})
# Other names people give these keys (static-site generators, exports).
KEY_ALIASES = {"author": "authors", "byline": "authors", "published": "date", "headline": "title"}
FRONT_MATTER_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<block>(?:.*\r?\n){0,40}?)---[ \t]*(?:\r?\n|\Z)")


def check_corpus_dir(root: Path) -> Path:
    """Return the corpus folder as an absolute path, or raise if it is not a folder."""
    if not root.exists():
        raise CorpusNotFoundError(f"corpus folder not found: {root}")
    if not root.is_dir():
        raise CorpusNotFoundError(f"corpus path is not a folder: {root}")
    return root.resolve()


def relative_id(path: Path, root: Path) -> str:
    """The document id of a file: its path relative to the corpus root, with forward slashes.

    A name that is not UTF-8 (Python holds its bytes as surrogates, which no index or JSON can
    store) has its bad bytes written out as \\xff: the same id on every run, so updates find it.
    """
    # As strings: Path.relative_to() parsed both paths again, 40 us a file (a third of a no-op run's
    # walk at 41,578 files); a path that does not start with the root as written goes through it.
    text, base = str(path), str(root).rstrip(os.sep) + os.sep
    if text.startswith(base) and len(text) > len(base):
        relative = text[len(base) :].replace(os.sep, "/")
    else:
        relative = path.relative_to(root).as_posix()
    return _as_id(relative)


def _as_id(relative: str) -> str:
    """A relative path with forward slashes as a document id: bad bytes of its name written out."""
    if is_utf8_name(relative):
        return relative
    return os.fsencode(relative).decode("utf-8", errors="backslashreplace")


def is_utf8_name(name: str) -> bool:
    """False for a file name whose bytes are not UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Survey:
    """What a walk of the corpus folder found: every article file, in a stable order (hidden folders
    skipped), as a path string and as its document id, and the sidecars (NAME.meta.json) that exist,
    as path strings."""

    paths: tuple[str, ...]
    ids: tuple[str, ...]
    sidecars: frozenset[str]


def survey(root: Path) -> Survey:
    """Every article file under root, recursively, as a path string, with each file's id and the
    sidecars the walk saw: an update stats each file once (file_signature() stat()s only the sidecars
    that exist) and makes a Path only of a file it reads. At a million files, a Path and a relative
    path made a file were 12 of a no-op run's 27 s; an id is now its folder's prefix, made once a
    folder, and its name."""
    paths: list[str] = []
    ids: list[str] = []
    sidecars: set[str] = set()
    top = os.fspath(root)
    suffixes = tuple(ARTICLE_SUFFIXES)
    for folder, subfolders, filenames in os.walk(top):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        inside = os.path.relpath(folder, top)
        prefix = "" if inside == os.curdir else inside.replace(os.sep, "/") + "/"
        base = folder if folder.endswith(os.sep) else folder + os.sep  # (os.path.join a file: 4 us)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if name.endswith(SIDECAR_SUFFIX):
                sidecars.add(base + name)
            elif name.lower().endswith(suffixes):  # (what splitext's suffix, lowered, would say)
                paths.append(base + name)
                ids.append(_as_id(prefix + name))
    return Survey(tuple(paths), tuple(ids), frozenset(sidecars))


def stays_inside(path: Path, root: Path) -> bool:
    """False for a symbolic link whose target lies outside root.

    A corpus folder made by someone else must not make the index, and so `search serve`, expose
    files elsewhere on this machine (a link to ~/.ssh/id_rsa or /proc/self/status). Folders are
    walked without following links, so only the file itself can be one.
    """
    if not path.is_symlink():
        return True
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links: reading it fails and says so
        return True


def sidecar_paths(path: Path) -> tuple[Path, Path]:
    """Where a document's sidecar may be: NAME.meta.json or NAME.txt.meta.json beside it."""
    return path.with_suffix(SIDECAR_SUFFIX), path.with_name(path.name + SIDECAR_SUFFIX)


def _given_from_mapping(data: dict[str, Any], where: str, warnings: list[str]) -> GivenMetadata:
    """Metadata from a sidecar's or front matter's keys, values as given; values of the wrong type are
    warned about. A title keeps its quote marks ("'Genocide' charged"): only white space is normalised."""
    values: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = KEY_ALIASES.get(raw_key, raw_key)
        if key not in GIVEN_KEYS or value is None or key in values:
            continue
        if key in LIST_KEYS:
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
                warnings.append(f"{where}: {raw_key!r} must be a name or a list of names; ignored")
                continue
            values[key] = tuple(" ".join(v.split()) for v in names if v.strip())
        elif key == "url" and not (isinstance(value, str) and urlsplit(value.strip()).scheme in URL_SCHEMES):
            warnings.append(f"{where}: 'url' must be an http or https address; ignored")
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            values[key] = " ".join(str(value).split())
        else:
            warnings.append(f"{where}: {raw_key!r} must be text; ignored")
    return GivenMetadata(**values)


def read_sidecar(path: Path, root: Path) -> tuple[GivenMetadata, bytes, list[str]]:
    """A document's sidecar metadata, its bytes (for change detection) and any warnings."""
    warnings: list[str] = []
    for sidecar in sidecar_paths(path):
        if not sidecar.is_file():
            continue
        name = relative_id(sidecar, root)
        if not stays_inside(sidecar, root):
            return GivenMetadata(), b"", [f"{name}: a link to a file outside the corpus folder; ignored"]
        try:
            raw = sidecar.read_bytes()
            data = json.loads(raw.decode("utf-8-sig"))
        except RecursionError:  # '[[[[...' a thousand deep: Python's parser gives up, the run goes on
            return GivenMetadata(), b"", [f"{name}: nested too deeply to read; ignored"]
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            return GivenMetadata(), b"", [f"{name}: not readable as JSON ({error}); ignored"]
        if not isinstance(data, dict):
            return GivenMetadata(), raw, [f"{name}: must hold a JSON object; ignored"]
        # One line a key for the whole run (the indexing report merges equal warnings), not one a file.
        warnings.extend(
            f"sidecars: unknown key {key!r} ignored (known: {', '.join(GIVEN_KEYS)})"
            for key in sorted(set(data) - set(GIVEN_KEYS) - set(KEY_ALIASES))
        )
        return _given_from_mapping(data, name, warnings), raw, warnings
    return GivenMetadata(), b"", warnings


def _front_matter_scalar(value: str) -> str:
    """A YAML scalar as front matter writes it: "double-quoted" (with \\" escapes), 'single-quoted'
    (with '' for a quote), or plain."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            decoded = json.loads(value)
            return decoded if isinstance(decoded, str) else value[1:-1]
        except json.JSONDecodeError:
            return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _front_matter_list(value: str) -> list[str]:
    """A flow list, [a, "b, c", 'd'], as its items."""
    items = re.findall(r"""\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+)\s*(?:,|$)""", value.strip()[1:-1])
    return [_front_matter_scalar(item) for item in items if item.strip()]


def split_front_matter(text: str, name: str) -> tuple[GivenMetadata, str, list[str]]:
    """Metadata from a '---' block at the top of a text (YAML's common forms: 'key: value', quoted values,
    [flow, lists] and '- item' lists), and the text after it."""
    match = FRONT_MATTER_RE.match(text)
    if not match:
        return GivenMetadata(), text, []
    data: dict[str, Any] = {}
    key = None
    for line in match["block"].splitlines():
        item = re.match(r"^\s+-\s+(.*)$", line) or re.match(r"^-\s+(.*)$", line)
        if item and key is not None:
            listed = data.get(key)
            data[key] = [*(listed if isinstance(listed, list) else []), _front_matter_scalar(item[1])]
            continue
        field, colon, value = line.partition(":")
        if not colon or line[:1].isspace():
            continue
        key = field.strip().lower()
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            data[key] = _front_matter_list(value)
        elif value:
            data[key] = _front_matter_scalar(value)
    warnings: list[str] = []
    return _given_from_mapping(data, f"{name} front matter", warnings), text[match.end() :], warnings


def _merge_given(sidecar: GivenMetadata, front: GivenMetadata) -> GivenMetadata:
    """The sidecar's fields where given, else the front matter's."""
    return GivenMetadata(
        **{
            key: getattr(sidecar, key) if getattr(sidecar, key) is not None else getattr(front, key)
            for key in GIVEN_KEYS
        },
        given_by="sidecar" if sidecar.date is not None or front.date is None else "front-matter",
    )


_LARGEST = 2**63 - 1  # the catalog keeps a signature's numbers as SQLite's 64-bit integers


def _held(nanoseconds: int) -> int:
    """A file time as the catalog can hold it: past 2262 (or before 1677) it is more than 64 bits of
    nanoseconds, and a file dated so (a bad clock, a damaged archive) stopped the run that indexed it.
    Every such time is held as the same number: a file of the same size whose bogus date moves is
    taken for unchanged."""
    return nanoseconds if -_LARGEST <= nanoseconds <= _LARGEST else _LARGEST if nanoseconds > 0 else -_LARGEST


def file_signature(path: Path | str, sidecars: Container[str] | None = None) -> tuple[int, int, int] | None:
    """Size, mtime and the sidecar's mtime (in ns), from stat alone: what tells a file changed.
    sidecars: the sidecar paths that exist (survey()), so that only those are stat()ed."""
    name = os.fspath(path)  # (os.stat of strings: pathlib's own stat and with_suffix cost more than it)
    try:
        stat = os.stat(name)
    except OSError:
        return None
    sidecar = 0
    if sidecars is not None and not sidecars:
        return (stat.st_size, _held(stat.st_mtime_ns), sidecar)  # a folder without sidecars: none to name
    for candidate in (os.path.splitext(name)[0] + SIDECAR_SUFFIX, name + SIDECAR_SUFFIX):
        if sidecars is not None and candidate not in sidecars:
            continue
        try:
            sidecar = _held(os.stat(candidate).st_mtime_ns)
            break
        except OSError:
            continue
    return (stat.st_size, _held(stat.st_mtime_ns), sidecar)


def read_source(path: Path, root: Path, max_bytes: int) -> SourceFile | SkippedFile:
    """Read one file, or say why it cannot be indexed (unreadable, special, too large, binary, empty)."""
    rel = relative_id(path, root)
    name_warnings = (
        []
        if is_utf8_name(str(path))
        else [f"{rel}: the file's name is not UTF-8 (its id spells the bad bytes \\xNN)"]
    )
    if not stays_inside(path, root):
        return SkippedFile(rel, "a link to a file outside the corpus folder")
    try:
        stat = path.stat()
        if not stat_module.S_ISREG(stat.st_mode):
            return SkippedFile(rel, "not a regular file")
        if stat.st_size > max_bytes:
            return SkippedFile(rel, f"too large ({stat.st_size:,} bytes; limit {max_bytes:,})")
        raw = path.read_bytes()
    except OSError as error:
        return SkippedFile(rel, f"unreadable ({error.strerror or error})")
    if not raw.strip():
        return SkippedFile(rel, "empty file")
    is_html = path.suffix.lower() in HTML_SUFFIXES or looks_like_html(raw)
    text = decode(raw, is_html)
    if text is None:
        return SkippedFile(rel, "binary file")
    text = without_controls(text)
    sidecar, sidecar_bytes, warnings = read_sidecar(path, root)
    front, text, front_warnings = (
        split_front_matter(text, rel) if not is_html else (GivenMetadata(), text, [])
    )
    if not text.strip():
        return SkippedFile(rel, "empty file")
    return SourceFile(
        path=rel,
        text=text,
        size=stat.st_size,
        mtime=stat.st_mtime,
        content_hash=hashlib.blake2b(raw + sidecar_bytes, digest_size=16).hexdigest(),
        is_html=is_html,
        given=_merge_given(sidecar, front),
        warnings=tuple(name_warnings + warnings + front_warnings),
    )
