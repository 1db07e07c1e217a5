"""The Whoosh patches: in-place buffer files, applied when an index opens."""

from __future__ import annotations

import io
from pathlib import Path

from search.engine import patches


def test_the_view_file_reads_as_bytesio_does_without_copying() -> None:
    data = b"first line\nsecond\n\x00\x01binary tail"
    view, copy = patches._ViewFile(memoryview(data)), io.BytesIO(data)
    steps = [("read", (4,)), ("readline", ()), ("tell", ()), ("seek", (3,)), ("read", (2,)), ("seek", (-4, 2)),
             ("read", ()), ("read", (5,)), ("seek", (2, 1)), ("tell", ()), ("seek", (0,)), ("readline", (3,))]  # fmt: skip
    for name, args in steps:
        assert getattr(view, name)(*args) == getattr(copy, name)(*args), (name, args)


def test_opening_an_index_makes_whooshs_buffer_files_read_in_place(sample_index: Path) -> None:
    from whoosh.filedb.structfile import BufferFile

    from search import open_index

    open_index(sample_index)  # the patches are applied when an index opens, not when a module loads
    buffered = BufferFile(memoryview(b"\x00\x00\x00\x05rest"))
    assert (
        isinstance(buffered.file, patches._ViewFile)
        and buffered.read_int() == 5
        and buffered.read() == b"rest"
    )
