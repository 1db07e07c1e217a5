"""The array postings codec keeps what Whoosh's own codec keeps: every term's entry, every posting's
document number, weight and value, for each format Whoosh has, read back through Whoosh's matcher API
(and so through Whoosh's merges) and as arrays."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import whoosh.index
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats
from whoosh.codec import whoosh3
from whoosh.filedb.structfile import StructFile
from whoosh.matching import ReadTooFar
from whoosh.system import pack_uint

import search
from search import engine
from search.engine import codec, writer
from search.engine.codec import decode_positions
from search.errors import IndexDamagedError

from .conftest import DOCS, random_documents, write

FORMATS = {
    "positions": formats.Positions(),
    "boosted positions": formats.Positions(field_boost=2.0),
    "frequency": formats.Frequency(field_boost=1.5),
    "existence": formats.Existence(),
    "characters": formats.Characters(),  # a format our schema does not use: its values kept as given
}


def postings_of(format_: Any, draw: Any) -> list[tuple[int, float, bytes | None, int]]:
    """Postings of a term: ascending document numbers with gaps of every width, values of the format,
    weights as Whoosh's formats make them or, now and then, token-boosted."""
    gaps = draw(
        st.lists(
            st.one_of(st.integers(1, 3), st.integers(1, 70_000), st.integers(1, 1 << 22)),
            min_size=1,
            max_size=300,
        )
    )
    ids = np.cumsum(gaps).tolist()
    boosted = draw(st.booleans())
    found = []
    for docnum in ids:
        count = draw(st.integers(0, 4))  # (0: a posting without positions, as Whoosh allows)
        positions = sorted(
            draw(
                st.sets(
                    st.integers(0, 70_000 if draw(st.booleans()) else 300), min_size=count, max_size=count
                )
            )
        )
        weight = count * float(getattr(format_, "field_boost", 1.0))
        if boosted:
            weight = draw(st.floats(0.125, 10.0, width=32))
        if type(format_) is formats.Positions:
            value: bytes | None = format_.encode(positions)
        elif type(format_) is formats.Frequency:
            value = pack_uint(count)
        elif type(format_) is formats.Existence:
            value, weight = b"", format_.field_boost
        else:
            value = format_.encode([(p, p * 2, p * 2 + 1) for p in positions])
        found.append((docnum, weight, value, draw(st.integers(0, 2_000))))
    return found


def written(
    make_writer: Any, format_: Any, postings: list[tuple[int, float, bytes | None, int]]
) -> tuple[bytes, Any]:
    dbfile = StructFile(BytesIO())
    dbfile.write(b"leading bytes")  # a term's chunk is found by its offset
    postwriter = make_writer(dbfile)
    postwriter.start_postings(format_, whoosh3.W3TermInfo())
    for posting in postings:
        postwriter.add_posting(*posting)
    info = postwriter.finish_postings()
    dbfile.write(codec.MAGIC)
    return dbfile.file.getvalue(), info.to_bytes()


def read(matcher: Any) -> list[tuple[int, float, Any]]:
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


@pytest.mark.parametrize("name", list(FORMATS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_terms_postings_read_back_as_whooshs_codec_reads_them(name: str, data: st.DataObject) -> None:
    format_ = FORMATS[name]
    postings = postings_of(format_, data.draw)
    ours, our_entry = written(codec.ArrayPostingsWriter, format_, postings)
    theirs, their_entry = written(lambda f: whoosh3.W3PostingsWriter(f, blocklimit=128), format_, postings)
    statistics = whoosh3.W3TermInfo._struct.size  # the entry's statistics, before where its postings are
    assert our_entry[:statistics] == their_entry[:statistics]
    our_info, their_info = map(whoosh3.W3TermInfo.from_bytes, (our_entry, their_entry))
    offset, (length,) = their_info.extent()  # (Whoosh reads the length back as a 1-tuple)
    expected = read(whoosh3.W3LeafMatcher(StructFile(BytesIO(theirs)), offset, length, format_))
    arrays = codec.SegmentArrays(ours)
    assert read(codec.term_matcher(arrays, our_info, format_)) == expected
    ids, weights = arrays.postings(our_info)
    assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == [(n, w) for n, w, _ in expected]
    kept = arrays.positions(our_info)
    assert (kept is not None) == (type(format_) is formats.Positions)
    if kept is not None:
        ends, flat = kept
        assert [flat[ends[n] : ends[n + 1]].tolist() for n in range(len(ids))] == [
            decode_positions(v) for _, _, v in expected
        ]
    matcher = codec.term_matcher(arrays, our_info, format_)
    for target in [ids[len(ids) // 2], ids[-1], ids[-1] + 1]:
        matcher.skip_to(int(target))
        assert not matcher.is_active() if target > ids[-1] else matcher.id() == target
    with pytest.raises(ReadTooFar):  # as Whoosh's matchers do
        matcher.skip_to(int(ids[-1]) + 2)


def written_as(index_dir: Path) -> None:
    write(index_dir, [*DOCS, *random_documents(3, 300, "c")])
    for batch, documents in enumerate([random_documents(4, 120, "d"), random_documents(5, 30, "e")]):
        with engine.writing(index_dir, index_dir.parent, timeout=0.1, rebuild=False) as update:
            for document in documents:
                update.add(document)
            for n in range(batch, 300, 5):
                update.delete(f"c{n}.txt")


def statistics(info: Any) -> tuple[Any, ...]:
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
            info.min_id(), info.max_id())  # fmt: skip


def test_an_index_written_with_arrays_holds_what_whooshs_codec_writes(tmp_path: Path) -> None:
    """The same documents through our writer with either codec, then updates that delete some, then
    every segment merged into one by Whoosh (reading our postings through its matchers): every term of
    every field (positions, a boosted title, scorable keywords, ids and dates) has the same entry and
    the same postings."""
    ours, theirs = tmp_path / "ours" / "index", tmp_path / "theirs" / "index"
    written_as(ours)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer, "ArrayCodec", whoosh3.W3Codec)
        written_as(theirs)
    assert compared(ours, theirs) == (3, True)
    for index_dir, codec_type in ((ours, codec.ArrayCodec), (theirs, whoosh3.W3Codec)):
        whoosh.index.open_dir(str(index_dir), indexname="MAIN").writer(codec=codec_type()).commit(
            optimize=True
        )
    assert compared(ours, theirs) == (1, False)


def compared(ours: Path, theirs: Path) -> tuple[int, bool]:
    """Compares every term of two indexes; the segments and whether some documents are deleted."""
    index, twin = engine.EngineIndex(ours), engine.EngineIndex(theirs)
    with index._current_searcher() as searcher, twin._current_searcher() as their_searcher:
        our_reader, their_reader = searcher.reader(), their_searcher.reader()
        assert all(codec.segment_arrays(sub.reader()) is not None for sub, _ in searcher.leaf_searchers())
        assert list(our_reader.all_terms()) == list(their_reader.all_terms())
        fields = set()
        for fieldname, btext in their_reader.all_terms():
            expected = their_reader.term_info(fieldname, btext)
            assert statistics(our_reader.term_info(fieldname, btext)) == statistics(expected)
            assert read(our_reader.postings(fieldname, btext)) == read(
                their_reader.postings(fieldname, btext)
            )
            fields.add(fieldname)
        assert {"title", "body", "actors", "id", "date"} <= fields
        return len(searcher.leaf_searchers()), our_reader.has_deletions()


def test_postings_of_another_layout_or_damaged_are_an_error(tmp_path: Path) -> None:
    """A segment written by another version of the program (another layout) cannot be read from Whoosh's
    blocks (it has none): the index is damaged, as a term entry pointing outside the file is."""
    with pytest.raises(codec.OtherLayoutError):
        codec.SegmentArrays(b"\0" * 10 + b"NSARP999")
    entry = whoosh3.W3TermInfo(weight=3.0, df=3, minid=0, maxid=9)
    entry.set_extent(5, 100)
    with pytest.raises(ValueError, match="damaged"):
        codec.SegmentArrays(b"\0" * 10 + codec.MAGIC).postings(entry)
    format_ = formats.Positions()
    postings = [(n, 2.0, format_.encode([n, n + 1]), 10) for n in (3, 300, 70_000)]
    chunk, entry_bytes = written(codec.ArrayPostingsWriter, format_, postings)
    flags_at = len(b"leading bytes")
    for damage in (0x03, 0x30):  # a width of no meaning, for the gaps or the positions
        broken = bytearray(chunk)
        broken[flags_at] |= damage
        with pytest.raises(ValueError, match="damaged"):
            codec.SegmentArrays(bytes(broken)).postings(whoosh3.W3TermInfo.from_bytes(entry_bytes))
    more = whoosh3.W3TermInfo.from_bytes(entry_bytes)
    more._df = 1_000_000  # an entry saying the term holds more than its chunk
    arrays = codec.SegmentArrays(chunk)
    with pytest.raises(ValueError, match="damaged"):
        arrays.positions(more)
    truncated = bytearray(chunk)
    truncated[flags_at] |= 0x0C  # counts of 4 bytes: the positions no longer fit in the chunk
    with pytest.raises(ValueError, match="damaged"):
        codec.SegmentArrays(bytes(truncated)).positions(whoosh3.W3TermInfo.from_bytes(entry_bytes))
    index_dir = tmp_path / "index"
    write(index_dir, DOCS)
    assert search.open_index(index_dir).search("coup").total == 1
    for segment in index_dir.glob("*.seg"):
        data = segment.read_bytes()
        assert data.count(codec.MAGIC) == 1
        segment.write_bytes(data.replace(codec.MAGIC, b"NSARP999"))
    with pytest.raises(IndexDamagedError, match="is damaged"):
        search.open_index(index_dir).search("coup")
