"""The engine: the only package that talks to Whoosh. One module a concern:

- folder: the index folder (manifest, alias table, run lock), without the index itself; catalog:
  each document's source, for incremental runs; actornames: each actor's name and type;
- patches: Whoosh file-reading patches; analysis: terms, stop words, schema, prepared documents;
- checks: what a user typed or pasted, made readable; query: the parser and its plugins;
- expansion: wildcards and fuzzy words within a budget; spelling: did you mean;
- codec: postings and positions as arrays a segment; matches: documents and scores as arrays;
  postings: BM25F scoring from those arrays; feedback: pseudo-relevance feedback; columns: each document's
  date, actors, outlet and title key read whole as arrays; filters: actor, outlet, type and date
  filters as arrays; facets: counts per actor, outlet and year; timeline: documents per period;
  sources: outlets named as users write them;
- highlight: snippets; wordbounds: where words stand, with numpy, for a page's snippets;
- hits: Hit and Document records made of stored fields; fingerprints: MinHash signatures of a body;
  copies: copy groups, kept as runs commit; collapse: copy groups folded into one hit a group;
  associations: what is over-represented in a set of documents (JLH); network: actors named together;
- writer: indexing runs; requests: what a search asks and what it matched; index: EngineIndex, which
  runs a search through them.

Everything else in the package works with our own records (search.models) and exceptions
(search.errors), through the names exported here.
"""

from __future__ import annotations

from .analysis import (
    PreparedDocument,
    WordsText,
    body_terms,
    build_schema,
    index_terms,
    key_terms,
    prepare,
    text_analyzer,
)
from .catalog import Catalog, read_catalog, write_catalog
from .checks import check_query_text
from .folder import (
    MANIFEST_NAME,
    SCHEMA_VERSION,
    changing_alerts,
    read_alerts,
    read_manifest,
)
from .highlight import Marks, body_fragments
from .index import EngineIndex, added_documents
from .query import ParsedQuery, query_parser
from .requests import SearchRequest
from .writer import IndexBuild, writing

__all__ = [
    "MANIFEST_NAME",
    "SCHEMA_VERSION",
    "Catalog",
    "EngineIndex",
    "IndexBuild",
    "Marks",
    "ParsedQuery",
    "PreparedDocument",
    "SearchRequest",
    "WordsText",
    "added_documents",
    "body_fragments",
    "body_terms",
    "build_schema",
    "changing_alerts",
    "check_query_text",
    "index_terms",
    "key_terms",
    "prepare",
    "query_parser",
    "read_alerts",
    "read_catalog",
    "read_manifest",
    "text_analyzer",
    "write_catalog",
    "writing",
]
