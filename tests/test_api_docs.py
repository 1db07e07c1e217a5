"""docs/api.md names every public name of the package and every public method of SearchIndex."""

from __future__ import annotations

import inspect

import pytest

import search

from .conftest import PROJECT_ROOT

API_DOC = (PROJECT_ROOT / "docs" / "api.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", search.__all__)
def test_every_exported_name_is_documented(name: str) -> None:
    assert f"`{name}" in API_DOC


@pytest.mark.parametrize(
    "name", [n for n, _ in inspect.getmembers(search.SearchIndex) if not n.startswith("_")]
)
def test_every_method_of_an_opened_index_is_documented(name: str) -> None:
    assert f"`{name}" in API_DOC or f", `{name}`" in API_DOC


def test_the_package_is_typed() -> None:
    assert (PROJECT_ROOT / "search" / "py.typed").is_file()
