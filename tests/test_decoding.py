"""Decoding a file's bytes: byte-order marks, UTF-8, declared charsets, legacy encodings, binary."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.data import ALLSIDES, rows
from search.decoding import decode, implausible_words


@pytest.mark.parametrize(
    ("raw", "is_html", "expected"),
    [
        ("Touré à Bamako".encode(), False, "Touré à Bamako"),
        ("Touré “quoted” – said".encode("cp1252"), False, "Touré “quoted” – said"),
        ("Le Gouvernement est disposé à coopérer sans délai.".encode("cp1252"), False,
         "Le Gouvernement est disposé à coopérer sans délai."),
        ('<html><head><meta charset="koi8-r"></head><body>Москва</body></html>'.encode("koi8-r"), True,
         '<html><head><meta charset="koi8-r"></head><body>Москва</body></html>'),
        ('<?xml version="1.0" encoding="iso-8859-1"?><html>Touré</html>'.encode("latin-1"), True,
         '<?xml version="1.0" encoding="iso-8859-1"?><html>Touré</html>'),
        ("Москва заявила о поддержке Мали и Нигера".encode("cp1251"), False, "Москва заявила о поддержке Мали и Нигера"),
        ("\ufeffBOM first".encode(), False, "BOM first"),
        ("UTF-16 with its BOM".encode("utf-16"), False, "UTF-16 with its BOM"),
        (b"\x00\x01binary", False, None),
        # UTF-8 with one bad byte: as declared, or as UTF-8, the bad byte replaced (not all of it as cp1252)
        ('<html><head><meta charset="utf-8"></head><body>Touré à Sévaré \x92</body></html>'.encode().replace(b"\xc2\x92", b"\x92"),
         True, '<html><head><meta charset="utf-8"></head><body>Touré à Sévaré \ufffd</body></html>'),
        ("Touré à Sévaré, Ségou et Kidal. ".encode() * 3 + b"\xff", False, "Touré à Sévaré, Ségou et Kidal. " * 3 + "\ufffd"),
    ],
)  # fmt: skip
def test_decode_reads_boms_utf8_declared_charsets_cp1252_and_other_scripts(
    raw: bytes, is_html: bool, expected: str | None
) -> None:
    assert decode(raw, is_html) == expected


# Written in the language each encoding serves (none of it is fitted: each rule is about scripts).
LEGACY_TEXTS = [
    ("Президент Украины", "cp1251"),
    ("Президент Украины", "koi8_r"),
    ("КИЕВ, 3 марта (Рейтер) - Президент Украины Владимир Зеленский заявил в понедельник.\n\n"
     "Kyiv, March 3 (Reuters) - Ukraine's president said so on Monday in a statement in English.", "cp1251"),
    ("Новости\n\nПрезидент Украины Владимир Зеленский заявил, что Киев готов.", "koi8_r"),
    ("Президент України Володимир Зеленський заявив, що Київ готовий до переговорів.", "koi8_u"),
    ("Ο πρωθυπουργός της Ελλάδας δήλωσε ότι η κυβέρνηση θα στηρίξει τις εξαγωγές.", "cp1253"),
    ("Die Bundesregierung hat am Dienstag die Exporte nach Zürich gefördert. Müller sagte „Nein“.", "cp1252"),
    ("Le président a déclaré mercredi à l'Élysée que la réforme était nécessaire.", "cp1252"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "encoding"), LEGACY_TEXTS)
def test_legacy_encodings_no_one_declared_are_read_as_written(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), is_html=False) == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [text for text, _ in LEGACY_TEXTS])
def test_utf16_without_a_byte_order_mark_is_text_not_binary(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), is_html=False) == text


def test_binary_files_are_not_taken_for_utf16() -> None:
    generator = random.Random(14)
    noise = [bytes(generator.randrange(256) for _ in range(3000)) for _ in range(100)]
    every_other = bytes(generator.randrange(256) if i % 2 else 0 for i in range(4000))
    sparse = bytes(generator.randrange(1, 256) if i % 7 == 0 else 0 for i in range(4000))
    for raw in [*noise, every_other, sparse, Path("/bin/sh").read_bytes()[:100_000]]:
        assert decode(raw, is_html=False) is None


def test_words_no_language_writes_are_counted() -> None:
    assert implausible_words("Ïðåçèäåíò Óêðàèíû") == 2  # Russian read as Windows-1252
    assert implausible_words("рПЕЪЙДЕОФ") == 1  # KOI8-R read as Windows-1251
    assert implausible_words("Cafй") == 1  # Windows-1252 read as Windows-1251
    assert implausible_words("Müller in Zürich, McDonald and iPhone, Президент Украины") == 0


@pytest.mark.skipif(not ALLSIDES.is_file(), reason="../shared/corpora is not beside the project")
def test_real_stories_in_windows_1252_come_back_unchanged() -> None:
    stories = list(rows(ALLSIDES, stop=400))
    tried = 0
    for story in stories:
        text = story.get("text") or ""
        try:
            raw = text.encode("cp1252")
        except UnicodeEncodeError:
            continue
        if max(raw, default=0) > 127:
            tried += 1
            assert decode(raw, is_html=False) == text
    assert tried > 200
